"""Test data for the journal: a programme with one journal activity on a Borton prompt."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import Activity, Competency, Module, Programme

PROMPT = {
    "slug": "borton-test", "title": "Meeting the whole family", "model": "borton",
    "intro_md": "Choose **one** conversation.",
    "stages": [{"key": "what", "label": "What?", "help": "What happened?"},
               {"key": "so-what", "label": "So what?", "help": "What does it mean?"},
               {"key": "now-what", "label": "Now what?", "help": "What will you do?"}],
}
STAGE_FIELDS = {"what": "stage_what", "so_what": "stage_so_what", "now_what": "stage_now_what"}


def programme_for(world) -> Programme:
    """The run's programme (another area's test data may have made one), or a new one."""
    programme = world.run.programme or db.session.scalar(select(Programme).order_by(Programme.id).limit(1))
    if programme is None:
        programme = Programme(slug="journal-test", title="Test programme", version="1", total_hours=Decimal(160),
                              duration_months=12)
        programme.competencies.append(Competency(code="C7", title="Generic skills", position=7))
        db.session.add(programme)
        db.session.flush()
    world.run.programme_id = programme.id
    return programme


def journal_activity(world, *, min_entries: int = 1, slug: str = "journal-whole-family") -> Activity:
    programme = programme_for(world)
    module = db.session.scalar(select(Module).where(Module.slug == "journal-test-module"))
    if module is None:
        module = Module(programme=programme, slug="journal-test-module", order=90, title="The whole family",
                        component="national", hours=Decimal(3))
        db.session.add(module)
    activity = Activity(module=module, slug=slug, type="journal", title="Journal: the whole family",
                        hours=Decimal(1), settings={"prompt": PROMPT, "min_entries": min_entries},
                        competencies=["C7"], position=len(module.activities))
    db.session.add(activity)
    db.session.commit()
    return activity


def entry_form(title: str = "A home visit", body: str = "", version: int | None = None, **stages) -> dict:
    data = {"title": title, "entry_date": "2026-11-20", "body": body, "module_id": "0", "draft_version": "0"}
    data.update({STAGE_FIELDS.get(k, k): v for k, v in stages.items()})
    if version is not None:
        data["version"] = str(version)
    return data
