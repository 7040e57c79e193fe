"""Forms of the journal. Every free-text form carries the privacy guard's confirmation box."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.forms import BasedOnMixin, LocalizedForm, SaneDate, SingleLine, users_today
from app.privacy_check import PrivacyConfirmMixin

TEXT_MAX = 50_000
#: Marks a textarea for the rich-text editor (app/static/js/app.js); it stays a textarea without script.
RICH_TEXT = {"data-rich-text": True}
BODY_HELP = _l("Plain text is fine: leave an empty line to start a new paragraph.")


def stage_field_name(key: str) -> str:
    return "stage_" + key.replace("-", "_")


class EntryForm(PrivacyConfirmMixin, LocalizedForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200), SingleLine()])
    entry_date = DateField(_l("Date"), validators=[InputRequired(), SaneDate()], default=users_today,
                           description=_l("The day your reflection is about."))
    body = TextAreaField(_l("Your reflection"), validators=[Optional(), Length(max=TEXT_MAX)],
                         description=BODY_HELP, render_kw=RICH_TEXT | {"rows": 10})
    module_id = SelectField(_l("Module (optional)"), coerce=int, default=0, validators=[Optional()])
    competencies = SelectMultipleField(_l("Competencies (optional)"), validators=[Optional()],
                                       description=_l("The elements of the Competency Framework this entry is about."))
    #: The entry's version when the form was loaded: an older one on save is a conflict.
    version = HiddenField()


def entry_form(stages: list[dict[str, Any]], *, module_choices: list[tuple[int, str]],
               competency_choices: list[tuple[str, str]], body_label=None, **kwargs) -> EntryForm:
    """The entry form with one field per stage of the prompt's reflective model."""
    attrs = {stage_field_name(s["key"]): TextAreaField(s["label"], description=s.get("help") or None,
                                                       validators=[Optional(), Length(max=TEXT_MAX)],
                                                       render_kw=RICH_TEXT | {"rows": 5})
             for s in stages}
    form_class = type("StagedEntryForm", (EntryForm,), attrs) if attrs else EntryForm
    form = form_class(**kwargs)
    form.module_id.choices = [(0, _l("No module")), *module_choices]
    form.competencies.choices = competency_choices
    if body_label is not None:
        form.body.label.text = body_label
    return form


class PromptChoiceForm(LocalizedForm):
    """A GET form: pick the reflection prompt a free entry follows."""
    class Meta:
        csrf = False

    prompt = SelectField(_l("Reflection prompt"), validators=[Optional()])


class CommentForm(PrivacyConfirmMixin, LocalizedForm):
    body = TextAreaField(_l("Your comment"), validators=[DataRequired(), Length(max=TEXT_MAX)],
                         render_kw=RICH_TEXT | {"rows": 4})


class ShareForm(LocalizedForm):
    shared = HiddenField(validators=[DataRequired()])


class FlagForm(BasedOnMixin, PrivacyConfirmMixin, LocalizedForm):
    #: `base`: whom the page said the entry goes to (views.flag_token); sent to someone else, it is refused.
    note = TextAreaField(_l("Anything you would like your supervisor to know (optional)"),
                         validators=[Optional(), Length(max=5000)], render_kw=RICH_TEXT | {"rows": 3})


class FlagReplyForm(PrivacyConfirmMixin, LocalizedForm):
    body = TextAreaField(_l("Your answer"), validators=[DataRequired(), Length(max=TEXT_MAX)],
                         render_kw=RICH_TEXT | {"rows": 4})


class GroupPostForm(PrivacyConfirmMixin, LocalizedForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200), SingleLine()])
    body = TextAreaField(_l("Your reflection for the group"), validators=[DataRequired(), Length(max=TEXT_MAX)],
                         description=BODY_HELP, render_kw=RICH_TEXT | {"rows": 8})


class GroupReplyForm(PrivacyConfirmMixin, LocalizedForm):
    body = TextAreaField(_l("Your reply"), validators=[DataRequired(), Length(max=TEXT_MAX)],
                         render_kw=RICH_TEXT | {"rows": 3})


class SupervisorForm(LocalizedForm):
    trainee_id = SelectField(_l("For"), coerce=int,
                             description=_l("The whole cohort, or one trainee (overrides the cohort's choice)."))
    supervisor_id = SelectField(_l("Supervisor"), coerce=int)


class ExportForm(LocalizedForm):
    class Meta:
        csrf = False

    format = SelectField(_l("Format"), choices=[("html", _l("Web page (HTML, printable)")), ("md", _l("Markdown"))],
                         default="html")
