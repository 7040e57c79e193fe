from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.forms import LocalizedForm

from ..forms import FiniteNumber, SaneDate, SingleLine
from ..privacy_check import PrivacyConfirmMixin
from ..timezones import zone_choices

#: Free text the privacy guard reads before a meeting is saved. Not the place: a meeting's
#: address is meant to be there, and it is the programme's, not a family's.
GUARDED_FIELDS = ["title", "agenda_md"]


class MeetingForm(PrivacyConfirmMixin, LocalizedForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200), SingleLine()])
    starts_on = DateField(_l("First day"), validators=[InputRequired(), SaneDate()])
    ends_on = DateField(_l("Last day"), validators=[Optional(), SaneDate()],
                        description=_l("Leave empty for a meeting of one day."))
    # Left empty: the times the meeting has (a new one: 09:00-13:00). A time that does not parse
    # keeps its own message.
    starts_at = TimeField(_l("Starts at"), validators=[Optional()], description=_l("Each day, for example 09:00."))
    ends_at = TimeField(_l("Ends at"), validators=[Optional()], description=_l("Each day, for example 13:00."))
    time_zone = SelectField(_l("Time zone of these times"), validate_choice=False,
                            description=_l("Where the meeting is held; everyone sees the times in their own zone."))
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200), SingleLine()],
                        description=_l("The address or the room, or “Online” with how to join."))
    agenda_md = TextAreaField(_l("Agenda"), validators=[Optional(), Length(max=20000)],
                              description=_l("Markdown: a line starting with “- ” is a list item, **bold** is bold."),
                              render_kw={"rows": 10})
    hours = DecimalField(_l("Hours credited to those present"), places=2, default=0,
                         validators=[InputRequired(), FiniteNumber(), NumberRange(min=0, max=60)],
                         description=_l("Usually 0: the programme's 160 hours are already planned in its meetings "
                                        "and activities. Give hours only if this meeting replaces planned work."))
    #: The meeting as the form showed it (views.meeting_token): a save based on an older state would
    #: overwrite a co-facilitator's change unseen, so it is refused and the saved meeting shown.
    base = HiddenField(validators=[Optional(), Length(max=64)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The service checks the zone against zoneinfo, with a message of its own.
        self.time_zone.choices = zone_choices()


class AttendanceForm(LocalizedForm):
    """One checkbox per trainee (rendered by the template as a table); the choices are the
    cohort's trainees, so an id from elsewhere is refused."""
    present = SelectMultipleField(_l("Present"), coerce=int, choices=[], validate_choice=True)


class EmptyForm(LocalizedForm):
    """A button that changes something: only the CSRF token."""
