"""The parts of a national variant (variants/<cc>/variant.yaml) beyond activities: its own meeting
sessions, a module's national hours, a note per module, and the keys that name the common frame
(refused: a variant may not change it). See content/README.md, "National variants"."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from ..timeutil import DEFAULT_END, DEFAULT_START
from .loader import Loc, MeetingNode, Problem, Ref

if TYPE_CHECKING:
    from .loader import _Fields

#: Keys of the common frame: written in a variant, each is refused with this reason.
PROTECTED = {
    "modules": "a variant cannot add or remove modules; change a module's activities, meetings or hours instead",
    "competencies": "the competencies are part of the common frame: a variant cannot change them",
    "ecvet_units": "the ECVET units are part of the common frame: a variant cannot change them",
    "instruments": "the evaluation instruments are part of the common frame: a variant cannot change them",
    "transnational": "the transnational weeks are part of the common frame: a variant cannot change them",
    "total_hours": "the programme's total is not set by a variant: it follows from the modules' hours",
}
#: The variant's own keys (on top of the protected ones, which are read only to be refused).
KEYS = ("title", "summary", "notes", "add", "replace", "remove", "meetings", "hours", "module_notes")


@dataclass
class MeetingChange:
    """`meetings:` for one module: these sessions replace the module's national meeting plans."""
    module: Ref
    sessions: list[MeetingNode]
    loc: Loc


@dataclass
class VariantExtras:
    meetings: list[MeetingChange] = field(default_factory=list)
    #: A module's national hours as the variant declares them: {slug: (hours, where)}.
    hours: dict[str, tuple[Decimal, Loc]] = field(default_factory=dict)
    #: "In <country> this module …": {slug: (text, where)}.
    module_notes: dict[str, tuple[str, Loc]] = field(default_factory=dict)


def refuse_protected(f: _Fields) -> None:
    for key, reason in PROTECTED.items():
        if f.has(key):
            f.problem(key, f"'{key}' cannot be set in a variant: {reason}")


def read_extras(f: _Fields, shown: str, problems: list[Problem]) -> VariantExtras:
    from .loader import _Fields as Fields  # the loader defines the reader this builds on
    extras = VariantExtras()
    for item, line in f.items("meetings"):
        m = Fields(item, shown, problems, "variant meetings", ("module", "sessions"), (), line)
        if not m.ok:
            continue
        # `sessions: []` drops the module's national meetings for the country (fewer, longer
        # sessions elsewhere); the module's hours follow.
        sessions = [s for entry, at in m.items("sessions") if (s := _session(entry, shown, problems, at))]
        extras.meetings.append(MeetingChange(Ref(m.text("module"), m.loc("module")), sessions, m.loc()))
    for item, line in f.items("hours"):
        h = Fields(item, shown, problems, "variant hours", ("module", "hours"), (), line)
        if h.ok:
            extras.hours[h.text("module")] = (h.decimal("hours"), h.loc("hours"))
    for item, line in f.items("module_notes"):
        n = Fields(item, shown, problems, "variant module note", ("module", "note"), (), line)
        if n.ok:
            extras.module_notes[n.text("module")] = (n.text("note"), n.loc("module"))
    return extras


def _session(item, shown: str, problems: list[Problem], line: int) -> MeetingNode | None:
    from .loader import _Fields as Fields
    s = Fields(item, shown, problems, "session", ("slug", "title", "hours", "at"),
               ("duration_days", "agenda", "start", "end", "place"), line)
    if not s.ok:
        return None
    after = 0
    if s.has("at"):
        at = Fields(s.data["at"], shown, problems, "session's 'at'", ("after_start_days",), (), s.loc("at").line)
        after = at.integer("after_start_days") if at.ok else 0
    starts_at, ends_at = s.clock("start", DEFAULT_START), s.clock("end", DEFAULT_END)
    if ends_at <= starts_at:
        s.problem("end" if s.has("end") else "start",
                  f"the session must end after it starts ({starts_at:%H:%M}-{ends_at:%H:%M})")
    return MeetingNode(slug=s.slug(), kind="national", title=s.text("title"), hours=s.decimal("hours"),
                       after_start_days=after, duration_days=s.integer("duration_days", 1, minimum=1),
                       agenda_md=s.text("agenda"), loc=s.loc(), starts_at=starts_at, ends_at=ends_at,
                       place=s.text("place"))
