"""Names, dates of birth and the separator, prefix and street forms added with the third unseen
corpus, on sentences that are in none of the corpora: what must be found and what must not."""
from __future__ import annotations

import pytest
from stdnum.pt import cc

from app.privacy_guard import KIND_LABELS, scan


def found(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in scan(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Pappan Johan Ek ringde igår.", [("person_name", "Johan Ek")]),
    ("The stepfather, Kevin O'Brien, was at home.", [("person_name", "Kevin O'Brien")]),
    ("Mormor Anna-Karin L. kom på mötet.", [("person_name", "Anna-Karin L.")]),
    ("Il nonno, Giuseppe V., vive da solo.", [("person_name", "Giuseppe V.")]),
    ("Deklica Tina Kos je stara 6 let.", [("person_name", "Tina Kos")]),
    ("O padrasto, Paulo S., não aceita a intervenção.", [("person_name", "Paulo S.")]),
    ("She was born on March 3, 2015 in Gävle.", [("date_of_birth", "March 3, 2015")]),
    ("Gutten er født 1. januar 2016.", [("date_of_birth", "1. januar 2016")]),
    ("Nato il 12 ottobre 2011 a Napoli.", [("date_of_birth", "12 ottobre 2011")]),
    ("Datum rojstva: 5. 6. 2012.", [("date_of_birth", "5. 6. 2012")]),
    ("Data de nascimento: 12-05-2010.", [("date_of_birth", "12-05-2010")]),
    ("Bor på ringvägen 44 sedan maj.", [("street_address", "ringvägen 44")]),
    ("Bor i kirkeveien 12, Oslo.", [("street_address", "kirkeveien 12")]),
    ("Živi na Tržaška 25 v Ljubljani.", [("street_address", "Tržaška 25")]),
    ("Sarah Thompson, the mother, did not come.", [("person_name", "Sarah Thompson")]),
    ("Linda Johansson (mamma) ringde igår.", [("person_name", "Linda Johansson")]),
    ("Ana Silva, mãe do menor, faltou.", [("person_name", "Ana Silva")]),
    ("Pappan Ahmed K. Han kom sent.", [("person_name", "Ahmed K.")]),
    ("Elias, f. 2015-03-03, går i förskoleklass.", [("date_of_birth", "2015-03-03")]),
    ("Call 47 915 55 123 after four.", [("phone", "47 915 55 123")]),
    ("Ring 0046 70 111 22 33.", [("phone", "0046 70 111 22 33")]),
    ("Norsk fast telefon +47 (0) 22 12 34 56.", [("phone", "+47 (0) 22 12 34 56")]),
])
def test_found(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text", [
    "Modern Social Work Theory by Payne, 4th edition.",
    "The boy was born in 2012 and started school in 2018.",
    "Född 1985 i Umeå, kom till Göteborg 2010.",
    "We met on 3 March 2025 and again on 14/05/2025.",
    "Nata nel 1979, la madre lavora part-time.",
    "Vi tog omvägen 3 gånger för att undvika trafiken.",
    "Na Gorenjskem 12 družin čaka na pomoč.",
    "Gorenjska 12 % več kot lani.",
    "Version 3.2.1 of the form, page 120.000.",
    "Number 123.456.789 in the statistics table is the national total.",
    "Mamman Sara ringde i går.",
    "The girl, Emma, is 7.",
    "Il padre di Marco è arrivato tardi.",
    "The 2 main roads to the school are busy.",
    "Scores: 46 12 34 56 78 across the five groups.",
    "Kl. 08.30 10.30 och 12.30 har vi samtal.",
    "Den 12.4.2019 hade vi första mötet.",
    "We called the Child Protection Line twice.",
    "Child Protection Services were informed on Monday.",
    "The boy, Social Services said, is doing better.",
    "Sister Act was the film the girls chose.",
    "Barnet Vårdcentralen Norr skrev remiss.",
])
def test_quiet(text):
    assert found(text) == []


def _citizen_card(civil: str, version: str = "ZZ") -> str:
    """A valid Cartão de Cidadão number as printed: both check digits are searched for."""
    for digit in "0123456789":
        last = cc.calc_check_digit(f"{civil}{digit}{version}")
        if cc.is_valid(f"{civil}{digit}{version}{last}"):
            return f"{civil} {digit} {version}{last}"
    raise AssertionError(civil)


def test_portuguese_citizen_card():
    number = _citizen_card("14356728")
    for written in (number, number.replace(" ", ""), number.lower()):
        assert found(f"O CC da mãe é {written}.") == [("pt_cc", written)]
    spoiled = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert found(f"Cartão {spoiled} expirado.") == []


def test_new_kinds_have_labels_and_suggestions():
    assert {"person_name", "date_of_birth", "pt_cc"} <= set(KIND_LABELS)
    assert [f.suggestion for f in scan("The mother, Sarah Thompson, born on 3 March 1990.")] == [
        "[name removed]", "[date of birth removed]"]
