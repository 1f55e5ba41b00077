"""What the operation mixins (meetings, decisions) use of ``WorkflowService``.

``WorkflowService`` inherits the mixins and provides every member declared here; the
declarations exist only for the type checker, so each mixin states its needs once, here.
``_refuse_future`` is the one check that a day something happened on is not after today.
``step_payload`` is the one audit payload of a step that the service, its mixins and the
OParl import share.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from workflow.core.clock import today
from workflow.core.errors import InvalidInput

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from storage.schema import Body as BodyRow
    from storage.schema import Consultation, Paper
    from storage.session import Database
    from workflow.core.catalog import Catalog
    from workflow.core.clock import Clock
    from workflow.core.engine import FlowContext, WorkflowEngine
    from workflow.core.model import Action, Actor, AuditAction, PaperView


class ServiceBase:
    if TYPE_CHECKING:  # provided by WorkflowService
        db: Database
        clock: Clock
        engine: WorkflowEngine

        def _body(self, session: Session, body_id: str | None) -> BodyRow: ...

        def _catalog(self, session: Session, version: str) -> Catalog: ...

        @staticmethod
        def _actor(catalog: Catalog, user: str | None) -> Actor: ...

        def _lock(
            self, session: Session, body: str | None, number: str, user: str | None
        ) -> tuple[Paper, Catalog, Actor]: ...

        @staticmethod
        def _require(
            catalog: Catalog, actor: Actor, action: Action, target: str, office: str | None = None
        ) -> None: ...

        @staticmethod
        def _paper_of(
            session: Session, body: BodyRow, number: str, *, for_update: bool
        ) -> Paper: ...

        def _ctx(
            self, session: Session, catalog: Catalog, actor: Actor, paper: Paper
        ) -> FlowContext: ...

        def _record(
            self,
            session: Session,
            paper: Paper,
            actor: Actor,
            action: AuditAction,
            before: str | None,
            after: str | None,
            payload: dict[str, Any],
        ) -> None: ...

        def _paper_changed(self, catalog: Catalog, paper: Paper) -> None: ...

        def _sync_reminders(
            self, catalog: Catalog, paper: Paper, actor: str | None = None
        ) -> None: ...

        def _touch(self, catalog: Catalog, paper: Paper) -> PaperView: ...

        def _view(self, catalog: Catalog, paper: Paper) -> PaperView: ...

        def _check_window(
            self, session: Session, paper: Paper, step: Consultation, day: dt.date
        ) -> None: ...

    def _refuse_future(self, what: str, day: dt.date, fix: str) -> None:
        """Refuse an action that records something as having happened on ``day`` when that
        is after today (the clock's date in Europe/Berlin): a result, a held meeting or a
        decision cannot lie in the future. ``what`` ends with its verb ("... is dated")."""
        now = today(self.clock)
        if day > now:
            raise InvalidInput(f"{what} {day:%d.%m.%Y}, after today ({now:%d.%m.%Y}); {fix}")


def step_payload(step: Consultation) -> dict[str, Any]:
    """A step as audit events record it (what replay rebuilds the path from)."""
    return {
        "position": step.position,
        "level": step.level,
        "organization": step.organization_id,
        "role": step.role,
        "public": step.public,
        "planned_date": step.planned_date.isoformat() if step.planned_date else None,
    }
