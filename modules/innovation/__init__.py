"""The trainee's micro-innovation: one practice-based innovation per trainee and run, carried
from its first idea through emergence, stabilisation and scaling up (the life cycle the LIFE
toolkit describes), with the family situation it answers, the families' part as co-creators,
the knowledge it draws on, the promoting and impeding factors met, and its timeline."""
from .plugin import plugin

__all__ = ["plugin"]
