"""Forms of the assignment pages. A structured template's fields are added per activity
(`submission_form_class`, `feedback_form_class`), so WTForms parses and validates them too."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice as Choice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.forms import BasedOnMixin, LocalizedForm, SaneDate, SingleLine
from app.privacy_check import PrivacyConfirmMixin
from app.timeutil import utcnow

from . import rubric_ratings, templating

TEXT_LIMIT = 50000
#: Marks a textarea for the rich-text editor (app/static/js/app.js); it stays a textarea without script.
RICH_TEXT = {"data-rich-text": True}


class SubmissionForm(PrivacyConfirmMixin, LocalizedForm):
    body = TextAreaField(_l("Your answer"), validators=[Length(max=TEXT_LIMIT)], render_kw=RICH_TEXT | {"rows": 12})
    files = MultipleFileField(_l("Add files"))
    transcript = TextAreaField(_l("Transcript of your recording"), validators=[Length(max=TEXT_LIMIT)],
                               render_kw={"rows": 6},
                               description=_l("Type what is said in the recording, so that everyone can read it "
                                              "(required when you hand in audio or video)."))
    #: The latest version number when the page was loaded (a newer one means someone else handed in).
    base_version = IntegerField(widget=HiddenField.widget, default=0, validators=[Optional()])
    #: Which button was pressed: "save", "submit" or "add_row:<field>".
    action = StringField(validators=[SingleLine()])


def submission_form_class(activity_settings: dict[str, Any]) -> type[SubmissionForm]:
    template = activity_settings.get("template") if activity_settings.get("submission") == "template" else None
    attrs: dict[str, Any] = {}
    if template:
        attrs[templating.PREFIX] = templating.answers_field(template)
    if activity_settings.get("submission") == "files":
        attrs["body"] = TextAreaField(_l("A note for your facilitator (optional)"),
                                      validators=[Length(max=TEXT_LIMIT)], render_kw={"rows": 4})
    return type("ActivitySubmissionForm", (SubmissionForm,), attrs)


class FeedbackForm(PrivacyConfirmMixin, LocalizedForm):
    body = TextAreaField(_l("Your feedback"), validators=[Length(max=TEXT_LIMIT)], render_kw=RICH_TEXT | {"rows": 10},
                         description=_l("Plain text is fine: empty lines start new paragraphs."))
    decision = RadioField(_l("Decision"), default="revise",
                          choices=[Choice("accept", _l("Accept")), Choice("revise", _l("Ask for a revision"))])
    files = MultipleFileField(_l("Attach files (optional)"))
    action = StringField(validators=[SingleLine()])
    #: The open feedback as the page showed it (services.feedback_token): a save based on an older
    #: one is a conflict, never an overwrite of what a co-facilitator or another tab saved.
    feedback_base = StringField(widget=HiddenField.widget, validators=[Optional(), Length(max=64), SingleLine()])


def feedback_form_class(activity_settings: dict[str, Any]) -> type[FeedbackForm]:
    """The feedback form of the activity: comments on template fields, the rubric's ratings."""
    return rubric_ratings.with_rubric(_feedback_form_class(activity_settings), activity_settings)


def _feedback_form_class(activity_settings: dict[str, Any]) -> type[FeedbackForm]:
    template = activity_settings.get("template") if activity_settings.get("submission") == "template" else None
    if not template:
        return FeedbackForm
    comments = type("FieldComments", (Form,), {
        spec["name"]: TextAreaField(_l("Comment on “%(label)s” (optional)", label=spec["label"]),
                                    validators=[Optional(), Length(max=5000)], render_kw={"rows": 2})
        for spec in template["fields"]})
    return type("TemplateFeedbackForm", (FeedbackForm,), {"comments": FormField(comments, label="")})


class ReplyForm(PrivacyConfirmMixin, LocalizedForm):
    body = TextAreaField(_l("Your reply"), validators=[DataRequired(), Length(max=10000)],
                         render_kw=RICH_TEXT | {"rows": 4})


class ExtensionForm(BasedOnMixin, PrivacyConfirmMixin, LocalizedForm):
    due_on = DateField(_l("New due date"), validators=[DataRequired(), SaneDate()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)], render_kw={"rows": 3},
                           description=_l("The trainee sees this reason with the new date."))

    def validate_due_on(self, field):
        if field.data and field.data < utcnow().date():
            raise ValidationError(_l("The new due date cannot be in the past."))


class BulkExtensionForm(ExtensionForm):
    """The trainees come from checkboxes named `owner` (bulk_extensions.py checks them)."""

    base = None  # one form for many trainees: it shows no single extension to be based on

    due_on = DateField(_l("New due date for the selected trainees"), validators=[DataRequired(), SaneDate()])


class ReviewForm(PrivacyConfirmMixin, LocalizedForm):
    decision = RadioField(_l("Your review"), validators=[DataRequired()],
                          choices=[Choice("approve", _l("Approve and release to the trainee")),
                                   Choice("return", _l("Send back to the facilitator with a note"))])
    note = TextAreaField(_l("Note to the facilitator"), validators=[Length(max=5000)], render_kw={"rows": 3})

    def validate_note(self, field):
        if self.decision.data == "return" and not (field.data or "").strip():
            raise ValidationError(_l("Please say what should change."))


class CohortSettingsForm(LocalizedForm):
    feedback_needs_review = BooleanField(_l("Feedback waits for a coordinator's review before trainees see it"))


class QueueFilterForm(LocalizedForm):
    class Meta:
        csrf = False  # a GET filter: nothing changes

    cohort = SelectField(_l("Cohort"), choices=[], validators=[Optional()])
    module = SelectField(_l("Module"), choices=[], validators=[Optional()])
    status = SelectField(_l("Status"), default="waiting", validators=[Optional()], choices=[
        Choice("waiting", _l("Waiting for feedback")), Choice("revision_requested", _l("Revision requested")),
        Choice("accepted", _l("Accepted")), Choice("all", _l("All handed in"))])


class EmptyForm(LocalizedForm):
    """Only the CSRF token: the button is the whole form."""
