"""Street addresses for the privacy guard: where a street name and a house number are written.

Split from ``privacy_guard`` because the street words of six languages outgrew it. Only the
shape is judged here ("a street name, then a number"); ``privacy_guard`` drops matches that
turn out to be counts ("Via Zoom 3 times") and ranks them against the other kinds.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["address_spans"]

_UPPER = "A-ZÀ-ÖØ-ÞŠŽČĆĐ"
_NAME = rf"[{_UPPER}][^\W\d_]*(?:[-'’][^\W\d_]+)*"
_INITIAL = rf"[{_UPPER}]\."
# Titles and abbreviated first names in street names: "Rua Dr. António Granjo", "Thv. Meyers gt.".
_ABBREVIATED = rf"[{_UPPER}][a-zà-ÿ]{{0,3}}\."
# Addresses are written on one line; not crossing line breaks keeps findings line-accurate.
_SP = r"[ \t]+"
# House numbers may carry a letter: "5B", Italian "10/A", Portuguese "45-B", Nordic "7 A"
# (a capital A-H standing alone, so "12 i Nässjö" or "3 I" stay outside). "12, 3rd floor"
# etc. is left out on purpose. A slash and a digit ("10/2024") is not a house number, but a
# Portuguese floor after a dash is ("Rua do Ouro, 123-2.º": the number is "123").
_HOUSE_NO = (r"[0-9]{1,4}(?:[A-Za-z]|[/-][A-Za-z]|[ ][A-H])?(?![\w])(?![.,/][0-9])"
             r"(?!-[0-9](?![0-9]*\.?[ºª°]))")
# "n.º 45", "n. 10", "nr. 3", "civico 12" between a Romance street name and its number.
_NUMERO = r"(?:(?:n\.?\s?[ºo°]\.?|n\.|nr\.|civico)\s?)?"
_ROMANCE_PARTICLE = (
    r"(?:da|de|do|das|dos|di|del|della|delle|dei|degli|dello|e|la|le|il|lo|al|alla|"
    r"san|santa|santo|são|sul|sulla)"
)
# Streets named after a date: "Rua 25 de Abril", "Av. 5 de Outubro", "Via 4 Novembre".
_MONTHS = (r"(?:janeiro|fevereiro|março|abril|maio|junho|julho|agosto|setembro|outubro|"
           r"novembro|dezembro|gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|"
           r"settembre|ottobre|novembre|dicembre)")
_DATE_NAME = rf"[0-9]{{1,2}}(?:\.?º)?{_SP}(?:de{_SP})?(?i:{_MONTHS})"
_ROMANCE_NAME = (rf"(?:(?:d|dell|all|sull|dall)['’])?(?:{_NAME}|{_ABBREVIATED}|{_DATE_NAME})")


_PORTUGUESE_PREPOSITION = r"(?:(?<=\b[nN]a )|(?<=\b[dD]a )|(?<=\b[àÀ] )|(?<=\b[pP]ela ))"


def _either_case(word: str) -> str:
    """Match ``word`` with an upper- or lower-case first letter ("Via" and "via")."""
    return f"[{word[0].upper()}{word[0].lower()}]{re.escape(word[1:])}"


# Italians and Portuguese write "in via Roma 10" / "na rua Augusta 120" in running text.
_ROMANCE_STREET_WORDS = "|".join(
    [_either_case(word) for word in (
        "rua", "avenida", "travessa", "praça", "largo", "estrada", "alameda", "calçada",
        "via", "viale", "piazza", "piazzale", "corso", "vicolo", "lungomare", "strada",
        "contrada", "borgo")]
    + [re.escape(abbreviation) for abbreviation in (
        "Av.", "Avda.", "Trav.", "Pç.", "Lgo.", "Estr.", "V.le", "P.za", "P.zza",
        "C.so")]
)

# Swedish and Norwegian street compounds, and the abbreviations of the common ones
# ("Storg.", "Sognsvn."). Endings that are also surnames or words ("Haugen", "plan") are left
# out: "Per Haugen 12" is a name and an age.
_NORDIC_SUFFIXES = (
    r"(?:gatan|vägen|gränd|gränden|torget|stigen|backen|allén|leden|slingan|stråket|kajen|"
    r"platsen|gata|gaten|gate|veien|vegen|vei|veg|plassen|stien|bakken|leiret|løkka|stredet|"
    r"svingen|tunet|brygga|bryggen|kaia|kaien|kroken)"
)
_NORDIC_ABBREVIATED = r"(?:g|gt|v|vn)\."
# Written in lower case ("bor på storgatan 14") only with the commonest street endings, whose
# lower-case compounds are street names rather than words ("omvägen", "arbetsplassen").
_NORDIC_LOWER_SUFFIXES = r"(?:gatan|gata|gaten|vägen|veien|vegen|gränd|gränden|allén)"
_NORDIC_NOT_STREETS = r"(?!(?:om|gen|halv|mellan|under|livs)vägen\b)(?!halvveien\b)"
# Words written before a compound: "Södra Förstadsgatan", "Gamle Drammensvei", "Sankt Eriksgatan".
_NORDIC_PREFIX = (r"(?:(?:Södra|Norra|Östra|Västra|Stora|Lilla|Gamla|Nya|Övre|Nedre|Sankt|"
                  r"S:t|Gamle|Nye|Store|Lille|Øvre|Søndre|Nordre|Østre|Vestre|Indre|Ytre)"
                  rf"{_SP})?")
# A Slovenian "c." is Cesta only after the adjective it shortens ("Dunajska c. 101"), so that
# "Payne c. 2014" (circa) stays quiet.
# Nominative and locative ("na Trubarjevi cesti", "na Prešernovem trgu").
_SLOVENIAN_STREET_WORDS = r"(?:cesta|cesti|ulica|ulici|trg|trgu)"
_SLOVENIAN_ADJECTIVE = rf"[{_UPPER}][^\W\d_]*(?:ska|ška|čka|ova|eva|na|ja)"
# Slovenians often leave the street word out ("na Prešernova 12", "v Celovški 150"): an
# adjective of a street name (-ova, -eva, -ska …, also locative and genitive) with a house
# number, only right after a preposition of place, so "Gorenjska 12 %" or a surname stays out.
# Not "-skem": that is a region ("na Gorenjskem 12 družin").
_SLOVENIAN_BARE_STREET = (
    r"(?:(?<=\b[nN]a )|(?<=\b[vV] )|(?<=\b[iI]z )|(?<=\b[zZ] )|(?<=\b[pP]ri )|(?<=\b[aA]t )|"
    r"(?<=\b[oO]n )|(?<=\b[iI]n )|(?<=[nN]aslov: ))"
    rf"[{_UPPER}][a-zčšžćđ]{{2,}}(?:(?:ov|ev)[aie]|(?:sk|šk|čk)[ai])"
)

_ADDRESS_PATTERNS: tuple[re.Pattern[str], ...] = (
    # Swedish and Norwegian compounds: "Storgatan 12", "Drammensveien 10", "Storg. 12".
    re.compile(
        rf"(?<![\w]){_NORDIC_PREFIX}[{_UPPER}][^\W\d_]+"
        rf"(?:{_NORDIC_SUFFIXES}|(?<=[^\W\d_]{{3}}){_NORDIC_ABBREVIATED}){_SP}{_HOUSE_NO}"
    ),
    # … also in lower case: "storgatan 14", "fjellvegen 22".
    re.compile(
        rf"(?<![\w]){_NORDIC_NOT_STREETS}[a-zåäöæø][a-zåäöæøéü]+{_NORDIC_LOWER_SUFFIXES}"
        rf"{_SP}{_HOUSE_NO}"
    ),
    re.compile(rf"{_SLOVENIAN_BARE_STREET}{_SP}{_HOUSE_NO}"),
    # Name + lower-case street word: "Slovenska cesta 9", "Prešernov trg 2", "Bygdøy allé 3",
    # also in the Slovenian locative of running text ("živi na Celovški cesti 150").
    re.compile(
        rf"(?<![\w]){_NAME}{_SP}(?:vei|veg|plass|allé|{_SLOVENIAN_STREET_WORDS}|ul\.|"
        r"nabrežje|nabrežju)"
        rf"{_SP}{_HOUSE_NO}"
    ),
    re.compile(rf"(?<![\w]){_SLOVENIAN_ADJECTIVE}{_SP}c\.{_SP}{_HOUSE_NO}"),
    # A genitive and a separate street word: "Kongens gate 14", "Drottning Kristinas väg 14",
    # "Thv. Meyers gt. 12". "gate" only after a genitive, so "Boarding gate 3" stays quiet.
    re.compile(
        rf"(?<![\w])(?:(?:{_NAME}|{_ABBREVIATED}){_SP}){{0,2}}{_NAME}s{_SP}"
        rf"(?:gate|gata|gt\.|väg|vei|veg|vn\.|gränd|allé|plass|torg){_SP}{_HOUSE_NO}"
    ),
    # English, street word last: "Main Road 4".
    re.compile(
        rf"(?<![\w]){_NAME}{_SP}(?:Street|St\.|Road|Rd\.|Avenue|Ave\.|Lane|Drive){_SP}{_HOUSE_NO}"
    ),
    # English, number first: "12 Baker Street", "221B Baker Street".
    # "Flat 3, 22 Victoria Street": the flat is part of the address.
    re.compile(
        rf"(?:(?<![\w])(?:Flat|Apartment|Apt\.|Unit){_SP}[0-9]{{1,4}}[A-Za-z]?,?{_SP})?"
        rf"(?<![\w\-/.,])[0-9]{{1,4}}[A-Za-z]?{_SP}(?:{_NAME}{_SP}){{1,2}}"
        r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Drive|Close|Crescent|Terrace|Gardens|Grove|"
        r"Way|Place|Square)\b\.?"
    ),
    # … in lower case only after a preposition of place: "at 7 church lane".
    re.compile(
        r"(?:(?<=\b[aA]t )|(?<=\b[oO]n )|(?<=\b[tT]o )|(?<=\b[fF]rom ))"
        rf"[0-9]{{1,4}}[a-z]?{_SP}(?:[a-z]{{3,}}{_SP}){{1,2}}(?:street|road|lane|avenue|drive)\b"
    ),
    # Portuguese and Italian, street word first and often lower-case in running text:
    # "Rua Augusta 120", "na rua do Salitre 88", "Avenida da Liberdade 45", "Via dei Mille, 4",
    # "Rua Augusta, n.º 120", "Rua 25 de Abril, 12".
    re.compile(
        rf"(?<![\w])(?:{_ROMANCE_STREET_WORDS})"
        rf"(?:{_SP}{_ROMANCE_PARTICLE})*{_SP}{_ROMANCE_NAME}"
        rf"(?:{_SP}(?:{_ROMANCE_PARTICLE}{_SP})*{_ROMANCE_NAME}){{0,3}}"
        rf",?{_SP}{_NUMERO}{_HOUSE_NO}"
    ),
    # A bare "R." for Rua reads like an initial in citations ("R. Larsen 2019"), so only
    # before a particle ("R. de São Bento 32") and with at most three digits after it, which
    # keeps "R. da Silva 2019" a citation.
    # After a Portuguese preposition ("vivem na R. Augusta 120") it is Rua as well.
    re.compile(
        rf"(?:(?<![\w])R\.{_SP}(?:da|de|do|das|dos)|{_PORTUGUESE_PREPOSITION}R\.){_SP}"
        rf"{_ROMANCE_NAME}"
        rf"(?:{_SP}(?:{_ROMANCE_PARTICLE}{_SP})*{_ROMANCE_NAME}){{0,3}}"
        rf",?{_SP}{_NUMERO}(?=[0-9]{{1,3}}(?![0-9])){_HOUSE_NO}"
    ),
    # Slovenian street word first, where the name may start lower-case:
    # "Ulica bratov Učakar 4", "Cesta v Mestni log 5", "Ulica Pohorskega bataljona 12".
    re.compile(
        rf"(?<![\w])(?:Ulica|Ulici|Cesta|Cesti|Pot|Poti|Trg|Trgu)(?:{_SP}[a-zčšžćđ]+){{0,2}}{_SP}{_NAME}"
        rf"(?:{_SP}(?:{_NAME}|[a-zčšžćđ]+)){{0,2}}{_SP}{_HOUSE_NO}"
    ),
    # … or is all lower-case ("Trg republike 3", "Ulica talcev 5"): then one or two words of
    # four letters or more, so a sentence ("Cesta je bila zaprta do 12.") does not pass.
    re.compile(
        rf"(?<![\w])(?:Ulica|Ulici|Cesta|Cesti|Trg|Trgu){_SP}[a-zčšžćđ]{{4,}}(?:{_SP}[a-zčšžćđ]{{4,}})?"
        rf"{_SP}{_HOUSE_NO}"
    ),
)


# Typed quickly, an Italian or Portuguese address is all lower case: "in via roma 12",
# "na rua das flores, 3", "para a avenida da liberdade 10". Without the capital the street
# word must follow a preposition of place (in any of the six languages, as trainees quote
# the address inside their own prose), and the words of the name must not be little words
# of the sentence ("in piazza con 2 bambini", "via email 3 volte").
_LOWER_STREET_WORDS = (r"(?:rua|avenida|travessa|praça|largo|alameda|calçada|estrada|via|viale|"
                       r"piazza|piazzale|corso|vicolo|lungomare)")
_PLACE_BEFORE = (r"(?:in|at|to|on|from|na|no|em|a|à|da|do|para[ ]a|pela|till|til|på|i|v|"
                 r"nella|sulla|dalla|alla)")
_NOT_STREET_NAMES = (
    r"(?!(?:con|per|tra|fra|che|non|come|dopo|circa|verso|oggi|ieri|sem|com|para|por|pelo|"
    r"pela|uma|umas|uns|mais|menos|cerca|até|desde|entre|quase|hoje|ontem|with|for|and|the|"
    r"email|e-mail|mail|posta|telefono|telefone|zoom|teams|skype|whatsapp|sms|web|internet|"
    r"app|chat|video|vídeo)\b)"
)
_LOWER_STREET_NAME = rf"{_NOT_STREET_NAMES}[a-zà-ÿ][a-zà-ÿ'’-]{{2,}}"
_LOWER_ROMANCE_ADDRESS = re.compile(
    rf"(?<![\w]){_PLACE_BEFORE}{_SP}(?P<address>{_LOWER_STREET_WORDS}"
    rf"(?:{_SP}{_ROMANCE_PARTICLE})*{_SP}{_LOWER_STREET_NAME}"
    rf"(?:{_SP}(?:{_ROMANCE_PARTICLE}{_SP})*{_LOWER_STREET_NAME}){{0,2}}"
    rf",?{_SP}{_NUMERO}{_HOUSE_NO})"
)


def address_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every street name followed by a house number."""
    for pattern in _ADDRESS_PATTERNS:
        for match in pattern.finditer(text):
            yield match.span()
    for match in _LOWER_ROMANCE_ADDRESS.finditer(text):
        yield match.span("address")
