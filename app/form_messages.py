"""The messages WTForms and Flask-WTF write themselves ("This field is required.", "Not a valid
choice."), listed here with N_ so that they are extracted into our catalogues and translated with
the rest: WTForms ships no Slovenian and its other catalogues are not ours to review. The forms
look them up through `FormTranslations` (app/forms.py) first in our catalogue, then in WTForms'."""
from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802 - the gettext marker name that babel.cfg/update.sh extract
    return text


def ngettext(singular: str, plural: str) -> tuple[str, str]:  # the plural marker, likewise
    return singular, plural


MESSAGES = (
    N_("This field is required."),
    N_("Invalid input."),
    N_("Invalid email address."),
    N_("Invalid URL."),
    N_("Invalid UUID."),
    N_("Field must be equal to %(other_name)s."),
    ngettext("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long."),
    ngettext("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters."),
    ngettext("Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long."),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Invalid value, must be one of: %(values)s."),
    N_("Invalid value, can't be any of: %(values)s."),
    N_("Not a valid choice."),
    N_("Invalid Choice: could not coerce."),
    N_("Invalid choice(s): one or more data inputs could not be coerced."),
    N_("Not a valid datetime value."),
    N_("Not a valid date value."),
    N_("Not a valid time value."),
    N_("Not a valid integer value."),
    N_("Not a valid decimal value."),
    N_("Not a valid float value."),
    N_("File does not have an approved extension."),
)
