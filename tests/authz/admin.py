"""Admin pages: only admins, for every page and action."""
from app.extensions import db
from app.models import CohortRole, OutboxMessage, OutboxStatus

from ..factories import Factory
from . import Rule, only


def setup(world):
    """Objects the admin URLs act on, apart from the personas, so no action disturbs another check."""
    f = Factory()
    target = f.user("Target User")
    inactive = f.user("Inactive User", active=False)
    role_change = f.member(f.user("Role Change"), world.cohort, CohortRole.TRAINEE)
    removal = f.member(f.user("To Remove"), world.cohort, CohortRole.TRAINEE)
    mail = OutboxMessage(to="someone@example.org", subject="Hello", body="Hi", kind="test",
                         status=OutboxStatus.FAILED, attempts=6)
    db.session.add(mail)
    db.session.commit()
    return {"mail": mail, "target": target, "inactive": inactive, "role_change": role_change, "removal": removal}


ROUTES = {
    ("admin.index", "GET"): only("admin"),
    ("admin.outbox_list", "GET"): only("admin"),
    ("admin.outbox_retry", "POST"): only("admin", args={"message_id": "mail.id"}),
    ("admin.xapi_retry", "POST"): only("admin"),
    ("admin.lti_scores_retry", "POST"): only("admin"),
    # The text is shown only where mail never leaves (MAIL_BACKEND=log); the tests use "memory".
    ("admin.outbox_message", "GET"): Rule({**only("admin").expect, "admin": "notfound"},
                                          args={"message_id": "mail.id"}),
    ("admin.users", "GET"): only("admin"),
    ("admin.user_create", "GET"): only("admin"),
    ("admin.user_create", "POST"): only("admin"),
    ("admin.user_detail", "GET"): only("admin", args={"user_id": "target.id"}),
    ("admin.user_edit", "GET"): only("admin", args={"user_id": "target.id"}),
    ("admin.user_edit", "POST"): only("admin", args={"user_id": "target.id"}),
    ("admin.user_deactivate", "POST"): only("admin", args={"user_id": "target.id"}),
    ("admin.user_activate", "POST"): only("admin", args={"user_id": "inactive.id"}),
    ("admin.user_send_link", "POST"): only("admin", args={"user_id": "inactive.id"}),
    ("admin.countries", "GET"): only("admin"),
    ("admin.countries", "POST"): only("admin"),
    ("admin.run_list", "GET"): only("admin"),
    ("admin.run_create", "GET"): only("admin"),
    ("admin.run_create", "POST"): only("admin"),
    ("admin.run_detail", "GET"): only("admin", args={"run_id": "run.id"}),
    ("admin.run_content", "GET"): only("admin", args={"run_id": "run.id"}),
    ("admin.run_content_apply", "POST"): only("admin", args={"run_id": "run.id"}),
    ("admin.run_edit", "GET"): only("admin", args={"run_id": "run.id"}),
    ("admin.run_edit", "POST"): only("admin", args={"run_id": "run.id"}),
    ("admin.cohort_list", "GET"): only("admin"),
    ("admin.cohort_create", "GET"): only("admin"),
    ("admin.cohort_create", "POST"): only("admin"),
    ("admin.cohort_detail", "GET"): only("admin", args={"cohort_id": "cohort.id"}),
    ("admin.cohort_edit", "GET"): only("admin", args={"cohort_id": "cohort.id"}),
    ("admin.cohort_edit", "POST"): only("admin", args={"cohort_id": "cohort.id"}),
    ("admin.member_add", "POST"): only("admin", args={"cohort_id": "cohort.id"}),
    ("admin.member_role", "POST"): only("admin", args={"membership_id": "role_change.id"},
                                        data={"role": "facilitator"}),
    ("admin.member_remove", "POST"): only("admin", args={"membership_id": "removal.id"}),
    ("admin.cohort_import", "GET"): only("admin", args={"cohort_id": "cohort.id"}),
    ("admin.cohort_import", "POST"): only("admin", args={"cohort_id": "cohort.id"}),
    ("admin.cohort_import_example", "GET"): only("admin", args={"cohort_id": "cohort.id"}),
    ("admin.audit_log", "GET"): only("admin"),
}
