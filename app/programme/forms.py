from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from app.forms import LocalizedForm

from .labels import KIND_LABELS


class ResourceFilterForm(LocalizedForm):
    """The library's filters: a GET form, so a filtered list can be bookmarked."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Kind of knowledge"), choices=[], default="")
    competency = SelectField(_l("Competency"), choices=[], default="")

    def __init__(self, competencies, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [("", _l("All kinds"))] + list(KIND_LABELS.items())
        self.competency.choices = [("", _l("All competencies"))] + [
            (c.code, f"{c.code} {c.title}") for c in competencies]
