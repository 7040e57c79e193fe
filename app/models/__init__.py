"""Core models. Plugin models live in their own packages under modules/."""
from .audit import AuditEvent
from .cohort import Cohort, CohortKind, CohortRole, Country, Membership, ProgrammeRun
from .content_version import ContentVersion
from .engagement import Draft, Notification
from .outbox import OutboxMessage, OutboxStatus
from .programme import (
                        Activity,
                        Attendance,
                        Competency,
                        Completion,
                        CompletionState,
                        Component,
                        EcvetUnit,
                        KnowledgeKind,
                        Meeting,
                        MeetingPlan,
                        Module,
                        Programme,
                        Resource,
)
from .user import PasswordToken, SiteRole, User, UserSession

__all__ = ["Activity", "Attendance", "AuditEvent", "Cohort", "CohortKind", "CohortRole", "Competency", "Completion",
           "CompletionState", "Component", "ContentVersion", "Country", "Draft", "EcvetUnit", "KnowledgeKind",
           "Meeting", "MeetingPlan", "Membership", "Module", "Notification", "OutboxMessage", "OutboxStatus",
           "PasswordToken", "Programme", "ProgrammeRun", "Resource", "SiteRole", "User", "UserSession"]
