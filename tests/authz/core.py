from . import STATUS_VIEWERS, Rule, everyone, only, signed_in

ROUTES = {
    ("main.index", "GET"): everyone(),
    ("main.home", "GET"): signed_in(),
    ("main.cohort_list", "GET"): signed_in(),
    ("main.cohort_detail", "GET"): only(*STATUS_VIEWERS, args={"cohort_id": "cohort.id"}),
    ("main.cohort_progress_csv", "GET"): only(*STATUS_VIEWERS, args={"cohort_id": "cohort.id"}),
    ("auth.login", "GET"): everyone(),
    ("auth.login", "POST"): everyone(),
    ("auth.logout", "POST"): signed_in(),
    ("auth.request_reset", "GET"): everyone(),
    ("auth.request_reset", "POST"): everyone(),
    # An unknown token is "gone" for everyone: the page explains and offers a new link.
    ("auth.reset_password", "GET"): everyone(410, args={"token": "not-a-token"}),
    ("auth.reset_password", "POST"): everyone(410, args={"token": "not-a-token"}),
    ("auth.accept_invitation", "GET"): everyone(410, args={"token": "not-a-token"}),
    ("auth.accept_invitation", "POST"): everyone(410, args={"token": "not-a-token"}),
    ("auth.account", "GET"): signed_in(),
    ("auth.account", "POST"): signed_in(),
    ("auth.change_password", "POST"): signed_in(400),
    ("auth.set_language", "POST"): everyone(data={"lang": "pt"}),
    # Drafts answer JSON; anonymous gets 401 (not a redirect) so the page's script can tell.
    ("main.save_draft", "POST"): Rule({**signed_in().expect, "anonymous": 401},
                                      data={"draft_key": "test:authz", "body": "x"}),
    ("main.notification_list", "GET"): signed_in(),
    ("main.notifications_read", "POST"): signed_in(),
    # Notifications are private: anyone but the owner gets 404, as if it did not exist.
    ("main.notification_open", "GET"): only("trainee", denied="notfound", args={"notification_id": "note.id"}),
}


def setup(world):
    from app.extensions import db
    from app.models import Notification
    note = Notification(user_id=world.trainee.id, kind="test", message="Hello", url="/home")
    db.session.add(note)
    db.session.commit()
    return {"note": note}
