"""Country names in the reader's language (app/localized.country_name, from the CLDR data): the
programme report, the dashboard, the admin's country list and the cohort pages say "Svezia" to an
Italian reader and "Švedska" to a Slovenian one; a country CLDR does not name keeps its own."""
from __future__ import annotations

import re
from types import SimpleNamespace

from flask_babel import force_locale

from app.extensions import db
from app.localized import country_name


def _as(user, lang: str) -> None:
    user.locale = lang
    db.session.commit()


def test_the_report_and_the_dashboard_name_countries_in_italian(client, world, login):
    _as(world.transnational_coordinator, "it")
    login(world.transnational_coordinator)
    report = client.get(f"/dashboard/report?run={world.run.id}").get_data(as_text=True)
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num', report)
    assert {"Norvegia", "Svezia"} <= set(rows), rows
    assert '<th scope="row">Sweden</th>' not in report
    dashboard = client.get("/dashboard/").get_data(as_text=True)
    assert re.search(r'<option value="SE"[^>]*>Svezia</option>', dashboard)
    assert re.search(r'<option value="NO"[^>]*>Norvegia</option>', dashboard)


def test_admin_pages_name_countries_in_slovenian(client, world, login):
    _as(world.admin, "sl")
    login(world.admin)
    countries = client.get("/admin/countries").get_data(as_text=True)
    for name in ("Švedska", "Norveška", "Slovenija", "Portugalska", "Italija"):
        assert f'<th scope="row">{name}</th>' in countries
    assert '<th scope="row">Sweden</th>' not in countries
    cohort = client.get(f"/admin/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert "Švedska" in cohort


def test_a_country_cldr_does_not_name_keeps_its_own_name(app):
    atlantis = SimpleNamespace(code="ZZ", name="Atlantis")
    sweden = SimpleNamespace(code="SE", name="Sweden")
    with app.test_request_context("/"):
        with force_locale("sl"):
            assert (country_name(atlantis), country_name(sweden), country_name("NO")) == \
                ("Atlantis", "Švedska", "Norveška")
        with force_locale("en"):
            assert country_name(sweden) == "Sweden"
    assert country_name(sweden) == "Sweden"  # no request: the stored name
