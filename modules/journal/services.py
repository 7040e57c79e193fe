"""The journal plugin's services, by layer:

- access.py: who may read and change what (every access decision of the plugin);
- writes.py: entries, comments, flags, supervisors, group reflection, and the audit of reads
  (add and flush; the view commits once);
- queries.py: read models for the journal's pages and the dashboards;
- privacy.py: the own download, the privacy export, erasure and the retention purge;
- text.py: what a trainee typed, to and from stored HTML.

The views call them through this module, which only re-exports their public names."""
from __future__ import annotations

from .access import (
                     FACILITATOR,
                     OWNER,
                     audience_cohort,
                     audience_of,
                     can_manage_supervisors,
                     entry_for_owner_or_404,
                     entry_for_reader_or_404,
                     flag_for_reader_or_404,
                     group_cohort_or_404,
                     group_post_or_404,
                     group_reply_or_404,
                     is_facilitator,
                     is_group_member,
                     may_delete,
                     reader_role,
                     share_candidates,
                     share_cohort,
                     takes_part,
)
from .privacy import DEFAULT_RETENTION_DAYS, RetentionError, erase_user, export_journal, purge_run, user_data
from .queries import (
                     available_prompts,
                     cohort_trainees,
                     count_cohorts_without_supervisor,
                     count_entries_with_new_comments,
                     count_open_flags_for,
                     count_shared_with_new_activity,
                     entries_for_activity,
                     flag_recipient,
                     flags_for_supervisor,
                     group_cohorts,
                     group_posts,
                     has_flags,
                     manageable_cohorts,
                     min_entries,
                     my_entries,
                     resolve_supervisor,
                     shared_with,
                     supervisor_candidates,
                     supervisors_of,
)
from .text import html_to_editable, html_to_markdown, text_to_html
from .writes import (
                     EntryConflict,
                     EntryData,
                     JournalError,
                     add_comment,
                     add_group_post,
                     add_group_reply,
                     close_flag,
                     create_entry,
                     delete_entry,
                     delete_group_post,
                     delete_group_reply,
                     flag_entry,
                     mark_seen,
                     record_flag_read,
                     record_read,
                     reply_to_flag,
                     set_shared,
                     set_supervisor,
                     update_entry,
)

__all__ = [
    "FACILITATOR", "OWNER", "can_manage_supervisors", "entry_for_owner_or_404", "entry_for_reader_or_404",
    "flag_for_reader_or_404", "group_cohort_or_404", "group_post_or_404", "group_reply_or_404", "is_facilitator",
    "is_group_member", "may_delete", "reader_role", "takes_part", "audience_cohort", "audience_of",
    "share_candidates", "share_cohort",
    "DEFAULT_RETENTION_DAYS", "RetentionError", "erase_user", "export_journal", "purge_run", "user_data",
    "available_prompts", "cohort_trainees", "count_cohorts_without_supervisor", "count_entries_with_new_comments",
    "count_open_flags_for", "count_shared_with_new_activity", "entries_for_activity", "flag_recipient",
    "flags_for_supervisor", "group_cohorts", "group_posts", "has_flags", "manageable_cohorts", "min_entries",
    "my_entries", "resolve_supervisor", "shared_with", "supervisor_candidates", "supervisors_of",
    "html_to_editable", "html_to_markdown", "text_to_html",
    "EntryConflict", "EntryData", "JournalError", "add_comment", "add_group_post", "add_group_reply", "close_flag",
    "create_entry", "delete_entry", "delete_group_post", "delete_group_reply", "flag_entry", "mark_seen",
    "record_flag_read", "record_read", "reply_to_flag", "set_shared", "set_supervisor", "update_entry",
]
