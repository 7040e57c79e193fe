"""Reading an export by its columns' machine names: the header row is in the user's language
(app/csv_export.header_row), so tests map each header cell back to the column it labels."""
from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from app.csv_export import BOM


def csv_dicts(text: str, labels: Mapping[str, Any]) -> list[dict[str, str]]:
    """Each row of the CSV `text` as {column name: value}; every header cell must be the label
    of a column in the current locale (an unlabelled or untranslated header fails here)."""
    rows = csv.reader(io.StringIO(text.removeprefix(BOM)))
    column_of = {str(label): column for column, label in labels.items()}
    columns = [column_of[cell] for cell in next(rows)]
    return [dict(zip(columns, row, strict=True)) for row in rows]
