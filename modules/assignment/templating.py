"""Structured templates at run time: a WTForms form built from the template's fields, the answers
it yields, and their plain-text form (for the privacy guard, the diff and e-mails).

Form field names are prefixed with "t-" ("t-working_title", "t-actions-0-step"), so a template
field can never collide with the page's own fields."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import DateField, FieldList, FormField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, StopValidation, ValidationError

from app.forms import LocalizedSubForm, SaneDate, SingleLine
from app.timeutil import EARLIEST_DATE, LATEST_DATE

PREFIX = "t"
SCALE = [SelectChoice(str(n), str(n)) for n in range(1, 6)]


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _filled(field) -> bool:
    """Typed into, even if what was typed does not parse (a malformed date keeps its own error)."""
    raw = [v for v in (field.raw_data or []) if isinstance(v, str) and v.strip()]
    return bool(raw) or not _empty(field.data)


class Required:
    """Required when it stands alone; inside a row, only when something else in the row is filled
    (a blank row is simply left out)."""

    def __init__(self, in_row: bool = False):
        self.in_row = in_row

    def __call__(self, form, field):
        if _filled(field):
            return
        if self.in_row and not any(_filled(other) for other in form):
            field.errors[:] = []
            raise StopValidation()
        field.errors[:] = []
        raise StopValidation(_("Please fill in this field."))


class RowCount:
    def __init__(self, minimum: int):
        self.minimum = minimum

    def __call__(self, form, field):
        filled = sum(1 for entry in field.entries if not _row_is_blank(entry.form))
        if filled < self.minimum:
            raise ValidationError(_("Please fill in at least %(n)d row(s).", n=self.minimum))


def parse_month(value: Any) -> str | None:
    """'YYYY-MM' (what a month input sends), or None. A full ISO date, as a `date` field stored
    it before the field became a month, is read as its month, so old answers keep their value."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    parts = text.split("-")
    if len(parts) not in (2, 3) or len(parts[0]) != 4 or len(parts[1]) != 2 or not all(p.isdigit() for p in parts):
        return None
    try:
        first = date.fromisoformat(text) if len(parts) == 3 else date(int(parts[0]), int(parts[1]), 1)
    except ValueError:
        return None
    return f"{first.year:04d}-{first.month:02d}"


class SaneMonth:
    """A month and year, written YYYY-MM, within the dates the programme can mean."""

    def __call__(self, form, field):
        if _empty(field.data):
            return
        month = parse_month(field.data)
        if month is None:
            raise ValidationError(_("Give a month and year as YYYY-MM, for example 2026-05."))
        if not EARLIEST_DATE.year <= int(month[:4]) <= LATEST_DATE.year:
            raise ValidationError(_("Give a month between %(earliest)s and %(latest)s.",
                                    earliest=EARLIEST_DATE.year, latest=LATEST_DATE.year))


def _row_is_blank(row_form) -> bool:
    return not any(_filled(f) for f in row_form)


def _validators(spec: dict[str, Any], in_row: bool) -> list:
    result: list = [Required(in_row)] if spec.get("required") else [Optional()]
    if "max_length" in spec:
        result.append(Length(max=spec["max_length"],
                             message=_l("Please keep this under %(max)d characters.", max=spec["max_length"])))
    return result


def _wtf_field(spec: dict[str, Any], in_row: bool = False):
    kind, label, help_ = spec["type"], spec["label"], spec.get("help", "")
    validators = _validators(spec, in_row)
    if kind == "short_text":
        return StringField(label, [*validators, SingleLine()], description=help_,
                           render_kw={"maxlength": spec["max_length"]})
    if kind == "long_text":
        return TextAreaField(label, validators, description=help_, render_kw={"rows": 3 if in_row else 6})
    if kind == "choice":
        return RadioField(label, validators, description=help_,
                          choices=[SelectChoice(c["value"], c["label"]) for c in spec["choices"]])
    if kind == "date":
        return DateField(label, [*validators, SaneDate()], description=help_,
                         render_kw={"placeholder": "YYYY-MM-DD"})
    if kind == "month":
        return StringField(label, [*validators, SaneMonth()], description=help_,
                           render_kw={"type": "month", "placeholder": "YYYY-MM", "maxlength": 10})
    if kind == "scale":
        return RadioField(label, validators, description=help_, choices=SCALE, coerce=int)
    if kind == "rows":
        row_form = type(f"Row_{spec['name']}", (LocalizedSubForm,),
                        {c["name"]: _wtf_field(c, in_row=True) for c in spec["columns"]})
        row_validators = [RowCount(spec["min_rows"])] if spec["min_rows"] else []
        return FieldList(FormField(row_form), label, row_validators, description=help_,
                         min_entries=max(spec["min_rows"], 1), max_entries=spec["max_rows"])
    raise ValueError(f"unknown field type {kind}")


def answers_form_class(template: dict[str, Any]) -> type[LocalizedSubForm]:
    return type("TemplateAnswers", (LocalizedSubForm,), {f["name"]: _wtf_field(f) for f in template["fields"]})


def answers_field(template: dict[str, Any]) -> FormField:
    """The template's fields as one sub-form, to put on a LocalizedForm as attribute `t`."""
    return FormField(answers_form_class(template), label="")


def add_row(answers_form, name: str) -> bool:
    """'Add a row' without JavaScript: one more blank row, if the template allows it."""
    field = answers_form._fields.get(name)
    if not isinstance(field, FieldList) or len(field.entries) >= field.max_entries:
        return False
    field.append_entry()
    return True


# --- values ------------------------------------------------------------------------------------

def _value(spec: dict[str, Any], field) -> Any:
    data = field.data
    if spec["type"] == "date":
        return data.isoformat() if isinstance(data, date) else None
    if spec["type"] == "month":
        return parse_month(data)
    if spec["type"] == "scale":
        return data if isinstance(data, int) else None
    if isinstance(data, str):
        data = data.strip()
        return data or None
    return data


def answers(template: dict[str, Any], answers_form) -> dict[str, Any]:
    """What the trainee answered, as stored in Version.fields (blank rows left out)."""
    result: dict[str, Any] = {}
    for spec in template["fields"]:
        field = answers_form[spec["name"]]
        if spec["type"] == "rows":
            rows = []
            for entry in field.entries:
                if _row_is_blank(entry.form):
                    continue
                rows.append({c["name"]: _value(c, entry.form[c["name"]]) for c in spec["columns"]})
            result[spec["name"]] = rows
        else:
            result[spec["name"]] = _value(spec, field)
    return result


def as_formdata(template: dict[str, Any], values: dict[str, Any]) -> MultiDict:
    """Stored answers as the form data that would produce them (to start a revision from them)."""
    data: list[tuple[str, str]] = []
    for spec in template["fields"]:
        value = values.get(spec["name"])
        key = f"{PREFIX}-{spec['name']}"
        if spec["type"] == "rows":
            for i, row in enumerate(value or []):
                for column in spec["columns"]:
                    cell = row.get(column["name"])
                    if cell is not None:
                        data.append((f"{key}-{i}-{column['name']}", str(cell)))
        elif value is not None:
            data.append((key, str(value)))
    return MultiDict(data)


# --- text --------------------------------------------------------------------------------------

def display_value(spec: dict[str, Any], value: Any) -> str:
    """A single value as a reader sees it (choices by label, dates in the reader's locale)."""
    if value is None or value == "":
        return ""
    if spec["type"] == "choice":
        return next((c["label"] for c in spec["choices"] if c["value"] == value), str(value))
    if spec["type"] == "date":
        try:
            return format_date(date.fromisoformat(value), "medium")
        except (TypeError, ValueError):
            return str(value)
    if spec["type"] == "month":
        month = parse_month(value)
        if month is None:
            return str(value)
        return format_date(date(int(month[:4]), int(month[5:]), 1), "LLLL y")
    if spec["type"] == "scale":
        return _("%(value)s of 5", value=value)
    return str(value)


def field_text(spec: dict[str, Any], value: Any) -> str:
    """A field's answer as plain text; rows become one line each."""
    if spec["type"] != "rows":
        return display_value(spec, value)
    lines = []
    for row in value or []:
        cells = [f"{c['label']}: {display_value(c, row.get(c['name']))}" for c in spec["columns"]
                 if not _empty(row.get(c["name"]))]
        lines.append(" · ".join(cells))
    return "\n".join(lines)


def free_texts(template: dict[str, Any], values: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Everything typed as free text, for the privacy guard: name -> (label, text)."""
    texts: dict[str, tuple[str, str]] = {}
    for spec in template["fields"]:
        value = values.get(spec["name"])
        if spec["type"] in ("short_text", "long_text") and value:
            texts[spec["name"]] = (spec["label"], value)
        elif spec["type"] == "rows":
            typed = [str(row.get(c["name"])) for row in value or [] for c in spec["columns"]
                     if c["type"] in ("short_text", "long_text") and row.get(c["name"])]
            if typed:
                texts[spec["name"]] = (spec["label"], "\n".join(typed))
    return texts
