"""THE API of ratsweg: ``WorkflowService`` and its capability services.

``WorkflowService`` builds what every capability shares (database, clock, engine, catalogs:
``uow.Shared``) and exposes one service per capability as an attribute: ``service.papers``,
``service.paths``, ``service.results``, ``service.co_signing``, ``service.supplements``,
``service.paper_types``, ``service.attachments``, ``service.deadlines``, ``service.meetings``,
``service.agendas``, ``service.minutes``, ``service.decisions``, ``service.tasks``,
``service.reminders``,
``service.audit``, ``service.trail``, ``service.calendar``, ``service.bodies`` and
``service.accounts`` (web logins and sessions). It has no logic of its own.

Every public method of a capability service is one transaction (one ``UnitOfWork``), returns
frozen values from ``workflow.core.model`` (never ORM rows), and appends the audit events of
every change in the same transaction as the change itself.
"""

from __future__ import annotations

from storage.session import Database
from workflow.accounts import AccountService, AccountSettings
from workflow.audit.service import AuditService
from workflow.audit.trail import TrailService
from workflow.bodies import BodyService
from workflow.calendar.operations import CalendarService
from workflow.core.clock import Clock
from workflow.core.engine import WorkflowEngine
from workflow.decisions.operations import DecisionService
from workflow.decisions.tasks import TaskService
from workflow.meetings.agenda_edit import AgendaEditor
from workflow.meetings.agenda_paths import AgendaPaths
from workflow.meetings.lifecycle import MeetingService
from workflow.meetings.minutes_results import MinutesService
from workflow.papers.attachments import AttachmentService
from workflow.papers.cosigning import CoSigningService
from workflow.papers.deadlines import DeadlineService
from workflow.papers.lifecycle import PaperService
from workflow.papers.results import ResultService
from workflow.papers.supplements import SupplementService
from workflow.papers.types import PaperTypeService
from workflow.reminders.service import ReminderService
from workflow.uow import Shared


class WorkflowService:
    """The capability services of one database, clock and engine."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        engine: WorkflowEngine | None = None,
        accounts: AccountSettings | None = None,
    ) -> None:
        self.shared = Shared(database, clock, engine or WorkflowEngine())
        self.db, self.clock, self.engine = database, clock, self.shared.engine
        self.bodies = BodyService(self.shared)
        self.papers = PaperService(self.shared)
        self.paths = AgendaPaths(self.shared)
        self.results = ResultService(self.shared)
        self.co_signing = CoSigningService(self.shared)
        self.supplements = SupplementService(self.shared)
        self.paper_types = PaperTypeService(self.shared)
        self.attachments = AttachmentService(self.shared)
        self.deadlines = DeadlineService(self.shared)
        self.meetings = MeetingService(self.shared)
        self.agendas = AgendaEditor(self.shared)
        self.minutes = MinutesService(self.shared)
        self.decisions = DecisionService(self.shared)
        self.tasks = TaskService(self.shared)
        self.reminders = ReminderService(self.shared)
        self.audit = AuditService(self.shared)
        self.trail = TrailService(self.shared)
        self.calendar = CalendarService(self.shared)
        self.accounts = AccountService(self.shared, accounts)
