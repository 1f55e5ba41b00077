"""Mitzeichnung beyond signing: overruling an objection, and the due date of each signature.

An objection (``paper co-sign --object --comment``) blocks the release (guard
``no_objections``) until the objecting office signs after all (``paper co-sign`` again, which
withdraws the objection) or the head of the writing office overrules it with a reason
(``paper overrule``; who may is the permission ``co_signature.overrule``). The objection's
comment is kept; the overruling is recorded beside it and in the audit trail.

A pending co-signature is due ``deadlines.co_signing`` after it was requested (the
``co_signature_requested`` event of the submit), by the rule of the co-signing office.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING

from storage import repository
from storage.audit import paper_stream
from workflow.core.deadlines import Deadline, DeadlineKind, lead_time_deadline
from workflow.core.errors import InvalidInput, NotFoundError, TransitionNotAllowed, did_you_mean
from workflow.core.model import (
    Action,
    AuditAction,
    CoSignatureState,
    PaperView,
)
from workflow.service_base import ServiceBase

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy.orm import Session

    from storage.schema import Paper
    from workflow.core.catalog import Catalog


class CoSigningOperations(ServiceBase):
    """Overruling objections in the Mitzeichnung; co-signing due dates for the views."""

    def overrule_objection(
        self,
        number: str,
        *,
        user: str | None,
        office: str,
        reason: str,
        body: str | None = None,
    ) -> PaperView:
        """Overrule ``office``'s objection to ``number``; the release is no longer blocked by it.

        :raises PermissionDenied: the user lacks co_signature.overrule or is not of the
            paper's office.
        :raises InvalidInput: no reason, or the office has not objected.
        :raises TransitionNotAllowed: the paper is not in Mitzeichnung.
        """
        with self.db.write() as session:
            paper, catalog, actor = self._lock(session, body, number, user)
            self._require(
                catalog,
                actor,
                Action.CO_SIGNATURE_OVERRULE,
                paper.number,
                office=paper.office_id,
            )
            if not reason.strip():
                raise InvalidInput("overruling an objection needs a reason; pass --reason TEXT")
            if catalog.lifecycle("paper").transition("release", paper.state) is None:
                raise TransitionNotAllowed(
                    paper.number,
                    paper.state,
                    "overrule an objection to",
                    self.engine.paper_triggers(catalog, paper.state),
                    "objections are overruled during the Mitzeichnung, before release",
                )
            org = catalog.office(office)
            signature = next((c for c in paper.co_signatures if c.office_id == org.id), None)
            if signature is None:
                participants = [c.office_id for c in paper.co_signatures]
                raise NotFoundError(
                    f"{org.id!r} is not a participating office of {paper.number}"
                    + (did_you_mean(org.id, participants) or "")
                )
            if signature.state != CoSignatureState.OBJECTED.value:
                raise InvalidInput(
                    f"{org.name} has not objected to {paper.number} (its co-signature is "
                    f"{signature.state}); only an objection can be overruled"
                )
            now = self.clock.now()
            signature.state = CoSignatureState.OVERRULED.value
            signature.overruled_by, signature.overruled_at = actor.user_id, now
            signature.overrule_reason = reason.strip()
            self._record(
                session,
                paper,
                actor,
                AuditAction.CO_SIGNATURE_OVERRULED,
                CoSignatureState.OBJECTED.value,
                CoSignatureState.OVERRULED.value,
                {"office": org.id, "objection": signature.comment, "reason": reason.strip()},
            )
            return self._touch(catalog, paper)

    def _with_co_signing_due(
        self, session: Session, catalog: Catalog, paper: Paper, view: PaperView
    ) -> PaperView:
        """The view with each pending co-signature's due date (from deadlines.co_signing)."""
        deadlines = co_signing_deadlines(session, catalog, paper)
        if not deadlines:
            return view
        signatures = tuple(
            replace(c, due=deadlines[c.office_id].day) if c.office_id in deadlines else c
            for c in view.co_signatures
        )
        return replace(view, co_signatures=signatures)


def co_signing_deadlines(session: Session, catalog: Catalog, paper: Paper) -> dict[str, Deadline]:
    """The Mitzeichnung Frist of each pending co-signature whose office has a
    ``deadlines.co_signing`` rule, counted from when it was last requested; by office, in the
    paper's order of co-signatures."""
    rules = catalog.deadlines
    pending = [
        c.office_id
        for c in paper.co_signatures
        if c.state == CoSignatureState.PENDING.value
        and rules.for_organization(c.office_id).co_signing is not None
    ]
    if not pending:
        return {}
    requested = co_signature_requests(session, paper.id)
    calendar = catalog.calendar()
    deadlines: dict[str, Deadline] = {}
    for office in pending:
        rule = rules.for_organization(office).co_signing
        when = requested.get(office)
        if rule is None or when is None:
            continue
        deadlines[office] = lead_time_deadline(
            calendar,
            calendar.local_date(when),
            rule,
            kind=DeadlineKind.CO_SIGNING,
            before=False,
            anchor_text="der Anforderung am",
        )
    return deadlines


def co_signature_requests(session: Session, paper_id: int) -> dict[str, dt.datetime]:
    """When each office's co-signature was last requested (from the audit trail)."""
    requested: dict[str, dt.datetime] = {}
    for event in repository.paper_events(session, paper_stream(paper_id)):
        if event.action == AuditAction.CO_SIGNATURE_REQUESTED.value:
            office = json.loads(event.payload).get("office")
            if isinstance(office, str):
                requested[office] = event.occurred_at
    return requested
