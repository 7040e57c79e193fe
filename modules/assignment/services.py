"""The assignment plugin's services, by layer:

- access.py: who may do what (one function per decision);
- submissions.py: what an assignment is and whose (settings, owners, due dates; readers only);
- writes.py: handing in, feedback, the dialogue, extensions, settings (add and flush; the view commits);
- queries.py: read models for staff pages and the home page, and the audit record of reads;
- privacy.py: the privacy export and erasure.

The views call them through this module, which only re-exports their public names."""
from __future__ import annotations

from .access import (
                     coordinates,
                     facilitated_cohort_ids,
                     is_member,
                     may_change_settings,
                     may_download,
                     may_remove_file,
                     may_reply,
                     may_review,
                     may_review_feedback,
                     may_see_review_list,
)
from .privacy import erase_for, export_for
from .queries import (
                     QUEUE_STATUSES,
                     QueueFilters,
                     awaiting_review,
                     changes_since_feedback,
                     cohort_overview,
                     queue,
                     queue_choices,
                     record_read,
                     review_count,
                     unread_feedback,
                     waiting_summary,
)
from .submissions import (
                     EDITABLE,
                     TYPE,
                     AssignmentError,
                     FeedbackConflict,
                     Owner,
                     SubmitConflict,
                     TraineeContext,
                     cohort_viewer,
                     country_group_ids,
                     due_dates,
                     editable_text,
                     extension_and_review,
                     extension_for,
                     extension_of,
                     feedback_needs_review,
                     feedback_token,
                     find_submission,
                     is_group_activity,
                     kind_of,
                     members,
                     open_feedback,
                     owner_in_cohort,
                     page_options,
                     pending_files,
                     rich_text,
                     template_of,
                     trainee_context,
                     with_files,
                     working_data,
)
from .writes import (
                     FeedbackInput,
                     Work,
                     add_reply,
                     approve_feedback,
                     check_complete,
                     ensure_submission,
                     grant_extension,
                     mark_feedback_read,
                     remove_pending_file,
                     return_feedback,
                     save_draft,
                     save_feedback,
                     set_review_requirement,
                     store_files,
                     submit,
)

__all__ = [
    "coordinates", "facilitated_cohort_ids", "is_member", "may_change_settings", "may_download", "may_remove_file",
    "may_reply", "may_review", "may_review_feedback", "may_see_review_list",
    "erase_for", "export_for",
    "QUEUE_STATUSES", "QueueFilters", "awaiting_review", "changes_since_feedback", "cohort_overview", "queue",
    "queue_choices", "record_read", "review_count", "unread_feedback", "waiting_summary",
    "EDITABLE", "TYPE", "AssignmentError", "FeedbackConflict", "Owner", "SubmitConflict", "TraineeContext",
    "cohort_viewer", "country_group_ids", "due_dates", "editable_text", "extension_and_review", "extension_for",
    "extension_of",
    "feedback_needs_review", "feedback_token", "find_submission", "is_group_activity", "kind_of", "members",
    "open_feedback", "owner_in_cohort",
    "page_options", "pending_files", "rich_text", "template_of", "trainee_context", "with_files", "working_data",
    "FeedbackInput", "Work", "add_reply", "approve_feedback", "check_complete", "ensure_submission",
    "grant_extension", "mark_feedback_read", "remove_pending_file", "return_feedback", "save_draft",
    "save_feedback", "set_review_requirement", "store_files", "submit",
]
