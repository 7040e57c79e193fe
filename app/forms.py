"""Form pieces shared by several blueprints."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import format_date, get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as flask_wtf_translations
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import FileField, Form, HiddenField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, StopValidation, ValidationError

from .security import MAX_PASSWORD_LENGTH, password_problem
from .text import has_line_break
from .timeutil import EARLIEST_DATE, LATEST_DATE

# Dates the programme can mean (EARLIEST_DATE..LATEST_DATE, app/timeutil.py): its runs, meetings,
# journal entries and due dates. Outside them a date is a typing slip (year 1, 9999), and one
# stored far out breaks date arithmetic for everyone who sees it.


def users_today() -> date:
    """A date field's default: today on the signed-in user's calendar (their time zone), not the
    server's: just after midnight in Stockholm it is still yesterday in UTC."""
    from flask_login import current_user

    from .services.meetings import today_for  # at call time: the services import the forms' models
    return today_for(current_user if current_user.is_authenticated else None)


class BasedOnMixin:
    #: The record as the form showed it (app.conflicts.state_token): a save based on an older state
    #: would undo someone else's change unseen, so it is refused (app.conflicts.stale_edit).
    base = HiddenField(validators=[Optional(), Length(max=64)])


class SingleLine:
    """For every one-line text field (names, titles, places): a line break in it would end up in
    an e-mail subject or a page heading. Browsers never send one from an <input>, a forged or
    scripted request can."""

    def __call__(self, form, field) -> None:
        if field.data and has_line_break(field.data):
            raise ValidationError(_l("Write this on one line, without line breaks."))


class SaneDate:
    """For every DateField: between EARLIEST_DATE and LATEST_DATE."""

    def __init__(self, earliest: date = EARLIEST_DATE, latest: date = LATEST_DATE) -> None:
        self.earliest = earliest
        self.latest = latest

    def __call__(self, form, field) -> None:
        value = field.data
        if isinstance(value, date) and not self.earliest <= value <= self.latest:
            raise ValidationError(_l("Give a date between %(earliest)s and %(latest)s.",
                                     earliest=format_date(self.earliest), latest=format_date(self.latest)))


class NewPasswordMixin:
    """A new password typed twice, checked against length and the common-password list."""
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired()],
        description=_l("At least 8 characters. A few unrelated words make a strong password."),
        render_kw={"autocomplete": "new-password", "maxlength": MAX_PASSWORD_LENGTH})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("new_password", _l("The two passwords differ."))],
                            render_kw={"autocomplete": "new-password"})

    def validate_new_password(self, field):
        email = getattr(self, "_email", None)
        problem = password_problem(field.data or "", email=email)
        if problem:
            raise ValidationError(problem)


class FiniteNumber:
    """For every DecimalField, before NumberRange: "NaN", "sNaN" and "Infinity" parse as Decimals,
    and comparing a signalling NaN raises instead of failing validation."""

    def __call__(self, form, field) -> None:
        if isinstance(field.data, Decimal) and not field.data.is_finite():
            raise StopValidation(_l("Give a number, such as 2 or 1.5."))


class FormTranslations:
    """WTForms' own messages in the user's language: our catalogue first (app/form_messages.py
    lists them), WTForms' catalogue for anything else. Flask-WTF's default looks only in WTForms'
    catalogues, which have no Slovenian, so a Slovenian trainee read "This field is required."."""

    def gettext(self, string: str) -> str:
        ours = get_translations().ugettext(string)
        return ours if ours != string else flask_wtf_translations.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        ours = get_translations().ungettext(singular, plural, n)
        return ours if ours not in (singular, plural) else flask_wtf_translations.ngettext(singular, plural, n)


FORM_TRANSLATIONS = FormTranslations()


class LocalizedMeta:
    """Meta for every form and sub-form (WTForms merges a form's Meta with its bases')."""

    def get_translations(self, form):
        return FORM_TRANSLATIONS

    def wrap_formdata(self, form, formdata):
        """Flask-WTF hands a form the uploaded files together with the text fields; a file sent
        under a text field's name (a forged multipart post) then reaches the text validators,
        which fail on it (len() of a FileStorage). Such a file counts as empty text: the field's
        validators say what to give. Files for file fields are kept."""
        formdata = super().wrap_formdata(form, formdata)
        if formdata is None or not hasattr(formdata, "lists"):  # not a MultiDict: it holds no uploads
            return formdata
        text_fields = {field.name for field in form._fields.values() if not isinstance(field, FileField)}
        pairs = [(key, value) for key, values in formdata.lists() for value in values]
        if not any(key in text_fields and isinstance(value, FileStorage) for key, value in pairs):
            return formdata
        return MultiDict([(key, "" if key in text_fields and isinstance(value, FileStorage) else value)
                          for key, value in pairs])


class LocalizedForm(FlaskForm):
    """The base of the app's forms: FlaskForm with WTForms' messages from our catalogue."""

    Meta = LocalizedMeta


class LocalizedSubForm(Form):
    """The base of sub-forms (FormField) built from content: the same translations."""

    Meta = LocalizedMeta
