"""A database for a load run: `python deploy/seed.py 50` imports the programme content, loads the
demo users (`flask content import`, `flask demo load`, in this one process: each start of the app
costs seconds) and adds 50 trainees. Run `flask db upgrade` first.

They are called load-001@scaleout.example.org ... with the demo password, members of the demo run's
Swedish cohort and of its transnational cohort, so every assignment of the programme is theirs.
One Argon2 hash for all of them: hashing fifty passwords at production cost is only a wait."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Cohort, CohortKind, CohortRole, Membership, User  # noqa: E402
from app.security import hash_password  # noqa: E402
from app.services.demo import DEMO_PASSWORD  # noqa: E402

DOMAIN = "scaleout.example.org"


def trainee_email(number: int) -> str:
    return f"load-{number:03d}@{DOMAIN}"


def add_trainees(count: int) -> None:
    national = db.session.scalar(select(Cohort).where(Cohort.kind == CohortKind.NATIONAL).order_by(Cohort.id))
    transnational = db.session.scalar(select(Cohort).where(Cohort.kind == CohortKind.TRANSNATIONAL)
                                      .order_by(Cohort.id))
    if national is None or transnational is None:
        raise SystemExit("seed.py: no demo cohorts; run `flask demo load` first")
    password_hash = hash_password(DEMO_PASSWORD)
    for number in range(1, count + 1):
        email = trainee_email(number)
        if db.session.scalar(select(User.id).where(User.email == email)) is not None:
            continue
        user = User(email=email, name=f"Load trainee {number}", password_hash=password_hash, locale="en",
                    timezone="Europe/Stockholm")
        db.session.add(user)
        db.session.flush()
        for cohort in (national, transnational):
            db.session.add(Membership(user_id=user.id, cohort_id=cohort.id, role=CohortRole.TRAINEE))
    db.session.commit()


def main(trainees: int) -> int:
    app = create_app()
    runner = app.test_cli_runner()
    for command in (["content", "import"], ["demo", "load"]):
        result = runner.invoke(args=command)
        print(result.output, end="")
        if result.exit_code:
            print(f"seed.py: `flask {' '.join(command)}` failed", file=sys.stderr)
            if result.exception and not isinstance(result.exception, SystemExit):
                raise result.exception
            return result.exit_code
    with app.app_context():
        add_trainees(trainees)
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50))
