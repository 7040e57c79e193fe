"""Forms for announcements, reminders and notification preferences."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice as Choice
from wtforms.validators import DataRequired, Length, Optional

from app.forms import LocalizedForm

from ..conflicts import state_token
from ..forms import BasedOnMixin, SingleLine
from ..services import preferences

BODY_LIMIT = 20000


class AnnouncementForm(LocalizedForm):
    audience = SelectField(_l("To"), validators=[DataRequired()], validate_choice=False)
    not_done = SelectField(_l("Only those who have not handed in"), validate_choice=False,
                           description=_l("Leave it at “everyone” to write to the whole audience."))
    language = SelectField(_l("Written in"), validate_choice=False,
                           description=_l("Trainees without a version in their own language read this one."))
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200), SingleLine()])
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=BODY_LIMIT)],
                         render_kw={"data-rich-text": True, "rows": 8})
    #: Made when the form is first shown, kept through the preview (Announcement.send_key).
    send_key = HiddenField(validators=[Optional(), Length(max=32), SingleLine()])


class ReminderForm(LocalizedForm):
    activity_id = HiddenField(validators=[DataRequired()])


def preferences_form(modes: dict[str, str]) -> type[LocalizedForm]:
    """One select per kind, with only the modes that kind offers (safety notices are not here:
    they cannot be turned off)."""
    class PreferencesForm(BasedOnMixin, LocalizedForm):
        pass
    for kind, (label, offered) in preferences.KINDS.items():
        setattr(PreferencesForm, f"pref_{kind}", SelectField(
            label, choices=[Choice(m, preferences.MODE_LABELS[m]) for m in offered], default=modes.get(kind),
            validators=[Optional()], validate_choice=True))
    return PreferencesForm


def preferences_token(modes: dict[str, str]) -> str:
    """What the notification settings form showed (its `base`): a save from another tab since is a conflict."""
    return state_token(sorted(modes.items()))


SUBJECT_LIMIT = 200
