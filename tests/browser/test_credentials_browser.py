"""Verifiable credentials in a real browser: Tina's transcript carries the QR code and the link to
the public verification page, which a verifier (not logged in) sees as valid; once Ada revokes the
credential at /admin/credentials the same page says it is revoked. Each page passes axe."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from app.extensions import db

from ..programme_data import complete
from ..test_transcript import _programme
from .accessibility import assert_accessible
from .helpers import log_in_and_land_home

pytestmark = pytest.mark.browser


def test_the_transcripts_link_verifies_until_an_admin_revokes(open_page, world):
    built = _programme(world)
    for activity in built.activities:
        complete(world.trainee, activity)
    db.session.commit()

    tina = open_page()
    log_in_and_land_home(tina, world.trainee.email)
    tina.goto("/programme/")
    tina.get_by_role("link", name=re.compile("^Your transcript")).click()
    qr = tina.get_by_role("img", name="QR code of the verification page")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR code did not load"
    link = tina.get_by_role("link", name=re.compile(r"credentials\/[0-9a-f]+$"))
    address = link.get_attribute("href")
    assert address == link.inner_text() and address.startswith("http")  # absolute: it is printed
    assert_accessible(tina)

    verifier = open_page()
    verifier.goto(urlsplit(address).path)  # the public address is PUBLIC_URL's; here the live server
    outcome = verifier.get_by_role("status")
    expect(outcome).to_contain_text("Valid: the signature verifies")
    expect(verifier.get_by_text("Tina Trainee")).to_have_count(0)  # the public page names nobody
    assert_accessible(verifier)

    ada = open_page()
    log_in_and_land_home(ada, world.admin.email)
    ada.goto("/admin/credentials")
    programme = ada.get_by_role("link", name="Test programme")  # not one of its units
    row = ada.get_by_role("row").filter(has_text="Tina Trainee").filter(has=programme)
    row.get_by_label("Reason for revoking").fill("Issued in error")
    assert_accessible(ada)
    row.get_by_role("button", name="Revoke").click()
    expect(row).to_contain_text("Revoked: Issued in error")
    expect(ada.get_by_role("button", name="Revoke")).to_have_count(2)  # the two units' credentials stand

    verifier.reload()
    expect(outcome).to_contain_text("Revoked: the issuer has withdrawn this credential.")
    expect(verifier.get_by_text("Valid:")).to_have_count(0)
    assert_accessible(verifier)
