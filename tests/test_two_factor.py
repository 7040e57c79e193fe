"""Two-factor login through HTTP: enrolment with a first code, the second step of the login (right,
wrong, replayed and recovery codes), throttling, turning it off, an admin's reset, the roles that
must have it, and what the data download and erasure do with it."""
from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, OutboxMessage, Passkey, RecoveryCode, User
from app.services import privacy, two_factor

from .factories import Factory

PASSWORD = Factory.PASSWORD


def _enrol(client, login, user) -> tuple[str, list[str]]:
    """Log in, set up the authenticator app; (secret, recovery codes)."""
    login(user)
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="totp-key">([A-Z2-7]+)</code>', page).group(1)
    response = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", response.get_data(as_text=True))
    client.post("/logout")
    return secret, codes


def _password_step(client, user, **extra):
    return client.post("/login", data={"email": user.email, "password": PASSWORD, **extra})


def _code_for_next_step(secret: str) -> str:
    """A code of a later step than the one just used (the app's next code)."""
    return pyotp.TOTP(secret).at(time.time() + two_factor.STEP_SECONDS)


def _fresh(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_enrolment_shows_a_qr_code_and_the_key_and_needs_a_right_first_code(client, login, factory):
    user = factory.user("Fran Facilitator")
    db.session.commit()
    login(user)
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="totp-key">([A-Z2-7]+)</code>', page).group(1)
    qr = client.get("/account/two-factor/qr.svg")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    # The same secret on a reload: the QR code and the key shown belong together until confirmed.
    assert secret in client.get("/account/two-factor").get_data(as_text=True)
    wrong = client.post("/account/two-factor", data={"code": "000000"})
    assert "This code does not fit" in wrong.get_data(as_text=True)
    assert not two_factor.has_totp(_fresh(user))
    done = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = _fresh(user)
    assert two_factor.has_totp(stored) and secret not in stored.totp_secret_sealed
    rows = db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
    assert len(rows) == 10 and not any(code.replace("-", "") in row.code_hash for row in rows for code in codes)
    assert len({row.salt for row in rows}) == 10
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.two_factor.enabled"))


def test_login_waits_for_the_code_and_then_logs_in(client, login, factory):
    user = factory.user()
    db.session.commit()
    secret, _codes = _enrol(client, login, user)
    response = _password_step(client, user)
    assert response.location.endswith("/login/second-step")
    assert client.get("/home").status_code == 302  # not logged in yet
    assert "Second step of the login" in client.get("/login/second-step").get_data(as_text=True)
    response = client.post("/login/second-step", data={"code": _code_for_next_step(secret)})
    assert response.status_code == 302 and response.location.endswith("/home")
    assert client.get("/home").status_code == 200


def test_a_wrong_code_is_refused_and_counts_as_a_failed_login(client, login, factory, app, monkeypatch):
    monkeypatch.setattr(app.extensions["life_login_throttle"], "per_account",
                        __import__("limits").parse_many("2 per 15 minutes"))
    user = factory.user()
    db.session.commit()
    secret, _codes = _enrol(client, login, user)
    _password_step(client, user)
    response = client.post("/login/second-step", data={"code": "123456"})
    assert "This code is not right" in response.get_data(as_text=True)
    assert client.get("/home").status_code == 302
    client.post("/login/second-step", data={"code": "654321"})
    # Throttled like passwords: even the right code waits now.
    assert client.post("/login/second-step", data={"code": _code_for_next_step(secret)}).status_code == 429
    assert client.get("/home").status_code == 302


def test_a_code_cannot_be_used_twice(client, login, factory, app):
    user = factory.user()
    db.session.commit()
    secret, _codes = _enrol(client, login, user)
    code = _code_for_next_step(secret)
    _password_step(client, user)
    assert client.post("/login/second-step", data={"code": code}).status_code == 302
    client.post("/logout")
    other = app.test_client()  # someone who overheard the code, with the password too
    _password_step(other, user)
    response = other.post("/login/second-step", data={"code": code})
    assert response.status_code == 200 and "used already" in response.get_data(as_text=True)
    assert other.get("/home").status_code == 302


def test_the_enrolment_code_cannot_be_replayed_at_login(client, login, factory, monkeypatch):
    monkeypatch.setattr(two_factor, "_clock", lambda: 1_800_000_000.0)  # one 30-second step throughout
    user = factory.user()
    db.session.commit()
    login(user)
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="totp-key">([A-Z2-7]+)</code>', page).group(1)
    totp = pyotp.TOTP(secret)
    now = totp.at(1_800_000_000)
    client.post("/account/two-factor", data={"code": now})
    client.post("/logout")
    _password_step(client, user)
    assert client.post("/login/second-step", data={"code": now}).status_code == 200
    # The code of the step before is older than the one used: refused too, though within the drift.
    assert client.post("/login/second-step", data={"code": totp.at(1_800_000_000 - 30)}).status_code == 200
    assert client.get("/home").status_code == 302
    assert client.post("/login/second-step", data={"code": totp.at(1_800_000_000 + 30)}).status_code == 302


def test_a_recovery_code_works_once(client, login, factory, app):
    user = factory.user()
    db.session.commit()
    _secret, codes = _enrol(client, login, user)
    _password_step(client, user)
    assert client.post("/login/second-step", data={"code": codes[0].upper()}).status_code == 302
    assert client.get("/home").status_code == 200
    client.post("/logout")
    _password_step(client, user)
    again = client.post("/login/second-step", data={"code": codes[0]})
    assert again.status_code == 200 and client.get("/home").status_code == 302
    assert client.post("/login/second-step", data={"code": codes[1]}).status_code == 302
    assert two_factor.recovery_codes_left(_fresh(user)) == 8


def test_the_second_step_needs_the_password_first_and_expires(client, login, factory, monkeypatch):
    user = factory.user()
    db.session.commit()
    secret, _codes = _enrol(client, login, user)
    assert client.get("/login/second-step").location.endswith("/login")
    _password_step(client, user)
    monkeypatch.setattr("app.auth.login_flow.PENDING_SECONDS", -1)
    _password_step(client, user)
    response = client.post("/login/second-step", data={"code": _code_for_next_step(secret)})
    assert response.location.endswith("/login")
    assert client.get("/home").status_code == 302


def test_remember_me_survives_the_second_step(client, login, factory):
    user = factory.user()
    db.session.commit()
    secret, _codes = _enrol(client, login, user)
    _password_step(client, user, remember="y")
    response = client.post("/login/second-step", data={"code": _code_for_next_step(secret)})
    assert any("remember_token" in c for c in response.headers.getlist("Set-Cookie"))


def test_turning_it_off_needs_the_password_and_a_current_code(client, login, factory):
    user = factory.user()
    db.session.commit()
    secret, codes = _enrol(client, login, user)
    _password_step(client, user)
    client.post("/login/second-step", data={"code": codes[0]})
    bad_password = client.post("/account/two-factor/off", data={"off-password": "wrong", "off-code": codes[1]})
    assert bad_password.status_code == 400 and "The password is not right." in bad_password.get_data(as_text=True)
    bad_code = client.post("/account/two-factor/off", data={"off-password": PASSWORD, "off-code": "111111"})
    assert bad_code.status_code == 400 and two_factor.has_totp(_fresh(user))
    done = client.post("/account/two-factor/off",
                       data={"off-password": PASSWORD, "off-code": _code_for_next_step(secret)})
    assert done.status_code == 302
    stored = _fresh(user)
    assert stored.totp_secret_sealed is None and not stored.recovery_codes
    client.post("/logout")
    assert _password_step(client, user).location.endswith("/home")


def test_new_recovery_codes_replace_the_old_ones(client, login, factory):
    user = factory.user()
    db.session.commit()
    _secret, codes = _enrol(client, login, user)
    _password_step(client, user)
    client.post("/login/second-step", data={"code": codes[0]})
    assert client.post("/account/two-factor/recovery-codes", data={"codes-password": "nope"}).status_code == 400
    page = client.post("/account/two-factor/recovery-codes", data={"codes-password": PASSWORD})
    fresh = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", page.get_data(as_text=True))
    assert len(fresh) == 10
    client.post("/logout")
    _password_step(client, user)
    assert client.post("/login/second-step", data={"code": codes[1]}).status_code == 200
    assert client.post("/login/second-step", data={"code": fresh[0]}).status_code == 302


def test_the_account_page_shows_the_state(client, login, factory):
    user = factory.user()
    db.session.commit()
    login(user)
    assert "Set up an authenticator app or a passkey" in client.get("/account").get_data(as_text=True)
    client.post("/logout")
    _secret, codes = _enrol(client, login, user)
    _password_step(client, user)
    client.post("/login/second-step", data={"code": codes[0]})
    page = client.get("/account").get_data(as_text=True)
    assert "9 recovery codes left." in page and "Turn off the second step" in page


def test_an_admin_resets_a_users_second_factor(client, login, factory, app):
    user = factory.user()
    db.session.commit()
    secret, _codes = _enrol(client, login, user)
    users_browser = app.test_client()
    _password_step(users_browser, user)
    users_browser.post("/login/second-step", data={"code": _code_for_next_step(secret)})
    admin = factory.user("Ada Admin", site_role="admin")
    db.session.commit()
    login(admin)
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Reset the second factor" in page
    assert client.post(f"/admin/users/{user.id}/two-factor/reset").status_code == 302
    stored = _fresh(user)
    assert stored.totp_secret_sealed is None and not stored.recovery_codes
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "admin.user.two_factor_reset"))
    assert event.actor_id == admin.id and event.target_id == user.id
    assert users_browser.get("/home").status_code == 302  # logged out everywhere
    assert _password_step(app.test_client(), user).location.endswith("/home")


def test_an_admin_cannot_reset_their_own_second_factor(client, login, factory):
    admin = factory.user("Ada Admin", site_role="admin")
    db.session.commit()
    _secret, codes = _enrol(client, login, admin)
    _password_step(client, admin)
    client.post("/login/second-step", data={"code": codes[0]})
    client.post(f"/admin/users/{admin.id}/two-factor/reset")
    assert two_factor.has_totp(_fresh(admin))


@pytest.fixture
def staff_must_enrol(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", frozenset({"admin", "facilitator", "coordinator"}))


def test_a_required_role_reaches_only_enrolment_until_enrolled(client, login, world, staff_must_enrol):
    login(world.facilitator)
    response = client.get("/home")
    assert response.status_code == 302 and response.location.endswith("/account/two-factor")
    assert client.get(f"/cohorts/{world.cohort.id}").location.endswith("/account/two-factor")
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "Your role gives you access" in page
    secret = re.search(r'<code class="totp-key">([A-Z2-7]+)</code>', page).group(1)
    client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert client.get("/home").status_code == 200


def test_a_trainee_is_not_required_but_may_turn_it_on(client, login, world, staff_must_enrol):
    login(world.trainee)
    assert client.get("/home").status_code == 200
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="totp-key">([A-Z2-7]+)</code>', page).group(1)
    client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    client.post("/logout")
    assert _password_step(client, world.trainee).location.endswith("/login/second-step")


def test_the_setting_names_known_roles_only(monkeypatch):
    from config import ConfigurationError, read_environment, two_factor_roles
    monkeypatch.setenv("TWO_FACTOR_REQUIRED_ROLES", "admin,supervisor")
    with pytest.raises(ConfigurationError, match="TWO_FACTOR_REQUIRED_ROLES.*supervisor"):
        read_environment()
    assert two_factor_roles("Admin, national_coordinator") == {"admin", "coordinator"}


def test_production_requires_it_of_staff_by_default():
    from config import ProductionConfig, TestingConfig
    required = ProductionConfig.TWO_FACTOR_REQUIRED_ROLES
    assert {"admin", "transnational_coordinator", "coordinator", "facilitator"} <= required
    assert "trainee" not in ProductionConfig.TWO_FACTOR_REQUIRED_ROLES
    assert not TestingConfig.TWO_FACTOR_REQUIRED_ROLES


def test_the_data_download_lists_the_fact_never_the_secret(client, login, factory, app):
    user = factory.user()
    db.session.commit()
    secret, codes = _enrol(client, login, user)
    stored = _fresh(user)
    db.session.add(Passkey(user_id=user.id, credential_id="abc", public_key=b"\x01\x02", name="Work laptop"))
    db.session.commit()
    exported = privacy.export_data(_fresh(user))
    facts = exported["core"]["two_factor"]
    assert facts["authenticator_app"] is True and facts["recovery_codes_left"] == 10
    assert facts["passkeys"][0]["name"] == "Work laptop"
    dumped = privacy._dumps(exported)
    assert secret not in dumped and stored.totp_secret_sealed not in dumped
    assert not any(code in dumped for code in codes) and "abc" not in dumped
    import io
    import zipfile
    with app.test_request_context():  # the page in the zip is rendered as for a request
        archive = zipfile.ZipFile(io.BytesIO(privacy.export_zip(_fresh(user))))
    index = archive.read("index.html").decode()
    assert "Second step at login</dt><dd>On · Authenticator app · Passkeys: Work laptop" in index
    assert secret not in archive.read("core.json").decode()


def test_erasure_removes_the_secrets(client, login, factory):
    user = factory.user()
    db.session.commit()
    _enrol(client, login, user)
    db.session.add(Passkey(user_id=user.id, credential_id="abc", public_key=b"\x01", name="Key"))
    db.session.commit()
    admin = factory.user("Ada Admin", site_role="admin")
    db.session.commit()
    privacy.erase(_fresh(user), by=admin)
    db.session.commit()
    stored = _fresh(user)
    assert stored.totp_secret_sealed is None and stored.totp_enabled_at is None
    assert not db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
    assert not db.session.scalars(select(Passkey).where(Passkey.user_id == user.id)).all()


def test_a_changed_secret_key_leaves_the_secret_unreadable_not_a_crash(client, login, factory, app, monkeypatch):
    user = factory.user()
    db.session.commit()
    _secret, codes = _enrol(client, login, user)
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-testing-secret-key")
    _password_step(client, user)
    assert client.post("/login/second-step", data={"code": "123456"}).status_code == 200
    assert client.post("/login/second-step", data={"code": codes[0]}).status_code == 302


def test_with_the_app_set_up_the_page_offers_only_passkeys(client, login, factory):
    user = factory.user()
    db.session.commit()
    _secret, codes = _enrol(client, login, user)
    _password_step(client, user)
    client.post("/login/second-step", data={"code": codes[0]})
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "Add a passkey" in page and "totp-key" not in page
    assert client.post("/account/two-factor", data={"code": "123456"}).status_code == 302


def test_the_owner_is_told_when_the_second_step_is_weakened(client, login, factory, app, outbox):
    user = factory.user()
    db.session.commit()
    secret, codes = _enrol(client, login, user)
    _password_step(client, user)
    client.post("/login/second-step", data={"code": codes[0]})
    kinds = [m.kind for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert kinds == ["two_factor.recovery_code"]
    assert "9 are left" in db.session.scalar(select(OutboxMessage.body))
    client.post("/account/two-factor/off", data={"off-password": PASSWORD, "off-code": _code_for_next_step(secret)})
    client.post("/logout")
    _secret, _codes = _enrol(client, login, user)
    admin = factory.user("Ada Admin", site_role="admin")
    db.session.commit()
    login(admin)
    client.post(f"/admin/users/{user.id}/two-factor/reset")
    kinds = [m.kind for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert kinds == ["two_factor.recovery_code", "two_factor.disabled", "two_factor.reset"]
    assert all(m.to == user.email for m in db.session.scalars(select(OutboxMessage)))


def test_the_next_user_in_the_browser_never_gets_the_enrolment_secret_of_the_last(client, login, factory):
    first, second = factory.user("First"), factory.user("Second")
    db.session.commit()
    login(first)
    page = client.get("/account/two-factor").get_data(as_text=True)
    seen = re.search(r'<code class="totp-key">([A-Z2-7]+)</code>', page).group(1)
    client.post("/logout")
    login(second)
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert seen not in page
    assert client.post("/account/two-factor", data={"code": pyotp.TOTP(seen).now()}).status_code == 200
    assert not two_factor.has_totp(_fresh(second))


def test_wrong_codes_from_many_addresses_add_up_for_the_account(client, login, factory, app, monkeypatch):
    import limits
    monkeypatch.setattr("app.auth.login_flow.SECOND_FACTOR_LIMIT", limits.parse("3 per day"))
    user = factory.user()
    db.session.commit()
    secret, _codes = _enrol(client, login, user)
    for n in range(3):  # someone with the password, guessing from three addresses
        guesser = app.test_client()
        guesser.environ_base["REMOTE_ADDR"] = f"203.0.113.{n + 1}"
        _password_step(guesser, user)
        assert guesser.post("/login/second-step", data={"code": "000000"}).status_code == 200
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    _password_step(elsewhere, user)
    assert elsewhere.post("/login/second-step", data={"code": _code_for_next_step(secret)}).status_code == 429
