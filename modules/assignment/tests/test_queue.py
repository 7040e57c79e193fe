"""The facilitators' queue: oldest first, filters, pages, and the same number of SQL queries
whatever the number of submissions."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, insert, select

from app.extensions import db
from app.models import User
from app.timeutil import utcnow
from modules.assignment.models import Submission
from tests.queries import counted_queries

from .helpers import build_assignments

_seq = iter(range(10**6))


def _bulk_submissions(world, activities, n: int, *, cohort=None, status="submitted") -> None:
    """n trainees, each with one handed-in submission, inserted in two statements."""
    start = next(_seq) * 10_000
    users = [{"email": f"bulk{start + i}@example.org", "name": f"Bulk trainee {start + i:07d}", "active": True,
              "timezone": "Europe/Stockholm", "created_at": utcnow()} for i in range(n)]
    db.session.execute(insert(User), users)
    ids = list(db.session.scalars(select(User.id).where(User.email.like("bulk%")).order_by(User.id)))[-n:]
    now = utcnow()
    rows = [{"activity_id": activities[i % len(activities)].id, "user_id": uid,
             "cohort_id": (cohort or world.cohort).id, "status": status, "latest_version": 1,
             "submitted_at": now - timedelta(minutes=i),
             "created_at": now, "updated_at": now} for i, uid in enumerate(ids)]
    db.session.execute(insert(Submission), rows)
    db.session.commit()




def _queue_queries(client, query: str = "") -> int:
    client.get(f"/a/assignment/queue?{query}")  # warm-up: the login's own queries are not the page's
    with counted_queries() as statements:
        response = client.get(f"/a/assignment/queue?{query}")
    assert response.status_code == 200
    return len(statements)


def test_queue_queries_do_not_grow_with_submissions(client, world, login):
    a = build_assignments(world)
    activities = [a.text, a.files, a.plan]
    filtered = [f"status=all&cohort={world.cohort.id}&module={a.national.id}", "status=waiting&page=1"]
    _bulk_submissions(world, activities, 10)
    login(world.facilitator)
    small = [_queue_queries(client, q) for q in ["", *filtered]]
    _bulk_submissions(world, activities, 990)
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1000
    large = [_queue_queries(client, q) for q in ["", *filtered]]
    page = client.get("/a/assignment/queue").get_data(as_text=True)
    assert "Showing 1–25 of 1000." in page
    assert small == large, f"{small} queries for 10 submissions, {large} for 1,000"
    assert max(large) < 30, large


def test_oldest_first_and_pages(client, world, login):
    a = build_assignments(world)
    _bulk_submissions(world, [a.text], 30)
    login(world.facilitator)
    first = client.get("/a/assignment/queue").get_data(as_text=True)
    names = re.findall(r"Bulk trainee (\d{7})", first)
    assert len(names) == 25 and names == sorted(names, reverse=True)  # the last inserted waited longest
    second = client.get("/a/assignment/queue?page=2").get_data(as_text=True)
    assert len(re.findall(r"Bulk trainee \d{7}", second)) == 5
    assert "Showing 26–30 of 30." in second


def test_filters_by_cohort_module_and_status(client, world, login, factory):
    a = build_assignments(world)
    from app.models import CohortRole
    second_cohort = factory.cohort(world.run, country="SE", name="Sweden second")
    factory.member(world.facilitator, second_cohort, CohortRole.FACILITATOR)
    db.session.commit()
    _bulk_submissions(world, [a.text], 2)
    _bulk_submissions(world, [a.plan], 3, cohort=second_cohort)
    _bulk_submissions(world, [a.files], 4, status="accepted")
    _bulk_submissions(world, [a.text], 1, cohort=world.other_cohort)  # not his cohort
    login(world.facilitator)

    def count(query: str) -> int:
        return len(re.findall(r"Bulk trainee \d{7}", client.get(f"/a/assignment/queue?{query}").get_data(as_text=True)))

    assert count("") == 5
    assert count(f"cohort={second_cohort.id}") == 3
    assert count(f"cohort={world.other_cohort.id}") == 0  # a cohort he does not facilitate shows nothing
    assert count("status=accepted") == 4
    assert count("status=all") == 9
    assert count(f"module={a.national.id}&status=all") == 9
    assert count(f"module={a.built.modules[1].id}&status=all") == 0


def test_home_page_counts_what_waits(client, world, login):
    a = build_assignments(world)
    _bulk_submissions(world, [a.text], 4)
    oldest = db.session.scalar(select(Submission).order_by(Submission.submitted_at))
    oldest.submitted_at = utcnow() - timedelta(days=6, hours=1)
    db.session.commit()
    login(world.facilitator)
    home = client.get("/home").get_data(as_text=True)
    assert "4 submissions await your feedback (oldest: 6 days)" in home
