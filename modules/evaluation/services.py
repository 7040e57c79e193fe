"""The evaluation plugin's services, by layer:

- questionnaire.py: one trainee and one questionnaire (the code, the window, the answer page);
- writes.py: answering, the anonymous store without order or time, reminders (add and flush);
- scopes.py: results scopes and which activities and trainees they count;
- access.py: who may see which results, remind, or see one trainee's answers;
- queries.py: read models for the results pages and the dashboards;
- privacy.py: the privacy export and erasure.

The views call them through this module, which only re-exports their public names."""
from __future__ import annotations

from .access import can_remind, can_view_scope, can_view_trainee, sees_results
from .privacy import erase_user_data, export_user_data
from .queries import (
                      last_reminder,
                      named_respondents,
                      non_respondents,
                      open_for_staff,
                      open_for_trainee,
                      rate_breakdown,
                      results_links,
                      trainee_answers,
                      visible_scopes,
)
from .questionnaire import (
                      PLUGIN,
                      EvaluationError,
                      Situation,
                      instrument_of,
                      pseudonym,
                      pseudonym_key,
                      situation,
                      window,
)
from .scopes import COHORT, COUNTRY, RUN, Scope, activities_in_scope, activity_in_scope_or_none, parse_scope
from .writes import check_partial, discard_stale_draft, remind, submit

__all__ = [
    "can_remind", "can_view_scope", "can_view_trainee", "sees_results",
    "erase_user_data", "export_user_data",
    "last_reminder", "named_respondents", "non_respondents", "open_for_staff", "open_for_trainee", "rate_breakdown",
    "results_links", "trainee_answers", "visible_scopes",
    "PLUGIN", "EvaluationError", "Situation", "instrument_of", "pseudonym", "pseudonym_key", "situation", "window",
    "COHORT", "COUNTRY", "RUN", "Scope", "activities_in_scope", "activity_in_scope_or_none", "parse_scope",
    "check_partial", "discard_stale_draft", "remind", "submit",
]
