"""The micro-innovation through HTTP: started, edited (conflicts, privacy guard), stages with
dates and reasons, factors, comments, sharing with the country group, the facilitators' board,
the coordinators' counts, export and erasure."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import CohortRole, Notification
from app.services.meetings import today_for
from app.timeutil import utcnow
from modules.innovation.models import Innovation, StageChange
from tests.queries import counted_queries

RECORD = {"title": "Kitchen-table plans", "situation": "Family A struggles with school mornings.",
          "families_part": "The parents drew the weekly plan themselves.", "knowledge_practice": "",
          "knowledge_education": "", "knowledge_research": ""}


def flat(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def start(client, **changes) -> Innovation:
    response = client.post("/a/innovation/", data={**RECORD, **changes})
    assert response.status_code == 302, flat(response)[:2000]
    return db.session.scalars(select(Innovation)).one()


def test_trainee_starts_a_record_at_emergence_and_sees_it(client, world, login):
    login(world.trainee)
    assert "Start your micro-innovation" in flat(client.get("/a/innovation/"))
    record = start(client)
    assert record.stage == "emergence" and record.owner_id == world.trainee.id and record.run_id == world.run.id
    assert [s.stage for s in record.stages] == ["emergence"]
    page = flat(client.get("/a/innovation/"))
    assert "Kitchen-table plans" in page and "The parents drew the weekly plan themselves." in page
    assert "Stage reached: Emergence" in page


def test_identifying_detail_is_stopped_until_confirmed_and_kept_as_draft(client, world, login):
    login(world.trainee)
    risky = {**RECORD, "situation": "The family at Kungsgatan 7, mother 880320-0016, calls every morning."}
    response = client.post("/a/innovation/", data=risky)
    assert response.status_code == 422
    assert "this text may identify a family" in flat(response)
    assert db.session.scalar(select(Innovation.id)) is None
    again = flat(client.get("/a/innovation/"))
    assert "880320-0016" in again  # the draft gives it back
    version = re.search(r'name="draft_version" value="(\d+)"', again).group(1)
    confirmed = client.post("/a/innovation/", data={**risky, "privacy_confirmed": "y", "draft_version": version})
    assert confirmed.status_code == 302


def test_two_edits_from_the_same_version_one_wins_nothing_is_lost(client, world, login):
    login(world.trainee)
    record = start(client)
    first = client.post(f"/a/innovation/{record.id}/edit", data={**RECORD, "title": "First tab", "version": "1"})
    assert first.status_code == 302
    second = client.post(f"/a/innovation/{record.id}/edit", data={**RECORD, "title": "Second tab", "version": "1"})
    assert second.status_code == 409
    assert "changed in another tab" in flat(second) and "Second tab" in flat(second)
    db.session.expire_all()
    assert db.session.get(Innovation, record.id).title == "First tab"


def test_a_second_start_from_another_tab_is_a_conflict_not_a_loss(client, world, login):
    login(world.trainee)
    start(client)
    again = client.post("/a/innovation/", data={**RECORD, "title": "Typed in the other tab"})
    assert again.status_code == 409
    assert "Typed in the other tab" in flat(again)
    assert db.session.scalars(select(Innovation)).one().title == "Kitchen-table plans"


@pytest.mark.parametrize("form, message", [
    ({"stage": "stabilisation", "why": ""}, "This field is required"),
    ({"stage": "emergence", "why": "Still trying"}, "at this stage already"),
    ({"stage": "orbit", "why": "x"}, "Not a valid choice"),
    ({"stage": "stabilisation", "why": "x", "reached_on": "2999-01-01"}, "between"),
    ({"stage": "stabilisation", "why": "x", "reached_on": "tomorrow"}, "Not a valid date value"),
])
def test_bad_stage_changes_say_why_and_change_nothing(client, world, login, form, message):
    login(world.trainee)
    record = start(client)
    response = client.post(f"/a/innovation/{record.id}/stage",
                           data={"reached_on": today_for(world.trainee).isoformat(), **form})
    assert response.status_code == 422, flat(response)[:500]
    assert message in flat(response)
    db.session.expire_all()
    assert db.session.get(Innovation, record.id).stage == "emergence"


@pytest.mark.parametrize("days, message", [(-40, "before the last stage change"), (2, "in the future")])
def test_stage_cannot_be_dated_before_the_last_change_or_in_the_future(client, world, login, days, message):
    login(world.trainee)
    record = start(client)
    day = today_for(world.trainee) + timedelta(days=days)
    response = client.post(f"/a/innovation/{record.id}/stage",
                           data={"stage": "stabilisation", "why": "Used again", "reached_on": day.isoformat()})
    assert response.status_code == 422 and message in flat(response)


def test_the_stage_form_offers_the_trainees_own_day_and_accepts_it(client, world, login):
    # A zone whose calendar day is not the server's (UTC) at this hour: the form must offer the
    # trainee's day, the one the record's first stage was dated with, or it refuses its own default.
    world.trainee.timezone = "Pacific/Kiritimati" if utcnow().hour >= 12 else "Pacific/Pago_Pago"
    db.session.commit()
    login(world.trainee)
    record = start(client)
    today = today_for(world.trainee)
    assert today != utcnow().date()
    page = client.get("/a/innovation/").get_data(as_text=True)
    assert re.search(rf'name="reached_on"[^>]*value="{today.isoformat()}"', page), page
    response = client.post(f"/a/innovation/{record.id}/stage",
                           data={"stage": "stabilisation", "why": "Used again.", "reached_on": today.isoformat()})
    assert response.status_code == 302


def test_a_stage_change_is_dated_explained_and_on_the_timeline(client, world, login):
    login(world.trainee)
    record = start(client)
    today = today_for(world.trainee)  # the trainee's calendar day, as the record's first stage
    response = client.post(f"/a/innovation/{record.id}/stage",
                           data={"stage": "stabilisation", "why": "Three families use the plan now.",
                                 "reached_on": today.isoformat()})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Innovation, record.id).stage == "stabilisation"
    page = flat(client.get("/a/innovation/"))
    assert "Stage reached: Stabilisation" in page and "Three families use the plan now." in page


def test_factors_are_added_and_removed(client, world, login):
    login(world.trainee)
    record = start(client)
    bad = client.post(f"/a/innovation/{record.id}/factors", data={"kind": "neutral", "level": "professional",
                                                                  "text": "x"})
    assert bad.status_code == 422
    assert client.post(f"/a/innovation/{record.id}/factors",
                       data={"kind": "impeding", "level": "organisational", "text": "Bureaucracy"}).status_code == 302
    page = flat(client.get("/a/innovation/"))
    assert "Bureaucracy" in page and "Organisational and structural level" in page
    factor = db.session.get(Innovation, record.id).factors[0]
    assert client.post(f"/a/innovation/{record.id}/factors/{factor.id}/delete").status_code == 302
    assert "Bureaucracy" not in flat(client.get("/a/innovation/"))


def test_facilitator_comments_and_the_owner_is_told(client, world, login):
    login(world.trainee)
    record = start(client)
    client.post("/logout")
    login(world.facilitator)
    assert client.post(f"/a/innovation/{record.id}/comments", data={"body": "What did the children say?"}
                       ).status_code == 302
    note = db.session.scalars(select(Notification).where(Notification.user_id == world.trainee.id)).one()
    assert note.kind == "innovation.comment" and f"/a/innovation/{record.id}" in note.url
    client.post("/logout")
    login(world.trainee)
    assert client.post(f"/a/innovation/{record.id}/comments", data={"body": "They asked for stickers."}
                       ).status_code == 302
    told = db.session.scalars(select(Notification).where(Notification.user_id == world.facilitator.id)).one()
    assert told.kind == "innovation.comment"
    assert "They asked for stickers." in flat(client.get(f"/a/innovation/{record.id}"))


def test_sharing_opens_the_record_to_the_country_group_only(client, world, login, factory):
    peer = factory.enrolled(world.cohort, CohortRole.TRAINEE, "Pia Peer")
    db.session.commit()
    login(world.trainee)
    record = start(client)
    client.post("/logout")
    login(peer)
    assert client.get(f"/a/innovation/{record.id}").status_code == 404
    assert "Kitchen-table plans" not in flat(client.get(f"/a/innovation/group/{world.cohort.id}"))
    client.post("/logout")
    login(world.trainee)
    assert client.post(f"/a/innovation/{record.id}/share", data={"shared": "1"}).status_code == 302
    client.post("/logout")
    login(peer)
    assert "Kitchen-table plans" in flat(client.get(f"/a/innovation/group/{world.cohort.id}"))
    assert client.get(f"/a/innovation/{record.id}").status_code == 200
    assert client.post(f"/a/innovation/{record.id}/comments", data={"body": "Nice"}).status_code == 404
    client.post("/logout")
    login(world.trainee_other)  # another country's trainee
    assert client.get(f"/a/innovation/{record.id}").status_code == 404


def test_board_shows_trainees_by_stage_in_constant_queries(client, world, login, factory):
    def board_queries() -> int:
        with counted_queries() as statements:
            response = client.get(f"/a/innovation/board/{world.cohort.id}")
        assert response.status_code == 200
        return len(statements)

    def add_trainees(n: int):
        for i in range(n):
            user = factory.enrolled(world.cohort, CohortRole.TRAINEE)
            record = Innovation(owner_id=user.id, run_id=world.run.id, title=f"Idea {user.id}",
                                stage=("emergence", "stabilisation", "scaling_up")[i % 3])
            db.session.add(record)
        db.session.commit()

    login(world.facilitator)
    add_trainees(3)
    small = board_queries()
    add_trainees(30)
    assert board_queries() == small
    page = flat(client.get(f"/a/innovation/board/{world.cohort.id}"))
    assert "Not started yet" in page and world.trainee.name in page and page.count("Idea ") == 33


def test_coordinators_see_counts_by_country_and_shared_titles_only(client, world, login):
    today = utcnow().date()
    mine = Innovation(owner_id=world.trainee.id, run_id=world.run.id, title="Shared idea", stage="stabilisation",
                      shared=True)
    mine.stages += [StageChange(stage="emergence", reached_on=today - timedelta(days=45)),
                    StageChange(stage="stabilisation", reached_on=today)]
    theirs = Innovation(owner_id=world.trainee_other.id, run_id=world.run.id, title="Private idea",
                        stage="emergence", situation_html="<p>Secret situation</p>")
    theirs.stages.append(StageChange(stage="emergence", reached_on=today))
    db.session.add_all([mine, theirs])
    db.session.commit()
    login(world.transnational_coordinator)
    assert "/a/innovation/counts" in flat(client.get("/home"))  # reached from the coordinator's home
    page = flat(client.get("/a/innovation/counts"))
    assert "Sweden" in page and "Norway" in page and "Shared idea" in page
    assert "Private idea" not in page and "Secret situation" not in page
    client.post("/logout")
    login(world.national_coordinator)
    national = flat(client.get("/a/innovation/counts"))
    assert "Sweden" in national and "Norway" not in national


def test_export_lists_the_record_and_erasure_removes_it(client, world, login):
    from app.services import privacy
    login(world.trainee)
    record_id = start(client).id
    data = privacy.export_data(world.trainee)["activities"]["innovation"]
    assert data["innovations"][0]["title"] == "Kitchen-table plans"
    privacy.erase(world.trainee, by=world.admin)
    db.session.commit()
    assert db.session.get(Innovation, record_id) is None
    assert db.session.scalar(select(StageChange.id)) is None


def test_months_count_each_innovation_at_its_stage_at_month_end():
    from collections import Counter

    from modules.innovation.queries import _months
    rows = {1: [StageChange(id=1, stage="emergence", reached_on=date(2026, 10, 5)),
                StageChange(id=2, stage="stabilisation", reached_on=date(2026, 11, 20))]}
    months = _months(rows, date(2026, 12, 3))
    assert months == {date(2026, 10, 1): Counter(emergence=1), date(2026, 11, 1): Counter(stabilisation=1),
                      date(2026, 12, 1): Counter(stabilisation=1)}
