"""Names and dates of birth for the privacy guard: found only in their family context.

Split from ``privacy_guard`` like the addresses. A name or a date alone identifies nobody and
case notes are full of both ("Emma 7 år", "the meeting on 3 March 2025"), so each is taken
only with the word that makes it personal: a date right after "born"/"född"/"rojen"/"nato"…,
a name right after a family role ("the mother, Sarah T.", "mamman Linda Johansson"). With a
role a first name alone is not reported ("Mamman Sara": a pseudonym); without one, a first
name is reported when it is a frequent given name and stands where a person's name stands
(``given_name_spans``, below).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

__all__ = ["ROLES", "birth_date_spans", "given_name_spans", "name_spans"]

_SP = r"[ \t]+"
_MONTHS = (
    # en, sv, nb, sl (genitive as written after a day), pt, it
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
    r"januari|februari|mars|maj|juni|juli|augusti|oktober|"
    r"januar|februar|mai|desember|"
    r"januarja|februarja|marca|aprila|maja|junija|julija|avgusta|septembra|oktobra|novembra|"
    r"decembra|"
    r"janeiro|fevereiro|março|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro|"
    r"gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|settembre|ottobre|novembre|dicembre"
)
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])"
_MONTH_NO = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:19|20)[0-9]{2}"
# A complete date: a year alone ("född 2012") or a decade says too little to identify.
_FULL_DATE = (
    rf"(?:{_DAY}\.?[ ]?(?:de[ ])?(?i:{_MONTHS})\.?,?[ ](?:de[ ])?{_YEAR}"  # 3 March 2015
    rf"|(?i:{_MONTHS})[ ]{_DAY},?[ ]{_YEAR}"                               # March 3, 2015
    rf"|{_DAY}(?:[./-]|\.[ ]){_MONTH_NO}(?:[./-]|\.[ ])(?:{_YEAR}|[0-9]{{2}})"  # 12. 4. 2019
    rf"|{_YEAR}-{_MONTH_NO}-{_DAY}"                                         # 2019-11-07
    r")(?![0-9])"
)
# Words that make the date a birth date, with the little words that may stand between.
_BORN = (
    r"born|dob|d\.o\.b\.?|date[ ]of[ ]birth|birth[ ]date|"
    r"f\.|född|födde|föddes|födelsedatum|født|fødd|fødselsdato|"
    r"rojen|rojena|rojeno|rojeni|datum[ ]rojstva|"
    r"nascido|nascida|nasceu|nascimento|data[ ]de[ ]nascimento|"
    r"nato|nata|nati|nacque|data[ ]di[ ]nascita"
)
_BETWEEN = r"(?:on|the|den|dne|a|em|no[ ]dia|il|in|el|:)"
# "f." is Nordic shorthand for född/født ("Elias, f. 2015-03-03").
_BIRTH_DATE = re.compile(
    rf"(?<![\w])(?i:{_BORN})(?:[ ]?[:,]?{_SP}(?i:{_BETWEEN}))*[ ]?[:,]?{_SP}({_FULL_DATE})"
)

# Family roles in the six languages, in the forms case notes use them.
_ROLES = (
    r"mother|mum|mom|father|dad|son|daughter|boy|girl|child|brother|sister|grandmother|"
    r"grandfather|grandma|grandpa|granny|aunt|uncle|stepfather|stepmother|carer|parent|"
    r"mamma|mamman|pappa|pappan|fadern|sonen|dotter|dottern|pojken|flickan|barnet|"
    r"mormor|morfar|farmor|farfar|bror|brodern|lillebror|syster|systern|lillasyster|moster|"
    r"faster|morbror|farbror|styvpappan|styvmamman|"
    r"mor|moren|mora|far|faren|sønn|sønnen|datter|datteren|gutten|jenta|bestemor|bestefar|"
    r"stefar|stemor|broren|søster|søsteren|lillebroren|tante|onkel|"
    r"mati|mama|oče|sin|hči|hčerka|deček|deklica|otrok|babica|dedek|stari[ ]oče|"
    r"stara[ ]mati|brat|sestra|teta|stric|rejnica|rejnik|"
    r"mãe|pai|filho|filha|menino|menina|criança|avó|avô|irmão|irmã|tia|tio|padrasto|"
    r"madrasta|"
    r"madre|padre|papà|figlio|figlia|bambino|bambina|ragazzo|ragazza|nonna|nonno|fratello|"
    r"sorella|zia|zio|patrigno|matrigna"
)
#: The family roles as a regex alternation, for the other finders that ask whose a thing is.
ROLES = _ROLES
_UPPER = "A-ZÀ-ÖØ-ÞŠŽČĆĐ"
_WORD = rf"[{_UPPER}][a-zà-ÿčšžćđ]*(?:['’-][{_UPPER}][a-zà-ÿčšžćđ]+)?(?<=[a-zà-ÿčšžćđ])"
_INITIAL = rf"[{_UPPER}]\.(?![\w])"
# "Linda Johansson", "Ahmed K.", "B. Nilsson"; two tokens at least, one of them a full word.
_PERSON = rf"(?:{_WORD}[ ](?:{_WORD}|{_INITIAL})|{_INITIAL}[ ]{_WORD})"
# Swedish "modern" (the mother) only in lower case: capitalised it is English ("Modern Social
# Work Theory").
_ROLE = rf"(?:(?i:{_ROLES})|modern)"
_NAMED_ROLE = re.compile(
    rf"(?<![\w]){_ROLE},?{_SP}(?:(?i:the|a|o|il|la){_SP})?({_PERSON})(?![\w])"
)
# … or the name first: "Sarah Thompson, the mother,", "Linda Johansson (mamma)", "Ana Silva, mãe".
# A comma, a bracket or a copula between: "The Italian father" is an adjective and a role.
_NAME_THEN_ROLE = re.compile(
    rf"(?<![\w])({_PERSON})(?:,[ ]|[ ]\(|[ ](?:is|är|er|je|é|è)[ ])"
    rf"(?:(?i:the|his|her|their|o|a|la|il)[ ])?{_ROLE}(?![\w])"
)
# Capitalised words that start a sentence or a phrase, never a name.
_NOT_NAMES = frozenset((
    "The", "A", "An", "This", "That", "Our", "My", "His", "Her", "Their", "Den", "Det", "Denna",
    "Min", "Vår", "Hans", "Hennes", "Il", "La", "Lo", "Le", "O", "Os", "As", "Um", "Uma", "Un",
    "Una", "Ta", "To", "Naša", "Moja", "Jeg", "Hon", "Han", "Hun", "Vi", "We", "She", "He",
    # "Segundo Bronfenbrenner, a criança …": who is cited, not a family member.
    "According", "Enligt", "Ifølge", "Segundo", "Secondo", "Según",
))
# Title-case names of services and programmes ("Child Protection Services", "Mother Care
# Centre") take a role word first too; these words are never part of a family member's name.
_INSTITUTION_WORDS = frozenset((
    "Act", "Agency", "Allowance", "Association", "Benefit", "Care", "Center", "Centre", "Council",
    "Court", "Day", "Department", "Foundation", "Fund", "Guides", "Health", "Line", "Office",
    "Program", "Programme", "Protection", "School", "Scouts", "Service", "Services", "Support",
    "Team", "Trust", "Unit", "Welfare", "Work",
))
# … and Nordic compounds of the same ("Rinkebyskolan", "Vårdcentralen", "Barneverntjenesten").
_INSTITUTION_ENDING = re.compile(
    r"(?:skolan|skolen|centralen|tjänsten|tjenesten|enheten|kommun|kommune|senteret|huset)\Z")
_TITLE_CASE_BEFORE = re.compile(rf"[{_UPPER}][\w'’.-]*[ ]\Z")
_TITLE_CASE_AFTER = re.compile(rf"[ ][{_UPPER}]")
_MID_SENTENCE = re.compile(r"[^\W\d_][ ]\Z")


def birth_date_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every complete date written as someone's date of birth."""
    for match in _BIRTH_DATE.finditer(text):
        yield match.span(1)


def _in_a_title(text: str, start: int, end: int) -> bool:
    """The name is part of a title-case phrase, not a person's name."""
    name = text[start:end]
    if name.split()[0] in _NOT_NAMES:
        return True
    if any(word.rstrip(".") in _INSTITUTION_WORDS or _INSTITUTION_ENDING.search(word)
           for word in name.split()):
        return True
    return not name.endswith(".") and _TITLE_CASE_AFTER.match(text, end) is not None


def name_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of a full name (or name and initial) right before or after a family role."""
    for match in _NAMED_ROLE.finditer(text):
        start, end = match.span(1)
        # A capitalised role in mid-sentence is a title ("called the Child Protection Line").
        role_capitalised = match.group()[0].isupper()
        if role_capitalised and _MID_SENTENCE.search(text, max(0, match.start() - 2),
                                                      match.start()):
            continue
        if not _in_a_title(text, start, end):
            yield start, end
    for match in _NAME_THEN_ROLE.finditer(text):
        start, end = match.span(1)
        if _TITLE_CASE_BEFORE.search(text, max(0, start - 40), start):
            continue
        if not _in_a_title(text, start, end):
            yield start, end


# --- a given name standing alone ------------------------------------------------------------
# "Met with Jonas today", "Sedan sa Amira att …", "Colloquio con Giulia": no role, no surname,
# only a capitalised word that is a frequent given name (app/privacy_given_names.txt). A
# capital in mid-sentence marks a proper noun, so the list only has to tell a person from a
# place or an organisation; at the start of a sentence the capital says nothing, so there the
# name must be followed by a lower-case word (usually its verb: "Liam refused …") and must not
# also be a word ("Per telefon …", "Mia madre …").

def _read_given_names() -> dict[str, frozenset[str]]:
    sections: dict[str, set[str]] = {}
    current: set[str] = set()
    path = Path(__file__).with_name("privacy_given_names.txt")
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], set())
        elif line:
            current.update(line.split())
    return {section: frozenset(names) for section, names in sections.items()}


_GIVEN_NAMES = _read_given_names()
_NAMES = _GIVEN_NAMES["names"] | _GIVEN_NAMES["also_words"]
_ALSO_WORDS = _GIVEN_NAMES["also_words"]
_ALSO_PLACES = _GIVEN_NAMES["also_places"]
# Slovenian declines names ("z Jonasom", "z Nino", "vprašala Anjo") and Nordic genitives add
# an -s ("Amiras mamma"). Masculine endings follow a consonant; feminine ones replace the -a,
# so "Milano" never turns into "Milan".
_MASCULINE_ENDINGS = ("om", "em", "a", "u", "s")
_FEMININE_ENDINGS = ("o", "e", "i")
_LOWER = "a-zà-ÿčšžćđ"
_CAPITALISED = re.compile(rf"(?<![\w'’-])[{_UPPER}][{_LOWER}]+(?![\w-])")
# The start of a sentence, a line or a list item, after any markup ("- ", "**", "»", "4. ").
_SENTENCE_START = re.compile(
    r"(?:\A|[.!?…;:][\"”»)*_]*[ \t]+)(?:[ \t]*(?:[-–—•*#>|»«\"“„(\[_]+|[0-9]+[.)]))*[ \t]*\Z")
_WORD_BEFORE = re.compile(r"([^\W\d_][\w'’]*),?[ \t]+\Z")
# The trainee's own colleagues and teachers are named too ("Handledaren Karin", "La tutor
# Giulia", "Daniel, my peer mentor"); they are not the family.
_PROFESSIONALS = (
    "tutor", "tutora", "mentor", "mentorn", "mentorica", "mentorja", "supervisor", "supervisora",
    "supervizor", "supervizorka", "teacher", "colleague", "trainer", "facilitator", "coordinator",
    "lecturer", "professor", "professora", "handledare", "handledaren", "läraren", "lärare",
    "kollegan", "kollega", "kollegaen", "veileder", "veilederen", "læreren", "lærer",
    "učitelj", "učiteljica", "sodelavec", "sodelavka", "predavatelj", "predavateljica",
    "formador", "formadora", "orientador", "orientadora", "colega", "docente", "insegnante",
    "collega", "coordinatore", "coordinatrice", "formatore", "formatrice",
)
_PROFESSIONAL_AFTER = re.compile(
    r",[ \t]+(?:(?:my|our|the|min|mitt|vår|vårt|mi|moj|moja|naš|naša|a[ ]minha|o[ ]meu|"
    r"il[ ]mio|la[ ]mia|la[ ]nostra|il[ ]nostro)[ \t]+)?(?:[^\W\d_]+[ \t]+)?(?:"
    + "|".join(_PROFESSIONALS) + r")(?![\w])",
    re.IGNORECASE,
)
# After one of these the capitalised word is part of a name of a place, an institution or a
# project ("Santa Maria", "vrtec Mojca", "via Anna", "Dr Hassan", "progetto Leonardo"), or
# the name of a professional, not a family member.
_NOT_A_PERSON_BEFORE = frozenset(_PROFESSIONALS) | frozenset((
    "project", "projekt", "projektet", "prosjekt", "prosjektet", "projekta", "progetto",
    "projeto", "programme", "program", "programmet", "programa", "programma", "module",
    "modul", "modulen", "modulo", "módulo", "erasmus",
    "santa", "santo", "san", "são", "sankt", "st", "saint", "villa", "casa", "dr", "dott",
    "prof", "via", "viale", "piazza", "corso", "rua", "avenida", "praça", "largo", "travessa",
    "scuola", "escola", "liceo", "istituto", "colégio", "ospedale", "hospital", "clinica",
    "vrtec", "vrtca", "vrtcu", "šola", "šole", "šoli", "dom", "doma", "domu", "centro", "center",
    "hotel", "café", "bar", "ristorante", "restaurante", "parque", "parco", "ward", "hall",
    "förskolan", "barnehagen", "barnehage", "ulica", "cesta", "gata", "gate",
))
_PLACE_PREPOSITIONS = frozenset((
    "in", "at", "to", "from", "near", "i", "på", "till", "til", "fra", "från", "ved", "nära",
    "v", "na", "iz", "pri", "em", "no", "do", "da", "para", "a", "à", "di", "de", "vicino",
    "perto",
))
# A name that is also a word counts in mid-sentence only right after one of these ("with
# Rosa", "med Per", "z Ali", "com a Vida"): after a verb or a conjunction it is more often the
# word ("skrev Per", "Will and Hope were the words").
_PERSON_PREPOSITIONS = frozenset((
    "with", "to", "for", "from", "by", "med", "till", "til", "för", "hos", "åt", "av", "z", "s",
    "k", "h", "pri", "od", "za", "com", "para", "a", "à", "ao", "pela", "pelo", "con", "al",
    "alla", "dal", "dalla", "tra", "fra",
))
# A declined form is trusted only after a word that is not English ("the Lens of",
# "the Line") and never at the start of a sentence ("Nikoli ne …", "Jasni cilji").
_ENGLISH_BEFORE_NOUNS = frozenset((
    "the", "a", "an", "of", "this", "that", "these", "those", "our", "your", "my", "his", "her",
    "their", "its", "and", "or",
))
# "James and Wendy Kirkpatrick": two people sharing the surname that follows are cited authors
# more often than family members.
_AND_FULL_NAME = re.compile(
    rf"[ \t]+(?:and|och|og|in|e|i|y|&)[ \t]+[{_UPPER}][{_LOWER}]+\s+[{_UPPER}][{_LOWER}]+")
_ROLE_BEFORE = re.compile(
    rf"(?<![\w])(?:{_ROLE})(?:,|[ ](?:di|of|de|do|da|della|del))?[ \t]+(?:(?:the|a|o|il|la)[ ])?\Z",
    re.IGNORECASE)
# What follows the name; an age right after it ("Emma, 7", "a Ema, de 7 anos") is the way
# case notes list children by a first name or a pseudonym, which the guard leaves alone.
_AFTER_NAME = re.compile(
    rf"(?:['’]s)?(?P<rest>[ \t]*,?[ \t]*(?:(?:de|di|aged?|star|stara)[ \t]+)?"
    rf"(?P<next>[{_UPPER}{_LOWER}0-9(])?)")
_ROLE_AFTER = re.compile(rf"(?:,[ \t]*|[ \t]+\()(?:(?i:the|his|her|their|o|a|la|il)[ ])?{_ROLE}(?![\w])",
                         re.IGNORECASE)


def _declined_forms() -> dict[str, str]:
    forms: dict[str, str] = {}
    for name in _NAMES:
        if name[-1] not in "aeiou":
            forms.update((name + ending, name) for ending in _MASCULINE_ENDINGS)
        elif name.endswith("a"):
            forms.update((name[:-1] + ending, name) for ending in _FEMININE_ENDINGS)
    # A form that is itself a listed name is that name ("Nino", "Mario").
    return {form: name for form, name in forms.items() if form not in _NAMES}


# Looked up in a table built once: the guard meets every capitalised word of a text.
_DECLINED = _declined_forms()


def _as_given_name(word: str) -> tuple[str, bool] | None:
    """The listed given name ``word`` is, and whether it is declined ("Jonasom" → "Jonas")."""
    if word in _NAMES:
        return word, False
    if word in _DECLINED:
        return _DECLINED[word], True
    return None


def _next_is_a_word_or_end(text: str, end: int) -> tuple[bool, bool]:
    """(nothing capitalised or numeric follows, a lower-case word follows)."""
    after = _AFTER_NAME.match(text, end)
    assert after is not None  # every part of the pattern is optional
    following = after.group("next")
    if following is None:
        return True, False
    if following.isdigit() or following == "(" or following.isupper():
        return False, False
    return True, "," not in after.group("rest")


def _standing_alone(text: str, start: int, end: int) -> bool:
    found = _as_given_name(text[start:end])
    if found is None:
        return False
    name, declined = found
    nothing_after, word_after = _next_is_a_word_or_end(text, end)
    if not nothing_after or _ROLE_AFTER.match(text, end) or _AND_FULL_NAME.match(text, end) \
            or _PROFESSIONAL_AFTER.match(text, end):
        return False
    # A short window is enough for the rules below and keeps long paragraphs linear; a cut
    # window must not look like the start of the text.
    line_start = text.rfind("\n", max(0, start - 81), start) + 1
    if line_start == 0 and start > 80:
        line_start = -1
    before = text[line_start:start] if line_start >= 0 else "… " + text[start - 80:start]
    previous = _WORD_BEFORE.search(before)
    if previous is None or _SENTENCE_START.search(before):
        return word_after and name not in _ALSO_WORDS and not declined
    # A role right before belongs to the earlier rules, which ask for a surname: trainees
    # write "Mamman Sara", "the girl, Emma" as their pseudonyms.
    if _ROLE_BEFORE.search(before):
        return False
    previous_word = previous.group(1)
    lowered = previous_word.casefold().rstrip("'’")
    if lowered in _NOT_A_PERSON_BEFORE or declined and lowered in _ENGLISH_BEFORE_NOUNS:
        return False
    if name in _ALSO_WORDS and lowered not in _PERSON_PREPOSITIONS:
        return False
    if name in _ALSO_PLACES and lowered in _PLACE_PREPOSITIONS:
        return False
    if previous_word[0].isupper():
        # "Then Amira said": the word before is capitalised only because it opens the sentence;
        # elsewhere a capital before ("Santa Maria", "Ospedale Maria") makes a title.
        return not declined and _SENTENCE_START.search(before[:previous.start()]) is not None
    return True


def given_name_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of a listed given name written alone in a way that refers to a person."""
    for match in _CAPITALISED.finditer(text):
        if _standing_alone(text, *match.span()):
            yield match.span()
