"""The journal's routes in the authorization matrix (tests/test_authorization.py).

The trainee owns a private and a shared entry; the cohort names the facilitator as supervisor and
one entry is flagged to them; the trainee has a group post and reply in the Swedish cohort.
Private things answer 404 to everyone else, as if they did not exist; coordinators and admins
never read entries, shared or not. Who of several facilitators a share reaches (the cohort of the
entry's module, the chosen audience) is the sharing matrix below, walked by test_sharing.py."""
from app.extensions import db
from tests.authz import Rule, only, signed_in

from .helpers import journal_activity


def setup(world):
    from app.timeutil import utcnow
    from modules.journal.models import Audience, Entry, Flag, GroupPost, GroupReply, Supervisor

    journal_activity(world)

    def entry(title, shared=False):
        row = Entry(owner_id=world.trainee.id, title=title, body_html="<p>x</p>", entry_date=utcnow().date(),
                    shared=shared, shared_at=utcnow() if shared else None, cohort_id=world.cohort.id)
        if shared:
            row.audience.append(Audience(user_id=world.facilitator.id))
        db.session.add(row)
        return row

    private, shared, flagged, doomed = (entry("Private"), entry("Shared", shared=True), entry("Flagged"),
                                        entry("To delete"))
    db.session.add(Supervisor(cohort_id=world.cohort.id, trainee_id=None, supervisor_id=world.facilitator.id))
    post = GroupPost(cohort_id=world.cohort.id, author_id=world.trainee.id, title="Post", body_html="<p>x</p>")
    doomed_post = GroupPost(cohort_id=world.cohort.id, author_id=world.trainee.id, title="Doomed", body_html="<p>x</p>")
    db.session.add_all([post, doomed_post])
    db.session.flush()
    flag = Flag(entry_id=flagged.id, supervisor_id=world.facilitator.id)
    reply = GroupReply(post_id=post.id, author_id=world.trainee.id, body_html="<p>x</p>")
    db.session.add_all([flag, reply])
    db.session.commit()
    return {"journal_private": private, "journal_shared": shared, "journal_doomed": doomed, "journal_flag": flag,
            "journal_post": post, "journal_doomed_post": doomed_post, "journal_reply": reply}


OWNER_ONLY = {"denied": "notfound"}
#: Group members: the cohort's trainee and facilitator; everyone else is told it does not exist.
MEMBERS = ("trainee", "facilitator")


def _author_only(**kw) -> Rule:
    """Deleting in the group space: the author may, the other member is refused, others get 404."""
    rule = only("trainee", denied="notfound", **kw)
    rule.expect["facilitator"] = "forbidden"
    return rule


ROUTES = {
    ("journal.index", "GET"): signed_in(),
    ("journal.activity", "GET"): signed_in(args={"slug": "journal-whole-family"}),
    ("journal.new_entry", "GET"): signed_in(),
    # An empty form comes back with its errors: nothing is written, for anyone.
    ("journal.new_entry", "POST"): signed_in(),
    ("journal.entry", "GET"): only("trainee", "facilitator", denied="notfound",
                                   args={"entry_id": "journal_shared.id"}),
    ("journal.edit_entry", "GET"): only("trainee", args={"entry_id": "journal_private.id"}, **OWNER_ONLY),
    ("journal.edit_entry", "POST"): only("trainee", args={"entry_id": "journal_private.id"}, **OWNER_ONLY),
    ("journal.set_sharing", "POST"): only("trainee", args={"entry_id": "journal_private.id"},
                                          data={"shared": "0"}, **OWNER_ONLY),
    ("journal.delete_entry", "POST"): only("trainee", args={"entry_id": "journal_doomed.id"}, **OWNER_ONLY),
    ("journal.comment", "POST"): only("trainee", "facilitator", denied="notfound",
                                      args={"entry_id": "journal_shared.id"}),
    ("journal.flag_entry", "POST"): only("trainee", args={"entry_id": "journal_private.id"}, **OWNER_ONLY),
    ("journal.flags", "GET"): signed_in(),
    # A flag: its trainee and the supervisor it was sent to (here the facilitator), nobody else.
    ("journal.flag", "GET"): only("trainee", "facilitator", denied="notfound", args={"flag_id": "journal_flag.id"}),
    ("journal.flag_reply", "POST"): only("trainee", "facilitator", denied="notfound",
                                         args={"flag_id": "journal_flag.id"}),
    ("journal.close_flag", "POST"): only("trainee", "facilitator", denied="notfound",
                                         args={"flag_id": "journal_flag.id"}),
    ("journal.shared", "GET"): only("facilitator", "facilitator_other"),
    ("journal.export", "GET"): signed_in(args={"fmt": "md"}),
    ("journal.groups", "GET"): signed_in(),
    ("journal.group", "GET"): only(*MEMBERS, denied="notfound", args={"cohort_id": "cohort.id"}),
    ("journal.group", "POST"): only(*MEMBERS, denied="notfound", args={"cohort_id": "cohort.id"}),
    ("journal.group_reply", "POST"): only(*MEMBERS, denied="notfound", args={"post_id": "journal_post.id"}),
    ("journal.delete_group_post", "POST"): _author_only(args={"post_id": "journal_doomed_post.id"}),
    ("journal.delete_group_reply", "POST"): _author_only(args={"reply_id": "journal_reply.id"}),
    ("journal.supervisors", "GET"): only("national_coordinator", "admin", args={"cohort_id": "cohort.id"}),
    ("journal.supervisors", "POST"): only("national_coordinator", "admin", args={"cohort_id": "cohort.id"}),
}


# --- the sharing matrix (issue 12, item 5) ----------------------------------------------------------
#: Readers besides the personas, made by test_sharing.py: `national_chosen` and `national_unticked`
#: facilitate the trainee's Swedish cohort (with the persona `facilitator`), `transnational`
#: facilitates the transnational cohort the trainee is also in.
#: Entries: (module component or None, audience ticked) -> who reads it.
SHARING = {
    "no module, all ticked": (None, ("facilitator", "national_chosen", "national_unticked"),
                              {"facilitator", "national_chosen", "national_unticked"}),
    "national module, one ticked": ("national", ("national_chosen",), {"national_chosen"}),
    "transnational module, all ticked": ("transnational", ("transnational",), {"transnational"}),
}
SHARING_READERS = ("facilitator", "national_chosen", "national_unticked", "transnational", "facilitator_other",
                   "national_coordinator", "transnational_coordinator", "admin")
