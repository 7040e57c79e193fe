"""The trainee's transcript (/programme/transcript) and a trainee's transcript for the staff who
follow them (/programme/transcript/<user_id>): units, outcomes, hours and credits, printable."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required

from ..credentials import issuing
from ..services import competency_profile
from ..services import meetings as meetings_service
from ..services import transcript as transcript_service
from . import bp


def _render(learner, own: bool):
    transcript = transcript_service.transcript_for(learner, meetings_service.today_for(current_user))
    # What the transcript has earned is issued as it is shown: the printed page's QR code then
    # points at a credential that exists.
    credentials = issuing.earned(transcript) if transcript else None
    return render_template("programme/transcript.html", transcript=transcript, learner=learner, own=own,
                           credentials=credentials,
                           competency_summary=competency_profile.transcript_summary(learner))


@bp.get("/transcript")
@login_required
def transcript():
    return _render(current_user._get_current_object(), own=True)


@bp.get("/transcript/<int:user_id>")
@login_required
def trainee_transcript(user_id: int):
    learner = transcript_service.trainee_or_404(user_id, current_user._get_current_object())
    return _render(learner, own=learner.id == current_user.id)
