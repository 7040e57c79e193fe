"""Programmes built straight in the database, for page, progress and authorization tests (the
importer has its own tests with content files)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from app.extensions import db
from app.models import (
    Activity,
    Attendance,
    CohortRole,
    Competency,
    Completion,
    Country,
    EcvetUnit,
    Meeting,
    MeetingPlan,
    Module,
    Programme,
    ProgrammeRun,
    Resource,
    User,
)
from app.services.meetings import schedule_meetings, today_for
from app.timeutil import utcnow


@dataclass
class Built:
    programme: Programme
    modules: list[Module] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    plans: list[MeetingPlan] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)

    def activity(self, slug: str) -> Activity:
        return next(a for a in self.activities if a.slug == slug)

    def plan(self, slug: str) -> MeetingPlan:
        return next(p for p in self.plans if p.slug == slug)


def build_programme(modules: int = 2, activities: int = 2, *, run: ProgrammeRun | None = None,
                    slug: str = "test-programme", transnational_every: int = 2) -> Built:
    """`modules` modules of `activities` readings of 1 hour each plus one 4-hour meeting; every
    `transnational_every`-th module (the 2nd, 4th, ...) is transnational. Module i's activities
    are due i*10 + j days after the start; the second activity of each module is due 7 days after
    the module's meeting."""
    programme = Programme(slug=slug, title="Test programme", version="1", total_hours=Decimal(0),
                          duration_months=12, summary_md="A **test** programme.")
    programme.competencies = [Competency(code=f"C{i}", title=f"Competency {i}", position=i) for i in range(1, 8)]
    unit = EcvetUnit(programme=programme, code="U1", title="Unit one", credit_points=Decimal(2), learning_outcomes=[])
    db.session.add_all([programme, unit])
    built = Built(programme)
    for i in range(1, modules + 1):
        component = "transnational" if transnational_every and i % transnational_every == 0 else "national"
        module = Module(programme=programme, slug=f"{slug}-m{i}", order=i, title=f"Module {i}", component=component,
                        hours=Decimal(activities + 4), ecvet_unit=unit, credit_points=Decimal("0.5"),
                        competencies=["C1"], summary_md=f"# About module {i}\n\nThe summary.",
                        learning_outcomes=[{"text": f"Outcome {i}", "competencies": ["C1", "C4"]}])
        plan = MeetingPlan(module=module, slug=f"{slug}-meeting-{i}", kind=component, title=f"Meeting {i}",
                           hours=Decimal(4), after_start_days=i * 10, duration_days=1, agenda_md="- Welcome",
                           position=i)
        built.modules.append(module)
        built.plans.append(plan)
        for j in range(1, activities + 1):
            due = {"after_meeting": plan.slug, "days": 7} if j == 2 else {"after_start_days": i * 10 + j}
            resource_slugs = [f"{slug}-resource-{i}"] if j == 1 else []
            built.activities.append(Activity(
                module=module, slug=f"{slug}-m{i}-a{j}", type="reading", title=f"Lesson {i}.{j}",
                hours=Decimal(1), required=True, due_rule=due, position=j, competencies=["C1"],
                settings={"body": "lesson.md", "body_md": f"# Lesson {i}.{j}\n\n## Part one\n\nRead <b>this</b>.",
                          "resources": resource_slugs}))
        built.resources.append(Resource(
            programme=programme, module=module, slug=f"{slug}-resource-{i}",
            kind=("practice-based", "training-education", "research-based")[i % 3], title=f"Resource {i}",
            body_md="Some *knowledge*.", source="A source", competencies=[f"C{i % 7 + 1}"], position=i))
        programme.total_hours += module.hours
    db.session.add_all(built.modules + built.plans + built.activities + built.resources)
    if run is not None:
        run.programme = programme
    db.session.flush()
    return built


def national_activity(built: Built, country_code: str, module: Module, *, replaces: Activity | None = None,
                      slug: str | None = None, hours: Decimal = Decimal(1)) -> Activity:
    country = db.session.query(Country).filter_by(code=country_code).one()
    activity = Activity(module=module, slug=slug or f"{country_code.lower()}-extra-{module.order}", type="reading",
                        title=f"National lesson for {country_code}", hours=hours, required=True,
                        due_rule={"after_start_days": 3}, position=replaces.position if replaces else 99,
                        country=country, replaces=replaces,
                        settings={"body": "x.md", "body_md": "National lesson.", "resources": []})
    db.session.add(activity)
    built.activities.append(activity)
    db.session.flush()
    return activity


def complete(user: User, activity: Activity) -> Completion:
    completion = Completion(user_id=user.id, activity_id=activity.id, state="done", completed_at=utcnow())
    db.session.add(completion)
    db.session.flush()
    return completion


def meeting(cohort, plan: MeetingPlan | None, starts_on: date, *, hours: Decimal = Decimal(4),
            place: str = "Linköping", attended_by: list[User] = ()) -> Meeting:
    row = Meeting(cohort=cohort, plan=plan, title=plan.title if plan else "Extra meeting", starts_on=starts_on,
                  ends_on=starts_on, place=place, hours=hours, agenda_md="")
    db.session.add(row)
    db.session.flush()
    for user in attended_by:
        db.session.add(Attendance(meeting=row, user_id=user.id, present=True))
    db.session.flush()
    return row


def programme_for_world(world) -> Built:
    """One small programme for the authorization matrix, linked to the world's run; built once per
    world, however many authz modules ask for it."""
    built = getattr(world, "_programme", None)
    if built is None:
        built = build_programme(run=world.run, slug="authz")
        world._programme = built
        db.session.commit()
    return built


def portuguese_cohorts_on_the_real_programme(app, factory) -> tuple[User, User]:
    """The real programme (content/) imported, and a run that started 83 days ago, so that its
    national meeting on innovation theory (day 84) is tomorrow: a Portuguese cohort and the
    transnational cohort, with Ana (trainee) and João (facilitator) in both. Returns (ana, joao)."""
    content = Path(__file__).resolve().parent.parent / "content"
    assert app.test_cli_runner().invoke(args=["content", "import", "--path", str(content)]).exit_code == 0
    ana = factory.user("Ana Pereira")
    joao = factory.user("João Silva")
    today = today_for(ana)
    run = factory.run(starts_on=today - timedelta(days=83), ends_on=today + timedelta(days=281))
    for cohort in (factory.cohort(run, country="PT", name="Portugal"),
                   factory.cohort(run, country=None, name="Transnational")):
        factory.member(ana, cohort, CohortRole.TRAINEE)
        factory.member(joao, cohort, CohortRole.FACILITATOR)
        schedule_meetings(cohort)
    db.session.commit()
    return ana, joao
