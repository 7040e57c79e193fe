from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, EmailField, HiddenField, SearchField, SelectField, StringField
from wtforms.fields.choices import SelectChoice as Choice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from app.forms import LocalizedForm

from ..forms import BasedOnMixin, SaneDate, SingleLine
from ..models import CohortKind, CohortRole, SiteRole
from ..services import accounts
from ..timezones import zone_choices

SITE_ROLE_CHOICES = [Choice("", _l("None (access through cohort memberships)")),
                     Choice(SiteRole.ADMIN.value, _l("Administrator")),
                     Choice(SiteRole.TRANSNATIONAL_COORDINATOR.value, _l("Transnational coordinator"))]
COHORT_ROLE_CHOICES = [Choice(CohortRole.TRAINEE.value, _l("Trainee")),
                       Choice(CohortRole.FACILITATOR.value, _l("Facilitator")),
                       Choice(CohortRole.COORDINATOR.value, _l("National coordinator"))]
KIND_CHOICES = [Choice(CohortKind.NATIONAL.value, _l("National")),
                Choice(CohortKind.TRANSNATIONAL.value, _l("Transnational"))]


def _language_choices() -> list[Choice]:
    return [Choice(code, label) for code, label in current_app.config["LANGUAGES"].items()]


class UserForm(BasedOnMixin, LocalizedForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200), SingleLine()])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254), SingleLine()])
    site_role = SelectField(_l("Site role"), choices=SITE_ROLE_CHOICES,
                            description=_l("Roles in a cohort (trainee, facilitator, national coordinator) "
                                           "are given on the cohort's page."))
    locale = SelectField(_l("Language"), description=_l("The language of the e-mails and pages the user sees."))

    def __init__(self, *args, user_id: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._user_id = user_id
        self.locale.choices = _language_choices()

    def validate_email(self, field) -> None:
        if accounts.email_taken(field.data, except_id=self._user_id):
            raise ValidationError(_l("Another user already has this e-mail address."))


class UserFilterForm(LocalizedForm):
    class Meta:
        csrf = False  # a GET search form: nothing changes

    q = SearchField(_l("Name or e-mail"), validators=[Optional(), Length(max=200), SingleLine()])
    role = SelectField(_l("Site role"), validators=[Optional()],
                       choices=[Choice("", _l("Any")), Choice("none", _l("None")), *SITE_ROLE_CHOICES[1:]])
    status = SelectField(_l("Status"), validators=[Optional()],
                         choices=[Choice("", _l("Any")), Choice("active", _l("Active")),
                                  Choice("inactive", _l("Deactivated"))])


class CountryForm(LocalizedForm):
    code = StringField(_l("ISO code"), validators=[DataRequired(), Length(min=2, max=2), SingleLine()],
                       description=_l("Two letters, as in ISO 3166-1, for example FI for Finland."),
                       render_kw={"maxlength": 2, "autocapitalize": "characters"})
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100), SingleLine()])
    default_locale = SelectField(_l("Default language"),
                                 description=_l("The language national cohorts of this country are taught in."))
    time_zone = SelectField(_l("Time zone"), validate_choice=False,
                            description=_l("Where its national meetings are held; its new users start in it."))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.default_locale.choices = _language_choices()
        # Checked against zoneinfo by the service, with a message of its own.
        self.time_zone.choices = zone_choices()


class RunForm(BasedOnMixin, LocalizedForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200), SingleLine()],
                       description=_l("For example “LIFE pilot 2026–2027”."))
    # InputRequired, not DataRequired: a date that does not parse keeps its own message.
    starts_on = DateField(_l("Starts on"), validators=[InputRequired(), SaneDate()])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired(), SaneDate()])


class CohortForm(BasedOnMixin, LocalizedForm):
    run_id = SelectField(_l("Programme run"), coerce=int, validators=[DataRequired()])
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES,
                       description=_l("Each run has one national cohort or more per country, "
                                      "and one transnational cohort."))
    country_id = SelectField(_l("Country"), coerce=lambda v: int(v) if v not in (None, "") else None,
                             description=_l("Required for a national cohort; leave it empty for the "
                                            "transnational one."))
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200), SingleLine()],
                       description=_l("For example “Portugal 2026–2027”."))

    def __init__(self, *args, runs=(), countries=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.run_id.choices = [Choice(r.id, r.name) for r in runs]
        self.country_id.choices = [Choice("", _l("No country (transnational)")),
                                   *[Choice(c.id, f"{c.name} ({c.code})") for c in countries]]


class AddMemberForm(LocalizedForm):
    email = EmailField(_l("E-mail of the user"), validators=[DataRequired(), Email(), Length(max=254), SingleLine()],
                       description=_l("The user must have an account; create it first on the Users page, "
                                      "or import a CSV file."))
    role = SelectField(_l("Role in the cohort"), choices=COHORT_ROLE_CHOICES)


class MemberRoleForm(LocalizedForm):
    role = SelectField(_l("Role"), choices=COHORT_ROLE_CHOICES)


class ImportForm(LocalizedForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file to upload."))],
                     render_kw={"accept": ".csv,text/csv"})


class AuditFilterForm(LocalizedForm):
    class Meta:
        csrf = False  # a GET search form: nothing changes

    action = StringField(_l("Action starts with"), validators=[Optional(), Length(max=80), SingleLine()],
                         description=_l("For example “admin.” or “journal.entry.read”."),
                         render_kw={"list": "audit-actions"})
    actor = StringField(_l("Who (e-mail)"), validators=[Optional(), Length(max=254), SingleLine()])
    date_from = DateField(_l("From"), validators=[Optional(), SaneDate()])
    date_to = DateField(_l("To"), validators=[Optional(), SaneDate()])

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end of the period is before its start."))


class ApplyContentForm(LocalizedForm):
    """Apply the latest content version to a run: only the CSRF token; the version applied is the
    one the preview showed (a newer import in between makes the form stale)."""
    target = HiddenField()
