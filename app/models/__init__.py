"""Core models. Plugin models live in their own packages under modules/."""
from .api_token import ApiToken
from .audit import AuditEvent
from .cohort import Cohort, CohortKind, CohortRole, Country, Membership, ProgrammeRun
from .competency import CompetencyReflection
from .content_version import ContentGeneration, ContentVersion
from .credential import IssuedCredential
from .engagement import Draft, Notification
from .kept_figures import KeptFigures
from .lti import LtiGradeLink, LtiIdentity, LtiLaunchValue, LtiPlatform, LtiScore
from .messaging import Announcement, AnnouncementRecipient, DigestSent, NotificationPreference, ReminderSent
from .once_key import OnceKey
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
from .two_factor import Passkey, RecoveryCode
from .user import PasswordToken, SiteRole, User, UserSession
from .xapi import XapiStatement

__all__ = ["Activity", "Announcement", "AnnouncementRecipient", "ApiToken", "Attendance", "AuditEvent", "Cohort",
           "CohortKind", "CohortRole", "Competency", "CompetencyReflection", "Completion", "CompletionState",
           "Component", "ContentGeneration", "ContentVersion", "Country", "DigestSent", "Draft", "EcvetUnit",
           "IssuedCredential", "KeptFigures",
           "KnowledgeKind", "LtiGradeLink", "LtiIdentity", "LtiLaunchValue", "LtiPlatform", "LtiScore",
           "Meeting", "MeetingPlan",
           "Membership", "Module", "Notification", "NotificationPreference", "OnceKey", "OutboxMessage",
           "OutboxStatus",
           "Passkey", "PasswordToken", "Programme", "ProgrammeRun", "RecoveryCode", "ReminderSent", "Resource",
           "SiteRole", "User", "UserSession", "XapiStatement"]
