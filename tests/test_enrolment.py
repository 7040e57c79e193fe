"""Bulk enrolment from CSV: the rules (app/services/enrolment.py) and the upload page."""
from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, CohortRole, Membership, User
from app.services import enrolment
from app.services.enrolment import ImportRefused

from .factories import World

HEADER = "email,name,role,country,language"


@pytest.fixture
def in_request(app):
    """The service's messages are translated for the request's user, as in a real upload."""
    with app.test_request_context():
        yield


def csv_bytes(*lines: str, sep: str = ",", bom: bool = False, newline: str = "\n") -> bytes:
    text = newline.join(line.replace(",", sep) for line in lines) + newline
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def refused(cohort, data: bytes, filename: str | None = "people.csv") -> list[tuple[int | None, str]]:
    with pytest.raises(ImportRefused) as info:
        enrolment.enrol(cohort, data, filename)
    db.session.rollback()
    return [(p.line, p.message) for p in info.value.problems]


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def membership_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Membership))


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# The rules, without HTTP ----------------------------------------------------------------------

pytestmark = pytest.mark.usefixtures("in_request")

def test_new_people_are_created_and_existing_ones_enrolled(world, factory):
    existing = factory.user("Eva Existing", email="eva@example.org")
    data = csv_bytes(HEADER,
                     "EVA@Example.org,Eva E.,facilitator,SE,",
                     "ana@example.org,Ana Andersson,,SE,",
                     "bo@example.org,Bo Berg,coordinator,se,en")
    summary = enrolment.enrol(world.cohort, data, "people.csv")
    db.session.commit()

    assert [u.email for u in summary.created] == ["ana@example.org", "bo@example.org"]
    assert summary.enrolled == [existing] and summary.skipped == []
    assert existing.name == "Eva Existing"  # the file does not rename people who have an account
    roles = dict(db.session.execute(select(User.email, Membership.role).join(Membership)
                                    .where(Membership.cohort_id == world.cohort.id)).all())
    assert roles["eva@example.org"] == CohortRole.FACILITATOR
    assert roles["ana@example.org"] == CohortRole.TRAINEE  # empty role means trainee
    assert roles["bo@example.org"] == CohortRole.COORDINATOR
    ana = db.session.scalar(select(User).where(User.email == "ana@example.org"))
    bo = db.session.scalar(select(User).where(User.email == "bo@example.org"))
    assert ana.locale == "sv"  # the country's language when the file gives none
    assert bo.locale == "en"
    assert ana.password_hash is None  # they choose a password through the invitation
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["admin.user.create", "admin.user.create", "admin.cohort.import"]


def test_members_already_in_the_same_role_are_skipped(world):
    data = csv_bytes("email,name", f"{world.trainee.email},Tina", "new@example.org,New Person")
    summary = enrolment.enrol(world.cohort, data)
    assert summary.skipped == [world.trainee]
    assert [u.email for u in summary.created] == ["new@example.org"]


def test_transnational_cohort_takes_people_of_every_partner_country(world):
    data = csv_bytes("email,name,country", "a@example.org,A,SE", "b@example.org,B,NO", "c@example.org,C,PT")
    summary = enrolment.enrol(world.transnational, data)
    assert len(summary.created) == 3


def test_one_bad_row_imports_nothing_and_every_problem_is_listed(world):
    users_before, members_before = user_count(), membership_count()
    data = csv_bytes(HEADER,
                     "good@example.org,Good Person,trainee,SE,",
                     "also.good@example.org,Also Good,,,",
                     "bad@example.org,Bad Country,trainee,XX,",
                     "not-an-email,Someone,,,")
    problems = refused(world.cohort, data)
    assert [line for line, _m in problems] == [4, 5]
    assert "Unknown country “XX”" in problems[0][1]
    assert "not a valid e-mail" in problems[1][1]
    assert user_count() == users_before and membership_count() == members_before
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


@pytest.mark.parametrize(("row", "message"), [
    (",No Email,,,", "The e-mail is empty"),
    ("x@example.org,X,boss,,", "Unknown role “boss”"),
    ("x@example.org,X,,NO,", "not this cohort's country (SE)"),
    ("x@example.org,X,,,de", "Unknown language “de”"),
    ("x@example.org,,,,", "a new account needs one"),
    ("nobody@@example.org,X,,,", "not a valid e-mail address"),
])
def test_each_kind_of_bad_row_is_named_with_its_line(world, row, message):
    problems = refused(world.cohort, csv_bytes(HEADER, "fine@example.org,Fine,,,", row))
    assert len(problems) == 1
    assert problems[0][0] == 3
    assert message in problems[0][1]


def test_duplicate_emails_in_the_file_are_reported_case_insensitively(world):
    problems = refused(world.cohort, csv_bytes("email,name", "ana@example.org,Ana", "b@example.org,B",
                                               "ANA@example.org,Ana again"))
    assert problems == [(4, "ana@example.org appears twice in the file (first on line 2).")]


def test_someone_already_in_the_cohort_in_another_role_is_reported(world):
    problems = refused(world.cohort, csv_bytes("email,name,role", f"{world.facilitator.email},Fia,trainee"))
    assert problems[0][0] == 2
    assert "already a member of this cohort, as facilitator" in problems[0][1]


def test_a_deactivated_account_is_reported(world, factory):
    gone = factory.user("Gone", active=False)
    problems = refused(world.cohort, csv_bytes("email,name", f"{gone.email},Gone"))
    assert problems[0][0] == 2 and "deactivated" in problems[0][1]


def test_header_must_name_email_and_name(world):
    problems = refused(world.cohort, csv_bytes("mail,role", "a@example.org,trainee"))
    assert problems[0][0] == 1
    assert "lacks the column(s) email, name" in problems[0][1]


def test_unknown_and_repeated_columns_are_reported(world):
    problems = refused(world.cohort, csv_bytes("email,name,langauge,name", "a@example.org,A,sv,A"))
    messages = " ".join(m for _l, m in problems)
    assert "Unknown column(s) langauge" in messages
    assert "name appear more than once" in messages


def test_excel_file_with_semicolons_bom_and_crlf_works(world):
    data = ("\ufeffEmail;Name;Role;Country;Language\r\n"
            "ana@example.org;Ana Pereira;trainee;SE;pt\r\n"
            "rui@example.org;Rui, Santos;;SE;\r\n"
            ";;;;\r\n").encode("utf-8")
    summary = enrolment.enrol(world.cohort, data, "Trainees.CSV")
    assert sorted(u.name for u in summary.created) == ["Ana Pereira", "Rui, Santos"]
    assert summary.created[0].email == "ana@example.org"  # the BOM is not part of the first column's name


def test_line_numbers_follow_the_file_across_blank_lines_and_quoted_newlines(world):
    data = csv_bytes(HEADER,
                     "",
                     'a@example.org,"Ana\nPereira",,,',
                     ",,,,",
                     "b@example.org,B,chief,,")
    problems = refused(world.cohort, data)
    assert problems == [(6, "Unknown role “chief”: write trainee, facilitator or coordinator "
                            "(or leave it empty for trainee).")]


def test_a_file_not_in_utf8_is_refused_with_its_line(world):
    data = "email,name\na@example.org,Ana\nj@example.org,João\n".encode("latin-1")
    problems = refused(world.cohort, data)
    assert problems[0][0] == 3
    assert "not UTF-8" in problems[0][1] and "CSV UTF-8" in problems[0][1]


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.png", "This is not a CSV file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", "This is not a CSV file"),
    (b"PK\x03\x04\x14\x00\x06\x00", "people.xlsx", "spreadsheet workbook"),
    (b"PK\x03\x04\x14\x00\x06\x00", "people.csv", "spreadsheet workbook"),
    ("email,name\n".encode("utf-16"), "people.csv", "UTF-16"),
    (b"email,name\n", "people.pdf", "This is not a CSV file"),
    (b"", "people.csv", "The file is empty"),
    (b"\xef\xbb\xbf\n", "people.csv", "The file is empty"),
    (b"email,name\n\n", "people.csv", "nobody under it"),
])
def test_files_that_are_not_csv_are_refused_as_a_whole(world, data, filename, message):
    problems = refused(world.cohort, data, filename)
    assert len(problems) == 1 and problems[0][0] is None
    assert message in problems[0][1]


@pytest.mark.parametrize("sep", ["\t", "|"])
def test_a_wrong_delimiter_is_explained(world, sep):
    problems = refused(world.cohort, csv_bytes(HEADER, "a@example.org,A,,,", sep=sep))
    assert problems[0][0] == 1
    assert "not separated by commas or semicolons" in problems[0][1]


def test_a_row_with_another_delimiter_than_the_header_is_explained(world):
    problems = refused(world.cohort, csv_bytes("email,name", "a@example.org;Ana"))
    assert problems == [(2, "The values on this line are separated by semicolons, but the header line uses commas.")]


def test_more_values_than_columns_is_reported(world):
    problems = refused(world.cohort, csv_bytes("email,name", "a@example.org,Ana,extra"))
    assert problems == [(2, "This line has more values than the header has columns.")]


def test_an_unclosed_quote_is_reported(world):
    problems = refused(world.cohort, csv_bytes("email,name", "a@example.org,Ana", 'b@example.org,"Bo'))
    assert problems[0][0] == 3 and "quotation marks" in problems[0][1]


def test_more_than_the_maximum_number_of_rows_is_refused(world):
    rows = [f"p{i}@example.org,Person {i}" for i in range(enrolment.MAX_ROWS + 1)]
    problems = refused(world.cohort, csv_bytes("email,name", *rows))
    assert problems == [(None, "The file has more than 2000 people. Split it into files of at most 2000 rows "
                               "and import them one by one.")]
    assert user_count() == len(World.PERSONAS) - 1  # the world's people only


def test_the_maximum_number_of_rows_is_accepted(world, monkeypatch):
    monkeypatch.setattr(enrolment, "MAX_ROWS", 3)
    rows = [f"p{i}@example.org,Person {i}" for i in range(3)]
    assert len(enrolment.enrol(world.cohort, csv_bytes("email,name", *rows)).created) == 3


# The upload page ------------------------------------------------------------------------------

def upload(client, cohort, data: bytes, filename: str = "people.csv"):
    return client.post(f"/admin/cohorts/{cohort.id}/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def invitation_path(message) -> str:
    match = re.search(r"http://localhost(/invitation/\S+)", message.get_content())
    assert match, message.get_content()
    return match.group(1)


def test_upload_enrols_and_invites_and_the_invitation_works(app, client, world, login, outbox):
    login(world.admin)
    response = upload(client, world.cohort, csv_bytes(HEADER, "ana@example.org,Ana Pereira,trainee,SE,pt",
                                                      f"{world.trainee_other.email},Otto,,,"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/cohorts/{world.cohort.id}")
    page = page_text(client.get(response.headers["Location"]))
    assert ("New accounts created and invited: 1. Existing users enrolled: 1. Already members, skipped: 0."
            in page)
    assert "Ana Pereira" in page and "Otto Othertrainee" in page

    assert [m["To"] for m in outbox] == ["ana@example.org"]  # existing users get no invitation
    path = invitation_path(outbox[0])
    newcomer = app.test_client()
    assert newcomer.get(path).status_code == 200
    response = newcomer.post(path, data={"new_password": "a quiet harbour at dawn",
                                         "confirm": "a quiet harbour at dawn"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    response = newcomer.post("/login", data={"email": "ana@example.org", "password": "a quiet harbour at dawn"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/home")


def test_upload_with_a_bad_row_shows_every_line_and_imports_nothing(client, world, login, outbox):
    login(world.admin)
    users_before, members_before = user_count(), membership_count()
    response = upload(client, world.cohort, csv_bytes(HEADER,
                                                      "ana@example.org,Ana,,SE,",
                                                      "rui@example.org,Rui,,FR,",
                                                      "ana@example.org,Ana twice,,SE,"))
    assert response.status_code == 200
    page = page_text(response)
    assert "Nothing was imported" in page
    assert re.search(r"<th scope=\"row\">3</th>\s*<td>Unknown country “FR”", page)
    assert re.search(r"<th scope=\"row\">4</th>\s*<td>ana@example.org appears twice", page)
    assert user_count() == users_before and membership_count() == members_before
    assert outbox == []


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00", "photo.png", "This is not a CSV file"),
    (b"PK\x03\x04\x14\x00\x06\x00", "trainees.xlsx", "This is a spreadsheet workbook, not a CSV file"),
    (csv_bytes(HEADER, "a@example.org,A,,,", sep="\t"), "people.csv", "not separated by commas or semicolons"),
])
def test_upload_of_a_wrong_file_says_why(client, world, login, data, filename, message):
    login(world.admin)
    response = upload(client, world.cohort, data, filename)
    assert response.status_code == 200
    assert message in page_text(response)
    assert user_count() == len(World.PERSONAS) - 1


def test_upload_of_a_semicolon_file_with_bom_works(client, world, login, outbox):
    login(world.admin)
    data = csv_bytes("email;name;role;country;language", "maja@example.org;Maja Ek;;SE;sv", sep=";", bom=True,
                     newline="\r\n")
    response = upload(client, world.cohort, data)
    assert response.status_code == 302
    assert db.session.scalar(select(User).where(User.email == "maja@example.org")).name == "Maja Ek"
    assert len(outbox) == 1


def test_upload_without_a_file_asks_for_one(client, world, login):
    login(world.admin)
    response = client.post(f"/admin/cohorts/{world.cohort.id}/import", data={},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Choose a CSV file to upload." in page_text(response)


def test_import_page_explains_the_columns(client, world, login):
    login(world.admin)
    page = page_text(client.get(f"/admin/cohorts/{world.cohort.id}/import"))
    assert "Enrol people into Sweden pilot from a CSV file" in page
    assert "in this cohort it must be SE" in page
    assert 'enctype="multipart/form-data"' in page


def test_the_example_file_imports_as_it_is(client, world, login, outbox):
    login(world.admin)
    response = client.get(f"/admin/cohorts/{world.cohort.id}/import/example.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf" + HEADER.encode())
    assert upload(client, world.cohort, response.data, "enrolment-example.csv").status_code == 302
    assert len(outbox) == 2


def test_the_number_of_reads_does_not_grow_with_the_file(world, factory):
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counted():
        statements = []

        def count(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith("SELECT"):
                statements.append(statement)
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", count)

    def run(prefix: str, n: int) -> int:
        existing = [factory.user(email=f"{prefix}old{i}@example.org") for i in range(n)]
        db.session.commit()
        rows = [f"{u.email},Old" for u in existing] + [f"{prefix}new{i}@example.org,New {i}" for i in range(n)]
        with counted() as statements:
            summary = enrolment.enrol(world.transnational, csv_bytes("email,name", *rows))
            new_ids = [u.id for u in summary.created]
            db.session.commit()
            enrolment.send_invitations(new_ids)
            db.session.commit()
        assert len(summary.created) == len(summary.enrolled) == n
        return len(statements)

    # Reads stay the same; the ORM batches the inserts where the database allows it.
    assert run("small", 2) == run("large", 40)
