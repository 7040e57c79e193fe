"""Privacy guard: spot text that likely identifies a family before a trainee saves it.

Trainees write journals and assignments about real, often vulnerable, families. The guard
looks for the things that identify a person outright - national ID numbers, IBANs and other
numbers (``privacy_more_ids``), e-mail addresses, phone numbers, street addresses, names and
dates of birth written with a family role or a birth word, listed given names standing alone
(``privacy_people``), a school named with a child's age (``privacy_schools``) - and returns
findings with a suggested replacement. It only warns: the caller shows the findings and the trainee decides, because
the guard cannot know whether "Storgatan 12" is a family's home or the municipal office.

Design choices, all in favour of few false alarms (social workers write many numbers):

* ID numbers are only reported when their check digits and embedded birth date are valid;
  the checksum libraries come from python-stdnum so the arithmetic is the audited one.
* A number is judged as a whole: digits that are part of a longer run of digits or of a
  word never match on their own, so "2024-000123" can never hide a phone number.
* An identity number with a valid check digit and birth date is reported whatever word
  stands before it: in case notes a personnummer often *is* the case reference ("Dnr
  850709-9805"), and then the label says so. Other numbers directly labelled as a
  reference ("invoice no.", "ISBN", "case no.") are taken to be that reference; one
  followed by a unit ("12 345 kr", "160 hours") is an amount.
* Phone numbers are checked against the numbering plans of the five partner countries
  with ``phonenumbers``; the way the digits are grouped decides whether they are written
  as a phone number at all, which the numbering plan alone cannot tell ("23 456 789" is an
  amount, "23 45 67 89" a Norwegian landline).
* When two findings overlap, the more specific kind wins: an e-mail over what is inside
  it, a checksum-valid ID over a phone-shaped reading of the same digits.

Pure Python with no Flask import, so it can be used from forms, the API and tests alike.
"""
from __future__ import annotations

import bisect
import datetime
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import phonenumbers
from stdnum import luhn
from stdnum.exceptions import ValidationError
from stdnum.it import codicefiscale
from stdnum.no import fodselsnummer
from stdnum.pt import cc, nif
from stdnum.se import personnummer
from stdnum.si import emso

from .privacy_addresses import address_spans
from .privacy_more_ids import more_id_spans
from .privacy_people import birth_date_spans, given_name_spans, name_spans
from .privacy_schools import school_with_age_spans

__all__ = ["Finding", "scan", "suggested_family", "KIND_LABELS", "REFERENCE_ID_LABEL"]


@dataclass(frozen=True)
class Finding:
    """One piece of likely identifying text.

    ``kind`` is a key of ``KIND_LABELS`` and ``label`` its English description for the user.
    ``text`` is the match exactly as written; ``start``/``end`` are Python string offsets, so
    ``scanned[start:end] == text`` and the caller can highlight the exact span. ``line`` is
    1-based because it is meant for people ("line 3 contains a phone number").
    ``suggestion`` is what the trainee could write instead; the guard never applies it.
    ``family`` is the pseudonym's letter in a street address's suggestion ("A" for "Family A"),
    so a page can say it in the reader's language; None for the other kinds.
    """

    kind: str
    text: str
    start: int
    end: int
    line: int
    suggestion: str
    label: str
    family: str | None = None


def N_(message: str) -> str:
    """Marks a string for translation without translating it here (gettext_noop): this module
    has no Flask, so the page that shows a label or suggestion translates it."""
    return message


ID_SUGGESTION = N_("[ID number removed]")

KIND_LABELS: dict[str, str] = {
    "se_personnummer": N_("Swedish personal identity number"),
    "se_samordningsnummer": N_("Swedish coordination number"),
    "no_fodselsnummer": N_("Norwegian national identity number"),
    "no_dnummer": N_("Norwegian D-number"),
    "si_emso": N_("Slovenian personal identification number (EMŠO)"),
    "pt_nif": N_("Portuguese tax identification number (NIF)"),
    "pt_cc": N_("Portuguese citizen card number (Cartão de Cidadão)"),
    "it_codice_fiscale": N_("Italian tax code (codice fiscale)"),
    "pt_bi": N_("Portuguese identity card number (Bilhete de Identidade)"),
    "si_tax_number": N_("Slovenian tax number (davčna številka)"),
    "iban": N_("Bank account number (IBAN)"),
    "licence_plate": N_("Vehicle registration number"),
    "email": N_("E-mail address"),
    "phone": N_("Phone number"),
    "street_address": N_("Street address"),
    "person_name": N_("Name of a family member"),
    "date_of_birth": N_("Date of birth"),
    "school_and_age": N_("School named together with a child's age"),
}

# The label of an identity number written where a case or file reference goes ("Ärende …").
REFERENCE_ID_LABEL = N_("a personal identity number used as a reference")

_FIXED_SUGGESTIONS: dict[str, str] = {
    "email": N_("[e-mail removed]"),
    "phone": N_("[phone removed]"),
    "person_name": N_("[name removed]"),
    "date_of_birth": N_("[date of birth removed]"),
    "school_and_age": N_("[school removed]"),
}

# Lower rank wins an overlap. The e-mail is the container of anything inside it; checksummed
# IDs beat shape-only guesses; an address is more specific than a bare run of digits.
# A date of birth is as specific as an ID (a date after "born" is never a phone); a name is
# as specific as an address.
_RANK: dict[str, int] = {"email": 0, "date_of_birth": 1, "street_address": 2, "person_name": 2,
                         "school_and_age": 2, "phone": 3}
_ID_RANK = 1


@dataclass(frozen=True)
class _Candidate:
    kind: str
    start: int
    end: int
    as_reference: bool = False

    @property
    def rank(self) -> int:
        return _RANK.get(self.kind, _ID_RANK)


# --- shared context rules -------------------------------------------------------------------

# A number must stand on its own: not glued to a word, "+", "@" or "%", and not the tail of a
# longer digit group such as "2024-000123", "1 234 567" or "(0)70".
_NUM_LEFT = r"(?<![\w+@%])(?<![0-9][-./,:() ])(?<!\)[ ])"
_NUM_RIGHT = r"(?![\w@%])(?![-./,:+][0-9])(?![ ][0-9])"

# Labels count only when they end right at the number: one further back may belong to
# another number in the same sentence.
_REFERENCE_LABEL = re.compile(
    r"\b(?:invoice|inv|case|ref|refs|reference|order|ticket|account|acct|isbn|issn|iban|ocr|"
    r"file|dossier|bankgiro|plusgiro|faktura|fakturanummer|ärende|ärendenummer|ärendenr|"
    r"dnr|diarienummer|referens|journalnummer|journalnr|sak|saksnummer|saksnr|referanse|"
    r"konto|kontonummer|org|orgnr|fattura|pratica|fascicolo|protocollo|prot|rif|"
    r"riferimento|fatura|processo|proc|referência|račun|zadeva|zadeve|spis|"
    r"postcode|postnummer|postnr|zip)"
    r"\.?ª?\s*(?:no|nr|number|num|n|nº|n°|n\.º|#)?\.?\s*[:#]?\s*\Z",
    re.IGNORECASE,
)
# The name of an identity number shortly before a number ("O NIF no formulário, 213095640"):
# then the digits are that number, mistyped if its check fails, never a phone.
_ID_LABEL = re.compile(
    r"\b(?:nif|nipc|contribuinte|personnummer|personnumret|personnr|pnr|samordningsnummer|"
    r"samordningsnumret|samordningsnr|fødselsnummer|fødselsnummeret|fnr|f\.nr|d-nummer|"
    r"d-nummeret|d-nr|emšo|emso|matična številka|codice fiscale|cod\. fisc|c\.f)\b\.?"
    r"(?:\s+[^\W\d]+){0,3}\s*[:,]?\s*\Z",
    re.IGNORECASE,
)
_PHONE_LABEL = re.compile(
    r"\b(?:tel|tlf|telefon|telefonnummer|telefonnr|phone|ph|mob|mobile|mobil|mobilnummer|"
    r"mobiltelefon|cell|cellphone|gsm|telefone|telemóvel|telemovel|telefono|cellulare|"
    r"sms|whatsapp|ring|call)"
    r"\.?\s*(?:no|nr|number|num)?\.?\s*[:.]?\s*\Z",
    re.IGNORECASE,
)
# A currency or percent sign after a number makes it an amount ("12 345 678 kr").
_AMOUNT_UNITS = r"%|‰|€|\$|£|(?:kr|sek|nok|dkk|eur|euro|euros|evrov|chf|usd|gbp)\b"
_AMOUNT_AFTER = re.compile(rf"\s?(?:{_AMOUNT_UNITS})", re.IGNORECASE)
# After a street-like phrase, a count or duration means prose: "Via Zoom 3 times",
# "Corso Italia 5 km". Kept apart from amounts because for long numbers words such as
# Swedish "min" ("my") would hide real phone numbers.
_COUNT_AFTER = re.compile(
    rf"\s?(?:{_AMOUNT_UNITS}|(?:h|hrs?|hours?|timer|timmar|ur|ore|horas|min|minutes?|minuti|"
    r"minutos|minut|minutter|km|m|times|gånger|gång|ganger|gang|krat|volte|volta|vezes|vez|"
    r"days?|dagar|dager|dni|giorni|dias|weeks?|veckor|uker|uke|tednov|tedna|settimane|"
    r"semanas|months?|månader|måneder|mesecev|mesi|meses|years?|år|anni|anos|let|pages?|"
    r"people|persons|children|kids|members|visits|sessions|meetings|messages|calls)\b)",
    re.IGNORECASE,
)


def _labelled(text: str, start: int, label: re.Pattern[str]) -> bool:
    """True when ``label`` ends right before ``start`` on the same line."""
    line_start = text.rfind("\n", 0, start) + 1
    return label.search(text, max(line_start, start - 40), start) is not None


def _is_reference_or_amount(text: str, start: int, end: int) -> bool:
    return _labelled(text, start, _REFERENCE_LABEL) or _AMOUNT_AFTER.match(text, end) is not None


def _digits(raw: str) -> str:
    return re.sub(r"[^0-9]", "", raw)


# --- national identity numbers --------------------------------------------------------------

# Word processors turn the dash into an en dash, and some write it with spaces around:
# "850709–9805", "850709 - 9805". _id_as_written() turns both back into "-".
_ID_DASH = r"(?:[ ]?[-–][ ]?|[+ ])?"
_SE_PATTERN = re.compile(_NUM_LEFT + r"(?:19|20)?[0-9]{6}" + _ID_DASH + r"[0-9]{4}" + _NUM_RIGHT)
_NO_PATTERN = re.compile(_NUM_LEFT + r"[0-9]{6}" + _ID_DASH + r"[0-9]{5}" + _NUM_RIGHT)
_SI_PATTERN = re.compile(_NUM_LEFT + r"[0-9]{13}" + _NUM_RIGHT)
_PT_PATTERN = re.compile(
    r"(?:(?<![\w])PT[ ]?|" + _NUM_LEFT + r")(?:[0-9]{9}|[0-9]{3} [0-9]{3} [0-9]{3})" + _NUM_RIGHT
)
# The structure regex keeps the checksum call for strings that could be a code at all;
# omocodia letters (LMNPQRSTUV) may stand for digits.
# Copied from the health card it may be spaced as printed: "RSS MRA 85T10 A562S".
_IT_PATTERN = re.compile(
    r"(?<![\w])[A-Z]{3}[ ]?[A-Z]{3}[ ]?[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}"
    r"[ ]?[A-Z][0-9LMNPQRSTUV]{3}[A-Z](?![\w@])",
    re.IGNORECASE,
)

# As printed on the card, "12345678 9 ZZ1", or run together.
_PT_CC_PATTERN = re.compile(_NUM_LEFT + r"[0-9]{8}[ ]?[0-9][ ]?[A-Za-z]{2}[0-9](?![\w@])")

# Personal NIFs start with 1-3 or 45; the rest are companies, public bodies and special
# cases, still listed because a sole trader's or small firm's number can point to a family.
_PT_PERSONAL_NIF_PREFIXES = ("1", "2", "3", "45")
_PT_NIF_PREFIXES = ("1", "2", "3", "45", "5", "6", "70", "71", "72", "74", "75", "77", "79",
                    "8", "90", "91", "98", "99")


def _not_in_future(born: datetime.date) -> bool:
    return born <= datetime.date.today()


def _swedish_kind(raw: str) -> str | None:
    """Personnummer or samordningsnummer (birth day + 60), or None if invalid.

    stdnum knows only the personnummer, so the coordination number is validated by moving
    the day back into range for the date check while Luhn runs on the digits as written.
    """
    number = personnummer.compact(raw)  # YYMMDD-NNNN or YYYYMMDD-NNNN
    if not luhn.is_valid(_digits(number)[-10:]):
        return None
    day = int(number[-7:-5])
    kind = "se_personnummer"
    if day > 60:
        kind = "se_samordningsnummer"
        number = f"{number[:-7]}{day - 60:02d}{number[-5:]}"
    try:
        born = personnummer.get_birth_date(number)
    except ValidationError:
        return None
    return kind if _not_in_future(born) else None


def _norwegian_kind(raw: str) -> str | None:
    """Fødselsnummer or D-number (birth day + 40); stdnum checks both check digits."""
    if not fodselsnummer.is_valid(raw):
        return None
    return "no_dnummer" if int(_digits(raw)[0]) >= 4 else "no_fodselsnummer"


def _slovenian_kind(raw: str) -> str | None:
    """EMŠO; stdnum checks date and checksum, we add that the person is already born."""
    if not emso.is_valid(raw):
        return None
    return "si_emso" if _not_in_future(emso.get_birth_date(raw)) else None


def _portuguese_kind(raw: str) -> str | None:
    """NIF; stdnum only rejects a leading 0, so the issued prefixes are checked here."""
    number = nif.compact(raw)
    if not number.startswith(_PT_NIF_PREFIXES) or not nif.is_valid(number):
        return None
    return "pt_nif"


def _italian_kind(raw: str) -> str | None:
    return "it_codice_fiscale" if codicefiscale.is_valid(raw) else None


def _portuguese_cc_kind(raw: str) -> str | None:
    """Cartão de Cidadão: civil number, its check digit, a two-letter version, a check digit."""
    return "pt_cc" if cc.is_valid(raw.upper()) else None


_ID_RULES: tuple[tuple[re.Pattern[str], Callable[[str], str | None]], ...] = (
    (_SE_PATTERN, _swedish_kind),
    (_NO_PATTERN, _norwegian_kind),
    (_SI_PATTERN, _slovenian_kind),
    (_PT_PATTERN, _portuguese_kind),
    (_IT_PATTERN, _italian_kind),
    (_PT_CC_PATTERN, _portuguese_cc_kind),
)


def _id_as_written(raw: str) -> str:
    """The number with its dash as the validators expect it ("850709 – 9805" → "850709-9805")."""
    return re.sub(r" ?[-–] ?", "-", raw)


# Numbers copied from forms keep the form's separators: "850101.1234", "123.456.789",
# "0101985 500006", "07 03 980 50 263 6". Any run of digit groups joined by one dot, dash,
# slash or one or two spaces is normalised to the digits and judged by its length.
_ID_CHAIN = re.compile(_NUM_LEFT + r"[0-9]++(?:(?:[ ]{1,2}|[-–./])[0-9]++)++" + _NUM_RIGHT)
# Groupings that follow the number's own parts (birth date, then serial): trusted whatever
# the separator. Any other grouping is an ID only right after the name of the number.
_ID_NATURAL_GROUPS: dict[int, tuple[tuple[int, ...], ...]] = {
    10: ((6, 4),), 12: ((8, 4),), 11: ((6, 5),), 13: ((7, 6),), 9: (),
}


def _normalised_id(digits: str) -> tuple[str, Callable[[str], str | None]] | None:
    """The digits in the form the validator of their length expects, and that validator."""
    if len(digits) in (10, 12):
        return f"{digits[:-4]}-{digits[-4:]}", _swedish_kind
    if len(digits) == 11:
        return digits, _norwegian_kind
    if len(digits) == 13:
        return digits, _slovenian_kind
    if len(digits) == 9:
        return digits, _portuguese_kind
    return None


def _separated_ids(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, kind) of identity numbers written with unusual separators."""
    for match in _ID_CHAIN.finditer(text):
        raw = match.group()
        digits = _digits(raw)
        normalised = _normalised_id(digits)
        if normalised is None or _DATE_LIKE.fullmatch(raw):
            continue
        groups = tuple(_group_lengths(raw))
        if groups not in _ID_NATURAL_GROUPS[len(digits)] \
                and not _labelled(text, match.start(), _ID_LABEL):
            continue
        kind = normalised[1](normalised[0])
        if kind:
            yield match.start(), match.end(), kind


def _id_matches(text: str) -> Iterator[tuple[int, int, str]]:
    for pattern, classify in _ID_RULES:
        for match in pattern.finditer(text):
            kind = classify(_id_as_written(match.group()))
            if kind:
                yield match.start(), match.end(), kind
    yield from _separated_ids(text)


def _find_ids(text: str) -> Iterator[_Candidate]:
    # Checksum first (in _id_matches): it is cheaper than the label look-behind and rejects
    # most runs. A phone label hands the digits to the phone finder; an amount is no ID.
    for start, end, kind in _id_matches(text):
        if _AMOUNT_AFTER.match(text, end) or _labelled(text, start, _PHONE_LABEL):
            continue
        as_reference = _labelled(text, start, _REFERENCE_LABEL)
        if as_reference and not _identifies_a_person(kind, text[start:end]):
            continue
        yield _Candidate(kind, start, end, as_reference)


def _find_more_ids(text: str) -> Iterator[_Candidate]:
    for start, end, kind in more_id_spans(text):
        yield _Candidate(kind, start, end)


def _identifies_a_person(kind: str, raw: str) -> bool:
    """Every kind but the NIF belongs to a person; a NIF outside 1-3 and 45 is a company's or
    a public body's, which is what an invoice or order reference normally quotes."""
    return kind != "pt_nif" or nif.compact(raw).startswith(_PT_PERSONAL_NIF_PREFIXES)


# --- e-mail ---------------------------------------------------------------------------------

_EMAIL_PATTERN = re.compile(
    r"(?<![\w.+-])[\w+-](?:[\w.+-]*[\w+-])?@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,24}(?![\w-])"
)


def _find_emails(text: str) -> Iterator[_Candidate]:
    for match in _EMAIL_PATTERN.finditer(text):
        yield _Candidate("email", *match.span())


# --- phone numbers --------------------------------------------------------------------------

# A "chain" is digit groups joined by single separators; it is taken whole (possessive
# quantifiers, no backtracking into it) and its shape is judged in Python, which keeps
# partial matches inside longer numbers impossible and the regex linear.
_PHONE_CHAIN = re.compile(
    _NUM_LEFT
    + r"(?:\(\+[0-9]++\)[ ]?|\+[ ]?)?"  # "+46 ", "(+351) "
    + r"\(?[0-9]++\)?"
    + r"(?:(?:[ ]?\(0\)[ ]?|[ ][-/][ ]|[ \-/.])\(?[0-9]++\)?)*+"
    + _NUM_RIGHT
)
_DATE_LIKE = re.compile(
    r"[0-9]{1,2}([./\- ])[0-9]{1,2}\1[0-9]{2,4}|[0-9]{4}([./\- ])[0-9]{1,2}\2[0-9]{1,2}"
)
_TIME_RANGE = re.compile(r"[0-9]{1,2}[.:][0-9]{2}-[0-9]{1,2}[.:][0-9]{2}")
# Where a national number is written with its leading 0 (a trunk prefix in Sweden and
# Slovenia, part of the number for Italian landlines) and where without one (Norway,
# Portugal, Italian mobiles). Asking phonenumbers only for the regions that write a number
# that way keeps "12345678" from passing as a Swedish number with the 0 left off.
_TRUNK_ZERO_REGIONS = ("SE", "SI", "IT")
_NO_TRUNK_REGIONS = ("NO", "PT", "IT")
_PARTNER_REGIONS = frozenset(("SE", "NO", "SI", "PT", "IT"))


def _group_lengths(raw: str) -> list[int]:
    return [len(group) for group in re.findall(r"[0-9]+", raw.replace("(0)", ""))]


def _parsed(number: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None


def _valid_in(digits: str, regions: tuple[str, ...]) -> bool:
    """The digits are a number of one of ``regions``' numbering plans, dialled nationally."""
    for region in regions:
        number = _parsed(digits, region)
        if number is not None and phonenumbers.is_valid_number_for_region(number, region):
            return True
    return False


def _is_international(raw: str, digits: str) -> bool:
    """+CC… or 00CC…: a number of a partner country must exist in its numbering plan; other
    countries' plans change too often to judge, so there the length must merely fit."""
    # The "(0)" is the national trunk prefix, which an international caller leaves out.
    digits = _digits(raw.replace("(0)", ""))
    if not 8 <= len(digits) - (0 if raw.startswith(("+", "(+")) else 2) <= 15:
        return False
    number = _parsed("+" + (digits if raw.startswith(("+", "(+")) else digits[2:]), None)
    if number is None:
        return False
    if phonenumbers.is_valid_number(number):
        return True
    region = phonenumbers.region_code_for_country_code(number.country_code)
    return region not in _PARTNER_REGIONS and phonenumbers.is_possible_number(number)


_PARTNER_CODES = ("46", "47", "386", "351", "39")


def _is_partner_without_prefix(raw: str, digits: str) -> bool:
    """"46 70 123 45 67": a partner country's code written as its own group without + or 00.

    Only in groups (a bare run could be anything), only a mobile number of that country's
    plan with at least 8 digits, and not written in pairs alone: "46 12 34 56 78" is more
    often a row of scores. A landline written so needs a phone label before it.
    """
    groups = re.findall(r"[0-9]+", raw)
    if len(groups) < 3 or groups[0] not in _PARTNER_CODES or len(digits) - len(groups[0]) < 8:
        return False
    if all(len(group) <= 2 for group in groups[1:]):
        return False
    number = _parsed("+" + digits, None)
    return (number is not None and phonenumbers.is_valid_number(number)
            and phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE)


def _is_trunk_number(raw: str, digits: str) -> bool:
    """National numbers dialled with a leading 0: Sweden, Slovenia, Italian landlines.

    Written in groups, the first group is an area or mobile code of 2-4 digits, which is
    what tells "08-123 456 78" from a mistyped ID such as "080430-0631". Written bare,
    only the usual 9-10 digit lengths count.
    """
    if not raw.lstrip("(").startswith("0") or len(digits) < 2 or digits[1] == "0":
        return False
    groups = _group_lengths(raw)
    if len(groups) == 1:
        shaped = 9 <= len(digits) <= 10
    else:
        shaped = 2 <= groups[0] <= 4 and 8 <= len(digits) <= 11
    return shaped and _valid_in(digits, _TRUNK_ZERO_REGIONS)


def _is_mobile_or_local_shape(digits: str, groups: list[int]) -> bool:
    """Numbers without a trunk 0: Norway (8 digits), Portugal (9), Italian mobiles (10).

    The grouping says whether the digits are written as a phone number: Norwegians write
    mobiles 3-2-3 and landlines 2-2-2-2, while "23 456 789" is how an amount is written.
    phonenumbers then says whether such a number exists.
    """
    if len(digits) == 8:
        shaped = groups in ([3, 2, 3], [2, 2, 2, 2]) or (groups == [8] and digits[0] in "49")
    elif len(digits) == 9:
        # Portuguese mobiles (9x) are grouped freely; landlines (2x) as 3-3-3, bare, or after
        # the two-digit Lisbon/Porto area code ("21 345 6789", "21 345 67 89"); groupings such
        # as "212 34 56 78" are more often amounts.
        # Portugal only: 9-digit Italian mobiles are rare and would catch every NIF-like typo.
        if digits[0] == "9":
            shaped = min(groups) >= 2
        else:
            shaped = digits[0] == "2" and groups in ([3, 3, 3], [9], [2, 3, 4], [2, 7],
                                                     [2, 3, 2, 2])
    elif len(digits) == 10:
        shaped = digits[0] == "3" and groups[0] in (3, 10)
    else:
        shaped = False
    return shaped and _valid_in(digits, _NO_TRUNK_REGIONS)


def _has_mixed_dots(raw: str) -> bool:
    """Dots mixed with other separators are times or versions ("08.30-10.30"), not phones,
    except one dot right after a trunk-0 area code ("08.555 123 45")."""
    body = raw.replace("(0)", "")
    if re.fullmatch(r"0[1-9][0-9]{0,2}\.[0-9]{2,4}(?:[ ][0-9]{2,4})+", body):
        return False
    return "." in body and any(separator in body for separator in " -/")


def _looks_like_phone(raw: str, phone_labelled: bool) -> bool:
    digits = _digits(raw)
    # A date in brackets is still a date: "(DOB 07/11/2019)".
    bare = raw.strip("()")
    if _DATE_LIKE.fullmatch(bare) or _TIME_RANGE.fullmatch(bare) or _has_mixed_dots(raw):
        return False
    if raw.startswith(("+", "(+", "00")):
        return _is_international(raw, digits)
    if _is_partner_without_prefix(raw, digits):
        return True
    if _is_trunk_number(raw, digits) or _is_mobile_or_local_shape(digits, _group_lengths(raw)):
        return True
    # An explicit "tel." vouches for shapes we do not otherwise trust, e.g. "22334455".
    return phone_labelled and 8 <= len(digits) <= 13


def _find_phones(text: str) -> Iterator[_Candidate]:
    for match in _PHONE_CHAIN.finditer(text):
        start, end = match.span()
        # Every phone shape has at least 8 digits; most chains ("12", "2026") stop here.
        if len(_digits(match.group())) < 8 or _is_reference_or_amount(text, start, end):
            continue
        phone_labelled = _labelled(text, start, _PHONE_LABEL)
        if not phone_labelled and _labelled(text, start, _ID_LABEL):
            continue
        if _looks_like_phone(match.group(), phone_labelled):
            yield _Candidate("phone", start, end)
        elif "/" in match.group():
            yield from _slash_separated_phones(match, phone_labelled)


def _slash_separated_phones(match: re.Match[str], phone_labelled: bool) -> list[_Candidate]:
    """People list alternatives as "070-123 45 67/073-111 22 33".

    Only when every part is a phone on its own, so "2024/0123456789" stays one number.
    """
    parts, offset = [], match.start()
    for part in match.group().split("/"):
        if not _looks_like_phone(part, phone_labelled):
            return []
        parts.append(_Candidate("phone", offset, offset + len(part)))
        offset += len(part) + 1
    return parts


# --- street addresses -----------------------------------------------------------------------

def _find_addresses(text: str) -> Iterator[_Candidate]:
    for start, end in address_spans(text):
        if not _COUNT_AFTER.match(text, end):
            yield _Candidate("street_address", start, end)


# --- names and dates of birth ---------------------------------------------------------------

def _find_people(text: str) -> Iterator[_Candidate]:
    for start, end in name_spans(text):
        yield _Candidate("person_name", start, end)
    for start, end in given_name_spans(text):
        yield _Candidate("person_name", start, end)
    for start, end in birth_date_spans(text):
        yield _Candidate("date_of_birth", start, end)
    for start, end in school_with_age_spans(text):
        yield _Candidate("school_and_age", start, end)


# --- assembling findings --------------------------------------------------------------------

_FINDERS: tuple[Callable[[str], Iterator[_Candidate]], ...] = (
    _find_emails,
    _find_ids,
    _find_more_ids,
    _find_addresses,
    _find_phones,
    _find_people,
)


def _without_overlaps(candidates: list[_Candidate]) -> list[_Candidate]:
    """Keep the most specific candidate for each span (then the longest, then the first).

    Kept spans never overlap, so a new span only has to be checked against its two
    neighbours in start order; that keeps long assignments with many findings fast.
    """
    kept: list[_Candidate] = []
    starts: list[int] = []
    for candidate in sorted(candidates, key=lambda c: (c.rank, c.start - c.end, c.start)):
        at = bisect.bisect_right(starts, candidate.start)
        if at > 0 and kept[at - 1].end > candidate.start:
            continue
        if at < len(kept) and kept[at].start < candidate.end:
            continue
        kept.insert(at, candidate)
        starts.insert(at, candidate.start)
    return kept


def _line_starts(text: str) -> list[int]:
    return [0] + [newline.end() for newline in re.finditer("\n", text)]


# Pseudonyms the trainee already uses, in the partner languages ("Family A", "Família B").
_PSEUDONYM_IN_USE = re.compile(
    r"\b(?i:family|familie|familien|familj|familjen|família|famiglia|družina)[ \t]+([A-Z]|[0-9]{1,3})\b")


def _free_family_ids(text: str) -> Iterator[str]:
    """A, B … Z, then 27, 28 …, skipping those the text already uses for another family."""
    in_use = {match.group(1).upper() for match in _PSEUDONYM_IN_USE.finditer(text)}
    for index in itertools.count():
        family = chr(ord("A") + index) if index < 26 else str(index + 1)
        if family not in in_use:
            yield family


def suggested_family(text: str) -> str:
    """The letter of the first "Family X" pseudonym that ``text`` does not use yet."""
    return next(_free_family_ids(text))


def _suggestion(kind: str, family: str | None) -> str:
    if kind == "street_address":
        return f"[address of Family {family}]"
    return _FIXED_SUGGESTIONS.get(kind, ID_SUGGESTION)


def scan(text: str) -> list[Finding]:
    """Find text that likely identifies a family; the text itself is never changed.

    Returns findings sorted by ``start`` that never overlap. It is a warning aid, tuned to
    stay quiet on dates, amounts, hours and reference numbers, so it will miss unusual
    formats; a clean result does not prove the text is anonymous (a name is found after a
    family role with a surname or an initial, or alone only when it is a listed given name).
    """
    candidates = [candidate for finder in _FINDERS for candidate in finder(text)]
    line_starts = _line_starts(text)
    # The same address gets the same pseudonym, so a text stays coherent after editing.
    families: dict[str, str] = {}
    free_families = _free_family_ids(text)
    findings = []
    for candidate in _without_overlaps(candidates):
        matched = text[candidate.start:candidate.end]
        family = None
        if candidate.kind == "street_address":
            key = " ".join(matched.casefold().split())
            if key not in families:
                families[key] = next(free_families)
            family = families[key]
        findings.append(Finding(
            kind=candidate.kind,
            text=matched,
            start=candidate.start,
            end=candidate.end,
            line=bisect.bisect_right(line_starts, candidate.start),
            suggestion=_suggestion(candidate.kind, family),
            label=REFERENCE_ID_LABEL if candidate.as_reference else KIND_LABELS[candidate.kind],
            family=family,
        ))
    return findings
