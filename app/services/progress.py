"""A trainee's progress: completions and the hours they credit toward the programme total.

Hours done = the hours of completed activities (each plugin's `hours()`, so a type may credit
differently) + the hours of meetings the trainee attended, split national/transnational by the
module they belong to. Activities of a planned type whose plugin has not landed credit nothing."""
from __future__ import annotations

from blinker import Namespace
from sqlalchemy import select

from ..extensions import db
from ..models import Activity, Completion, CompletionState, ProgrammeRun, User
from ..timeutil import utcnow
from .programme import Hours, overview, viewer_for

#: Sent when a trainee's activity becomes done (once); the LTI tool sends the score back (app/lti/grades.py).
activity_completed = Namespace().signal("activity-completed")
#: Sent by an activity type when a trainee hands in work (sender: the user who handed it in;
#: `activity=`, `version=` the number of the version handed in); app/xapi.py records it.
work_handed_in = Namespace().signal("work-handed-in")


def completion_of(user: User, activity: Activity) -> Completion | None:
    return db.session.scalar(select(Completion).where(Completion.user_id == user.id,
                                                      Completion.activity_id == activity.id))


def mark_done(user: User, activity: Activity) -> Completion:
    """Record that the trainee finished the activity; marking it again changes nothing. The
    caller has checked that the activity is the trainee's to complete."""
    completion = completion_of(user, activity)
    if completion is None:
        completion = Completion(user_id=user.id, activity_id=activity.id, state=CompletionState.STARTED)
        db.session.add(completion)
    newly_done = completion.state != CompletionState.DONE
    if newly_done:
        completion.state = CompletionState.DONE
        completion.completed_at = utcnow()
    db.session.flush()
    if newly_done:
        activity_completed.send(user, activity=activity)
    return completion


def mark_started(user: User, activity: Activity) -> Completion:
    """The trainee has begun (opened or saved a draft); never moves a done activity back."""
    completion = completion_of(user, activity)
    if completion is None:
        completion = Completion(user_id=user.id, activity_id=activity.id, state=CompletionState.STARTED)
        db.session.add(completion)
        db.session.flush()
    return completion


def hours_done(user: User, run: ProgrammeRun) -> Hours | None:
    """The user's hours in `run`, split national/transnational; None if they have no programme
    there."""
    viewer = viewer_for(user, run)
    if viewer is None or not viewer.is_trainee:
        return None
    return overview(viewer).hours
