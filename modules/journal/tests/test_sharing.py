"""Sharing reaches whom the trainee expects (issue 12, item 5): the facilitators of the cohort the
entry's module belongs to, shown by name before sharing, narrowed to the ones the trainee ticks.
Walks the sharing matrix of authz.py through HTTP for every reader."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import CohortRole, Module
from modules.journal.models import Audience, Entry

from .authz import SHARING, SHARING_READERS
from .helpers import entry_form, journal_activity, programme_for


@pytest.fixture
def sharing(world, factory):
    """The world with two more Swedish facilitators, a transnational facilitator and a module of
    each component."""
    journal_activity(world)
    national = db.session.scalar(select(Module).where(Module.slug == "journal-test-module"))
    transnational = Module(programme=programme_for(world), slug="journal-test-transnational", order=91,
                           title="Learning across borders", component="transnational", hours=Decimal(2))
    db.session.add(transnational)
    readers = {
        "national_chosen": factory.enrolled(world.cohort, CohortRole.FACILITATOR, "Nils Chosen"),
        "national_unticked": factory.enrolled(world.cohort, CohortRole.FACILITATOR, "Nina Unticked"),
        "transnational": factory.enrolled(world.transnational, CohortRole.FACILITATOR, "Tove Transnational"),
    }
    for persona in ("facilitator", "facilitator_other", "national_coordinator", "transnational_coordinator",
                    "admin"):
        readers[persona] = getattr(world, persona)
    db.session.commit()
    return {"readers": readers, "modules": {None: 0, "national": national.id, "transnational": transnational.id}}


def _new_entry(client, title: str, module_id: int) -> Entry:
    data = entry_form(title=title, body="What I saw today.")
    data["module_id"] = str(module_id)
    response = client.post("/a/journal/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(select(Entry).order_by(Entry.id.desc()).limit(1))


def _share(client, entry: Entry, readers) -> str:
    data = {"shared": "1", "audience_shown": "1", "reader": [str(u.id) for u in readers]}
    return client.post(f"/a/journal/entries/{entry.id}/sharing", data=data,
                       follow_redirects=True).get_data(as_text=True)


@pytest.mark.parametrize("case", sorted(SHARING))
def test_a_share_reaches_the_ticked_facilitators_of_the_modules_cohort_only(world, sharing, as_user, case):
    component, ticked, expected = SHARING[case]
    people = sharing["readers"]
    ana = as_user(world.trainee)
    entry = _new_entry(ana, f"Entry: {case}", sharing["modules"][component])
    page = ana.get(f"/a/journal/entries/{entry.id}").get_data(as_text=True)
    # The names come before sharing: the module's cohort's facilitators, and only they.
    same_cohort = {"transnational"} if component == "transnational" else {"facilitator", "national_chosen",
                                                                           "national_unticked"}
    for name, person in people.items():
        assert (f'value="{person.id}"' in page) == (name in same_cohort), (name, case)
    page = _share(ana, entry, [people[name] for name in ticked])
    assert "The entry is shared with" in page
    for name in SHARING_READERS:
        client = as_user(people[name])
        allowed = name in expected
        assert client.get(f"/a/journal/entries/{entry.id}").status_code == (200 if allowed else 404), (name, case)
        listing = client.get("/a/journal/shared")
        assert (entry.title in listing.get_data(as_text=True)) == allowed, (name, case)
        commented = client.post(f"/a/journal/entries/{entry.id}/comments", data={"body": "A thought."})
        assert (commented.status_code == 404) == (not allowed), (name, case)


def test_the_trainee_sees_whom_it_is_shared_with_and_nobody_else_is_told(world, sharing, as_user):
    people = sharing["readers"]
    ana = as_user(world.trainee)
    entry = _new_entry(ana, "About a national module", sharing["modules"]["national"])
    page = _share(ana, entry, [people["national_chosen"]])
    assert "The entry is shared with Nils Chosen." in page
    assert "Shared with: Nils Chosen." in page and "Nina Unticked" not in page
    dashboard = as_user(people["national_unticked"]).get("/home").get_data(as_text=True)
    assert "Shared journal entries with new activity" not in dashboard
    assert "Shared journal entries with new activity" in as_user(people["national_chosen"]).get("/home").get_data(
        as_text=True)


def test_no_tick_or_a_stranger_ticked_shares_nothing(world, sharing, as_user):
    people = sharing["readers"]
    ana = as_user(world.trainee)
    entry = _new_entry(ana, "About a national module", sharing["modules"]["national"])
    page = _share(ana, entry, [])
    assert "Tick at least one facilitator to share the entry with." in page
    page = _share(ana, entry, [people["national_chosen"], people["transnational"]])
    assert "You can only share the entry with the facilitators listed." in page
    db.session.expire_all()
    assert not db.session.get(Entry, entry.id).shared
    assert db.session.scalars(select(Audience)).all() == []


def test_taking_back_and_moving_to_another_module_never_widens_the_audience(world, sharing, as_user):
    people = sharing["readers"]
    ana = as_user(world.trainee)
    entry = _new_entry(ana, "Moves between modules", sharing["modules"]["national"])
    _share(ana, entry, [people["national_chosen"]])
    # Moved to the transnational module while shared: the transnational facilitators were never
    # chosen, and the chosen national one no longer facilitates the entry's cohort.
    data = entry_form(title="Moves between modules", body="What I saw today.", version=entry.version)
    data["module_id"] = str(sharing["modules"]["transnational"])
    assert ana.post(f"/a/journal/entries/{entry.id}/edit", data=data).status_code == 302
    for name in ("national_chosen", "transnational", "facilitator"):
        assert as_user(people[name]).get(f"/a/journal/entries/{entry.id}").status_code == 404, name
    ana.post(f"/a/journal/entries/{entry.id}/sharing", data={"shared": "0"})
    db.session.expire_all()
    assert db.session.scalars(select(Audience).where(Audience.entry_id == entry.id)).all() == []


def test_sharing_without_the_list_reaches_all_of_the_cohorts_facilitators(world, sharing, as_user):
    """An old form (no list of names) shares with everyone the page named: the module's cohort."""
    people = sharing["readers"]
    ana = as_user(world.trainee)
    entry = _new_entry(ana, "No module at all", 0)
    ana.post(f"/a/journal/entries/{entry.id}/sharing", data={"shared": "1"})
    for name in SHARING_READERS:
        allowed = name in ("facilitator", "national_chosen", "national_unticked")
        assert as_user(people[name]).get(f"/a/journal/entries/{entry.id}").status_code == (200 if allowed else 404)


def test_erasing_the_only_chosen_facilitator_makes_the_entry_private_not_wider(world, sharing, as_user):
    from app.services import privacy
    people = sharing["readers"]
    ana = as_user(world.trainee)
    entry = _new_entry(ana, "For one reader", sharing["modules"]["national"])
    _share(ana, entry, [people["national_chosen"]])
    privacy.erase(people["national_chosen"], by=world.admin)
    db.session.commit()
    db.session.expire_all()
    assert not db.session.get(Entry, entry.id).shared
    for name in ("national_unticked", "facilitator"):
        assert as_user(people[name]).get(f"/a/journal/entries/{entry.id}").status_code == 404, name


def test_the_shared_list_names_the_owner_and_counts_the_comments(world, sharing, as_user):
    ana = as_user(world.trainee)
    commented = _new_entry(ana, "Home visit in the rain", sharing["modules"]["national"])
    quiet = _new_entry(ana, "A quiet week", sharing["modules"]["national"])
    for entry in (commented, quiet):
        assert "The entry is shared with" in _share(ana, entry, [world.facilitator])
    facilitator = as_user(world.facilitator)
    for body in ("A thought.", "And another."):
        assert facilitator.post(f"/a/journal/entries/{commented.id}/comments", data={"body": body}).status_code == 302
    listing = facilitator.get("/a/journal/shared").get_data(as_text=True)
    rows = {title: listing.split(title, 1)[1].split("</tr>", 1)[0] for title in ("Home visit in the rain",
                                                                                  "A quiet week")}
    assert "<td>2</td>" in rows["Home visit in the rain"] and "<td>0</td>" in rows["A quiet week"]
    assert listing.count(f"<td>{world.trainee.name}</td>") == 2


@pytest.mark.parametrize("reader", ["²", "abc", "-1", str(10**20), ""])
def test_a_reader_that_is_no_id_is_refused_with_a_message(world, sharing, as_user, reader):
    ana = as_user(world.trainee)
    entry = _new_entry(ana, "Entry", sharing["modules"]["national"])
    response = ana.post(f"/a/journal/entries/{entry.id}/sharing",
                        data={"shared": "1", "audience_shown": "1", "reader": reader}, follow_redirects=True)
    assert response.status_code == 200
    assert "You can only share the entry with the facilitators listed." in response.get_data(as_text=True)
    db.session.expire_all()
    assert not entry.shared and db.session.scalars(select(Audience)).all() == []
