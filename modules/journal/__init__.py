"""Reflection journal: private entries on the programme's reflection prompts, sharing with
facilitators and their comments, "this is weighing on me" flags to a named supervisor, group
reflection per cohort, export and retention."""
from .plugin import plugin

__all__ = ["plugin"]
