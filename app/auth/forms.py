from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from app.forms import LocalizedForm

from ..forms import BasedOnMixin, NewPasswordMixin, SingleLine
from ..timezones import is_zone


class LoginForm(LocalizedForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254), SingleLine()],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me logged in on this device"))


class RequestResetForm(LocalizedForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254), SingleLine()],
                       render_kw={"autocomplete": "email"})


class SetPasswordForm(NewPasswordMixin, LocalizedForm):
    pass


class ChangePasswordForm(NewPasswordMixin, LocalizedForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})


class ProfileForm(BasedOnMixin, LocalizedForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200), SingleLine()],
                       render_kw={"autocomplete": "name"})
    locale = SelectField(_l("Language"))
    timezone = SelectField(_l("Time zone"), validate_choice=False,
                           description=_l("Meeting times and due dates are shown in this zone."))

    def validate_timezone(self, field) -> None:
        if not is_zone(field.data):
            # Keeps WTForms' "Not a valid choice" so a hand-typed value reads the same everywhere.
            raise ValidationError(_l("Not a valid choice: choose a time zone from the list, for example "
                                     "Europe/Lisbon."))


_CODE_KW = {"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "off", "spellcheck": "false"}


class SecondStepForm(LocalizedForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40), SingleLine()],
                       description=_l("The six digits your authenticator app shows now, or one of your "
                                      "recovery codes."), render_kw=_CODE_KW)


class ConfirmTotpForm(LocalizedForm):
    code = StringField(_l("Code from the app"), validators=[DataRequired(), Length(max=40), SingleLine()],
                       description=_l("Type the six digits the app shows, to check that it is set up."),
                       render_kw={**_CODE_KW, "inputmode": "numeric"})


class DisableTwoFactorForm(LocalizedForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    code = StringField(_l("A current code"), validators=[DataRequired(), Length(max=40), SingleLine()],
                       description=_l("From your authenticator app, or one of your recovery codes."),
                       render_kw=_CODE_KW)


class PasswordCheckForm(LocalizedForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
