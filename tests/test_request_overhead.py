"""What pages build once per process or once per render instead of once per use (app/url_cache.py,
app/static_files.py, app/i18n.py) gives the same page as building it every time."""
from flask import render_template_string
from flask_babel import force_locale

from app import url_cache


def test_addresses_follow_the_script_root_they_were_built_under(client):
    plain = client.get("/login").get_data(as_text=True)
    prefixed = client.get("/login", base_url="http://localhost/academy/").get_data(as_text=True)
    assert 'href="/login"' in plain and 'href="/academy/login"' in prefixed
    assert 'href="/static/css/app.css?v=' in plain and 'href="/academy/static/css/app.css?v=' in prefixed
    assert "/academy/" not in client.get("/login").get_data(as_text=True)


def test_external_addresses_and_lists_of_values_are_built_every_time(app):
    with app.test_request_context():
        app.extensions["life_url_cache"].clear()
        assert url_cache.url_for("auth.login", _external=True).endswith("/login")
        assert url_cache.url_for("auth.login", _anchor="top") == "/login#top"
        assert url_cache.url_for("auth.login", next=["/a", "/b"]) == "/login?next=/a&next=/b"
        assert app.extensions["life_url_cache"] == {}
        assert url_cache.url_for("auth.login") == "/login"
        assert list(app.extensions["life_url_cache"].values()) == ["/login"]


def test_the_cache_of_addresses_stays_bounded(app, monkeypatch):
    monkeypatch.setattr(url_cache, "MAX_ADDRESSES", 3)
    with app.test_request_context():
        for n in range(10):
            assert url_cache.url_for("auth.login", next=f"/{n}") == f"/login?next=/{n}"
        assert len(app.extensions["life_url_cache"]) <= 3


def test_template_strings_are_translated_escaped_and_formatted_as_jinja_does(app):
    template = ('{{ _("Log in") }}|{{ _("100%% of %(who)s", who="<b>") }}|'
                '{{ ngettext("%(num)d day", "%(num)d days", 2) }}')
    with app.test_request_context():
        assert render_template_string(template) == "Log in|100% of &lt;b&gt;|2 days"
        with force_locale("sv"):
            assert render_template_string(template).startswith("Logga in|")
        assert render_template_string(template).startswith("Log in|")  # the page's locale again


def test_a_facilitators_cohorts_come_with_the_session_lookup(client, login, factory):
    """The cohorts a facilitator sees (navigation, home, queue, cohort list) are their memberships'
    cohorts, loaded with the session lookup: by name, and no statement of their own."""
    from app.extensions import db
    from app.models import CohortRole

    from .queries import counted_queries

    facilitator = factory.user("Fia Facilitator")
    zeta, alpha, other = (factory.cohort(name=n) for n in ("Zeta group", "Alpha group", "Not hers"))
    factory.member(facilitator, zeta, CohortRole.FACILITATOR)
    factory.member(facilitator, alpha, CohortRole.FACILITATOR)
    factory.enrolled(other, CohortRole.FACILITATOR)
    db.session.commit()
    login(facilitator)
    client.get("/cohorts")  # warm-up
    with counted_queries() as statements:
        page = client.get("/cohorts").get_data(as_text=True)
    assert "Not hers" not in page and 0 <= page.index("Alpha group") < page.index("Zeta group")
    assert not [s for s in statements if "FROM cohort" in s], statements


def test_the_home_page_asks_for_announcements_only_when_something_is_unread(client, login, world):
    """The session lookup counts the unread notifications: with none, the home page's "new
    announcements" need no statement; with one, it is shown."""
    from app.extensions import db
    from app.services.notifications import notify

    from .queries import counted_queries

    def home_statements() -> tuple[str, list[str]]:
        client.get("/home")  # warm-up
        with counted_queries() as statements:
            page = client.get("/home").get_data(as_text=True)
        return page, [s for s in statements if s.startswith("SELECT notification.")]

    login(world.trainee)
    page, asked = home_statements()
    assert not asked and "Meeting moved" not in page
    notify(world.trainee, "announcement", lambda: "Meeting moved", url="/home", email=False)
    db.session.commit()
    page, asked = home_statements()
    assert len(asked) == 1 and "Meeting moved" in page
