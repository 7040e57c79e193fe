"""Reading/lesson activities: a Markdown lesson the trainee reads and marks as done."""
from .plugin import plugin

__all__ = ["plugin"]
