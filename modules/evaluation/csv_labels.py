"""The evaluation exports' CSV headers in the exporting user's language (app/csv_export.header_row):
results.py keeps the machine names of the columns, in their order."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

INSTRUMENT_LABELS = {
    "scope": _l("Results for"), "instrument": _l("Questionnaire"), "question": _l("Question code"),
    "question_text": _l("Question"), "row": _l("Line"), "column": _l("Column"), "answer": _l("Answer code"),
    "answer_label": _l("Answer"), "count": _l("Number of answers"), "percent": _l("Percentage"),
    "mean": _l("Average"), "answered": _l("Answered"), "respondents": _l("Respondents"), "note": _l("Note")}

GROWTH_LABELS = {
    "scope": _l("Results for"), "group": _l("Group"), "competency": _l("Competency code"),
    "competency_text": _l("Competency"), "measure": _l("Measure"), "respondents": _l("Respondents"),
    "mean": _l("Average"), "grew": _l("Rated higher"), "same": _l("Rated the same"), "declined": _l("Rated lower"),
    "pairs": _l("Pairs compared"), "note": _l("Note")}
