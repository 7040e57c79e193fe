from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from app.forms import LocalizedForm

from ..forms import SingleLine


class ErasureRequestForm(LocalizedForm):
    current_password = PasswordField(_l("Your password"), validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    understood = BooleanField(_l("I understand that my journal, submissions and answers will be deleted "
                                 "and cannot be brought back."),
                              validators=[DataRequired(_l("Tick the box to confirm that you understand."))])


class EraseUserForm(LocalizedForm):
    confirm_email = StringField(_l("Type the user's e-mail address to confirm"),
                                validators=[DataRequired(), Length(max=254), SingleLine()])


def erase_form_for(user_id: int) -> EraseUserForm:
    # One prefix per user: a page listing several requests needs unique field ids.
    return EraseUserForm(prefix=f"user-{user_id}")
