"""The rules added with the fourth unseen corpus (given names alone, a school with a child's
age, lower-case Romance streets, IBANs, plates, BI and Slovenian tax numbers), on sentences that
are in none of the corpora: what must be found and what must not."""
from __future__ import annotations

from pathlib import Path

import pytest
from stdnum import iban

from app import privacy_people
from app.privacy_check import review_texts
from app.privacy_guard import KIND_LABELS, scan
from app.privacy_more_ids import more_id_spans


def found(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in scan(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("We phoned Yasmin after the visit.", [("person_name", "Yasmin")]),
    ("Tuva var ledsen hela eftermiddagen.", [("person_name", "Tuva")]),
    ("I går ringte Håkon fra skolen.", [("person_name", "Håkon")]),
    ("Včeraj sem govorila z Zalo o šoli.", [("person_name", "Zalo")]),
    ("A assistente social falou com a Matilde ontem.", [("person_name", "Matilde")]),
    ("Oggi Lorenzo non è andato a scuola.", [("person_name", "Lorenzo")]),
    ("Dopo il colloquio, Ibrahim's brother waited outside.", [("person_name", "Ibrahim")]),
    ("Kontakten med Per har blivit bättre.", [("person_name", "Per")]),
    ("Lucas, aged 10, is at Greenfield Primary School since May.",
     [("school_and_age", "Greenfield Primary School")]),
    ("Sjuåringen går på Vasaskolan i Gävle.", [("school_and_age", "Vasaskolan")]),
    ("Gutten på 11 år går på Sagene skole.", [("school_and_age", "Sagene skole")]),
    ("Deklica, stara 8 let, hodi na OŠ Bežigrad.", [("school_and_age", "OŠ Bežigrad")]),
    ("Tem 10 anos e anda na Escola Básica de Telheiras.",
     [("school_and_age", "Escola Básica de Telheiras")]),
    ("Ha 6 anni e frequenta la scuola primaria Collodi.",
     [("school_and_age", "scuola primaria Collodi")]),
    ("Abitano in corso vittorio emanuele 88.", [("street_address", "corso vittorio emanuele 88")]),
    ("Vivem na travessa do carmo, 4.", [("street_address", "travessa do carmo, 4")]),
    ("O BI n.º 9876543 da avó caducou.", [("pt_bi", "9876543")]),
    ("Davčna številka očeta: 10000003.", [("si_tax_number", "10000003")]),
    ("Il padre ha la targa FG 456 HJ.", [("licence_plate", "FG 456 HJ")]),
    ("Her account is NO93 8601 1117 947.", [("iban", "NO93 8601 1117 947")]),
])
def test_found(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text", [
    # Names that are words, places, authors, institutions and titles.
    "Per e-post bekräftade skolan tiden.",
    "Mia sorella lavora nei servizi sociali.",
    "Dan za dnem se je stanje izboljševalo.",
    "Rosa é a cor do cartaz.",
    "Frank feedback from the tutor helped the group.",
    "The conference in Sofia was cancelled.",
    "Fomos em Fátima no ano passado com o grupo.",
    "As Carl Rogers put it, empathy is a way of being.",
    "We read Maria Montessori and Jane Addams this week.",
    "Ospedale Santa Maria Nuova ha un reparto pediatrico.",
    "Otroci iz vrtca Mojca so prišli na obisk.",
    "Mamman Sara ringde i går.",
    "Emma, 9, and Noah, 6, came to the group.",
    "Il nonno di Marco è arrivato tardi.",
    "## Per la discussione",
    "- Leia o recurso antes do encontro.",
    "**Rok:** tri tedne po srečanju.",
    "Dina svar är anonyma.",
    # The trainee's colleagues, teachers and projects.
    "Handledaren Karin påminde oss om sekretessen.",
    "La tutor Giulia ci ha spiegato il modello.",
    "I shared my notes with Daniel, my peer mentor.",
    "Il progetto Leonardo finanzia la mobilità.",
    # Schools without an age, ages without a school, durations and ranges.
    "We visited Greenfield Primary School with 12 trainees.",
    "She is 10 years old and loves football.",
    "Rektorn har arbetat på Vasaskolan i 12 år.",
    "Trabalha na Escola Básica de Telheiras há 12 anos.",
    "Alla scuola Collodi i bambini hanno tra i 6 e i 10 anni.",
    # Streets, numbers and plates that identify nobody.
    "Ho scritto via email 3 volte alla scuola.",
    "Siamo andati in piazza con 2 bambini.",
    "Os dados BI do relatório de 2024 mostram 120 casos.",
    "The report 12345678 was filed in BI tools.",
    "Davčna številka 12345678 ni veljavna.",
    "Reg.nr ABC 123 står på fakturan från taxibolaget.",
    "Pay the fee to the association's IBAN SE45 5000 0000 0583 9825 7466.",
    "Course code SOC 101 and room B 204.",
])
def test_quiet(text):
    assert found(text) == []


def test_new_kinds_have_labels_and_suggestions():
    assert {"school_and_age", "pt_bi", "si_tax_number", "iban", "licence_plate"} <= set(KIND_LABELS)
    findings = scan("The 8-year-old at Greenfield Primary School; her IBAN is "
                    "NO93 8601 1117 947.")
    assert [(f.kind, f.suggestion) for f in findings] == [
        ("school_and_age", "[school removed]"), ("iban", "[ID number removed]")]


def test_an_iban_is_found_only_with_its_check_digits():
    valid = "SE45 5000 0000 0583 9825 7466"
    spoiled = valid[:-1] + "7"
    assert iban.is_valid(valid) and not iban.is_valid(spoiled)
    assert [kind for *_span, kind in more_id_spans(f"Mammans konto {valid}.")] == ["iban"]
    assert list(more_id_spans(f"Mammans konto {spoiled}.")) == []


def test_the_given_names_file_is_well_formed():
    """Every section is present, names are capitalised words, and the flags only mark
    listed names or places; month names stay out (they open sentences in English)."""
    sections = privacy_people._read_given_names()
    assert set(sections) == {"names", "also_words", "also_places"}
    assert len(sections["names"]) >= 500
    for names in sections.values():
        assert all(name[0].isupper() and name[1:].islower() for name in names), names
    assert not {"May", "June", "April", "August"} & (sections["names"] | sections["also_words"])
    text = Path(privacy_people.__file__).with_name("privacy_given_names.txt").read_text("utf-8")
    assert "[also_words]" in text and "[also_places]" in text


def test_a_given_name_alone_stops_the_form_like_any_finding():
    review = review_texts({"body": ("Journal", "Met with Jonas today.")}, confirmed=False)
    assert review.blocked
    assert [f.kind for f in review.fields[0].findings] == ["person_name"]
    assert not review_texts({"body": ("Journal", "Met with the school today.")},
                            confirmed=False).found
