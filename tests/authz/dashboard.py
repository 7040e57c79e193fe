"""The programme dashboard: whoever may see a cohort's status opens it for their own cohorts;
trainees are refused. A cohort's page and CSV follow the cohort's status rule (the Swedish one:
its facilitator, the Swedish national coordinator, transnational coordinators and admins). An
unknown table is 404 for everyone who may open the dashboard. The run's report (page and PDF):
transnational coordinators and admins (every country) and national coordinators (their own
country's cohorts, tests/test_report.py); facilitators and trainees are refused."""
from . import STATUS_VIEWERS, only

ROUTES = {
    ("dashboard.index", "GET"): only(*STATUS_VIEWERS, "facilitator_other"),
    ("dashboard.cohort", "GET"): only(*STATUS_VIEWERS, args={"cohort_id": "cohort.id"}),
    ("dashboard.run_report", "GET"): only("national_coordinator", "transnational_coordinator", "admin"),
    ("dashboard.run_report_pdf", "GET"): only("national_coordinator", "transnational_coordinator", "admin"),
    ("dashboard.table_csv", "GET"): only(*STATUS_VIEWERS, args={"table": "cohorts", "cohort": "cohort.id"}),
}
