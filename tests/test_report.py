"""The programme report as PDF (issue 11, item 3): WeasyPrint with the bundled DejaVu Sans, from
the CLI and the site. pdftotext (poppler-utils, installed by tasks.py) reads every country and
every figure of the report service back out of the PDF, accented names included; pdffonts shows
the bundled font embedded. National coordinators get their own country only; the download is
audited; the CLI fails clearly on an unknown run, an unwritable file or an unknown language."""
from __future__ import annotations

import re
import shutil
import subprocess
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, CohortRole
from app.services import report as report_service
from app.services.report_pdf import BASE_URL, render_pdf, static_file
from app.timeutil import utcnow
from modules.evaluation.models import AnonymousResponse, Participation
from modules.evaluation.tests.helpers import add_evaluation, instrument

from .programme_data import build_programme, complete, meeting
from .test_dashboard import _assignment, _handed_in
from .test_programme_pages import counted_queries

ACCENTED = {"SE": "Malmö – åäö", "NO": "Tromsø", "SI": "Ljubljana – čšž", "PT": "Lisboa – ãç", "IT": "Città – à"}
COUNTRIES = ("Sweden", "Norway", "Slovenia", "Portugal", "Italy")

if shutil.which("pdftotext") is None:  # tasks.py installs poppler-utils; say so rather than skip
    raise RuntimeError("tests/test_report.py needs pdftotext and pdffonts: apt-get install poppler-utils "
                       "(python3 tasks.py test installs it)")


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "read.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def flat(text: str) -> str:
    return " ".join(text.split())


def _five_countries(world, factory):
    """A cohort in each of the five countries (accented names), trainees who did some of the
    work, meetings with attendance, feedback released, and a questionnaire answered by six
    trainees in Slovenia (shown) and two in Italy (left out: fewer than five)."""
    built = build_programme(run=world.run, slug="rep")
    task = _assignment(built)
    today = utcnow().date()
    cohorts = {"SE": world.cohort, "NO": world.other_cohort}
    for code in ("SI", "PT", "IT"):
        cohorts[code] = factory.cohort(world.run, country=code, name=ACCENTED[code])
    world.cohort.name, world.other_cohort.name = ACCENTED["SE"], ACCENTED["NO"]
    sizes = {"SE": 2, "NO": 3, "SI": 6, "PT": 4, "IT": 2}
    people = {"SE": [world.trainee], "NO": [world.trainee_other]}
    for code, size in sizes.items():
        have = people.setdefault(code, [])
        have += [factory.enrolled(cohorts[code], CohortRole.TRAINEE, f"Trainee {code} {i}")
                 for i in range(len(have), size)]
    for code, users in people.items():
        for i, user in enumerate(users):
            for activity in built.activities[: 1 + i % len(built.activities)]:
                complete(user, activity)
            _handed_in(task, user, cohorts[code], 12 + i, (i % 4) + 1 if i % 3 else None)
        meeting(cohorts[code], built.plans[0], today - timedelta(days=3), attended_by=users[1:])
    survey = add_evaluation(built.modules[0], "rep-survey", instrument(world.run, state="open"))
    for activity in [*built.activities[1:], task, survey]:  # one trainee finishes everything
        complete(people["SI"][0], activity)
    for code, users in (("SI", people["SI"]), ("IT", people["IT"])):
        for i, user in enumerate(users):
            db.session.add(Participation(activity_id=survey.id, cohort_id=cohorts[code].id, user_id=user.id))
            db.session.add(AnonymousResponse(activity_id=survey.id, cohort_id=cohorts[code].id, code=f"{code}{i}",
                                             answers={"overall": 3 + i % 3, "competencies": {"C1": 2 + i % 2, "C2": 4},
                                                      "comment": "Stina in Växjö said something private"}))
    db.session.commit()
    return cohorts


def _figures(report: report_service.Report, app) -> list[str]:
    """Every figure of the report as the page shows it, in the page's own formatting."""
    hours = app.jinja_env.filters["hours"]
    decimal = app.jinja_env.filters["decimal"]
    d = report.board
    figures = []
    for row in [*report.countries, report.total]:
        figures.append(" ".join([row.label or "All countries", str(row.started), str(row.finished), str(row.dropped),
                                 hours(row.hours), hours(row.credits)]))
    for title in d.module_titles:
        figures.append(" ".join([title, *(f"{f.modules_done.get(title, 0)} of {f.trainee_count}" for f in d.cohorts)]))
    present, expected = report.attendance
    figures.append(f"{len(report.held)} meetings held; {present} of {expected} expected attendances.")
    for row in report.held_by_cohort:
        figures.append(f"{row.cohort} {row.held} {row.present} {row.expected}")
    for f in d.cohorts:
        figures.append(" ".join([f.cohort.name, str(f.turnaround.count),
                                 decimal(f.median_days) if f.median_days is not None else "—",
                                 decimal(f.p90_days) if f.p90_days is not None else "—"]))
    for r in d.rates:
        figures.append(f"{d.cohort_name(r.cohort_id)} {r.answered} of {r.expected}")
    for table in report.evaluation:
        figures.append(table.title)
        figures += [" ".join(row[1:]) for row in table.rows]
    return figures


def test_the_cli_writes_a_pdf_with_every_country_and_figure(app, world, factory, tmp_path):
    _five_countries(world, factory)
    out = tmp_path / "report.pdf"
    result = app.test_cli_runner().invoke(args=["report", "run", "Pilot run", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")
    text = pdf_text(out.read_bytes(), tmp_path)
    lines = [flat(line) for line in text.splitlines()]
    with app.test_request_context("/"), force_locale("en"):
        report = report_service.build(world.run, utcnow().date())
        figures = _figures(report, app)
    assert [c.label for c in report.countries] == sorted(COUNTRIES)
    assert report.total.started == 17 and report.total.finished == 1
    for country in [*report.countries, report.total]:  # each country's row, figures in order, on one line
        label = country.label or "All countries"
        assert any(line.startswith(label + " ") and line in figures for line in lines), (label, figures[:6])
    everything = flat(text)
    for figure in figures:
        assert flat(figure) in everything, figure
    for name in ACCENTED.values():
        assert name in everything
    slovenia = next(t for t in report.evaluation)
    # All countries (8 answers) minus Slovenia's page (6) would be Italy's 2: the total is hidden.
    assert slovenia.rows[0][1] == "—"
    assert "8 answers. A figure is shown only when it counts at least 5 answers" in everything
    assert "Växjö" not in everything and "Trainee SI" not in everything  # no free text, no names
    header = flat(text.splitlines()[0])  # the running header: the run and the date; then page numbers
    assert header == f"Programme report: Pilot run {app.jinja_env.filters['date'](report.today)}", header
    assert re.search(r"\b1\s*/\s*2\b", text) and re.search(r"\b2\s*/\s*2\b", text)


def test_the_pdf_embeds_the_bundled_font(app, world, factory, tmp_path):
    _five_countries(world, factory)
    out = tmp_path / "report.pdf"
    assert app.test_cli_runner().invoke(args=["report", "run", "Pilot run", "--output", str(out)]).exit_code == 0
    fonts = subprocess.run(["pdffonts", str(out)], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    # The family @font-face gives the bundled DejaVu Sans files: no font of the machine's is used.
    assert {row[0].split("+")[-1] for row in rows} == {"LIFE-Report-Sans", "LIFE-Report-Sans-Bold"}, fonts
    assert all(row[-5] == "yes" for row in rows), fonts  # the "emb" column


def test_the_report_in_swedish(app, world, factory, tmp_path):
    _five_countries(world, factory)
    out = tmp_path / "rapport.pdf"
    result = app.test_cli_runner().invoke(args=["report", "run", "Pilot run", "--output", str(out), "--language", "sv"])
    assert result.exit_code == 0, result.output
    text = flat(pdf_text(out.read_bytes(), tmp_path))
    assert "Deltagare per land" in text and "Participants per country" not in text


def test_the_cli_says_what_is_wrong(app, world, tmp_path):
    runner = app.test_cli_runner()
    missing = runner.invoke(args=["report", "run", "No such run", "--output", str(tmp_path / "r.pdf")])
    assert missing.exit_code != 0 and "no run is called 'No such run'" in missing.output
    assert "known runs: 'Pilot run'" in missing.output
    nowhere = runner.invoke(args=["report", "run", "Pilot run", "--output", str(tmp_path / "no" / "r.pdf")])
    assert nowhere.exit_code != 0 and "cannot write" in nowhere.output and "does not exist" in nowhere.output
    folder = runner.invoke(args=["report", "run", "Pilot run", "--output", str(tmp_path)])
    assert folder.exit_code != 0 and "is a directory" in folder.output
    language = runner.invoke(args=["report", "run", "Pilot run", "--output", str(tmp_path / "r.pdf"),
                                   "--language", "de"])
    assert language.exit_code != 0 and "'de' is not one of en, sv" in language.output
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_a_write_that_fails_leaves_no_file(app, world, tmp_path, monkeypatch):
    import app.report_cli as cli
    out = tmp_path / "r.pdf"
    out.write_bytes(b"the older report")

    def broken(*_args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(cli.os, "replace", broken)
    result = app.test_cli_runner().invoke(args=["report", "run", "Pilot run", "--output", str(out)])
    assert result.exit_code != 0 and "cannot write" in result.output and "No space left" in result.output
    assert out.read_bytes() == b"the older report" and [p.name for p in tmp_path.iterdir()] == ["r.pdf"]


def test_the_html_file_is_still_there(app, world, factory, tmp_path):
    _five_countries(world, factory)
    out = tmp_path / "report.html"
    result = app.test_cli_runner().invoke(args=["report", "run", "Pilot run", "--format", "html", "--output", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "<link" not in page and "@media print" in page and "Ljubljana – čšž" in page


def test_the_site_offers_the_pdf_and_audits_the_download(app, client, world, factory, login, tmp_path):
    _five_countries(world, factory)
    login(world.transnational_coordinator)
    page = client.get(f"/dashboard/report?run={world.run.id}").get_data(as_text=True)
    assert f'href="/dashboard/report.pdf?run={world.run.id}"' in page and "Download PDF" in page
    response = client.get(f"/dashboard/report.pdf?run={world.run.id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="programme-report-Pilot_run-')
    text = flat(pdf_text(response.data, tmp_path))
    for country in COUNTRIES:
        assert country in text
    for name in ACCENTED.values():
        assert name in text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.download"))
    assert event.actor_id == world.transnational_coordinator.id and event.target_id == world.run.id
    assert event.detail["countries"] == sorted(COUNTRIES)
    assert client.get("/dashboard/report.pdf?run=999999").status_code == 404


def test_a_national_coordinator_reports_on_their_country_only(app, client, world, factory, login, tmp_path):
    _five_countries(world, factory)
    factory.member(world.national_coordinator, world.transnational, CohortRole.FACILITATOR)
    db.session.commit()
    login(world.national_coordinator)
    page = client.get("/dashboard/report").get_data(as_text=True)
    assert "Sweden" in page and "Norway" not in page and "Tromsø" not in page and "Transnational" not in page
    text = flat(pdf_text(client.get("/dashboard/report.pdf").data, tmp_path))
    assert "Sweden" in text and ACCENTED["SE"] in text
    assert not any(country in text for country in COUNTRIES[1:]) and "Città" not in text
    other = factory.run("Another run")
    factory.cohort(other, country="NO", name="Bergen")
    db.session.commit()
    assert client.get(f"/dashboard/report.pdf?run={other.id}").status_code == 404


def test_the_pdf_costs_the_same_queries_for_3_and_30_trainees(app, client, world, factory, login, tmp_path):
    built = build_programme(run=world.run, slug="size")
    task = _assignment(built)
    survey = add_evaluation(built.modules[0], "size-survey", instrument(world.run, state="open"))
    db.session.commit()
    login(world.admin)

    def queries(trainees: int) -> int:
        cohort = factory.cohort(world.run, country="PT", name=f"Size {trainees} ç")
        users = [factory.enrolled(cohort, CohortRole.TRAINEE, f"S {trainees}-{i}") for i in range(trainees)]
        for i, user in enumerate(users):
            complete(user, built.activities[0])
            _handed_in(task, user, cohort, 5 + i % 3, 1 if i % 2 else None)
        meeting(cohort, built.plans[0], utcnow().date() - timedelta(days=2), attended_by=users[::2])
        for i in range(len(users)):
            db.session.add(AnonymousResponse(activity_id=survey.id, cohort_id=cohort.id, code=f"{trainees}-{i}",
                                             answers={"overall": 1 + i % 5, "competencies": {"C1": 3, "C2": 4}}))
        db.session.commit()
        url = f"/dashboard/report.pdf?run={world.run.id}"
        client.get(url)  # warm-up
        with counted_queries() as statements:
            response = client.get(url)
        assert f"Size {trainees} ç" in flat(pdf_text(response.data, tmp_path))
        return len(statements)
    assert queries(3) == queries(30)


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *_args):
        pass


def test_weasyprint_fetches_nothing_but_the_static_files(app, tmp_path):
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        address = f"http://127.0.0.1:{server.server_port}"
        secret = tmp_path / "secret.css"
        secret.write_text("body { color: red }")
        html = (f'<link rel="stylesheet" href="{address}/cdn.css"><link rel="stylesheet" href="file://{secret}">'
                f'<img src="{address}/pixel.png" alt=""><link rel="stylesheet" href="/static/css/report.css">'
                '<p class="programme-report">å ä ö ø č š ž ã ç à</p>')
        pdf = render_pdf(html, Path(app.static_folder))
    finally:
        server.shutdown()
        server.server_close()
    assert _Recorder.hits == []
    assert "åäöøčšžãçà" in pdf_text(pdf, tmp_path).replace(" ", "")
    static = Path(app.static_folder)
    assert static_file(BASE_URL + "static/css/report.css?v=1", static) == static / "css/report.css"
    for url in (f"{address}/static/css/report.css", f"file://{secret}", BASE_URL + "static/../../config.py",
                BASE_URL + "static/%2e%2e/%2e%2e/config.py", BASE_URL + "elsewhere/x.css"):
        with pytest.raises(ValueError):
            static_file(url, static)


def test_the_report_page_declares_no_inline_style(client, world, factory, login):
    _five_countries(world, factory)
    login(world.admin)
    page = client.get("/dashboard/report").get_data(as_text=True)
    assert "<style" not in page and "style=" not in page and not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "<header>" in page  # the site's layout, with its navigation
    assert re.search(r'href="/static/css/report\.css(\?v=\w+)?"', page)


def test_the_dashboard_links_the_report_for_those_who_may_read_it(client, world, login):
    pdf_link = f'href="/dashboard/report.pdf?run={world.run.id}"'
    for persona, shown in (("national_coordinator", True), ("admin", True), ("facilitator", False)):
        login(getattr(world, persona))
        page = client.get("/dashboard/").get_data(as_text=True)
        assert (pdf_link in page) is shown, persona
        assert client.get("/dashboard/report.pdf").status_code == (200 if shown else 403), persona
        client.post("/logout")


def test_an_evaluation_figure_of_too_few_answers_is_not_shown(app, client, world, factory, login, tmp_path):
    cohorts = _five_countries(world, factory)
    db.session.execute(AnonymousResponse.__table__.delete().where(
        AnonymousResponse.cohort_id == cohorts["SI"].id))  # only Italy's two answers are left
    db.session.commit()
    login(world.admin)
    text = flat(pdf_text(client.get("/dashboard/report.pdf").data, tmp_path))
    assert "How useful is the programme? — —" in text
    assert "Where are you today? · Holistic approach — —" in text
    assert "2 answers. A figure is shown only when it counts at least 5 answers" in text


def test_the_report_counts_every_answer_when_no_smaller_group_can_be_subtracted(app, world, factory):
    cohorts = _five_countries(world, factory)
    db.session.execute(AnonymousResponse.__table__.delete().where(
        AnonymousResponse.cohort_id == cohorts["IT"].id))  # Slovenia's six answers are all there are
    db.session.commit()
    with app.test_request_context("/"), force_locale("en"):
        report = report_service.build(world.run, utcnow().date())
    table = report.evaluation[0]
    assert table.rows[0][1] == "6" and table.rows[0][2] != "—"
    assert table.note.startswith("6 answers.")


def test_every_word_stays_inside_the_a4_page(app, world, factory, tmp_path):
    """Six cohorts with long names side by side in the module table: nothing runs off the page."""
    cohorts = _five_countries(world, factory)
    for cohort in [*cohorts.values(), world.transnational]:
        cohort.name += " national cohort 2026–2027"
    db.session.commit()
    out = tmp_path / "report.pdf"
    assert app.test_cli_runner().invoke(args=["report", "run", "Pilot run", "--output", str(out)]).exit_code == 0
    html = subprocess.run(["pdftotext", "-bbox", str(out), "-"], check=True, capture_output=True, text=True).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)"', html)
    assert pages and all(abs(float(w) - 595.28) < 1 and abs(float(h) - 841.89) < 1 for w, h in pages)  # A4
    right_margin = 595.28 - 15 * 72 / 25.4
    words = re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', html)
    assert words and [w for x, w in words if float(x) > right_margin + 0.5] == []


def test_without_pango_the_pdf_is_refused_clearly(app, client, world, login, tmp_path, monkeypatch):
    from app.services import report_pdf

    def missing(*_args, **_kw):
        raise report_pdf.PdfUnavailable("PDF needs WeasyPrint and Pango (Debian: apt-get install libpango-1.0-0 ...)")
    monkeypatch.setattr(report_pdf, "render_pdf", missing)
    login(world.admin)
    assert client.get("/dashboard/report.pdf").status_code == 503
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.download")) is None
    result = app.test_cli_runner().invoke(args=["report", "run", "Pilot run", "--output", str(tmp_path / "r.pdf")])
    assert result.exit_code != 0 and "apt-get install libpango" in result.output and not list(tmp_path.iterdir())


def test_the_reports_ratings_are_those_of_the_full_summary(app, monkeypatch):
    """The report summarises its rating questions only (REPORTED): on the benchmark's answers,
    every row is the row the full summary (every question) gives."""
    from app.models import Cohort, ProgrammeRun
    from bench.generate import generate
    from modules.evaluation import report as evaluation_report
    from modules.evaluation.results import summarise

    from .conftest import clean_tables
    clean_tables()
    generate(app, "1k", trainees=5 * 3 * 2, cohort_size=3)
    run = db.session.scalar(select(ProgrammeRun))
    cohorts = list(db.session.scalars(select(Cohort).where(Cohort.run_id == run.id)))
    with app.test_request_context():
        fast = evaluation_report.report_tables(run, cohorts)
        kinds: list = []

        def full(instrument, answers, rule, only=None):
            kinds.append(only)
            return summarise(instrument, answers, rule)  # every question, as before REPORTED

        monkeypatch.setattr(evaluation_report, "summarise", full)
        slow = evaluation_report.report_tables(run, cohorts)
    assert kinds and all(k == evaluation_report.REPORTED for k in kinds)
    assert [t.rows for t in fast] == [t.rows for t in slow] and any(t.rows for t in fast)
    assert any(row[2] != evaluation_report.NOT_SHOWN for t in fast for row in t.rows)
