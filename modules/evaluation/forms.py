"""The answer form, built from an instrument: one field per question (one per row of a matrix,
two per row of a retrospective matrix). Required questions are checked only when the trainee
sends the answers, never when they save part-way; each problem names its question."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import RadioField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import LocalizedForm
from app.privacy_check import PrivacyConfirmMixin

from .instrument import questions
from .results import RETRO_LABELS, option_choices, scale_choices

RETRO_COLUMNS = ("then", "now")


def field_name(question_key: str, row: str | None = None, column: str | None = None) -> str:
    return "-".join(part for part in (question_key, row, column) if part)


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


@dataclass
class Problem:
    """One thing to fix before sending: shown at the top, linked to the first field concerned."""
    field_id: str
    message: str


class AnswerFormBase(PrivacyConfirmMixin, LocalizedForm):
    save = SubmitField(_l("Save and continue later"))
    send = SubmitField(_l("Send my answers"))

    instrument: dict[str, Any] = {}

    def answers(self) -> dict[str, Any]:
        """What the trainee chose, in the stored shape (unanswered questions left out)."""
        result: dict[str, Any] = {}
        for q in questions(self.instrument):
            value = _value(self, q)
            if value not in (None, "", [], {}):
                result[q["key"]] = value
        return result

    def check(self, *, require: bool) -> list[Problem]:
        """Choices must be offered ones and texts not too long; with `require`, every required
        question must be answered. Errors go on the fields and come back as Problems."""
        problems: list[Problem] = []
        for q in questions(self.instrument):
            problems += _check_question(self, q, require)
        return problems

    def text_fields(self) -> dict[str, tuple[str, str]]:
        """Free-text answers for the privacy guard: {field name: (question, text)}."""
        return {q["key"]: (q["text"], self[q["key"]].data or "") for q in questions(self.instrument)
                if q["type"] == "text"}


def _value(form: AnswerFormBase, q: dict[str, Any]) -> Any:
    kind, key = q["type"], q["key"]
    if kind == "text":
        return (form[key].data or "").strip()
    if kind == "multiple":
        return [o["key"] for o in q["options"] if o["key"] in (form[key].data or [])]
    if kind == "single":
        return form[key].data or None
    if kind in ("scale5", "agreement5"):
        return _scale_value(form[key].data)
    rows: dict[str, Any] = {}
    for row in q["rows"]:
        if q.get("retrospective"):
            cell = {c: v for c in RETRO_COLUMNS if (v := _scale_value(form[field_name(key, row["key"], c)].data))}
            if cell:
                rows[row["key"]] = cell
        elif (v := _scale_value(form[field_name(key, row["key"])].data)) is not None:
            rows[row["key"]] = v
    return rows


def _scale_value(raw: Any) -> int | str | None:
    if raw in (None, ""):
        return None
    return "na" if raw == "na" else int(raw)


def _check_question(form: AnswerFormBase, q: dict[str, Any], require: bool) -> list[Problem]:
    kind, key = q["type"], q["key"]
    problems: list[Problem] = []

    def fail(name: str, message: str) -> None:
        form[name].errors = [*form[name].errors, message] if isinstance(form[name].errors, list) else [message]
        problems.append(Problem(_first_input_id(form, name), f"“{q['text']}”: {message}"))

    if kind == "matrix":
        names = [field_name(key, r["key"], c) for r in q["rows"]
                 for c in (RETRO_COLUMNS if q.get("retrospective") else (None,))]
        allowed = {v for v, _label in scale_choices(q)}
        bad = [n for n in names if form[n].data not in (None, "") and form[n].data not in allowed]
        for n in bad:
            fail(n, _("Choose one of the points of the scale."))
        missing = [n for n in names if form[n].data in (None, "")]
        if require and q["required"] and missing and not bad:
            fail(missing[0], _("Please answer every line (%(count)d not answered yet).", count=len(missing)))
            for n in missing[1:]:
                form[n].errors = [_("Please answer this line.")]
        return problems
    data = form[key].data
    if kind == "text":
        if len(data or "") > q["max_length"]:
            fail(key, _("Please shorten your answer to %(max)d characters (it has %(count)d).",
                        max=q["max_length"], count=len(data)))
        elif require and q["required"] and not (data or "").strip():
            fail(key, _("Please answer this question."))
        return problems
    if kind == "multiple":
        allowed = {v for v, _label in option_choices(q)}
        chosen = data or []
        if any(v not in allowed for v in chosen):
            fail(key, _("Choose among the options shown."))
        elif len(chosen) > q["max_choices"]:
            fail(key, _("Choose at most %(max)d options.", max=q["max_choices"]))
        elif require and q["required"] and not chosen:
            fail(key, _("Please choose at least one option."))
        return problems
    allowed = {v for v, _label in (option_choices(q) if kind == "single" else scale_choices(q))}
    if data not in (None, "") and data not in allowed:
        fail(key, _("Choose one of the options shown."))
    elif require and q["required"] and data in (None, ""):
        fail(key, _("Please answer this question."))
    return problems


def _first_input_id(form: AnswerFormBase, name: str) -> str:
    """The id a link in the error summary should move focus to (the first radio or box)."""
    field = form[name]
    if isinstance(field, RadioField | SelectMultipleField):
        return f"{field.id}-0"
    return field.id


def _choices(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _fields_for(q: dict[str, Any]) -> dict[str, Any]:
    kind, key = q["type"], q["key"]
    if kind == "text":
        return {key: TextAreaField(q["text"], description=q.get("help") or None,
                                   render_kw={"rows": 4, "maxlength": q["max_length"]})}
    if kind == "multiple":
        return {key: CheckboxesField(q["text"], choices=_choices(option_choices(q)), validate_choice=False,
                                     description=q.get("help") or None)}
    if kind == "single":
        return {key: RadioField(q["text"], choices=_choices(option_choices(q)), validate_choice=False,
                                description=q.get("help") or None)}
    if kind in ("scale5", "agreement5"):
        return {key: RadioField(q["text"], choices=_choices(scale_choices(q)), validate_choice=False,
                                description=q.get("help") or None)}
    fields = {}
    for row in q["rows"]:
        if q.get("retrospective"):
            for column in RETRO_COLUMNS:
                fields[field_name(key, row["key"], column)] = RadioField(
                    str(RETRO_LABELS[column]), choices=_choices(scale_choices(q)), validate_choice=False)
        else:
            fields[field_name(key, row["key"])] = RadioField(row["text"], choices=_choices(scale_choices(q)),
                                                             validate_choice=False)
    return fields


def answer_form(instrument: dict[str, Any], formdata: Any = None) -> AnswerFormBase:
    """A form class for this instrument, bound to the request (formdata None) or to stored data."""
    attrs: dict[str, Any] = {"instrument": instrument}
    for q in questions(instrument):
        attrs.update(_fields_for(q))
    form_class = type("AnswerForm", (AnswerFormBase,), attrs)
    if formdata is None:
        return form_class()
    return form_class(formdata=formdata)


def formdata_from_answers(instrument: dict[str, Any], answers: dict[str, Any]) -> MultiDict:
    """Stored answers back into form fields (to edit them until the close date)."""
    data: MultiDict[str, Any] = MultiDict()
    for q in questions(instrument):
        value = answers.get(q["key"])
        if value is None:
            continue
        if q["type"] == "multiple":
            for v in value:
                data.add(q["key"], v)
        elif q["type"] == "matrix":
            for row, cell in value.items():
                if isinstance(cell, dict):
                    for column, v in cell.items():
                        data.add(field_name(q["key"], row, column), str(v))
                else:
                    data.add(field_name(q["key"], row), str(cell))
        else:
            data.add(q["key"], str(value))
    return data


def formdata_from_draft(data: dict[str, Any]) -> MultiDict:
    result: MultiDict[str, Any] = MultiDict()
    for name, value in data.items():
        for v in value if isinstance(value, list) else [value]:
            result.add(name, v)
    return result
