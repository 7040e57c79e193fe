"""Anonymity is real: an anonymous answer cannot be joined back to a person, and no aggregate of
fewer than 5 answers is shown - on the page, in the CSV or in a comparison."""
from __future__ import annotations

import hashlib
import hmac

import pytest
from sqlalchemy import func, inspect, select, text

from app import StartupError, create_app
from app.extensions import db
from app.models import Draft
from config import ProductionConfig
from modules.evaluation import services, writes
from modules.evaluation.models import AnonymousResponse, Participation

from .helpers import complete_answers, evaluation_for_world, trainees


def answer_as(client, login, user, activity, **answers):
    login(user)
    response = client.post(f"/a/evaluation/{activity.slug}", data=complete_answers(**answers))
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post("/logout")


def test_no_column_of_an_anonymous_answer_points_to_a_person_or_a_moment():
    inspector = inspect(db.engine)
    columns = {c["name"]: c for c in inspector.get_columns("evaluation_response")}
    assert set(columns) == {"id", "activity_id", "cohort_id", "code", "answers"}
    foreign = {fk["referred_table"] for fk in inspector.get_foreign_keys("evaluation_response")}
    assert foreign == {"activity", "cohort"}  # no user, no participation
    assert not any("date" in str(c["type"]).lower() or "time" in str(c["type"]).lower() for c in columns.values())
    # ... and the identity side holds no answers.
    assert "answers" not in {c["name"] for c in inspector.get_columns("evaluation_participation")}
    assert "evaluation_response" not in {fk["referred_table"]
                                         for fk in inspector.get_foreign_keys("evaluation_participation")}


def test_an_anonymous_answer_carries_no_trace_of_who_sent_it(client, world, login):
    activity = evaluation_for_world(world)
    answer_as(client, login, world.trainee, activity, comment="Helpful")
    row = db.session.scalar(select(AnonymousResponse))
    trainee = world.trainee
    assert trainee.email not in str(row.answers) and trainee.name not in str(row.answers)
    assert set(row.answers) == {"overall", "comment", "competencies"}  # answers, nothing about the sender
    assert len(row.id) == 32 and len(row.code) == 64
    # The code is an HMAC under the pseudonym key: without the key it cannot be recomputed.
    assert row.code != hashlib.sha256(f"{trainee.id}:test-survey".encode()).hexdigest()
    key = services.pseudonym_key()
    assert row.code == hmac.new(key, f"{trainee.id}:test-survey".encode(), hashlib.sha256).hexdigest()
    assert db.session.scalar(select(Participation)).user_id == trainee.id
    assert db.session.scalar(select(Draft)) is None


def test_the_code_links_one_trainee_within_a_family_only(app):
    assert services.pseudonym(7, "self-assessment") == services.pseudonym(7, "self-assessment")
    assert services.pseudonym(7, "self-assessment") != services.pseudonym(8, "self-assessment")
    assert services.pseudonym(7, "self-assessment") != services.pseudonym(7, "needs-survey")
    before = services.pseudonym(7, "self-assessment")
    app.config["EVALUATION_PSEUDONYM_KEY"] = "another-key-of-at-least-thirty-two-characters"
    try:
        assert services.pseudonym(7, "self-assessment") != before
    finally:
        app.config["EVALUATION_PSEUDONYM_KEY"] = None


def test_sqlite_keeps_no_insertion_order_for_anonymous_answers():
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the rowid is SQLite's; PostgreSQL's residual risk is in the README")
    with pytest.raises(Exception, match="rowid"):
        db.session.execute(text("SELECT rowid FROM evaluation_response"))
    db.session.rollback()


def _results(client, login, viewer, activity, cohort):
    login(viewer)
    page = client.get(f"/a/evaluation/results/cohort-{cohort.id}/i/{activity.slug}").get_data(as_text=True)
    csv = client.get(f"/a/evaluation/results/cohort-{cohort.id}/i/{activity.slug}/export.csv").get_data(as_text=True)
    return page, csv


def test_four_answers_show_no_aggregate_anywhere(client, world, login, factory):
    activity = evaluation_for_world(world)
    for i, user in enumerate(trainees(factory, world.cohort, 3)):
        answer_as(client, login, user, activity, overall=5, comment=f"Secret remark {i}")
    answer_as(client, login, world.trainee, activity, overall=1, comment="Secret remark x")
    page, csv = _results(client, login, world.facilitator, activity, world.cohort)
    assert "4 of 4 trainees have answered" in page
    assert "results stay hidden" in page
    assert "Secret remark" not in page and "<svg" not in page and "1 – Very low" not in page
    lines = csv.strip().splitlines()
    assert all(line.endswith("hidden: fewer than 5 answers") for line in lines[1:])
    assert "Secret remark" not in csv


def test_five_answers_show_the_aggregates_and_the_free_text(client, world, login, factory):
    activity = evaluation_for_world(world)
    for i, user in enumerate(trainees(factory, world.cohort, 4)):
        answer_as(client, login, user, activity, overall=5, comment=f"Remark {i}")
    answer_as(client, login, world.trainee, activity, overall=1, comment="Remark x")
    page, csv = _results(client, login, world.facilitator, activity, world.cohort)
    assert "results stay hidden" not in page
    assert 'role="img"' in page and "<title" in page and "<caption" in page
    assert "Remark x" in page and "Remark 3" in page
    assert "test-survey,overall" not in csv  # rows name the activity slug, then the question
    assert ",overall,How useful is the programme?,,,5,5 – Very high,4,80,4.2,5,5," in csv
    assert "Remark" not in csv  # free text is never exported


def test_a_question_answered_by_fewer_than_5_stays_hidden_even_when_5_responded(client, world, login, factory):
    activity = evaluation_for_world(world)
    users = trainees(factory, world.cohort, 5)
    for i, user in enumerate(users):
        answer_as(client, login, user, activity, **({"role": "sw"} if i < 4 else {}))
    page, _csv = _results(client, login, world.facilitator, activity, world.cohort)
    assert "Fewer than 5 answers to this question: hidden." in page  # 'role': 4 answers


def test_production_requires_its_own_pseudonym_key(db_url, tmp_path):
    base = {"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "k" * 48, "UPLOAD_DIR": str(tmp_path)}
    with pytest.raises(StartupError, match="EVALUATION_PSEUDONYM_KEY"):
        create_app(type("Prod", (ProductionConfig,), base))
    with pytest.raises(StartupError, match="different from SECRET_KEY"):
        create_app(type("Prod", (ProductionConfig,), {**base, "EVALUATION_PSEUDONYM_KEY": "k" * 48}))
    app = create_app(type("Prod", (ProductionConfig,), {**base, "EVALUATION_PSEUDONYM_KEY": "p" * 48}))
    assert app.config["EVALUATION_PSEUDONYM_KEY"] == "p" * 48


def test_erasure_unlinks_anonymous_answers_and_keeps_them_in_the_aggregates(client, world, login):
    activity = evaluation_for_world(world)
    answer_as(client, login, world.trainee, activity, comment="Mine")
    exported = services.export_user_data(world.trainee)["questionnaires"]
    assert [(q["activity"], q["anonymous"], q["answers"]["comment"]) for q in exported] == \
        [(activity.slug, True, "Mine")]
    code = services.pseudonym(world.trainee.id, "test-survey")
    services.erase_user_data(world.trainee)
    db.session.commit()
    row = db.session.scalar(select(AnonymousResponse))
    assert row is not None and row.code != code
    assert db.session.scalar(select(Participation)) is None
    assert services.export_user_data(world.trainee) == {"questionnaires": []}


# --- no order and no transaction ties an answer to the participation written beside it --------

def test_every_answer_rewrites_the_cohort_s_answers_in_a_random_order(client, world, login, factory,
                                                                       monkeypatch):
    activity = evaluation_for_world(world)
    people = [world.trainee, *trainees(factory, world.cohort, 3)]
    # Reverse order stands in for the random one, so the test can tell the two orders apart.
    monkeypatch.setattr(writes, "_shuffle", lambda rows: rows.sort(key=lambda r: r["code"], reverse=True))
    ids_before: set[str] = set()
    for user in people:
        answer_as(client, login, user, activity)
        ids = set(db.session.scalars(select(AnonymousResponse.id)))
        assert not ids & ids_before  # every row got a new random id: none survives from the last answer
        ids_before = ids
        db.session.rollback()
    natural = list(db.session.scalars(text("SELECT id FROM evaluation_response")))
    if db.engine.dialect.name == "postgresql":
        # On disk, rows follow the shuffle's order, not the order in which people answered.
        codes = [services.pseudonym(u.id, "test-survey") for u in people]
        on_disk = list(db.session.scalars(text("SELECT code FROM evaluation_response ORDER BY ctid")))
        assert on_disk == sorted(codes, reverse=True)
    else:
        # A WITHOUT ROWID table keeps rows in the order of their (random) primary key only.
        assert natural == sorted(natural)


def test_postgresql_transaction_ids_do_not_join_answers_to_participations(client, world, login, factory):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("xmin is PostgreSQL's; SQLite keeps no transaction id per row")
    activity = evaluation_for_world(world)
    for user in [world.trainee, *trainees(factory, world.cohort, 3)]:
        answer_as(client, login, user, activity)
    # Every anonymous row was last written by the same transaction as every other, so joining on
    # xmin cannot tell whose row is whose.
    xmins = set(db.session.scalars(text("SELECT xmin::text FROM evaluation_response")))
    assert len(xmins) == 1
    joined = db.session.execute(text(
        "SELECT p.user_id, r.id FROM evaluation_participation p JOIN evaluation_response r "
        "ON p.xmin::text = r.xmin::text")).all()
    assert len({r for _u, r in joined}) in (0, 4)  # all rows or none, never one row per person


def test_changing_an_answer_rewrites_the_whole_cohort_too(client, world, login, factory):
    activity = evaluation_for_world(world)
    users = [world.trainee, *trainees(factory, world.cohort, 2)]
    for user in users:
        answer_as(client, login, user, activity, overall=2)
    before = set(db.session.scalars(select(AnonymousResponse.id)))
    db.session.rollback()
    answer_as(client, login, users[0], activity, overall=5)
    after = {r.id: r.answers["overall"] for r in db.session.scalars(select(AnonymousResponse))}
    assert not before & set(after) and sorted(after.values()) == [2, 2, 5]


def test_erasure_rewrites_the_cohort_s_answers(client, world, login, factory):
    activity = evaluation_for_world(world)
    for user in [world.trainee, *trainees(factory, world.cohort, 2)]:
        answer_as(client, login, user, activity)
    before = set(db.session.scalars(select(AnonymousResponse.id)))
    services.erase_user_data(world.trainee)
    db.session.commit()
    after = set(db.session.scalars(select(AnonymousResponse.id)))
    assert len(after) == 3 and not before & after


def test_a_draft_left_behind_by_another_tab_is_removed_once_the_answers_are_sent(client, world, login):
    activity = evaluation_for_world(world)
    login(world.trainee)
    client.post(f"/a/evaluation/{activity.slug}", data=complete_answers())
    key = f"evaluation:{activity.id}:{world.cohort.id}"
    # A tab opened before sending autosaves afterwards: the draft would sit beside the name.
    assert client.post("/drafts/save", data={"draft_key": key, "draft_version": "0", "overall": "1"}).status_code == 200
    assert db.session.scalar(select(Draft)) is not None
    db.session.rollback()
    client.get(f"/a/evaluation/{activity.slug}")
    assert db.session.scalar(select(Draft)) is None


def test_two_trainees_sending_at_the_same_moment_both_count(app, client, world, login, factory):
    """The rewrite reads and replaces a cohort's rows: without the cohort lock, two sendings at
    once would each write back the rows they read, and one would fail on a duplicate."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    import threading

    activity = evaluation_for_world(world)
    first, second, third = trainees(factory, world.cohort, 3)
    answer_as(client, login, first, activity)
    clients = []
    for user in (second, third):
        c = app.test_client()
        assert c.post("/login", data={"email": user.email, "password": factory.PASSWORD}).status_code == 302
        clients.append(c)
    barrier, statuses = threading.Barrier(2), []

    def send(c):
        barrier.wait()
        statuses.append(c.post(f"/a/evaluation/{activity.slug}", data=complete_answers()).status_code)

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [302, 302]
    codes = set(db.session.scalars(select(AnonymousResponse.code)))
    assert codes == {services.pseudonym(u.id, "test-survey") for u in (first, second, third)}
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 3
