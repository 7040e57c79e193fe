"""An admin resets a user's second factor (a lost phone and lost recovery codes): the authenticator
app, recovery codes and passkeys are removed, the user is logged out everywhere and sets it up
again at the next login. Audited."""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import audit
from ..access import admin_required
from ..extensions import db
from ..models import User
from ..services import two_factor
from ..services.two_factor_mail import tell_owner
from ..sessions import end_all_sessions
from . import bp


@bp.post("/users/<int:user_id>/two-factor/reset")
@admin_required
def user_two_factor_reset(user_id: int):
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        flash(_("You cannot reset your own second factor; ask another administrator to do it."), "danger")
    elif not two_factor.has_second_factor(user) and not user.recovery_codes:
        flash(_("%(name)s has no second factor to reset.", name=user.name), "info")
    else:
        two_factor.remove_second_factor(user)
        end_all_sessions(user)
        audit.record("admin.user.two_factor_reset", user)
        tell_owner(user, "reset")
        db.session.commit()
        flash(_("The second factor of %(name)s is reset and they are logged out everywhere. They set it up "
                "again at their next login.", name=user.name), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))
