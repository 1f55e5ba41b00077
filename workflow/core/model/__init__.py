"""Value types shared by every layer: enums and frozen records returned by the service.

Nothing here imports from the rest of the project. The records live in one module per subject;
import them from here (``from workflow.core.model import PaperView``), the one module of
``workflow`` that ``storage`` may import besides ``workflow.core.errors``.

- ``bodies``: organizations, roles, actions, the actor, a loaded body;
- ``results``: outcomes and their effect on the path, votes, minutes results;
- ``papers``: papers, their steps, co-signatures, text versions and attachments;
- ``meetings``: meetings and agendas;
- ``decisions``: Dringlichkeitsentscheidungen, objections, Beschlusskontrolle;
- ``audit``: audit actions, events, queries, verification, seals;
- ``reminders``: reminders, the outbox and delivery;
- ``accounts``: web logins and their sessions.
"""

from __future__ import annotations

from workflow.core.model.accounts import WebLogin, WebSessionView
from workflow.core.model.audit import (
    AppRole,
    AuditAction,
    AuditEventView,
    AuditQuery,
    ChainHead,
    Seal,
    SealCheck,
    VerifyReport,
)
from workflow.core.model.bodies import (
    Action,
    Actor,
    BodyView,
    ConsultationRole,
    OrganizationKind,
    Role,
    Submitter,
)
from workflow.core.model.decisions import (
    ImplementationReportView,
    ImplementationTaskView,
    ObjectionKind,
    ProcedureView,
    TaskState,
)
from workflow.core.model.meetings import (
    AgendaItemView,
    AgendaPart,
    MeetingMoved,
    MeetingView,
)
from workflow.core.model.papers import (
    DONE_STEP_STATES,
    INACTIVE_STEP_STATES,
    OPEN_STEP_STATES,
    PAPER_NUMBER_LENGTH,
    PLAUSIBLE_SEQ,
    AttachmentView,
    ConsultationView,
    CoSignatureState,
    CoSignatureView,
    PaperSummary,
    PaperView,
    PlannedStep,
    TextVersionView,
)
from workflow.core.model.reminders import (
    DeliveryFailure,
    OutboxMessage,
    OutboxState,
    PlannedReminder,
    RefusedRecipient,
    ReminderKind,
    ReminderState,
    ReminderView,
    SweepReport,
)
from workflow.core.model.results import (
    Ballot,
    MinutesResult,
    NamedBallot,
    Outcome,
    ResultEffect,
    ResultEntry,
    VoteCount,
    VoteKind,
)

__all__ = [
    "DONE_STEP_STATES",
    "INACTIVE_STEP_STATES",
    "OPEN_STEP_STATES",
    "PAPER_NUMBER_LENGTH",
    "PLAUSIBLE_SEQ",
    "Action",
    "Actor",
    "AgendaItemView",
    "AgendaPart",
    "AppRole",
    "AttachmentView",
    "AuditAction",
    "AuditEventView",
    "AuditQuery",
    "Ballot",
    "BodyView",
    "ChainHead",
    "CoSignatureState",
    "CoSignatureView",
    "ConsultationRole",
    "ConsultationView",
    "DeliveryFailure",
    "ImplementationReportView",
    "ImplementationTaskView",
    "MeetingMoved",
    "MeetingView",
    "MinutesResult",
    "NamedBallot",
    "ObjectionKind",
    "OrganizationKind",
    "OutboxMessage",
    "OutboxState",
    "Outcome",
    "PaperSummary",
    "PaperView",
    "PlannedReminder",
    "PlannedStep",
    "ProcedureView",
    "RefusedRecipient",
    "ReminderKind",
    "ReminderState",
    "ReminderView",
    "ResultEffect",
    "ResultEntry",
    "Role",
    "Seal",
    "SealCheck",
    "Submitter",
    "SweepReport",
    "TaskState",
    "TextVersionView",
    "VerifyReport",
    "VoteCount",
    "VoteKind",
    "WebLogin",
    "WebSessionView",
]
