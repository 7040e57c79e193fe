from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice as Choice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.forms import LocalizedForm

from ..forms import SingleLine
from .auth import MAX_DAYS
from .scopes import SCOPES


class NewTokenForm(LocalizedForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100), SingleLine()],
                       description=_l("What the token is for, for example \u201cMoodle sync\u201d."))
    scopes = SelectMultipleField(_l("What it may read"), validators=[DataRequired(_l("Choose at least one."))],
                                 option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False))
    days = IntegerField(_l("Valid for (days)"), default=90,
                        validators=[InputRequired(), NumberRange(min=1, max=MAX_DAYS)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scopes.choices = [Choice(name, label) for name, label in SCOPES.items()]
