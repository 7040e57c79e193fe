"""Assignment activities built straight in the database on top of tests/programme_data.py."""
from __future__ import annotations

import html
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from app.extensions import db
from app.models import Activity, CohortRole, Module
from app.plugins import ContentContext
from modules.assignment import plugin
from modules.assignment.settings import load_template
from tests.programme_data import Built, build_programme

PLAN_TEMPLATE = """\
slug: plan
title: Micro-innovation plan
intro: Use pseudonyms.
fields:
  - {key: title, label: Working title, type: short_text, required: true}
  - {key: stage, label: Stage, type: choice, choices: [emergence, stabilisation, scaling-up], required: true}
  - {key: start, label: Planned start, type: date}
  - {key: confidence, label: Confidence, type: scale, low_label: Not at all, high_label: Very}
  - {key: change, label: The small change, type: long_text, required: true}
  - key: actions
    label: Actions
    type: rows
    required: true
    columns:
      - {key: step, label: Step, type: short_text, required: true}
      - {key: when, label: When, type: date}
"""


@dataclass
class Assignments:
    built: Built
    text: Activity
    files: Activity
    plan: Activity
    group: Activity

    @property
    def national(self) -> Module:
        return self.built.modules[0]


def _validated(raw: dict) -> dict:
    """The plugin's settings check, with `instructions` given as the text of a file beside module.yaml."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "instructions.md").write_text(raw["instructions"], encoding="utf-8")
        context = ContentContext(root=Path(folder), base_dir=Path(folder), file="test.yaml", line=1)
        return plugin.validate_config({**raw, "instructions": "instructions.md"}, context)


def add_assignment(module: Module, slug: str, raw: dict, *, hours: Decimal = Decimal(2), template: str | None = None,
                   due: dict | None = None) -> Activity:
    if template is not None:  # a template is read from the content folder; here it is given as text
        raw = {**raw, "submission": "text"}
    settings = _validated({"instructions": f"Instructions for **{slug}**.", **raw})
    if template is not None:
        settings.update(submission="template", template=load_template(template, "templates/plan.yaml", "plan"))
    activity = Activity(module=module, slug=slug, type="assignment", title=f"Task {slug}", hours=hours, required=True,
                        due_rule=due or {"after_start_days": 30}, position=10 + len(module.activities),
                        competencies=["C1"], settings=settings)
    db.session.add(activity)
    db.session.flush()
    return activity


def build_assignments(world) -> Assignments:
    """A national module (1) and a transnational one (2) of the world's run, with a text task, a
    files task (completed when handed in), a template task and a group task (transnational)."""
    built = build_programme(2, 1, run=world.run, slug="asg")
    national, transnational = built.modules
    result = Assignments(
        built=built,
        text=add_assignment(national, "asg-text", {"submission": "text"}),
        files=add_assignment(national, "asg-files", {"submission": "files", "allowed_types": ["pdf", "docx", "odt"],
                                                     "max_size_mb": 0.1, "completion": "submitted"}),
        plan=add_assignment(national, "asg-plan", {}, hours=Decimal("3.5"),
                            template=PLAN_TEMPLATE),
        group=add_assignment(transnational, "asg-group", {"submission": "text", "group": True},
                             hours=Decimal(3)),
    )
    db.session.commit()
    return result


def second_trainee(factory, world, name: str = "Rui Trainee"):
    """Another trainee of the Swedish cohort, also in the transnational cohort (same country group)."""
    user = factory.enrolled(world.cohort, CohortRole.TRAINEE, name)
    factory.member(user, world.transnational, CohortRole.TRAINEE)
    db.session.commit()
    return user


def plan_form(**overrides) -> dict:
    data = {"t-title": "Walk-and-talk", "t-stage": "emergence", "t-start": "2026-11-02", "t-confidence": "4",
            "t-change": "Meet Family A on a walk instead of at the office.",
            "t-actions-0-step": "Ask the family", "t-actions-0-when": "2026-11-01"}
    data.update(overrides)
    return data


def pdf_bytes(text: str = "hello") -> bytes:
    return b"%PDF-1.4\n% " + text.encode() + b"\n%%EOF\n"


def _zip(members: dict[str, str]) -> bytes:
    # A fixed timestamp: writestr(name, ...) stamps the current time, so two calls a second
    # apart would give different bytes and the tests compare bytes.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<document/>"})


def odt_bytes() -> bytes:
    return _zip({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<office/>"})


_LINK = re.compile(r'<a\b[^>]*\bhref="([^"]*)"[^>]*>(.*?)</a>', re.S)


def link(page: str, text: str) -> str:
    """The address of the first link whose text (as a screen reader reads it) contains `text`:
    the way a person finds their way, so a page no link leads to fails the test."""
    for href, inner in _LINK.findall(page):
        label = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inner)).split())
        if text in label:
            return html.unescape(href)
    raise AssertionError(f"no link {text!r} on the page")


def follow(client, page: str, text: str) -> tuple[str, str]:
    """Click the link: (its address, the page it opens)."""
    url = link(page, text)
    response = client.get(url)
    assert response.status_code == 200, (text, url, response.status_code)
    return url, response.get_data(as_text=True)


# --- tiny media files, built here so no encoder is needed ----------------------------------------

#: MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding, mono: 144 * 128000 / 44100 = 417 bytes a frame.
MP3_FRAME_HEADER = b"\xff\xfb\x90\xc4"
MP3_FRAME_BYTES = 417


def mp3_bytes(frames: int = 40) -> bytes:
    """About a second of silence: an ID3v2 tag with no frames, then silent MPEG audio frames (an
    all-zero side information decodes as silence)."""
    tag = b"ID3\x04\x00\x00\x00\x00\x00\x00"
    frame = MP3_FRAME_HEADER + bytes(MP3_FRAME_BYTES - len(MP3_FRAME_HEADER))
    return tag + frame * frames


def webm_bytes() -> bytes:
    """The EBML header of a WebM file (doc type `webm`) and an empty segment."""
    doctype = b"\x42\x82\x84webm"
    header = b"\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08" + doctype + \
        b"\x42\x87\x81\x02\x42\x85\x81\x02"
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(header)]) + header + b"\x18\x53\x80\x67\x80"


def mp4_bytes(brand: bytes = b"isom") -> bytes:
    """An ISO media file's `ftyp` box and an empty `mdat` box (m4a: brand b"M4A ")."""
    ftyp = brand + b"\x00\x00\x02\x00" + brand + b"mp41"
    return (8 + len(ftyp)).to_bytes(4, "big") + b"ftyp" + ftyp + b"\x00\x00\x00\x08mdat"
