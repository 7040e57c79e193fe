"""Assignments: tasks and structured templates handed in by trainees, written feedback from
facilitators, revisions, extensions and country-group submissions."""
from .plugin import plugin

__all__ = ["plugin"]
