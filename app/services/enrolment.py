"""Bulk enrolment into a cohort from a CSV file.

The whole file is checked before anything is written: a file with one bad row imports nothing,
and the report names every bad line, numbered as in the file (the header is line 1). Excel in
the partner countries writes `;` between values and may add a byte-order mark; both are fine."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import PurePath

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..models import Cohort, CohortRole, Country, Membership, User
from ..timezones import zone_for_country, zone_for_locale
from .accounts import normalise_email, send_password_link
from .runs import role_label

MAX_ROWS = 2000
COLUMNS = ("email", "name", "role", "country", "language")
REQUIRED_COLUMNS = ("email", "name")
HEADER_ALIASES = {"e-mail": "email", "locale": "language"}
ROLE_ALIASES = {"national coordinator": CohortRole.COORDINATOR, "national_coordinator": CohortRole.COORDINATOR}
LANGUAGE_ALIASES = {"no": "nb"}  # what Norwegians often write for bokmål
TEXT_EXTENSIONS = {".csv", ".txt"}
EXCEL_EXTENSIONS = {".xlsx", ".xls", ".xlsm", ".ods", ".numbers"}
# Files people upload by mistake, recognised by their first bytes.
SPREADSHEET_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # xlsx/ods (zip) and old .xls
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Problem:
    #: Line in the file (header = 1); None for a problem with the file as a whole.
    line: int | None
    message: str


class ImportRefused(Exception):
    """The file cannot be imported; `problems` says every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = sorted(problems, key=lambda p: (p.line or 0))


@dataclass
class Row:
    line: int
    email: str
    name: str
    role: str
    country: str | None
    language: str | None


@dataclass
class Summary:
    created: list[User] = field(default_factory=list)
    enrolled: list[User] = field(default_factory=list)
    #: Already members of the cohort in the same role: nothing to do.
    skipped: list[User] = field(default_factory=list)


# Reading the file -----------------------------------------------------------------------------

def _file_problem(data: bytes, filename: str | None) -> str | None:
    extension = PurePath(filename or "").suffix.lower()
    save_as = _("In your spreadsheet choose “Save as” and the format “CSV UTF-8”, then upload that file.")
    if extension in EXCEL_EXTENSIONS or data.startswith(SPREADSHEET_SIGNATURES):
        return _("This is a spreadsheet workbook, not a CSV file.") + " " + save_as
    if data.startswith(UTF16_BOMS):
        return _("This file is saved as UTF-16 (“Unicode text”).") + " " + save_as
    if b"\x00" in data[:4096] or (extension and extension not in TEXT_EXTENSIONS):
        return _("This is not a CSV file. Upload a .csv file with one person per line.")
    if not data.strip():
        return _("The file is empty.")
    return None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ImportRefused([Problem(line, _(
            "This line has a character that is not UTF-8: the file was saved in another encoding. "
            "In your spreadsheet choose “Save as” and the format “CSV UTF-8”, then upload that file."))]) from None


def _delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _other_separator(value: str, delimiter: str) -> str | None:
    return next((sep for sep in (";", ",", "\t") if sep != delimiter and sep in value), None)


def _separator_name(sep: str) -> str:
    return {";": _("semicolons"), ",": _("commas"), "\t": _("tabs")}[sep]


def _columns(header: list[str], header_line: str) -> dict[str, int]:
    names = [HEADER_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    expected = ", ".join(COLUMNS)
    if len(names) == 1 and any(sep in header_line for sep in ("\t", "|")):
        raise ImportRefused([Problem(1, _(
            "The values are not separated by commas or semicolons (this file seems to use tabs or "
            "vertical bars). Save the file as CSV; the first line must be: %(columns)s", columns=expected))])
    problems = []
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        problems.append(Problem(1, _("The header line lacks the column(s) %(missing)s. The first line must name "
                                     "the columns: %(columns)s", missing=", ".join(missing), columns=expected)))
    unknown = [h for h in names if h and h not in COLUMNS]
    if unknown:
        problems.append(Problem(1, _("Unknown column(s) %(unknown)s. The columns are: %(columns)s",
                                     unknown=", ".join(unknown), columns=expected)))
    repeated = sorted({h for h in names if h and names.count(h) > 1})
    if repeated:
        problems.append(Problem(1, _("The column(s) %(columns)s appear more than once.", columns=", ".join(repeated))))
    if problems:
        raise ImportRefused(problems)
    return {name: i for i, name in enumerate(names) if name}


def _records(text: str, delimiter: str):
    """(line, values) for every row, line numbers as in the file (a quoted value may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    try:
        for values in reader:
            yield start, values
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportRefused([Problem(start, _("This line cannot be read as CSV (%(error)s). "
                                              "Check its quotation marks.", error=exc))]) from None


def _parse_row(line: int, values: dict[str, str], seen: dict[str, int]) -> tuple[Row | None, list[Problem]]:
    problems = []
    raw_email = values.get("email", "").strip()
    email = normalise_email(raw_email)
    if not email:
        problems.append(Problem(line, _("The e-mail is empty.")))
    else:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            problems.append(Problem(line, _("“%(email)s” is not a valid e-mail address.", email=raw_email)))
        else:
            if email in seen:
                problems.append(Problem(line, _("%(email)s appears twice in the file (first on line %(first)d).",
                                                email=email, first=seen[email])))
            else:
                seen[email] = line
    name = " ".join(values.get("name", "").split())
    if len(name) > 200:
        problems.append(Problem(line, _("The name is longer than 200 characters.")))
    role_text = values.get("role", "").strip()
    role = ROLE_ALIASES.get(role_text.lower(), role_text.lower() or CohortRole.TRAINEE)
    if role not in tuple(CohortRole):
        problems.append(Problem(line, _("Unknown role “%(role)s”: write trainee, facilitator or coordinator "
                                        "(or leave it empty for trainee).", role=role_text)))
    language_text = values.get("language", "").strip()
    language = LANGUAGE_ALIASES.get(language_text.lower(), language_text.lower()) or None
    languages = current_app.config["LANGUAGES"]
    if language is not None and language not in languages:
        problems.append(Problem(line, _("Unknown language “%(language)s”: write one of %(codes)s, or leave it empty.",
                                        language=language_text, codes=", ".join(languages))))
    if problems:
        return None, problems
    country = values.get("country", "").strip().upper() or None
    return Row(line, email, name, role, country, language), []


def _shape_problem(values: list[str], columns: int, delimiter: str) -> str | None:
    """A line that does not fit the header: another separator, or values beyond the columns."""
    other = _other_separator(values[0], delimiter) if columns > 1 and len(values) == 1 else None
    if other:
        return _("The values on this line are separated by %(found)s, but the header line uses %(expected)s.",
                 found=_separator_name(other), expected=_separator_name(delimiter))
    if any(v.strip() for v in values[columns:]):
        return _("This line has more values than the header has columns.")
    return None


def read_rows(data: bytes, filename: str | None = None) -> tuple[list[Row], list[Problem]]:
    """The file's rows and the problems of form found in them (e-mails, roles, languages,
    duplicates). A file that cannot be read at all (not a CSV, wrong encoding, bad header, too
    many rows) raises ImportRefused."""
    problem = _file_problem(data, filename)
    if problem:
        raise ImportRefused([Problem(None, problem)])
    text = _decode(data)
    if not text.strip():
        raise ImportRefused([Problem(None, _("The file is empty."))])
    header_line = text.splitlines()[0]
    delimiter = _delimiter(header_line)
    records = _records(text, delimiter)
    _line, header = next(records)
    columns = _columns(header, header_line)
    rows, problems, count = [], [], 0
    seen: dict[str, int] = {}
    for line, values in records:
        if not any(v.strip() for v in values):
            continue  # blank lines, and the empty rows spreadsheets leave at the end
        count += 1
        if count > MAX_ROWS:
            raise ImportRefused([Problem(None, _("The file has more than %(max)d people. Split it into files of "
                                                 "at most %(max)d rows and import them one by one.", max=MAX_ROWS))])
        shape = _shape_problem(values, len(header), delimiter)
        if shape:
            problems.append(Problem(line, shape))
            continue
        by_name = {name: values[i] if i < len(values) else "" for name, i in columns.items()}
        row, row_problems = _parse_row(line, by_name, seen)
        problems += row_problems
        if row:
            rows.append(row)
    if count == 0:
        raise ImportRefused([Problem(None, _("The file has a header but nobody under it: nothing to import."))])
    return rows, problems


# Checking against the database ----------------------------------------------------------------

@dataclass
class _Plan:
    existing: dict[str, User]
    members: dict[int, Membership]
    countries: dict[str, Country]


def _load(rows: list[Row], cohort: Cohort) -> _Plan:
    emails = [r.email for r in rows]
    existing = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))} if emails else {}
    members = {}
    if existing:
        members = {m.user_id: m for m in db.session.scalars(select(Membership).where(
            Membership.cohort_id == cohort.id, Membership.user_id.in_([u.id for u in existing.values()])))}
    countries = {c.code: c for c in db.session.scalars(select(Country))}
    return _Plan(existing, members, countries)


def _database_problems(cohort: Cohort, rows: list[Row]) -> tuple[_Plan, list[Problem]]:
    plan = _load(rows, cohort)
    problems = []
    for row in rows:
        problems += _check_row(cohort, row, plan)
    return plan, problems


def _check_row(cohort: Cohort, row: Row, plan: _Plan) -> list[Problem]:
    problems = []
    if row.country is not None:
        if row.country not in plan.countries:
            problems.append(Problem(row.line, _("Unknown country “%(code)s”: write the two-letter code of a partner "
                                                "country (%(codes)s).", code=row.country,
                                                codes=", ".join(sorted(plan.countries)))))
        elif cohort.country is not None and row.country != cohort.country.code:
            problems.append(Problem(row.line, _("The country %(code)s is not this cohort's country (%(cohort)s).",
                                                code=row.country, cohort=cohort.country.code)))
    user = plan.existing.get(row.email)
    if user is None:
        if not row.name:
            problems.append(Problem(row.line, _("The name is empty; a new account needs one.")))
        return problems
    if not user.active:
        problems.append(Problem(row.line, _("The account of %(email)s is deactivated. Reactivate it first, or "
                                            "remove this line.", email=row.email)))
    membership = plan.members.get(user.id)
    if membership is not None and membership.role != row.role:
        problems.append(Problem(row.line, _("%(email)s is already a member of this cohort, as %(role)s. Change the "
                                            "role on the cohort page, or remove this line.",
                                            email=row.email, role=role_label(membership.role))))
    return problems


# Importing ------------------------------------------------------------------------------------

def _new_user_country(cohort: Cohort, row: Row, plan: _Plan) -> Country | None:
    """The row's country (a transnational cohort's file names it), else the cohort's."""
    return plan.countries.get(row.country) if row.country else cohort.country


def _new_user_locale(cohort: Cohort, row: Row, plan: _Plan) -> str | None:
    if row.language:
        return row.language
    country = _new_user_country(cohort, row, plan)
    return country.default_locale if country else None


def _new_user(cohort: Cohort, row: Row, plan: _Plan) -> User:
    locale = _new_user_locale(cohort, row, plan)
    country = _new_user_country(cohort, row, plan)
    return User(email=row.email, name=row.name, locale=locale,
                timezone=zone_for_country(country) if country else zone_for_locale(locale))


def check(cohort: Cohort, data: bytes, filename: str | None = None) -> tuple[list[Row], _Plan]:
    """Every row checked, in form and against the database; raises ImportRefused listing every
    problem of the file, so one upload reports all there is to fix."""
    rows, problems = read_rows(data, filename)
    plan, db_problems = _database_problems(cohort, rows)
    if problems or db_problems:
        raise ImportRefused(problems + db_problems)
    return rows, plan


def enrol(cohort: Cohort, data: bytes, filename: str | None = None) -> Summary:
    """Check the whole file, then create the new accounts and memberships (add and flush; the
    caller commits, then sends the invitations). Raises ImportRefused and writes nothing if
    any row is wrong."""
    rows, plan = check(cohort, data, filename)
    summary = Summary()
    new_rows = [r for r in rows if r.email not in plan.existing]
    new_users = [_new_user(cohort, r, plan) for r in new_rows]
    db.session.add_all(new_users)
    db.session.flush()
    users = {**plan.existing, **{u.email: u for u in new_users}}
    for row in rows:
        user = users[row.email]
        if user.id in plan.members:
            summary.skipped.append(user)
            continue
        db.session.add(Membership(user_id=user.id, cohort_id=cohort.id, role=row.role))
        (summary.enrolled if row.email in plan.existing else summary.created).append(user)
    for user in new_users:
        audit.record("admin.user.create", user, via="import", cohort_id=cohort.id)
    audit.record("admin.cohort.import", cohort, filename=filename, created=len(summary.created),
                 enrolled=len(summary.enrolled), skipped=len(summary.skipped))
    db.session.flush()
    return summary


def send_invitations(user_ids: list[int]) -> list[User]:
    """E-mail each new user their invitation link; returns those whose message could not be sent
    (the admin can send a new link from the user's page). Call after the accounts are committed,
    then commit again to keep the links."""
    if not user_ids:
        return []
    # One query, rather than one per user to refresh what the commit expired.
    users = db.session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.id))
    failed = []
    for user in users:
        try:
            send_password_link(user, "invite")
        except OSError:  # smtplib's errors are OSErrors too
            current_app.logger.exception("Invitation to %s could not be sent", user.email)
            failed.append(user)
    return failed
