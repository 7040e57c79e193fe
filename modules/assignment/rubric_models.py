"""A facilitator's rating of one rubric criterion in one feedback (rubrics.py).

Stored with the feedback and released with it: a trainee and the competency profile read only
ratings of released feedback. The competency code is copied from the rubric at rating time, so
evidence keeps its meaning when the content's rubric changes later."""
from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.extensions import db

from .models import Feedback


class RubricRating(db.Model):
    __tablename__ = "assignment_rubric_rating"
    __table_args__ = (
        UniqueConstraint("feedback_id", "criterion", name="uq_assignment_rubric_rating_feedback_criterion"),
        CheckConstraint("level >= 1", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("assignment_feedback.id", ondelete="CASCADE"), index=True)
    #: The criterion's key in the activity's rubric.
    criterion: Mapped[str] = mapped_column(String(40))
    #: The competency element it points to (C1..C7).
    competency: Mapped[str] = mapped_column(String(10), index=True)
    #: 1 = the rubric's lowest level.
    level: Mapped[int]

    feedback: Mapped[Feedback] = relationship(backref=backref(
        "rubric_ratings", order_by="RubricRating.id", cascade="all, delete-orphan", passive_deletes=True))

    def __repr__(self) -> str:
        return f"<RubricRating feedback={self.feedback_id} {self.criterion}={self.level}>"
