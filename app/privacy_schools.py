"""A named school with a child's age for the privacy guard: "the 9-year-old at Rosengårdsskolan".

Split from ``privacy_guard`` like the addresses and names. A school's name alone is an
institution ("we visited Hillcrest Academy") and an age alone is anybody ("she is 8"); in the
same sentence they narrow a child down to one class of one school, which in a small town is
one child. Only the school's name is reported, because that is what the trainee replaces
("a primary school in the district").
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from .privacy_people import ROLES

__all__ = ["school_with_age_spans"]

_UPPER = "A-ZÀ-ÖØ-ÞŠŽČĆĐ"
_NAME = rf"[{_UPPER}][\w'’-]*"
_NAMES = rf"{_NAME}(?:[ ]{_NAME}){{0,3}}"

_SCHOOL_PATTERNS: tuple[re.Pattern[str], ...] = (
    # Swedish and Norwegian compounds, perhaps with the town: "Rosengårdsskolan",
    # "Kunskapsskolan Nacka".
    re.compile(rf"(?<![\w-])[{_UPPER}][\w-]*?(?:skolan|skolen|skola)(?:[ ][{_UPPER}][\w-]+)?(?![\w-])"),
    # … and a name before the word: "Tøyen skole", "Vasa friskola".
    re.compile(rf"(?<![\w-])(?:{_NAME}[ ]){{1,3}}(?:barneskole|ungdomsskole|skole|skola|"
               r"grundskola|friskola|videregående[ ]skole)(?![\w-])"),
    # English: "St Mary's Primary School", "Hillcrest Academy".
    re.compile(rf"(?<![\w-])(?:St\.?[ ]|Saint[ ])?(?:{_NAME}[ ]){{1,4}}"
               r"(?:(?:Primary|Secondary|High|Junior|Infant|Grammar|Community|Middle|"
               r"Elementary)[ ]School|School|Academy|Primary)(?![\w-])"),
    # Slovenian: "OŠ Prule", "Osnovni šoli Ledina", "Gimnazija Bežigrad".
    re.compile(rf"(?<![\w-])(?:OŠ|O\.[ ]?Š\.|[Oo]snovn[aeio][ ]šol[aeio]|[Gg]imnazij[aeio]|"
               rf"[Ss]rednj[aeio][ ]šol[aeio])[ ](?:(?:dr\.|bratov|heroja)[ ])?{_NAMES}"),
    # Portuguese: "escola básica de Alvalade", "Escola Básica Padre Manuel",
    # "Agrupamento de Escolas de Benfica", "EB1 da Pena".
    re.compile(rf"(?<![\w-])(?:[Ee]scola(?:[ ](?:[Bb]ásica|[Ss]ecundária|[Pp]rimária|"
               r"[Pp]rofissional))?(?:[ ](?:EB1|EB[ ]?2,3|n\.?[ ]?º[ ]?[0-9]+))?|"
               r"[Aa]grupamento[ ]de[ ][Ee]scolas|[Cc]olégio|[Ee]xternato|EB1|EB[ ]?2,3|JI)"
               rf"(?:[ ](?:de|do|da|dos|das))?[ ]{_NAME}"
               rf"(?:[ ](?:(?:de|do|da|dos|das|e)[ ])?{_NAME}){{0,3}}"),
    # Italian: "scuola Manzoni", "scuola media Fermi", "Istituto Comprensivo Pertini", "I.C. Rodari".
    re.compile(rf"(?<![\w-])(?:[Ss]cuola(?:[ ](?:primaria|elementare|media|secondaria"
               r"(?:[ ]di[ ](?:primo|secondo)[ ]grado)?|statale|materna|dell['’]infanzia))?|"
               r"[Ii]stituto[ ][Cc]omprensivo|I\.[ ]?C\.|IC|[Ll]iceo(?:[ ](?:classico|"
               rf"scientifico|linguistico|artistico))?|[Ii]stituto)[ ]{_NAMES}"),
)

# Every pattern above contains one of these (in lower case); most texts have none, and then
# nothing else runs. Substring tests are much cheaper than a regex over a long text.
_SCHOOL_WORDS = ("skol", "school", "academy", "primary", "oš", "o.š", "o. š", "šol", "gimnazij",
                 "escola", "agrupamento", "colégio", "externato", "eb1", "eb ", "ji ", "scuola",
                 "istituto", "liceo", "i.c.", "i. c.", "ic ")

# A child's age, as the six languages write it. Number words only where they make a noun
# ("nioåringen", "devetletnik", "settenne"), which prose about programmes does not use.
_NUMBER = r"(?:[1-9]|1[0-9])"
_AGE = re.compile(
    r"(?<![\w.,])(?:"
    rf"{_NUMBER}[- ]years?[- ]olds?|{_NUMBER}[ ]years?[ ]old|aged?[ ]{_NUMBER}"
    r"|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen)-year-olds?"
    rf"|{_NUMBER}[ -]?år(?:ing|ingen|ig|iga|ige)?"
    r"|[a-zåäöæø]*?(?:ett|två|tre|fyra|fem|sex|sju|åtta|nio|tio|elva|tolv|en|to|fire|seks|"
    r"syv|sju|åtte|ni|ti|elleve)åring(?:en|ar|arna|er|ene)?"
    rf"|star[aeio]?[ ]{_NUMBER}[ ]let[aio]?|{_NUMBER}-letn\w+"
    r"|(?:eno|dve|tri|štiri|pet|šest|sedem|osem|devet|deset|enajst|dvanajst|trinajst|"
    r"štirinajst|petnajst)letni(?:k|ka|ku|kom|ca|ce|ci|co)"
    rf"|{_NUMBER}[ ]anos|{_NUMBER}[ ]anni"
    r"|(?:due|tre|quattr|cinqu|sei|sett|ott|nov|dieci|undic|dodic|tredic|quattordic|quindic|"
    r"sedic|diciassett)enne"
    r")(?![\w])",
    re.IGNORECASE,
)
# A number of years that is a duration or a range, not an age: "i 12 år", "há 12 anos",
# "da 12 anni", "12 anos de experiência", "tra i 3 e i 5 anni".
_DURATION_BEFORE = re.compile(
    r"(?:\b(?:i|på|för|om|under|efter|etter|sedan|siden|over|över|in|for|há|durante|por|"
    r"desde|últimos|da|per|dopo|ultimi|oltre|circa|že|pred|zadnjih)[ ]|[0-9][ ]?(?:-|–|to|and|"
    r"och|og|e|e[ ]i|i|do|a)[ ]?)\Z",
    re.IGNORECASE,
)
_DURATION_AFTER = re.compile(
    r"[ ](?:sedan|siden|ago|atrás|fa|de[ ](?:experiência|serviço|trabalho|casamento)|"
    r"di[ ](?:esperienza|servizio|lavoro|matrimonio))\b",
    re.IGNORECASE,
)
# Sentences end at . ! ? ; followed by a capital, but not after "St." or "Dr.".
_SENTENCE_END = re.compile(rf"(?<!\b[A-Z][a-z])(?<!\b[A-Z])[.!?;](?=[ \t]+[{_UPPER}\"“])|\n")


# … except a Norwegian "gutten på 11 år" (the boy aged 11): "på" after a child is an age.
_CHILD_AGED = re.compile(rf"(?<![\w])(?:{ROLES})[ ]på[ ]\Z", re.IGNORECASE)


def _age_positions(text: str) -> Iterator[int]:
    for match in _AGE.finditer(text):
        before = text[max(0, match.start() - 30):match.start()]
        if _DURATION_BEFORE.search(before[-12:]) and not _CHILD_AGED.search(before):
            continue
        if not _DURATION_AFTER.match(text, match.end()):
            yield match.start()


def school_with_age_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of a school's name in a sentence that also gives a child's age."""
    lowered = text.lower()
    if not any(word in lowered for word in _SCHOOL_WORDS):
        return
    schools = [match.span() for pattern in _SCHOOL_PATTERNS for match in pattern.finditer(text)]
    if not schools:
        return
    sentence_ends = [match.start() for match in _SENTENCE_END.finditer(text)]
    sentences_with_age = {bisect.bisect_left(sentence_ends, at) for at in _age_positions(text)}
    for start, end in schools:
        if bisect.bisect_left(sentence_ends, start) in sentences_with_age:
            yield start, end
