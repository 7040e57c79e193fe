"""The programme dashboard: whoever may see a cohort's status opens it for their own cohorts;
trainees are refused. A cohort's page and CSV follow the cohort's status rule (the Swedish one:
its facilitator, the Swedish national coordinator, transnational coordinators and admins). An
unknown table is 404 for everyone who may open the dashboard. The run's report covers every
country: transnational coordinators and admins only."""
from . import STATUS_VIEWERS, only

ROUTES = {
    ("dashboard.index", "GET"): only(*STATUS_VIEWERS, "facilitator_other"),
    ("dashboard.cohort", "GET"): only(*STATUS_VIEWERS, args={"cohort_id": "cohort.id"}),
    ("dashboard.run_report", "GET"): only("transnational_coordinator", "admin"),
    ("dashboard.table_csv", "GET"): only(*STATUS_VIEWERS, args={"table": "cohorts", "cohort": "cohort.id"}),
}
