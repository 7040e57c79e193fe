"""National variants on the site, with the real content imported: a trainee in Norway gets the five
full days and the notes, a trainee in Italy (no variant) the common programme, site-wide staff
every variant labelled with its country; the pages' queries do not grow with a variant."""
from __future__ import annotations

import copy
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import CohortRole, ContentVersion, Meeting, MeetingPlan, Programme
from app.services.meetings import schedule_meetings, today_for

from .test_content_import import REAL_CONTENT, run
from .test_programme_pages import counted_queries


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


@pytest.fixture
def trainees(app, factory):
    """The real programme imported; a run under way with a Norwegian and an Italian cohort."""
    assert run(app, "import", "--path", str(REAL_CONTENT)).exit_code == 0
    norwegian, italian = factory.user("Ingrid Hansen"), factory.user("Giulia Rossi")
    today = today_for(norwegian)
    programme_run = factory.run(starts_on=today - timedelta(days=10), ends_on=today + timedelta(days=354))
    cohorts = {}
    for user, code in ((norwegian, "NO"), (italian, "IT")):
        cohorts[code] = factory.cohort(programme_run, country=code, name=code)
        factory.member(user, cohorts[code], CohortRole.TRAINEE)
        schedule_meetings(cohorts[code])
    db.session.commit()
    return norwegian, italian, cohorts


def test_norway_gets_five_full_days_and_italy_the_nine_half_days(trainees):
    _n, _i, cohorts = trainees
    plans = {p.id: p for p in db.session.scalars(select(MeetingPlan))}

    def scheduled(code: str) -> list[MeetingPlan]:
        meetings = db.session.scalars(select(Meeting).where(Meeting.cohort_id == cohorts[code].id))
        return [plans[m.plan_id] for m in meetings]
    norway, italy = scheduled("NO"), scheduled("IT")
    assert sorted(p.slug for p in norway) == ["no-closing-day", "no-day-abduction-and-case-management",
                                              "no-day-communication-and-stabilisation",
                                              "no-day-innovation-and-whole-family", "no-kickoff-day"]
    assert sum(p.hours for p in norway) == 30
    assert len(italy) == 9 and all(p.country_code is None for p in italy) and sum(p.hours for p in italy) == 36
    kickoff = db.session.scalar(select(Meeting).join(MeetingPlan).where(
        Meeting.cohort_id == cohorts["NO"].id, MeetingPlan.slug == "no-kickoff-day"))
    assert kickoff.place == "Trondheim" and f"{kickoff.starts_at:%H:%M}-{kickoff.ends_at:%H:%M}" == "09:00-16:00"


def test_a_trainee_in_norway_sees_the_longer_sessions_and_the_notes(client, login, trainees):
    norwegian, _i, _c = trainees
    login(norwegian)
    overview = text(client.get("/programme/"))
    assert "version of the programme" in overview
    assert "National variant: Norway" in overview and "five full days" in overview
    assert "of 154 hours done" in overview  # 94 national + 60 transnational
    module = text(client.get("/programme/modules/orientation"))
    assert "In Norway this module starts with a full kick-off day" in module
    # The times as the reader's locale writes them (English: "9:00 AM", its space a narrow no-break one).
    assert "Kick-off day" in module and "9:00 AM–4:00 PM" in module and "Trondheim" in module
    assert "National kick-off" not in module  # the common half-day is replaced
    assert "14 hours" in module
    empty = text(client.get("/programme/modules/whole-family-co-creation"))
    assert "has no meeting of its own" in empty and 'id="meetings-h"' not in empty


def test_a_trainee_in_norway_reads_the_notes_in_norwegian(client, login, trainees):
    norwegian, _i, _c = trainees
    norwegian.locale = "nb"
    db.session.commit()
    login(norwegian)
    module = text(client.get("/programme/modules/orientation"))
    assert "I Norge starter denne modulen med en hel oppstartsdag" in module and "Oppstartsdag" in module


def test_a_trainee_in_italy_sees_italys_variant_and_not_norways(client, login, trainees):
    _n, italian, _c = trainees
    login(italian)
    overview = text(client.get("/programme/"))
    assert "National variant: Italy" in overview and "National variant: Norway" not in overview
    assert "of 160 hours done" in overview
    case = text(client.get("/programme/modules/case-management"))
    assert "In Italy this module reads about the integrated system" in case and "In Norway" not in case
    module = text(client.get("/programme/modules/orientation"))
    assert "National kick-off" in module and "Kick-off day" not in module and "In Norway" not in module
    assert "12 hours" in module


def test_staff_see_every_variant_labelled_with_its_country(client, login, world, trainees):
    login(world.admin)
    overview = text(client.get("/programme/"))
    for country in ("Norway", "Sweden", "Slovenia", "Portugal", "Italy"):
        assert f"National variant: {country}" in overview
    module = text(client.get("/programme/modules/case-management"))
    assert "In Sweden this module reads about the coordinated individual plan" in module
    assert "In Norway this module has no meeting of its own" in module


def test_a_variant_adds_no_query_to_the_pages(client, login, trainees):
    norwegian, italian, _c = trainees
    counts = {}
    for user in (norwegian, italian):
        client.post("/logout")
        login(user)
        for url in ("/programme/", "/programme/modules/orientation"):
            client.get(url)  # warm-up
            with counted_queries() as statements:
                assert client.get(url).status_code == 200
            counts[(user.name, url)] = len(statements)
    assert counts[("Ingrid Hansen", "/programme/")] == counts[("Giulia Rossi", "/programme/")]
    assert counts[("Ingrid Hansen", "/programme/modules/orientation")] == \
        counts[("Giulia Rossi", "/programme/modules/orientation")]


def test_the_content_version_holds_the_variants(trainees):
    programme = db.session.scalar(select(Programme))
    version = db.session.get(ContentVersion, programme.content_version_id)
    assert "five full days" in version.snapshot["programme"]["variants"]["NO"]["notes_md"]
    assert version.snapshot["meeting_plans"]["no-kickoff-day"]["country_code"] == "NO"
    assert "NO" in version.snapshot["meeting_plans"]["national-kickoff"]["omitted_in"]


def test_the_session_lookup_leaves_the_variants_out_and_a_change_shows_at_once(client, login, trainees):
    """Programme.variants (tens of kB) is not sent with every request's session lookup: the pages
    read it from the content cache, which a change of the programme renews."""
    norwegian, _i, _c = trainees
    login(norwegian)
    client.get("/programme/")  # warm-up: the cache is filled
    with counted_queries() as statements:
        assert "five full days" in text(client.get("/programme/"))
    lookup = next(s for s in statements if "FROM user_session" in s)
    assert "programme" in lookup and not re.search(r"programme(_\d+)?\.variants", lookup)
    programme = db.session.scalar(select(Programme))
    variants = copy.deepcopy(programme.variants)
    variants["NO"]["notes_md"] = "A note changed since the page was cached."
    programme.variants = variants
    db.session.commit()
    overview = text(client.get("/programme/"))
    assert "A note changed since the page was cached." in overview and "five full days" not in overview
