from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..forms import FiniteNumber, SaneDate, SingleLine

from ..privacy_check import PrivacyConfirmMixin

#: Free text the privacy guard reads before a meeting is saved. Not the place: a meeting's
#: address is meant to be there, and it is the programme's, not a family's.
GUARDED_FIELDS = ["title", "agenda_md"]


class MeetingForm(PrivacyConfirmMixin, FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200), SingleLine()])
    starts_on = DateField(_l("First day"), validators=[InputRequired(), SaneDate()])
    ends_on = DateField(_l("Last day"), validators=[Optional(), SaneDate()],
                        description=_l("Leave empty for a meeting of one day."))
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200), SingleLine()],
                        description=_l("The address or the room, or “Online” with how to join."))
    agenda_md = TextAreaField(_l("Agenda"), validators=[Optional(), Length(max=20000)],
                              description=_l("Markdown: a line starting with “- ” is a list item, **bold** is bold."),
                              render_kw={"rows": 10})
    hours = DecimalField(_l("Hours credited to those present"), places=2, default=0,
                         validators=[InputRequired(), FiniteNumber(), NumberRange(min=0, max=60)],
                         description=_l("Usually 0: the programme's 160 hours are already planned in its meetings "
                                        "and activities. Give hours only if this meeting replaces planned work."))


class AttendanceForm(FlaskForm):
    """One checkbox per trainee (rendered by the template as a table); the choices are the
    cohort's trainees, so an id from elsewhere is refused."""
    present = SelectMultipleField(_l("Present"), coerce=int, choices=[], validate_choice=True)


class EmptyForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
