"""Evaluation questionnaires: needs survey, competency self-assessment, interim and final
evaluation, with anonymous answers kept apart from who answered (see models.py)."""
from .plugin import plugin

__all__ = ["plugin"]
