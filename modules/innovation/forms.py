"""Forms of the micro-innovation. Every free-text form carries the privacy guard's confirmation box."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice as Choice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.forms import LocalizedForm, SaneDate, SingleLine, users_today
from app.privacy_check import PrivacyConfirmMixin

from .stages import FACTOR_KINDS, FACTOR_LEVELS, STAGES

TEXT_MAX = 50_000
OPTIONAL_TEXT = [Optional(), Length(max=TEXT_MAX)]


def _choices(labels) -> list[Choice]:
    return [Choice(k, v) for k, v in labels.items()]
RICH_TEXT = {"data-rich-text": True}


class RecordForm(PrivacyConfirmMixin, LocalizedForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200), SingleLine()],
                        description=_l("A short name for what you are changing in your practice."))
    family_pseudonym = StringField(
        _l("Family pseudonym"), validators=[Optional(), Length(max=100), SingleLine()],
        description=_l("The pseudonym you use for the family in your hand-ins, for example “Family A”."))
    situation = TextAreaField(
        _l("The family situation it answers"), validators=[Optional(), Length(max=TEXT_MAX)],
        description=_l("Pseudonymise: “Family A”, “the mother”, never names, addresses or dates of birth."),
        render_kw=RICH_TEXT | {"rows": 5})
    families_part = TextAreaField(
        _l("The families' part as co-creators"), validators=[Optional(), Length(max=TEXT_MAX)],
        description=_l("What the families suggested, tried, told you worked or did not."),
        render_kw=RICH_TEXT | {"rows": 4})
    knowledge_practice = TextAreaField(_l("Practice-based knowledge it draws on"),
                                       validators=OPTIONAL_TEXT, render_kw=RICH_TEXT | {"rows": 3})
    knowledge_education = TextAreaField(_l("Education-based knowledge it draws on"),
                                        validators=OPTIONAL_TEXT, render_kw=RICH_TEXT | {"rows": 3})
    knowledge_research = TextAreaField(_l("Research-based knowledge it draws on"),
                                       validators=OPTIONAL_TEXT, render_kw=RICH_TEXT | {"rows": 3})
    resources = SelectMultipleField(_l("Resources of the Knowledge Triangle library it draws on"),
                                    validators=[Optional()])
    #: The record's version when the form was loaded: an older one on save is a conflict.
    version = HiddenField()


class StageForm(PrivacyConfirmMixin, LocalizedForm):
    stage = SelectField(_l("New stage"), choices=_choices(STAGES), validators=[InputRequired()])
    #: The owner's today: the record's first stage is dated on their calendar too.
    reached_on = DateField(_l("Reached on"), validators=[InputRequired(), SaneDate()], default=users_today)
    why = TextAreaField(_l("Why it has reached this stage"), validators=[DataRequired(), Length(max=TEXT_MAX)],
                        render_kw=RICH_TEXT | {"rows": 4})


class FactorForm(LocalizedForm):
    kind = SelectField(_l("The factor"), choices=_choices(FACTOR_KINDS), validators=[InputRequired()])
    level = SelectField(_l("Level"), choices=_choices(FACTOR_LEVELS), validators=[InputRequired()])
    text = StringField(_l("What it was"), validators=[DataRequired(), Length(max=500), SingleLine()],
                       description=_l("For example: “Regular meetings to reflect with colleagues”."))


class ShareForm(LocalizedForm):
    shared = HiddenField(validators=[DataRequired()])


class CommentForm(PrivacyConfirmMixin, LocalizedForm):
    body = TextAreaField(_l("Your comment"), validators=[DataRequired(), Length(max=TEXT_MAX)],
                         render_kw=RICH_TEXT | {"rows": 4})


class PlainForm(LocalizedForm):
    """A button that only needs the CSRF token (delete a factor)."""
