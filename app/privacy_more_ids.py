"""Further identifiers for the privacy guard: bank accounts, car plates, the old Portuguese
identity card and the Slovenian tax number.

Split from ``privacy_guard`` like the addresses. An IBAN carries its own check digits and is
found wherever it stands. The others are short runs of digits or letters that look like a
hundred other things in case notes ("ABC 123" is a module code, "54321018" a file number),
so they are taken only right after the name of the document or number: "BI n.º 12345678",
"targa AB 123 CD", "davčna številka 54321018".

Bank accounts and cars also belong to the services that work with a family ("L'IBAN … è della
cooperativa", "Reg.nr ABC 123 på bilen som hämtade barnen"), so the sentence decides whose they
are: a family member named in it ("the mother's account", "očetov avto", "targa del padre")
makes them the family's; an organisation named in it makes an IBAN the organisation's; with
neither, an IBAN is reported (it always belongs to someone) and a plate is not.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import iban
from stdnum.si import ddv

from .privacy_people import ROLES

__all__ = ["more_id_spans"]

_IBAN = re.compile(r"(?<![\w])[A-Z]{2}[0-9]{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?(?![\w])")

# "BI n.º 12345678", "bilhete de identidade 1234567 8", "B.I. 12.345.678-9": up to eight digits
# and the check digit, which is often written apart or left out.
_BI = re.compile(
    r"(?<![\w])(?:BI|B\.I\.|[Bb]ilhete[ ]de[ ]identidade|[Bb]ilhete[ ]de[ ]identificação)"
    r"(?:[ ]?(?:n\.?[ ]?[º°o]\.?|n\.|no\.?|nr\.?|número|number))?[ ]?[:.]?[ ]?"
    r"(?P<number>[0-9]{1,2}(?:\.?[0-9]{3}){2}(?:[ -][0-9])?)(?![\w.,-][0-9])(?![\w])"
)
# The plate right after its name; plates mix letters and digits in groups
# of 1-5 ("ABC 123", "EL 12345", "LJ AB-123", "AA-12-BB", "AB 123 CD").
_PLATE = re.compile(
    r"(?<![\w])(?:(?i:registration(?:[ ](?:number|no\.?|plate))?|reg\.?[ ]?(?:no|nr)\.?|"
    r"number[ ]plate|licen[cs]e[ ]plate(?:[ ]number)?|registreringsnummer(?:et|ret)?|regnr|"
    r"reg\.nr|bilnummer|skilt(?:et|nummer)?|kjennemerke|registrsk[aeio][ ](?:številk[aeio]|"
    r"tablic[aeio])|registracij[aeio]|tablic[aeio]|matrícula|matricula|targa|targata|targato))"
    r"[ ]?[:,]?[ ]?"
    r"(?P<number>(?=[A-Z0-9 -]*[0-9])(?=[A-Z0-9 -]*[A-Z])[A-Z0-9]{1,5}(?:[ -][A-Z0-9]{1,5}){0,3})"
    r"(?![\w-])"
)
# The Slovenian tax number (8 digits, mod 11) after its name, perhaps a few words later:
# "Davčna številka matere je 54321018".
_SI_TAX = re.compile(
    r"(?<![\w])(?:(?i:davčn[aeio][ ]številk[aeio]|davčna[ ]št\.)|DŠ|ID[ ]za[ ]DDV)"
    r"(?:[ ][^\W\d]+){0,3}[ ]?[:,]?[ ]?(?P<number>(?:SI[ ]?)?[0-9]{8})(?![\w])"
)


# A family member in the sentence, in the possessive forms the languages use ("mammans",
# "farens", "očetov", "materin", "father's"), or the family itself.
_PERSONAL = re.compile(
    rf"(?<![\w])(?:(?:{ROLES})(?:s|ns|['’]s|ov|ova|ovo|in|ina|ino)?|"
    r"family|familjen|familjens|familien|familiens|família|famiglia|družina|družine|"
    r"očetov|očetova|očetovo|materin|materina|materino|mamin|mamina|mamino|"
    r"his|her|hans|hennes|hennar|njegov|njegova|njen|njena)(?![\w])",
    re.IGNORECASE,
)
_ORGANISATION = re.compile(
    r"(?<![\w])(?:municipality|council|charity|association|foundation|organi[sz]ation|school|"
    r"kommun|kommunen|kommunens|kommune|kommunens|förening|föreningen|stiftelse|stiftelsen|"
    r"forening|foreningen|nav|občina|občine|občini|društvo|društva|zavod|zavoda|csd|"
    r"associação|instituição|câmara|junta|fundação|misericórdia|escola|ipss|cooperativa|"
    r"comune|associazione|fondazione|ente|caritas|parrocchia|scuola|istituto)(?![\w])",
    re.IGNORECASE,
)
_SENTENCE_BREAK = re.compile(r"[.!?;]\s|\n")


def _sentence_around(text: str, start: int, end: int) -> str:
    breaks_before = list(_SENTENCE_BREAK.finditer(text, max(0, start - 200), start))
    begin = breaks_before[-1].end() if breaks_before else max(0, start - 200)
    after = _SENTENCE_BREAK.search(text, end, end + 200)
    return text[begin:start] + " " + text[end:after.start() if after else min(len(text), end + 200)]


def _belongs_to_family(text: str, start: int, end: int, *, by_default: bool) -> bool:
    sentence = _sentence_around(text, start, end)
    if _PERSONAL.search(sentence):
        return True
    return by_default and not _ORGANISATION.search(sentence)


def _ibans(text: str) -> Iterator[tuple[int, int, str]]:
    """Valid IBANs; a longer match that fails its check is tried without its last groups,
    since the account may run into a following code ("… 7466 AB12")."""
    for match in _IBAN.finditer(text):
        raw = match.group()
        while raw:
            if iban.is_valid(raw):
                end = match.start() + len(raw)
                if _belongs_to_family(text, match.start(), end, by_default=True):
                    yield match.start(), end, "iban"
                break
            raw = raw.rpartition(" ")[0]


def _plates(text: str) -> Iterator[tuple[int, int, str]]:
    for match in _PLATE.finditer(text):
        characters = re.sub(r"[ -]", "", match.group("number"))
        start, end = match.span("number")
        if 4 <= len(characters) <= 8 and _belongs_to_family(text, start, end, by_default=False):
            yield start, end, "licence_plate"


# Every label of a pattern above contains one of these (in lower case); substring tests
# spare most texts the regexes.
_PLATE_WORDS = ("regist", "reg.", "reg ", "regnr", "plate", "bilnummer", "skilt", "kjennemerke",
                "tablic", "matr", "targ")
_BI_WORDS = ("bi", "b.i.", "bilhete")
_SI_TAX_WORDS = ("davčn", "dš", "ddv")


def _mentions(lowered: str, words: tuple[str, ...]) -> bool:
    return any(word in lowered for word in words)


def more_id_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, kind) of IBANs, labelled licence plates, BI and Slovenian tax numbers."""
    yield from _ibans(text)
    lowered = text.lower()
    if _mentions(lowered, _PLATE_WORDS):
        yield from _plates(text)
    if _mentions(lowered, _BI_WORDS):
        for match in _BI.finditer(text):
            yield *match.span("number"), "pt_bi"
    if _mentions(lowered, _SI_TAX_WORDS):
        for match in _SI_TAX.finditer(text):
            if ddv.is_valid(match.group("number")):
                yield *match.span("number"), "si_tax_number"
