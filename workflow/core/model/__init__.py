"""Value types shared by every layer: enums and frozen records returned by the service.

Nothing here imports from the rest of the project. The records live in one module per subject;
import them from here (``from workflow.core.model import PaperView``), the one module of
``workflow`` that ``storage`` may import besides ``workflow.core.errors``.

- ``bodies``: organizations, roles, actions, the actor, a loaded body;
- ``results``: outcomes and their effect on the path, votes, minutes results;
- ``papers``: papers, their steps, co-signatures, text versions and attachments;
- ``listing``: which papers to list (filters, search, sort, page) and one page of them;
- ``meetings``: meetings and agendas;
- ``decisions``: Dringlichkeitsentscheidungen, objections, Beschlusskontrolle;
- ``audit``: audit actions, events, queries, verification, seals;
- ``reminders``: reminders, the outbox and delivery;
- ``accounts``: web logins and their sessions.
"""

from __future__ import annotations

from workflow.core.model.accounts import FeedTokenCreated, FeedTokenView, WebLogin, WebSessionView
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
from workflow.core.model.listing import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    MAX_SEARCH_LENGTH,
    MAX_SEARCH_WORDS,
    PaperPage,
    PaperQuery,
    PaperSort,
    SortDirection,
)
from workflow.core.model.meetings import (
    AgendaItemView,
    AgendaPart,
    AgendaShift,
    MeetingMoved,
    MeetingNotice,
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
    CoSigningItem,
    DraftChanges,
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
    ResultChoice,
    ResultEffect,
    ResultEntry,
    VoteCount,
    VoteKind,
)

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "DONE_STEP_STATES",
    "INACTIVE_STEP_STATES",
    "MAX_PAGE_SIZE",
    "MAX_SEARCH_LENGTH",
    "MAX_SEARCH_WORDS",
    "OPEN_STEP_STATES",
    "PAPER_NUMBER_LENGTH",
    "PLAUSIBLE_SEQ",
    "Action",
    "Actor",
    "AgendaItemView",
    "AgendaPart",
    "AgendaShift",
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
    "CoSigningItem",
    "ConsultationRole",
    "ConsultationView",
    "DeliveryFailure",
    "DraftChanges",
    "FeedTokenCreated",
    "FeedTokenView",
    "ImplementationReportView",
    "ImplementationTaskView",
    "MeetingMoved",
    "MeetingNotice",
    "MeetingView",
    "MinutesResult",
    "NamedBallot",
    "ObjectionKind",
    "OrganizationKind",
    "OutboxMessage",
    "OutboxState",
    "Outcome",
    "PaperPage",
    "PaperQuery",
    "PaperSort",
    "PaperSummary",
    "PaperView",
    "PlannedReminder",
    "PlannedStep",
    "ProcedureView",
    "RefusedRecipient",
    "ReminderKind",
    "ReminderState",
    "ReminderView",
    "ResultChoice",
    "ResultEffect",
    "ResultEntry",
    "Role",
    "Seal",
    "SealCheck",
    "SortDirection",
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
