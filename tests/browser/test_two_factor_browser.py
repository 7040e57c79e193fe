"""Two-factor login in a real Chromium: a facilitator who must have it is sent to enrolment, scans
(reads) the key, keeps the recovery codes and logs in with a code; a trainee registers a passkey
with Chromium's virtual authenticator (DevTools protocol) and logs in with it, after the password
and then alone. axe checks each page."""
from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from app.services import two_factor

from .accessibility import assert_accessible
from .helpers import HOME_URL, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def staff_must_enrol(app, monkeypatch):
    # The live server runs the session's app: the setting applies to it at once.
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", frozenset({"facilitator"}))


def test_a_facilitator_enrols_an_authenticator_app_and_logs_in_with_a_code(page, world, staff_must_enrol):
    log_in(page, world.facilitator.email)
    expect(page).to_have_url(re.compile(r"/account/two-factor$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    qr = page.get_by_role("img", name=re.compile("QR code"))
    expect(qr).to_be_visible()
    # The SVG loads under the CSP: waited for, since "visible" comes before the image has loaded
    # (a CSP block never loads it, and the wait fails).
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle(), timeout=10_000)
    assert_accessible(page)
    page.goto("/home")  # nothing else is reachable before enrolment
    expect(page).to_have_url(re.compile(r"/account/two-factor$"))

    secret = page.locator("code.totp-key").inner_text()
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on the second step").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="I have kept the codes").click()
    expect(page.get_by_role("heading", name="Second step at login")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Log out").click()
    log_in(page, world.facilitator.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Second step of the login")
    assert_accessible(page)
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("This code is not right, or it has been used already.").first).to_be_visible()
    assert_accessible(page)
    # The next step's code: the one typed at enrolment may still be current, and is used up.
    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(time.time() + two_factor.STEP_SECONDS))
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(HOME_URL)


def _virtual_authenticator(page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True}})


def test_a_trainee_registers_a_passkey_and_logs_in_with_it(page, world, live_server):
    # An IP address cannot be a WebAuthn relying party: the same server, by the name localhost.
    site = live_server.replace("127.0.0.1", "localhost")
    _virtual_authenticator(page)
    page.goto(f"{site}/login")
    page.get_by_label("E-mail").fill(world.trainee.email)
    page.get_by_label("Password", exact=True).fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(HOME_URL)
    page.goto(f"{site}/account/two-factor")
    passkeys = page.get_by_role("region", name="Passkeys")
    expect(passkeys).to_be_visible()  # shown because this browser offers passkeys
    assert_accessible(page)
    page.get_by_label("Name of the new passkey").fill("Test laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("status")).to_contain_text("The passkey is registered.")
    expect(page.get_by_role("heading", name="Your passkeys")).to_be_visible()
    expect(page.get_by_text("Test laptop (")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Log out").click()
    page.get_by_label("E-mail").fill(world.trainee.email)
    page.get_by_label("Password", exact=True).fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Second step of the login")
    assert_accessible(page)
    page.get_by_role("button", name="Use a passkey").click()
    expect(page).to_have_url(HOME_URL)

    # The passkey alone (it verifies the user): no e-mail, no password.
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Use a passkey instead of the password").click()
    expect(page).to_have_url(HOME_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Tina Trainee")


def test_the_enrolment_page_fits_a_phone(open_page, world):
    page = open_page(viewport={"width": 320, "height": 640})
    log_in(page, world.trainee.email)
    expect(page).to_have_url(HOME_URL)
    page.goto("/account/two-factor")
    qr = page.get_by_role("img", name=re.compile("QR code"))
    expect(qr).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert qr.bounding_box()["width"] <= 320
