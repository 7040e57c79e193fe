"""What a personal access token may be used for. A token never gives more than its owner has:
the scope narrows, the owner's roles decide (app/access.py), as on the pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

PROGRAMME_READ = "programme:read"
PROGRESS_READ = "progress:read"
COHORTS_READ = "cohorts:read"
ENROLMENTS_WRITE = "enrolments:write"

SCOPES = {
    PROGRAMME_READ: _l("Read the programme and its modules"),
    PROGRESS_READ: _l("Read your own progress, hours and transcript"),
    COHORTS_READ: _l("Read the progress of the cohorts you follow (status, never what anyone wrote)"),
    ENROLMENTS_WRITE: _l("Enrol people in cohorts (administrators only), by the rules of the CSV import"),
}
