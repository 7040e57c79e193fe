"""The life cycle of a practice-based innovation (LIFE toolkit: "processes of emergence,
stabilisation and scaling up") and the levels at which the toolkit sorts the factors that
promote or impede it."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

EMERGENCE, STABILISATION, SCALING_UP = "emergence", "stabilisation", "scaling_up"
STAGES = {
    EMERGENCE: _l("Emergence"),
    STABILISATION: _l("Stabilisation"),
    SCALING_UP: _l("Scaling up"),
}
STAGE_HELP = {
    EMERGENCE: _l("The idea is being shaped and first tried with a family."),
    STABILISATION: _l("It works in your daily practice and is used again with families."),
    SCALING_UP: _l("Colleagues, your team or other services take it up."),
}

PROMOTING, IMPEDING = "promoting", "impeding"
FACTOR_KINDS = {PROMOTING: _l("Promoting"), IMPEDING: _l("Impeding")}

PROFESSIONAL, ORGANISATIONAL, PROGRAMME = "professional", "organisational", "programme"
FACTOR_LEVELS = {
    PROFESSIONAL: _l("Professional level"),
    ORGANISATIONAL: _l("Organisational and structural level"),
    PROGRAMME: _l("The transnational programme"),
}

KNOWLEDGE = {
    "practice": _l("Practice-based knowledge"),
    "education": _l("Education-based knowledge"),
    "research": _l("Research-based knowledge"),
}

#: The status of a hand-in attached to the record (app.plugins.AttachedWork.status).
WORK_STATUS = {
    "not_started": _l("Not started"),
    "draft": _l("Draft"),
    "handed_in": _l("Handed in"),
    "feedback": _l("Feedback received"),
}
