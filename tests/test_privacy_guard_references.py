"""Focused cases for issue 12, item 9: identity numbers used as case references, phone numbers
judged with phonenumbers, and the numbers in case notes that identify nobody."""
from __future__ import annotations

import pytest
from stdnum import luhn

from .test_privacy_guard import guard, kinds, scan

PERSONNUMMER = "850709-980" + luhn.calc_check_digit("850709980")
REFERENCE_WORDS = ["Ref.", "Ref:", "Case", "Case no.", "Ärende", "Ärende:", "Dnr", "Dnr.",
                   "Saksnr", "Saksnr.", "Sak nr.", "Št. zadeve", "Zadeva", "Proc.",
                   "Processo n.º", "Pratica n.", "Rif.", "Fascicolo", "File no.", "Our ref."]


@pytest.mark.parametrize("word", REFERENCE_WORDS)
def test_checksum_valid_id_after_a_reference_word_is_flagged_as_a_reference(word):
    findings = scan(f"{word} {PERSONNUMMER} – hembesök genomfört.")
    assert [(f.kind, f.text, f.label) for f in findings] == [
        ("se_personnummer", PERSONNUMMER, guard.REFERENCE_ID_LABEL)]
    assert findings[0].suggestion == "[ID number removed]"


@pytest.mark.parametrize("text, kind", [
    ("Saksnr. 15108695088 – bekymringsmelding.", "no_fodselsnummer"),
    ("Sak 59080163848 gjelder far.", "no_dnummer"),
    ("Št. zadeve 0101006500006 – prvi razgovor.", "si_emso"),
    ("Proc. 123456789 – visita domiciliária.", "pt_nif"),
    ("Pratica n. RCCMNL83S18D969H – visita.", "it_codice_fiscale"),
])
def test_every_country_s_id_is_flagged_after_a_reference_word(text, kind):
    assert [(f.kind, f.label) for f in scan(text)] == [(kind, guard.REFERENCE_ID_LABEL)]


def test_an_id_after_an_ordinary_word_keeps_its_own_label():
    findings = scan(f"Angående {PERSONNUMMER}, som inte kom.")
    assert [(f.kind, f.label) for f in findings] == [
        ("se_personnummer", guard.KIND_LABELS["se_personnummer"])]


@pytest.mark.parametrize("text", [
    "Ärende 850709-9801 – wrong check digit.",
    "Dnr 851309-9805 – month 13.",
    "Saksnr. 15108695077 – wrong check digits.",
    "Št. zadeve 0101006500007 – wrong check digit.",
    "Invoice no. 501964843 – a company's NIF on the invoice.",
])
def test_reference_numbers_that_identify_nobody_stay_quiet(text):
    assert scan(text) == []


# --- phone numbers --------------------------------------------------------------------------

@pytest.mark.parametrize("phone", [
    "070-123 45 67", "0701234567", "070.123.45.67", "(08) 123 456 78", "+46-70-123 45 67",
    "0046 70 123 45 67", "912 34 567", "91234567", "22 33 44 55", "+47 22 33 44 55",
    "004791234567", "041 123 456", "041-123-456", "041.123.456", "(01) 234 56 78",
    "+386 (0)41 123 456", "912 345 678", "912345678", "+351 21 123 45 67",
    "(+351) 912 345 678", "347 123 4567", "333.123.4567", "(02) 8845 1234", "328-1234567",
    "0039.347.1234567", "+39 06 6988 1234",
])
def test_phones_of_the_five_countries_as_people_write_them(phone):
    assert kinds(f"Nummer: {phone} efter kl. 15.") == [("phone", phone)]


@pytest.mark.parametrize("text", [
    "Ring +47 123 45 678 i morgon.",     # Norwegian numbers never start with 1
    "Ring +386 99 123 456 jutri.",       # no such Slovenian range
    "Ligue +351 812 345 678 amanhã.",    # no such Portuguese range
    "Ring +46 70 123 45 6 i morgon.",    # one digit short
])
def test_international_numbers_of_partner_countries_must_exist_in_the_numbering_plan(text):
    assert scan(text) == []


@pytest.mark.parametrize("text", [
    "Hembesöket tog 7,5 h, kl. 14.30–16.00.",
    "Praktiken var 7,5 h per dag och 37,5 timmar i veckan.",
    "Kontakt 2019–2021 och 2019-2021 och igen 2023.",
    "Mötet flyttades från 2024-03-12 till 12.03.2024, sedan 12/03/2024.",
    "Scheduled from 14:15-15:45 and 09.00-11.30.",
    "Försörjningsstöd 12 450 kr, hyra 9 870 kr/mån, budget 1 234 567 kr.",
    "O RSI é de 242,23 € por mês; fatura 1.234,56 €.",
    "Il corso vale 3 punti ECVET, 7,5 h al giorno; 3 ECVET points.",
    "Version 4.12.3, then 10.0.19045 and 2025.1.4.",
    "Attendance 62 % to 81.5%, rate 12,7 %.",
    "Postcode 114 55 Stockholm, 0150 Oslo, 1000 Ljubljana, 4000-123 Porto, 00184 Roma.",
    "Org.nr. 974 760 673 står på brevet.",
    "Kontonummer 1503 12 34567 står på fakturaen.",
    "Project number 101056789 in the portal.",
    "A population of 23 456 789 people.",
    "NIF 332706558 inválido, pedir novamente.",
])
def test_numbers_in_case_notes_that_are_not_phones(text):
    assert scan(text) == []


# --- street addresses -----------------------------------------------------------------------

@pytest.mark.parametrize("address", [
    "Storgatan 12B", "Karl Johans gate 5", "Thorvald Meyers gate 34", "Slovenska cesta 27",
    "Rua de Santa Catarina, 123", "Via Roma 10/A",
])
def test_street_addresses_are_found_whole(address):
    assert kinds(f"Home visit at {address} today.") == [("street_address", address)]


@pytest.mark.parametrize("text", [
    "Via Zoom 2 volte a settimana.", "Via Teams 3 gånger i veckan.", "Via Zoom 4 vezes.",
    "Via Roma 10/2024 was the old file name.",
])
def test_street_like_counts_are_not_addresses(text):
    assert scan(text) == []
