"""THE API of ratsweg: ``WorkflowService``. One method is one transaction.

Every method returns frozen values from ``workflow.core.model``, never ORM rows, and every change
appends its audit events in the same transaction as the change itself.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import math
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import reminders as reminder_store
from storage import repository
from storage.audit import append_event, body_stream, paper_stream, verify_chains
from storage.roles import AUDIT_PRIVILEGES, grant_app_role
from storage.schema import Body as BodyRow
from storage.schema import (
    Consultation,
    CoSignature,
    DefinitionVersion,
    Meeting,
    Paper,
    TextVersion,
    Vote,
)
from storage.session import Database
from workflow import definitions
from workflow.audit.replay import ReplayReport, check_paper
from workflow.audit.seal import root_hash
from workflow.audit.trail import TrailOperations
from workflow.calendar.operations import CalendarOperations
from workflow.core.catalog import Catalog, Organization, VotingRule
from workflow.core.clock import BERLIN, Clock, local
from workflow.core.deadlines import (
    Deadline,
    DeadlineEntry,
    DeadlineKind,
    PathStep,
    StepCheck,
    WorkingCalendar,
    check_path,
    step_deadlines,
)
from workflow.core.engine import ConsultationRecord, FlowContext, WorkflowEngine
from workflow.core.errors import (
    InvalidInput,
    NotFoundError,
    PermissionDenied,
    TransitionNotAllowed,
    did_you_mean,
    not_found,
)
from workflow.core.model import (
    INACTIVE_STEP_STATES,
    OPEN_STEP_STATES,
    Action,
    Actor,
    AppRole,
    AuditAction,
    AuditEventView,
    AuditQuery,
    Ballot,
    BodyView,
    ChainHead,
    ConsultationRole,
    CoSignatureState,
    DeliveryFailure,
    MinutesResult,
    OutboxMessage,
    Outcome,
    PaperSummary,
    PaperView,
    PlannedStep,
    RefusedRecipient,
    ReminderKind,
    ReminderState,
    ReminderView,
    ResultEffect,
    ResultEntry,
    Role,
    Seal,
    VerifyReport,
    VoteCount,
    VoteKind,
)
from workflow.decisions.operations import DecisionOperations, task_facts
from workflow.meetings.minutes import MinutesItem
from workflow.meetings.operations import MeetingOperations, meeting_label
from workflow.papers.attachments import AttachmentOperations
from workflow.papers.cosigning import (
    CoSigningOperations,
    co_signature_requests,
    co_signing_deadlines,
)
from workflow.papers.supplements import SupplementOperations, chain_numbers
from workflow.papers.types import (
    PaperTypeOperations,
    check_concluding,
    check_result,
    check_submitter,
    rules_type,
)
from workflow.papers.views import audit_event_view, paper_summary, paper_view
from workflow.reminders.planning import PaperFacts, StepFacts, plan_reminders, report_deadlines
from workflow.service_base import step_payload

#: Outcomes each role of step may record (Vorberatung results are recommendations).
_REROUTING = {
    ResultEffect.POSTPONE,
    ResultEffect.REFER,
    ResultEffect.DROP,
    ResultEffect.WITHDRAW,
}
ALLOWED_EFFECTS = {
    ConsultationRole.VORBERATUNG: {
        ResultEffect.RECOMMEND,
        ResultEffect.REJECT,
        ResultEffect.ADOPT,
        ResultEffect.NOTE,
        ResultEffect.SKIP,
        *_REROUTING,
    },
    ConsultationRole.ANHOERUNG: {
        ResultEffect.RECOMMEND,
        ResultEffect.REJECT,
        ResultEffect.ADOPT,
        ResultEffect.NOTE,
        ResultEffect.SKIP,
        *_REROUTING,
    },
    ConsultationRole.ENTSCHEIDUNG: {ResultEffect.ADOPT, ResultEffect.REJECT, *_REROUTING},
    ConsultationRole.KENNTNISNAHME: {ResultEffect.NOTE, ResultEffect.ANNUL, *_REROUTING},
    ConsultationRole.GENEHMIGUNG: {
        ResultEffect.APPROVE,
        ResultEffect.REJECT,
        ResultEffect.ANNUL,
        ResultEffect.POSTPONE,
        ResultEffect.DROP,
    },
}
#: session.info key: the user of the unit of work (the actor of its reminder changes).
_ACTOR = "ratsweg_actor"


# The meeting states in which results are recorded (a step on its agenda, or the minutes).
RESULT_MEETING_STATES = ("invited", "held")


class WorkflowService(
    MeetingOperations,
    DecisionOperations,
    SupplementOperations,
    CoSigningOperations,
    PaperTypeOperations,
    AttachmentOperations,
    TrailOperations,
    CalendarOperations,
):
    def __init__(self, database: Database, clock: Clock, engine: WorkflowEngine | None = None):
        self.db = database
        self.clock = clock
        self.engine = engine or WorkflowEngine()
        self._catalogs: dict[str, Catalog] = {}
        self._catalog_lock = threading.Lock()

    # -- definitions and bodies ------------------------------------------------------------

    def load_definitions(self, directory: str | Path, *, user: str | None) -> BodyView:
        """Register a municipality or move it to a new definitions version.

        The first load of a body needs no user; later loads need one with definitions.load.
        :raises DefinitionError: the files are invalid (every problem listed).
        """
        catalog = definitions.load_catalog(directory)
        now = self.clock.now()
        with self.db.write() as session:
            body = repository.get_body(session, catalog.body.id)
            actor_id = "system"
            if body is not None:
                current = self._catalog(session, body.definitions_version)
                actor = self._actor(current, user)
                self._require(current, actor, Action.DEFINITIONS_LOAD, catalog.body.name)
                actor_id = actor.user_id
                if body.definitions_version == catalog.version:
                    return _body_view(body)
            if session.get(DefinitionVersion, catalog.version) is None:
                session.add(
                    DefinitionVersion(
                        version=catalog.version,
                        body_id=catalog.body.id,
                        files=dict(catalog.files),
                        loaded_at=now,
                        loaded_by=actor_id,
                    )
                )
                session.flush()
            previous = body.definitions_version if body else None
            if body is None:
                body = BodyRow(id=catalog.body.id)
                session.add(body)
            body.name, body.state = catalog.body.name, catalog.body.state
            body.definitions_version, body.loaded_at = catalog.version, now
            session.flush()
            append_event(
                session,
                stream=body_stream(body.id),
                occurred_at=now,
                actor=actor_id,
                action=AuditAction.DEFINITIONS_LOADED,
                from_state=previous,
                to_state=catalog.version,
                payload={"source": catalog.source, "files": sorted(catalog.files)},
            )
            self._catalogs[catalog.version] = catalog
            return _body_view(body)

    def list_bodies(self) -> list[BodyView]:
        with self.db.read() as session:
            return [_body_view(b) for b in repository.list_bodies(session)]

    def catalog(self, body_id: str | None = None) -> Catalog:
        """The current definitions of a body."""
        with self.db.read() as session:
            return self._catalog(session, self._body(session, body_id).definitions_version)

    # -- papers ------------------------------------------------------------------------------

    def create_paper(
        self,
        *,
        user: str | None,
        paper_type: str,
        title: str,
        office: str,
        date: dt.date,
        route: str | None = None,
        reference: str | None = None,
        text: str | None = None,
        participants: Sequence[str] = (),
        planned_dates: Sequence[dt.date | None] = (),
        body: str | None = None,
        faction: str | None = None,
        members: Sequence[str] = (),
    ) -> PaperView:
        """Create a paper in the lifecycle's initial state, numbered gap-free per type and year.

        ``faction`` and ``members`` name who submitted a paper of a type submitted by a
        faction (Antrag, Anfrage); an Ergänzungsvorlage is created by ``create_supplement``.

        :raises NotFoundError: unknown type, office, route or participant.
        :raises PermissionDenied: the user may not create papers for ``office``.
        """
        if not title.strip():
            raise InvalidInput("a paper needs a title; pass --title TEXT")
        now = self.clock.now()
        with self.db.write() as session:
            body_row = self._body(session, body)
            catalog = self._catalog(session, body_row.definitions_version)
            actor = self._actor(catalog, user)
            kind = catalog.paper_type(paper_type)
            origin = catalog.office(office)
            self._require(catalog, actor, Action.PAPER_CREATE, origin.name, office=origin.id)
            if kind.is_supplement:
                raise InvalidInput(
                    f"a paper of type {kind.name} is numbered from its original; create it with "
                    "'ratsweg paper supplement ORIGINAL'"
                )
            submitter, submitters = check_submitter(kind, faction, members)
            offices = [catalog.office(p).id for p in dict.fromkeys(participants)]
            if origin.id in offices:
                raise InvalidInput(f"{origin.id!r} writes the paper and cannot also co-sign it")
            steps = catalog.route(route).steps if route else ()
            check_concluding(kind, "the new paper", [s.role.value for s in steps])
            if len(planned_dates) > len(steps):
                raise InvalidInput(
                    f"{len(planned_dates)} planned dates given for a route of {len(steps)} steps"
                )
            seq = repository.next_sequence(session, body_row.id, kind.id, date.year)
            paper = Paper(
                body_id=body_row.id,
                definitions_version=catalog.version,
                number=kind.numbering.format(year=date.year, seq=seq),
                paper_type=kind.id,
                title=title.strip(),
                reference=reference,
                office_id=origin.id,
                date=date,
                text=text,
                state=catalog.lifecycle("paper").initial,
                frozen=False,
                created_at=now,
                modified_at=now,
                faction=submitter,
                members=submitters,
            )
            initial = catalog.lifecycle("consultation").initial
            for position, step in enumerate(steps, start=1):
                org = catalog.organization(step.organization)
                planned = planned_dates[position - 1] if position <= len(planned_dates) else None
                paper.consultations.append(
                    Consultation(
                        position=position,
                        level=position,
                        organization_id=org.id,
                        role=step.role.value,
                        public=org.public if step.public is None else step.public,
                        state=initial,
                        planned_date=planned,
                    )
                )
            for office_id in offices:
                paper.co_signatures.append(
                    CoSignature(office_id=office_id, state=CoSignatureState.PENDING.value)
                )
            session.add(paper)
            session.flush()
            self._record(
                session,
                paper,
                actor,
                AuditAction.PAPER_CREATED,
                None,
                paper.state,
                {
                    "number": paper.number,
                    "paper_type": kind.id,
                    "title": paper.title,
                    "office": origin.id,
                    "date": date.isoformat(),
                    "reference": reference,
                    "route": route,
                    "participants": offices,
                    "consultations": [step_payload(c) for c in paper.consultations],
                    "definitions_version": catalog.version,
                    "text": text,
                }
                | ({"faction": submitter, "members": submitters or []} if submitter else {}),
            )
            self._sync_reminders(catalog, paper)
            return self._view(catalog, paper)

    def get_paper(self, number: str, *, body: str | None = None) -> PaperView:
        with self.db.read() as session:
            paper = self._paper(session, body, number)
            return self._view(self._catalog(session, paper.definitions_version), paper)

    def list_papers(
        self, *, body: str | None = None, state: str | None = None
    ) -> list[PaperSummary]:
        with self.db.read() as session:
            body_row = self._body(session, body)
            return [paper_summary(p) for p in repository.list_papers(session, body_row.id, state)]

    def submit_paper(self, number: str, *, user: str | None, body: str | None = None) -> PaperView:
        """Send the paper into Mitzeichnung (co-signing by the participating offices)."""
        with self.db.write() as session:
            paper, catalog, actor = self._lock(session, body, number, user)
            roles = [c.role for c in sorted(paper.consultations, key=lambda c: c.position)]
            check_concluding(rules_type(catalog, paper), paper.number, roles)
            self.engine.fire_paper(self._ctx(session, catalog, actor, paper), "submit")
            return self._touch(catalog, paper)

    def release_paper(self, number: str, *, user: str | None, body: str | None = None) -> PaperView:
        """Release (freeze) the paper once every participating office has signed; its text
        becomes text version 1."""
        with self.db.write() as session:
            paper, catalog, actor = self._lock(session, body, number, user)
            self.engine.fire_paper(self._ctx(session, catalog, actor, paper), "release")
            if paper.text and not paper.text_versions:
                self._add_text_version(session, paper, actor, paper.text, None)
            return self._touch(catalog, paper)

    def withdraw_paper(
        self, number: str, *, user: str | None, reason: str, body: str | None = None
    ) -> PaperView:
        if not reason.strip():
            raise InvalidInput("withdrawing needs a reason; pass --reason TEXT")
        return self._paper_trigger(number, "withdraw", user, body, reason=reason.strip())

    def _paper_trigger(
        self, number: str, trigger: str, user: str | None, body: str | None, **kw: Any
    ) -> PaperView:
        with self.db.write() as session:
            paper, catalog, actor = self._lock(session, body, number, user)
            self.engine.fire_paper(self._ctx(session, catalog, actor, paper), trigger, **kw)
            return self._touch(catalog, paper)

    def co_sign(
        self,
        number: str,
        *,
        user: str | None,
        office: str,
        objection: bool = False,
        comment: str | None = None,
        body: str | None = None,
    ) -> PaperView:
        """Sign (or object to) the paper for one participating office."""
        if objection and not (comment and comment.strip()):
            raise InvalidInput("an objection needs a reason; pass --comment TEXT")
        with self.db.write() as session:
            paper, catalog, actor = self._lock(session, body, number, user)
            office_row = catalog.office(office)
            self._require(catalog, actor, Action.CO_SIGNATURE_SIGN, office_row.name, office=office)
            if catalog.lifecycle("paper").transition("release", paper.state) is None:
                allowed = self.engine.paper_triggers(catalog, paper.state)
                raise TransitionNotAllowed(
                    paper.number,
                    paper.state,
                    "co-sign",
                    allowed,
                    "co-signing happens after submit and before release",
                )
            signature = next((c for c in paper.co_signatures if c.office_id == office_row.id), None)
            if signature is None:
                participants = [c.office_id for c in paper.co_signatures]
                raise NotFoundError(
                    f"{office_row.id!r} is not a participating office of {paper.number}"
                    + (
                        did_you_mean(office_row.id, participants)
                        or f" (participants: {', '.join(participants) or 'none'})"
                    )
                )
            if signature.state == CoSignatureState.SIGNED:
                raise InvalidInput(f"{office_row.name} has already signed {paper.number}")
            if signature.state == CoSignatureState.OVERRULED:
                raise InvalidInput(
                    f"the objection of {office_row.name} to {paper.number} was overruled by "
                    f"{signature.overruled_by}; nothing is left to sign"
                )
            withdrawn = signature.comment if signature.state == CoSignatureState.OBJECTED else None
            new = CoSignatureState.OBJECTED if objection else CoSignatureState.SIGNED
            action = AuditAction.CO_SIGNATURE_OBJECTED if objection else AuditAction.CO_SIGNED
            previous = signature.state
            signature.state, signature.actor = new.value, actor.user_id
            signature.signed_at, signature.comment = self.clock.now(), comment
            self._record(
                session,
                paper,
                actor,
                action,
                previous,
                new.value,
                {"office": office_row.id, "comment": comment}
                | ({"objection_withdrawn": withdrawn} if withdrawn and not objection else {}),
            )
            return self._touch(catalog, paper)

    # -- the Beratungsfolge --------------------------------------------------------------------

    def add_consultation(
        self,
        number: str,
        *,
        user: str | None,
        organization: str,
        role: str,
        position: int | None = None,
        planned_date: dt.date | None = None,
        public: bool | None = None,
        parallel_to: int | None = None,
        reason: str | None = None,
        body: str | None = None,
    ) -> PaperView:
        """Insert a step into the planned path.

        Before release the author edits freely; afterwards the session office may insert
        steps after the last step that was dealt with, giving a reason. With ``parallel_to``
        the new step runs beside that step (same level, joined before the next level).
        """
        step_role = _parse_role(role)
        with self.db.write() as session:
            paper, catalog, actor = self._lock(session, body, number, user)
            self._require_path_edit(catalog, actor, paper, "add a step to", reason)
            org = catalog.body_organization(organization)
            steps = sorted(paper.consultations, key=lambda c: c.position)
            if parallel_to is not None:
                if position is not None:
                    raise InvalidInput("pass either --position or --parallel-to, not both")
                sibling = _step(paper, parallel_to)
                self._check_open(paper, sibling, "run a step in parallel to")
                if step_role.concludes or ConsultationRole(sibling.role).concludes:
                    raise InvalidInput(
                        "the concluding step (Entscheidung, Kenntnisnahme, Genehmigung) runs "
                        "alone on the last level; parallel steps must be Vorberatung or Anhörung"
                    )
                level = sibling.level
                at = max(c.position for c in steps if c.level == level) + 1
            else:
                at = len(steps) + 1 if position is None else position
                if not 1 <= at <= len(steps) + 1:
                    raise InvalidInput(f"position {at} is outside 1..{len(steps) + 1}")
                if at <= len(steps):
                    self._check_open(paper, steps[at - 1], "insert a step before")
                if 1 < at <= len(steps) and steps[at - 2].level == steps[at - 1].level:
                    raise InvalidInput(
                        f"position {at} is inside a group of parallel steps; insert before or "
                        "after the group, or use --parallel-to"
                    )
                level = steps[at - 1].level if at <= len(steps) else _next_level(steps)
                for step in steps:
                    if step.level >= level:
                        step.level += 1
            for step in steps[at - 1 :]:
                step.position += 1
            new = _new_step(catalog, org, step_role, public, planned_date, at, level, reason)
            paper.consultations.insert(at - 1, new)
            self._check_path(catalog, paper)
            payload = step_payload(new) | ({"reason": reason} if reason else {})
            self._record(
                session, paper, actor, AuditAction.CONSULTATION_ADDED, None, new.state, payload
            )
            return self._touch(catalog, paper)

    def remove_consultation(
        self,
        number: str,
        *,
        user: str | None,
        position: int,
        reason: str | None = None,
        body: str | None = None,
    ) -> PaperView:
        """Remove a planned step. Before release it disappears; afterwards it stays in the
        path as cancelled (entfallen), so that planned and actual path can be compared."""
        with self.db.write() as session:
            paper, catalog, actor = self._lock(session, body, number, user)
            released = self._require_path_edit(catalog, actor, paper, "remove a step from", reason)
            step = _step(paper, position)
            if released:
                self._check_open(paper, step, "remove")
                ctx = self._ctx(session, catalog, actor, paper)
                self.engine.fire_consultation(
                    ctx, step, "cancel", internal=True, reason=reason, note=reason
                )
                step.note = reason
                self._check_path(catalog, paper)
                return self._touch(catalog, paper)
            paper.consultations.remove(step)
            for later in paper.consultations:
                if later.position > position:
                    later.position -= 1
            if not any(c.level == step.level for c in paper.consultations):
                for later in paper.consultations:
                    if later.level > step.level:
                        later.level -= 1
            self._record(
                session,
                paper,
                actor,
                AuditAction.CONSULTATION_REMOVED,
                step.state,
                None,
                step_payload(step),
            )
            return self._touch(catalog, paper)

    def move_consultation(
        self,
        number: str,
        *,
        user: str | None,
        position: int,
        to: int,
        reason: str | None = None,
        body: str | None = None,
    ) -> PaperView:
        """Move a planned step to another place in the path (levels follow the new order)."""
        with self.db.write() as session:
            paper, catalog, actor = self._lock(session, body, number, user)
            self._require_path_edit(catalog, actor, paper, "reorder the steps of", reason)
            steps = sorted(paper.consultations, key=lambda c: c.position)
            step = _step(paper, position)
            if not 1 <= to <= len(steps):
                raise InvalidInput(f"target position {to} is outside 1..{len(steps)}")
            if to == position:
                raise InvalidInput(f"step {position} is already at position {to}")
            for touched in steps[min(position, to) - 1 : max(position, to)]:
                self._check_open(paper, touched, "move steps across")
            steps.remove(step)
            steps.insert(to - 1, step)
            for index, item in enumerate(steps, start=1):
                item.position = index
            _relevel(steps)
            paper.consultations[:] = steps
            self._check_path(catalog, paper)
            payload = {"from_position": position, "to_position": to, "reason": reason}
            payload |= {"organization": step.organization_id}
            self._record(session, paper, actor, AuditAction.CONSULTATION_MOVED, None, None, payload)
            return self._touch(catalog, paper)

    def replace_path(
        self,
        number: str,
        *,
        user: str | None,
        steps: Sequence[PlannedStep],
        reason: str,
        body: str | None = None,
    ) -> PaperView:
        """A neue Beratungsfolge: every open step is cancelled and the new steps follow the
        steps already dealt with. Planned dates of the old path stay on record."""
        if not reason.strip():
            raise InvalidInput("a new Beratungsfolge needs a reason; pass --reason TEXT")
        if not steps:
            raise InvalidInput("the new Beratungsfolge has no steps; pass at least one --step")
        roles = [_parse_role(s.role) for s in steps]
        with self.db.write() as session:
            paper, catalog, actor = self._lock(session, body, number, user)
            released = self._require_path_edit(catalog, actor, paper, "re-route", reason)
            orgs = [catalog.body_organization(s.organization) for s in steps]
            ctx = self._ctx(session, catalog, actor, paper)
            old = [
                step_payload(c) for c in paper.consultations if c.state not in INACTIVE_STEP_STATES
            ]
            for step in list(paper.consultations):
                if released and step.state in OPEN_STEP_STATES:
                    self.engine.fire_consultation(
                        ctx, step, "cancel", internal=True, reason="neue Beratungsfolge"
                    )
                elif not released:
                    paper.consultations.remove(step)
            level = _next_level(paper.consultations)
            position = len(paper.consultations)
            for offset, (planned, org, role) in enumerate(zip(steps, orgs, roles, strict=True)):
                paper.consultations.append(
                    _new_step(
                        catalog,
                        org,
                        role,
                        planned.public,
                        planned.planned_date,
                        position + offset + 1,
                        level + offset,
                        f"neue Beratungsfolge: {reason.strip()}",
                    )
                )
            self._check_path(catalog, paper)
            new = [
                step_payload(c) for c in paper.consultations if c.state not in INACTIVE_STEP_STATES
            ]
            self._record(
                session,
                paper,
                actor,
                AuditAction.PATH_REPLACED,
                None,
                None,
                {"reason": reason.strip(), "old": old, "new": new},
            )
            return self._touch(catalog, paper)

    def schedule_consultation(
        self,
        number: str,
        *,
        user: str | None,
        position: int,
        date: dt.date,
        body: str | None = None,
    ) -> PaperView:
        """Give a step its meeting date (allowed before and after release)."""
        with self.db.write() as session:
            paper, catalog, actor = self._lock(session, body, number, user)
            step = _step(paper, position)
            self._check_window(session, paper, step, date)
            ctx = self._ctx(session, catalog, actor, paper)
            self.engine.fire_consultation(ctx, step, "schedule", date=date)
            step.date = date
            return self._touch(catalog, paper)

    def record_result(
        self,
        number: str,
        *,
        user: str | None,
        position: int,
        outcome: str,
        date: dt.date | None = None,
        votes: Sequence[VoteCount] = (),
        label: str | None = None,
        refer_to: str | None = None,
        refer_role: str | None = None,
        target_date: dt.date | None = None,
        amended_text: str | None = None,
        note: str | None = None,
        body: str | None = None,
    ) -> PaperView:
        """Record the result of one step and apply its routing effect (domain.md 2.2).

        ``outcome`` is a normalised outcome or a label from the municipality's definitions.
        Vertagt/zurückgestellt/abgesetzt insert the same body again (``target_date`` as its
        planned date); überwiesen/zurückverwiesen insert a step in ``refer_to``; geändert
        beschlossen and mit Änderungen empfohlen need the ``amended_text``, which becomes a new
        text version; the result of the concluding step decides the paper.

        :raises TransitionNotAllowed: the paper is not released, the step is already held, or
            an earlier step has no result yet.
        :raises InvalidInput: the outcome does not fit the step's role, or a vote is wrong.
        """
        entry = ResultEntry(
            position=position,
            outcome=outcome,
            date=date,
            votes=tuple(votes),
            label=label,
            refer_to=refer_to,
            refer_role=refer_role,
            target_date=target_date,
            amended_text=amended_text,
            note=note,
        )
        with self.db.write() as session:
            paper, catalog, actor = self._lock(session, body, number, user)
            warnings = self._apply_result(session, paper, catalog, actor, entry)
            return replace(self._view(catalog, paper), warnings=tuple(warnings))

    def _apply_result(
        self,
        session: Session,
        paper: Paper,
        catalog: Catalog,
        actor: Actor,
        entry: ResultEntry,
        origin: Mapping[str, str] | None = None,
    ) -> list[str]:
        """Record one result on the locked paper and apply its effect; return the warnings.
        ``origin`` (where a result taken over from another system comes from) joins the
        audit payload."""
        self._require(catalog, actor, Action.CONSULTATION_RECORD, paper.number)
        votes = [_complete_vote(v) for v in entry.votes]
        position, outcome, note = entry.position, entry.outcome, entry.note
        result = _parse_outcome(catalog, outcome)
        configured_label = None if outcome == result.value else outcome.strip()
        step = _step(paper, position)
        role = ConsultationRole(step.role)
        if result.effect not in ALLOWED_EFFECTS[role]:
            fitting = [o.value for o in Outcome if o.effect in ALLOWED_EFFECTS[role]]
            raise InvalidInput(
                f"{result.value!r} does not fit step {position} ({role.value}); "
                f"use one of {', '.join(fitting)}"
            )
        check_result(catalog, paper, step, result, votes)
        if result.effect is ResultEffect.ANNUL and not self._can_annul(catalog, paper):
            raise InvalidInput(
                f"{result.value!r} annuls only a Dringlichkeitsentscheidung awaiting its "
                f"follow-up; {paper.number} is {paper.state!r}"
            )
        extra = self._routing_arguments(
            catalog, result, entry.refer_to, entry.refer_role, entry.target_date, entry.amended_text
        )
        if not result.effect.deliberated and any(v.kind is not VoteKind.PROCEDURAL for v in votes):
            raise InvalidInput(
                f"{result.value!r}: the item was not deliberated, so only the procedural "
                "vote on taking it off the agenda can be recorded (kind: procedural)"
            )
        org = catalog.organization(step.organization_id)
        warnings = _check_votes(catalog.procedure.voting_rule(org.id), org, result, votes)
        ctx = self._ctx(session, catalog, actor, paper)
        self._begin_consultation(ctx, paper, catalog)
        meeting_day = self._meeting_day(session, paper, step, entry.date)
        when = meeting_day or entry.date or step.date or step.planned_date
        if when is None:
            raise InvalidInput(
                f"step {position} of {paper.number} has no meeting date; pass --date YYYY-MM-DD"
            )
        self._check_result_date(catalog, paper, step, when)
        self._check_window(session, paper, step, when)
        self._refuse_future(
            f"the result of step {position} of {paper.number} is dated",
            when,
            "that is the day of its meeting: record it once the meeting has taken place"
            if meeting_day
            else "record it once it is taken, or check --date"
            if entry.date
            else "pass --date YYYY-MM-DD with the day it was taken",
        )
        if step.state == catalog.lifecycle("consultation").initial:
            self.engine.fire_consultation(ctx, step, "schedule", date=when)
        step.date = when
        step.outcome = result.value
        step.result_label = entry.label or configured_label or result.label
        if note:
            step.note = note
        step.votes = [_vote_row(i, v) for i, v in enumerate(votes, start=1)]
        payload: dict[str, Any] = {
            "position": position,
            "organization": step.organization_id,
            "date": when.isoformat(),
            "outcome": result.value,
            "label": step.result_label,
            "votes": [v.as_dict() for v in votes],
        }
        if note:
            payload["note"] = note
        if warnings:
            payload["warnings"] = warnings
        payload.update(origin or {})
        self._record(session, paper, actor, AuditAction.RESULT_RECORDED, None, None, payload)
        if entry.amended_text is not None:
            self._add_text_version(session, paper, actor, entry.amended_text, step)
        trigger = "hold" if result.effect.deliberated else "drop"
        self.engine.fire_consultation(ctx, step, trigger, outcome=result.value, **extra)
        self._paper_changed(catalog, paper)
        return warnings

    def record_minutes(
        self,
        meeting_id: int,
        items: Sequence[MinutesItem],
        *,
        user: str | None,
        body: str | None = None,
    ) -> list[MinutesResult]:
        """Record the results of a whole meeting in one transaction: every item or none.

        Items name their agenda item by TOP number or by paper. Each result is recorded for
        the meeting's day exactly as ``record_result`` would; the first problem (named with
        its TOP) rolls everything back.
        """
        if not items:
            raise InvalidInput("the minutes hold no results")
        with self.db.write() as session:
            body_row = self._body(session, body)
            meeting = self._meeting(session, body_row, meeting_id, for_update=True)
            meeting_catalog, actor = self._meeting_catalog_actor(session, body_row, meeting, user)
            label = f"meeting {meeting.id}"
            self._require(meeting_catalog, actor, Action.CONSULTATION_RECORD, label)
            if meeting.state not in RESULT_MEETING_STATES:
                raise TransitionNotAllowed(
                    label,
                    meeting.state,
                    "record the minutes of",
                    self.engine.meeting_triggers(meeting_catalog, meeting.state),
                    "results are recorded for an invited or held meeting",
                )
            targets = [(item, _agenda_target(meeting, item)) for item in items]
            day = local(meeting.start).date()
            papers: dict[int, tuple[Paper, Catalog]] = {}
            for paper_id in sorted({c.paper_id for _, c in targets}):  # lock order: paper id
                number = next(c.paper.number for _, c in targets if c.paper_id == paper_id)
                paper = self._paper_of(session, body_row, number, for_update=True)
                papers[paper_id] = (paper, self._catalog(session, paper.definitions_version))
            results: list[MinutesResult] = []
            for item, step in targets:
                paper, catalog = papers[step.paper_id]
                entry = ResultEntry(
                    position=step.position,
                    outcome=item.outcome,
                    date=day,
                    votes=item.votes,
                    label=item.label,
                    refer_to=item.refer_to,
                    refer_role=item.refer_role,
                    target_date=item.target_date,
                    amended_text=item.amended_text,
                    note=item.note,
                )
                try:
                    warnings = self._apply_result(session, paper, catalog, actor, entry)
                except (InvalidInput, NotFoundError, TransitionNotAllowed) as exc:
                    raise InvalidInput(f"{item.name} ({paper.number}): {exc}") from exc
                results.append(
                    MinutesResult(
                        item=item.name,
                        paper_number=paper.number,
                        position=step.position,
                        outcome=step.outcome or item.outcome,
                        paper_state=paper.state,
                        warnings=tuple(warnings),
                    )
                )
            payload = {
                "items": [r.item for r in results],
                "papers": sorted({r.paper_number for r in results}),
            }
            self._record_meeting(
                session, meeting, actor, AuditAction.MINUTES_RECORDED, payload, None, None
            )
            meeting.modified_at = self.clock.now()
            return results

    def _check_result_date(
        self, catalog: Catalog, paper: Paper, step: Consultation, when: dt.date
    ) -> None:
        """Refuse a result dated before the result of a step on an earlier level."""
        what = f"the result of step {step.position} of {paper.number} is dated {when:%d.%m.%Y}"
        earlier = [
            s
            for s in paper.consultations
            if s.level < step.level and s.outcome is not None and s.date is not None
        ]
        latest = max(earlier, key=lambda s: (s.date, s.position), default=None)
        if latest is not None and latest.date is not None and when < latest.date:
            name = catalog.organization(latest.organization_id).name
            raise InvalidInput(
                f"{what}, before the result of the earlier step {latest.position} ({name}) "
                f"on {latest.date:%d.%m.%Y}; check --date"
            )

    def _meeting_day(
        self, session: Session, paper: Paper, step: Consultation, date: dt.date | None
    ) -> dt.date | None:
        """The day of the meeting whose agenda holds ``step`` (None: in no meeting), checked
        for a result: the meeting is invited or held, and ``date``, if given, is its day."""
        if step.meeting_id is None:
            return None
        meeting = session.get_one(Meeting, step.meeting_id)
        catalog = self._catalog(session, meeting.definitions_version)
        label = meeting_label(catalog, meeting)
        day = local(meeting.start).date()
        what = f"record the result of step {step.position} of {paper.number} in"
        if meeting.state not in RESULT_MEETING_STATES:
            lifecycle = catalog.lifecycle("meeting")
            invite = lifecycle.transition("invite", meeting.state) is not None
            todo = (
                f"invite it first (meeting invite {meeting.id}) or cancel it, which takes the "
                "step off its agenda"
                if invite
                else "the step stays on its agenda"
            )
            raise TransitionNotAllowed(
                label,
                meeting.state,
                what,
                self.engine.meeting_triggers(catalog, meeting.state),
                f"results are recorded for an invited or held meeting; {todo}",
            )
        if date is not None and date != day:
            raise InvalidInput(
                f"step {step.position} of {paper.number} is on the agenda of {label}: its "
                f"result is dated {day:%d.%m.%Y}, the meeting's day, not {date:%d.%m.%Y}; "
                "leave out --date"
            )
        return day

    @staticmethod
    def _can_annul(catalog: Catalog, paper: Paper) -> bool:
        return catalog.lifecycle("paper").transition("annul", paper.state) is not None

    def _routing_arguments(
        self,
        catalog: Catalog,
        result: Outcome,
        refer_to: str | None,
        refer_role: str | None,
        target_date: dt.date | None,
        amended_text: str | None,
    ) -> dict[str, Any]:
        """The arguments the outcome's routing effect needs, checked; refused if misplaced."""
        effect, extra = result.effect, dict[str, Any]()
        if effect is ResultEffect.REFER:
            if not refer_to:
                raise InvalidInput(
                    f"{result.value!r} needs the body it goes to; pass --refer-to ORGANIZATION"
                )
            extra["refer_to"] = catalog.body_organization(refer_to).id
            extra["refer_role"] = _parse_role(refer_role or "vorberatung").value
        elif refer_to or refer_role:
            raise InvalidInput(
                f"--refer-to fits only ueberwiesen or zurueckverwiesen, not {result.value!r}"
            )
        if target_date is not None:
            if not effect.repeats_step:
                raise InvalidInput(
                    f"--until fits only vertagt, zurueckgestellt or abgesetzt, not {result.value!r}"
                )
            extra["target_date"] = target_date
        if result.amends_text and not (amended_text and amended_text.strip()):
            raise InvalidInput(
                f"{result.value!r} changes the wording; pass the amended text with --text-file "
                "FILE (or --text TEXT)"
            )
        if amended_text is not None and not result.amends_text:
            raise InvalidInput(
                "an amended text fits only geaendert_beschlossen or mit_aenderungen_empfohlen, "
                f"not {result.value!r}"
            )
        return extra

    def _add_text_version(
        self,
        session: Session,
        paper: Paper,
        actor: Actor,
        text: str,
        step: Consultation | None,
    ) -> None:
        version = TextVersion(
            number=len(paper.text_versions) + 1,
            text=text,
            source="released" if step is None else "amended",
            position=step.position if step else None,
            organization_id=step.organization_id if step else None,
            created_at=self.clock.now(),
            actor=actor.user_id,
        )
        paper.text_versions.append(version)
        self._record(
            session,
            paper,
            actor,
            AuditAction.TEXT_VERSION_CREATED,
            None,
            None,
            {
                "version": version.number,
                "source": version.source,
                "position": version.position,
                "organization": version.organization_id,
                "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                "text": text,
            },
        )

    def _begin_consultation(self, ctx: FlowContext, paper: Paper, catalog: Catalog) -> None:
        lifecycle = catalog.lifecycle("paper")
        if lifecycle.transition("begin_consultation", paper.state):
            self.engine.fire_paper(ctx, "begin_consultation", internal=True)
        elif not any(lifecycle.transition(t, paper.state) for t in ("adopt", "reject", "note")):
            raise TransitionNotAllowed(
                paper.number,
                paper.state,
                "record a result for",
                self.engine.paper_triggers(catalog, paper.state),
                "results can be recorded once the paper is released",
            )

    # -- audit ---------------------------------------------------------------------------------

    def audit_trail(self, number: str, *, body: str | None = None) -> list[AuditEventView]:
        with self.db.read() as session:
            paper = self._paper(session, body, number)
            events = repository.paper_trail(session, paper.id, paper_stream(paper.id))
            return [audit_event_view(e, paper.number) for e in events]

    def replay_audit(
        self, number: str | None = None, *, body: str | None = None
    ) -> list[ReplayReport]:
        """Rebuild one paper (or every paper of the municipality) purely from its audit events
        and compare it with the stored paper; each report names the first difference."""
        with self.db.read() as session:
            body_row = self._body(session, body)
            if number is not None:
                papers: Sequence[Paper] = [
                    self._paper_of(session, body_row, number, for_update=False)
                ]
            else:
                papers = repository.list_papers(session, body_row.id)
            reports = []
            for paper in papers:
                catalog = self._catalog(session, paper.definitions_version)
                rows = repository.paper_events(session, paper_stream(paper.id))
                events = [audit_event_view(e, paper.number) for e in rows]
                reports.append(
                    check_paper(
                        events, lambda v: self._catalog(session, v), self._view(catalog, paper)
                    )
                )
            return reports

    def verify_audit(self, seal: Seal | None = None) -> VerifyReport:
        """Recompute every hash chain; with a seal, also check that every sealed chain head is
        still the event at its (stream, seq). Names the first break and its paper."""
        sealed = {h.stream: (h.seq, h.hash) for h in seal.heads} if seal else None
        with self.db.read() as session:
            if seal is not None:
                self._check_seal_database(session, seal)
            check = verify_chains(session, sealed=sealed)
            after = check.events - check.sealed_seen if seal else None
            report = VerifyReport(
                streams=check.streams,
                events=check.events,
                sealed_events=seal.events if seal else None,
                events_after_seal=after if check.broken is None else None,
            )
            if check.broken is None:
                return report
            return dataclasses.replace(
                report,
                broken_stream=check.broken.stream,
                broken_seq=check.broken.seq,
                broken_paper=repository.stream_paper_number(session, check.broken.stream),
                problem=check.broken.problem.value,
                reason=check.broken.reason,
            )

    def seal_audit(self, *, user: str | None, body: str | None = None) -> Seal:
        """Verify every chain, then record the seal in the body's stream and return the heads
        of all chains (with that seal event) and their root hash, for a file kept elsewhere.

        :raises PermissionDenied: the user is neither auditor nor admin.
        :raises InvalidInput: a chain is broken (a broken trail is not sealed).
        """
        now = self.clock.now()
        with self.db.write() as session:
            body_row = self._body(session, body)
            actor = self._actor(self._catalog(session, body_row.definitions_version), user)
            _require_role(actor, {Role.AUDITOR, Role.ADMIN}, "seal the audit trail")
            check = verify_chains(session)
            if check.broken is not None:
                where = check.broken.stream
                raise InvalidInput(
                    f"the audit trail is broken in {where} at event {check.broken.seq} "
                    f"({check.broken.reason}); run 'ratsweg audit verify', nothing was sealed"
                )
            heads = [ChainHead(stream=s, seq=q, hash=h) for s, (q, h) in check.heads.items()]
            event = append_event(
                session,
                stream=body_stream(body_row.id),
                occurred_at=now,
                actor=actor.user_id,
                action=AuditAction.AUDIT_SEALED,
                payload={
                    "chains": len(heads),
                    "events": check.events,
                    "root_hash_before": root_hash(heads),
                },
            )
            heads = [h for h in heads if h.stream != event.stream]
            heads.append(ChainHead(stream=event.stream, seq=event.seq, hash=event.hash))
            heads.sort(key=lambda h: h.stream)
            return Seal(
                sealed_at=now,
                actor=actor.user_id,
                database={
                    "dialect": self.db.dialect,
                    "location": self.db.location,
                    "bodies": [b.id for b in repository.list_bodies(session)],
                },
                heads=tuple(heads),
                root_hash=root_hash(heads),
            )

    def search_audit(self, query: AuditQuery, *, body: str | None = None) -> list[AuditEventView]:
        """The events matching every filter of ``query``, oldest first.

        :raises NotFoundError: unknown paper, paper type or organization.
        :raises InvalidInput: unknown action, or ``since`` after ``until``.
        """
        with self.audit_events(query, body=body) as events:
            return list(events)

    @contextlib.contextmanager
    def audit_events(
        self, query: AuditQuery, *, body: str | None = None
    ) -> Iterator[AuditEventStream]:
        """Like ``search_audit``, but streams the events from one read transaction, which stays
        open inside the ``with`` block: constant memory for exports of any size."""
        with self.db.read() as session:
            statement = self._audit_statement(session, query, body)
            yield AuditEventStream(session, statement)

    def create_app_role(
        self, name: str, *, user: str | None, password: str | None = None, body: str | None = None
    ) -> AppRole:
        """Create or update a PostgreSQL login role that may read and write the application
        tables but only SELECT and INSERT on the audit table (idempotent).

        :raises PermissionDenied: the user is not an admin.
        :raises InvalidInput: not PostgreSQL, or an unusable role name.
        """
        with self.db.write() as session:
            body_row = self._body(session, body)
            actor = self._actor(self._catalog(session, body_row.definitions_version), user)
            _require_role(actor, {Role.ADMIN}, "create database roles")
            if self.db.dialect != "postgresql":
                raise InvalidInput(
                    f"db create-app-role works on PostgreSQL only; this database is "
                    f"{self.db.dialect} (SQLite has no roles: protect the file instead)"
                )
            granted = grant_app_role(session, name, password)
            role = AppRole(
                name=name,
                schema=granted.schema,
                created=granted.created,
                tables=granted.tables,
                audit_table_privileges=AUDIT_PRIVILEGES,
            )
            append_event(
                session,
                stream=body_stream(body_row.id),
                occurred_at=self.clock.now(),
                actor=actor.user_id,
                action=AuditAction.APP_ROLE_GRANTED,
                payload={
                    "role": name,
                    "schema": role.schema,
                    "created": role.created,
                    "password_set": password is not None,
                    "audit_event": list(AUDIT_PRIVILEGES),
                },
            )
            return role

    def require_admin(self, user: str | None, *, body: str | None = None) -> None:
        """Schema changes and new municipalities need an admin once the database holds a
        municipality; an empty database may be set up by anyone.

        :raises PermissionDenied: the user is not an admin of the (given or only) municipality.
        """
        with self.db.read() as session:
            if not repository.has_tables(session) or not repository.list_bodies(session):
                return
            body_row = self._body(session, body)
            actor = self._actor(self._catalog(session, body_row.definitions_version), user)
            _require_role(actor, {Role.ADMIN}, "change the schema or the municipalities")

    def _audit_statement(self, session: Session, query: AuditQuery, body: str | None) -> Any:
        body_row = self._body(session, body)
        catalog = self._catalog(session, body_row.definitions_version)
        if query.action is not None and query.action not in set(AuditAction):
            raise InvalidInput(f"unknown action {query.action!r}{_hint(query.action, AuditAction)}")
        if query.since and query.until and query.since > query.until:
            raise InvalidInput(
                f"--since {query.since.isoformat()} is after --until {query.until.isoformat()}"
            )
        paper = (
            self._paper_of(session, body_row, query.paper, for_update=False)
            if query.paper
            else None
        )
        return repository.audit_search(
            session,
            body_row.id,
            paper_id=paper.id if paper else None,
            actor=query.actor,
            action=query.action,
            paper_type=catalog.paper_type(query.paper_type).id if query.paper_type else None,
            organization=catalog.organization(query.organization).id
            if query.organization
            else None,
            since=_local_midnight(query.since) if query.since else None,
            until=_local_midnight(query.until + dt.timedelta(days=1)) if query.until else None,
            meeting_id=self._meeting(session, body_row, query.meeting).id
            if query.meeting is not None
            else None,
        )

    @staticmethod
    def _check_seal_database(session: Session, seal: Seal) -> None:
        sealed = set(seal.database.get("bodies") or ())
        present = {b.id for b in repository.list_bodies(session)}
        if sealed and not sealed & present:
            raise InvalidInput(
                f"the seal was taken of another database ({seal.database.get('location')}, "
                f"municipalities {', '.join(sorted(sealed))}); pass that one with --database"
            )

    # -- deadlines (read-only) -----------------------------------------------------------------

    def check_path(self, number: str, *, body: str | None = None) -> list[StepCheck]:
        """Each step's deadlines, and whether earlier results reach its invitation in time.

        The rules are those of the definitions version the paper was created under.
        :raises NotFoundError: no such paper.
        """
        with self.db.read() as session:
            paper = self._paper(session, body, number)
            catalog = self._catalog(session, paper.definitions_version)
            final = {s.id for s in catalog.lifecycle("consultation").states if s.final}
            steps = [
                PathStep(
                    position=c.position,
                    organization_id=c.organization_id,
                    organization_name=catalog.organization_name(c.organization_id),
                    role=c.role,
                    date=c.date or c.planned_date,
                    cancelled=c.state in final and c.outcome is None,
                )
                for c in paper.consultations
            ]
            cal = catalog.calendar()
            planned = catalog.lifecycle("meeting").initial
            return [
                self._propose_meeting(session, paper.body_id, cal, planned, check)
                for check in check_path(cal, catalog.deadlines, steps)
            ]

    @staticmethod
    def _propose_meeting(
        session: Session, body_id: str, cal: WorkingCalendar, planned: str, check: StepCheck
    ) -> StepCheck:
        """Name the Gremium's first planned (not yet invited) meeting on or after the
        earliest date a step flagged as Nachtrag could move to."""
        if check.proposed_date is None:
            return check
        since = cal.end_of_day(check.proposed_date - dt.timedelta(days=1))
        meeting = session.scalars(
            select(Meeting)
            .where(
                Meeting.body_id == body_id,
                Meeting.organization_id == check.organization_id,
                Meeting.state == planned,
                Meeting.start >= since,
            )
            .order_by(Meeting.start, Meeting.id)
            .limit(1)
        ).first()
        if meeting is None:
            return replace(check, message=check.message + "; keine geplante Sitzung ab dann")
        when = meeting.start.astimezone(cal.tz).strftime("%d.%m.%Y %H:%M")
        return replace(
            check,
            proposed_meeting=meeting.id,
            message=f"{check.message}; nächste geplante Sitzung ab dann: Nr. {meeting.id} "
            f"am {when}",
        )

    def list_deadlines(
        self,
        *,
        body: str | None = None,
        paper: str | None = None,
        organization: str | None = None,
        office: str | None = None,
        user: str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> list[DeadlineEntry]:
        """Open deadlines: Vorlagenschluss, Ladung, Mitzeichnung of papers not yet decided, and
        the Beschlusskontrolle reports (each open implementation task's next report, else the
        first report of an adopted paper). Met ones are left out: a Vorlagenschluss once the
        paper is released, a Ladung once the step's meeting is invited.

        ``user`` keeps the papers and co-signatures of the user's offices; a user without
        offices (Sitzungsdienst, auditors) sees every deadline.
        :raises NotFoundError: unknown paper, organization, office or user.
        :raises InvalidInput: the period ends before it starts.
        """
        if start and end and start > end:
            raise InvalidInput(f"--from {start.isoformat()} is after --to {end.isoformat()}")
        now = self.clock.now()
        with self.db.read() as session:
            body_row = self._body(session, body)
            current = self._catalog(session, body_row.definitions_version)
            offices = set(current.user(user).offices) if user else set()
            if office:
                offices = {current.office(office).id} | (offices if user else set())
            if organization:
                current.organization(organization)
            rows = (
                [self._paper_of(session, body_row, paper, for_update=False)]
                if paper
                else repository.list_papers(session, body_row.id)
            )
            entries = [
                entry
                for row in rows
                for entry in self._open_deadlines(session, row, now)
                if (not organization or entry.organization_id == organization)
                and (not offices or row.office_id in offices or entry.organization_id in offices)
                and (start is None or entry.deadline.day >= start)
                and (end is None or entry.deadline.day <= end)
            ]
            return sorted(entries, key=lambda e: (e.deadline.due, e.paper, e.position or 0))

    def _open_deadlines(
        self, session: Session, paper: Paper, now: dt.datetime
    ) -> list[DeadlineEntry]:
        catalog = self._catalog(session, paper.definitions_version)
        reports = [
            DeadlineEntry(
                paper=paper.number,
                title=paper.title,
                position=r.step.position if r.step else None,
                organization_id=r.office_id,
                organization_name=catalog.organization_name(r.office_id),
                meeting=None,
                deadline=r.deadline,
                overdue=r.deadline.due <= now,
                task=r.task.id if r.task else None,
            )
            for r in report_deadlines(catalog, self._paper_facts(session, catalog, paper))
        ]
        if catalog.lifecycle("paper").state(paper.state).final:
            return reports
        cal, rules = catalog.calendar(), catalog.deadlines
        final = {s.id for s in catalog.lifecycle("consultation").states if s.final}
        found: list[tuple[str, int | None, dt.date | None, Deadline]] = []
        for step in paper.consultations:
            meeting = step.date or step.planned_date
            if step.state in final or meeting is None:
                continue
            name = catalog.organization_name(step.organization_id)
            for deadline in step_deadlines(
                cal, rules.for_organization(step.organization_id), meeting, name
            ):
                if not _deadline_met(session, paper, step, deadline):
                    found.append((step.organization_id, step.position, meeting, deadline))
        for office, deadline in co_signing_deadlines(session, catalog, paper).items():
            found.append((office, None, None, deadline))
        return [
            DeadlineEntry(
                paper=paper.number,
                title=paper.title,
                position=position,
                organization_id=org_id,
                organization_name=catalog.organization_name(org_id),
                meeting=meeting,
                deadline=deadline,
                overdue=deadline.due <= now,
            )
            for org_id, position, meeting, deadline in found
        ] + reports

    # -- reminders -----------------------------------------------------------------------------

    def _sync_reminders(self, catalog: Catalog, paper: Paper, actor: str | None = None) -> None:
        """Keep the paper's reminders in step with it, in the caller's transaction.

        Called through ``_paper_changed`` by every paper-changing method, including meeting
        changes that schedule or unschedule a step, by ``create_paper``, and by the meeting's
        invitation for the papers on its agenda. The changes are audited as ``actor``'s,
        by default as the user whose change to the paper was recorded last.
        """
        session = Session.object_session(paper)
        if session is None or catalog.deadlines.reminders is None:
            return
        if any(c.id is None for c in paper.consultations):
            session.flush()
        now = self.clock.now()
        plans = plan_reminders(catalog, self._paper_facts(session, catalog, paper))
        changes = reminder_store.apply_plan(
            session, body_id=paper.body_id, paper_id=paper.id, plans=plans, now=now
        )
        for change in changes:
            append_event(
                session,
                stream=paper_stream(paper.id),
                occurred_at=now,
                actor=actor or session.info.get(_ACTOR, "ratsweg"),
                action=change.action.value,
                paper_id=paper.id,
                payload=change.payload,
            )

    @staticmethod
    def _paper_facts(session: Session, catalog: Catalog, paper: Paper) -> PaperFacts:
        pending = [c for c in paper.co_signatures if c.state == CoSignatureState.PENDING.value]
        requested = co_signature_requests(session, paper.id) if pending else {}
        return PaperFacts(
            id=paper.id,
            number=paper.number,
            title=paper.title,
            office_id=paper.office_id,
            state=paper.state,
            final=catalog.lifecycle("paper").state(paper.state).final,
            released=paper.frozen,
            steps=tuple(
                StepFacts(
                    consultation_id=c.id,
                    position=c.position,
                    organization_id=c.organization_id,
                    role=c.role,
                    open=c.state in OPEN_STEP_STATES,
                    date=c.date or c.planned_date,
                    meeting_id=c.meeting_id,
                )
                for c in sorted(paper.consultations, key=lambda c: c.position)
            ),
            pending_co_signatures=tuple(
                (c.office_id, requested[c.office_id]) for c in pending if c.office_id in requested
            ),
            **task_facts(session, paper.id),
        )

    def claim_and_lease(
        self, *, worker: str, limit: int, lease: dt.timedelta
    ) -> tuple[int, list[OutboxMessage]]:
        """One transaction per batch: lease queued retries and lapsed leases first, then claim
        due reminders into new outbox rows for the rest of the batch, leased to ``worker``
        before anyone else sees them. Returns (claimed, leased messages)."""
        with self.db.write() as session:
            return reminder_store.claim_and_lease(
                session, now=self.clock.now(), limit=limit, worker=worker, lease=lease
            )

    def finish_messages(
        self,
        *,
        worker: str,
        delivered: Sequence[int],
        failures: Sequence[DeliveryFailure],
        max_attempts: int,
        backoff: dt.timedelta,
        refused: Mapping[int, Sequence[RefusedRecipient]] | None = None,
        released: Sequence[int] = (),
    ) -> tuple[int, int, int]:
        """Mark delivered messages sent (with a ``reminder_sent`` audit event each), schedule
        retries with exponential backoff, park the ones out of attempts as failed.

        ``refused`` maps the outbox id of a delivered message to the recipients the server
        refused while it accepted the others; they are stored with the message and named in
        its ``reminder_sent`` event. A failure of the mail setup is retried without counting
        the attempt; ``released`` messages were not tried and are deliverable again at once.
        Returns (sent, retried, failed).
        """
        with self.db.write() as session:
            return reminder_store.finish_delivery(
                session,
                worker=worker,
                now=self.clock.now(),
                delivered=delivered,
                refused=refused or {},
                failures=failures,
                max_attempts=max_attempts,
                backoff=backoff,
                released=released,
            )

    def list_reminders(
        self,
        states: Sequence[ReminderState],
        *,
        body: str | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[ReminderView]:
        """Reminders in ``states``: earliest due first, or the most recently changed first;
        at most ``limit`` of them (all without one)."""
        with self.db.read() as session:
            body_row = self._body(session, body)
            rows = reminder_store.list_reminders(
                session,
                body_id=body_row.id,
                states=[s.value for s in states],
                limit=limit,
                newest_first=newest_first,
            )
            return [_reminder_view(r, o, n) for r, o, n in rows]

    def retry_reminder(
        self, reminder_id: int, *, user: str | None, body: str | None = None
    ) -> ReminderView:
        """Queue a parked (failed) reminder again; session office or admin only.

        :raises PermissionDenied: the user is neither.
        :raises NotFoundError: no such reminder in the body.
        :raises InvalidInput: the reminder is not failed.
        """
        with self.db.write() as session:
            body_row = self._body(session, body)
            actor = self._actor(self._catalog(session, body_row.definitions_version), user)
            if not actor.roles & {Role.SESSION_OFFICE, Role.ADMIN}:
                raise PermissionDenied(
                    f"{actor.user_id!r} may not retry reminders: needs one of the roles "
                    "admin, session_office"
                )
            row = reminder_store.get_reminder(session, reminder_id)
            if row is None or row.body_id != body_row.id:
                raise NotFoundError(f"no reminder {reminder_id} in {body_row.name}")
            if not reminder_store.retry_failed(
                session, reminder_id, now=self.clock.now(), actor=actor.user_id
            ):
                raise InvalidInput(
                    f"reminder {reminder_id} is {row.state}, not failed; only parked reminders "
                    "can be retried"
                )
            number = session.get_one(Paper, row.paper_id).number if row.paper_id else None
            return _reminder_view(row, None, number)

    # -- helpers -------------------------------------------------------------------------------

    def _catalog(self, session: Session, version: str) -> Catalog:
        with self._catalog_lock:
            cached = self._catalogs.get(version)
        if cached is not None:
            return cached
        files = repository.get_definition_files(session, version)
        if files is None:
            raise NotFoundError(f"definitions version {version[:12]!r} is not in the database")
        catalog = definitions.catalog_from_files(files, source=f"database:{version[:12]}")
        with self._catalog_lock:
            self._catalogs[version] = catalog
        return catalog

    def _body(self, session: Session, body_id: str | None) -> BodyRow:
        if body_id:
            row = repository.get_body(session, body_id)
            if row is None:
                raise not_found(
                    "municipality", body_id, [b.id for b in repository.list_bodies(session)]
                )
            return row
        bodies = repository.list_bodies(session)
        if len(bodies) == 1:
            return bodies[0]
        if not bodies:
            raise NotFoundError(
                "no municipality in this database; run 'ratsweg init --definitions DIR' first"
            )
        names = ", ".join(b.id for b in bodies)
        raise InvalidInput(f"this database holds several municipalities ({names}); pass --body")

    def _paper(
        self, session: Session, body: str | None, number: str, *, for_update: bool = False
    ) -> Paper:
        return self._paper_of(session, self._body(session, body), number, for_update=for_update)

    @staticmethod
    def _paper_of(session: Session, body: BodyRow, number: str, *, for_update: bool) -> Paper:
        paper = repository.get_paper(session, body.id, number, for_update=for_update)
        if paper is None:
            known = repository.paper_numbers(session, body.id)
            raise NotFoundError(f"no paper {number!r} in {body.name}" + did_you_mean(number, known))
        return paper

    def _lock(
        self, session: Session, body: str | None, number: str, user: str | None
    ) -> tuple[Paper, Catalog, Actor]:
        """Lock the paper row for this transaction; resolve its catalog and the actor.

        The actor comes from the body's current definitions (users change over time); the
        paper's rules come from the version it was created under.
        """
        body_row = self._body(session, body)
        paper = self._paper_of(session, body_row, number, for_update=True)
        catalog = self._catalog(session, paper.definitions_version)
        current = self._catalog(session, body_row.definitions_version)
        return paper, catalog, self._actor(current, user)

    @staticmethod
    def _actor(catalog: Catalog, user: str | None) -> Actor:
        if not user:
            raise PermissionDenied("no user given; pass --as USER or set RATSWEG_USER")
        known = catalog.user(user)
        return Actor(user_id=known.id, name=known.name, roles=known.roles, offices=known.offices)

    @staticmethod
    def _require(
        catalog: Catalog, actor: Actor, action: Action, target: str, office: str | None = None
    ) -> None:
        roles = catalog.permissions[action]
        if not actor.roles & roles:
            raise PermissionDenied(
                f"{actor.user_id!r} may not do {action.value} on {target}: needs one of the roles "
                f"{', '.join(sorted(roles))}"
            )
        privileged = actor.roles & {Role.SESSION_OFFICE, Role.ADMIN}
        if office and not privileged and office not in actor.offices:
            raise PermissionDenied(
                f"{actor.user_id!r} does not belong to office {office!r} and may not act for it"
            )

    def _require_editable(self, catalog: Catalog, actor: Actor, paper: Paper, what: str) -> None:
        self._require(catalog, actor, Action.PAPER_EDIT, paper.number)
        if paper.frozen or catalog.lifecycle("paper").state(paper.state).final:
            raise TransitionNotAllowed(
                paper.number,
                paper.state,
                what,
                self.engine.paper_triggers(catalog, paper.state),
                "a released paper is frozen; its Beratungsfolge can only be edited before release",
            )

    def _require_path_edit(
        self, catalog: Catalog, actor: Actor, paper: Paper, what: str, reason: str | None
    ) -> bool:
        """May ``actor`` change the planned path now? True when the paper is released (then
        only the session office may, and only with a reason)."""
        if not paper.frozen:
            self._require_editable(catalog, actor, paper, what)
            return False
        open_steps = any(c.state in OPEN_STEP_STATES for c in paper.consultations)
        in_path = paper.state in ("released", "in_consultation") or open_steps
        if catalog.lifecycle("paper").state(paper.state).final or not in_path:
            raise TransitionNotAllowed(
                paper.number,
                paper.state,
                what,
                self.engine.paper_triggers(catalog, paper.state),
                "its path is closed",
            )
        self._require(catalog, actor, Action.PAPER_ROUTE, paper.number)
        if not (reason and reason.strip()):
            raise InvalidInput(
                f"{paper.number} is released; changing its Beratungsfolge needs a reason "
                "(pass --reason TEXT)"
            )
        return True

    @staticmethod
    def _check_open(paper: Paper, step: Consultation, what: str) -> None:
        if step.state not in OPEN_STEP_STATES:
            raise InvalidInput(
                f"cannot {what} step {step.position} of {paper.number}: it is already "
                f"{step.state}; only steps not yet dealt with can change"
            )

    @staticmethod
    def _check_path(catalog: Catalog, paper: Paper) -> None:
        """A released paper's open steps must still lead to exactly one concluding step, last
        and alone on its level, of a role its paper type allows (``catalog``: the paper's
        definitions version)."""
        if not paper.frozen:
            return
        roles = [
            c.role
            for c in sorted(paper.consultations, key=lambda c: c.position)
            if c.state in OPEN_STEP_STATES
        ]
        check_concluding(rules_type(catalog, paper), paper.number, roles)
        open_steps = sorted(
            (c for c in paper.consultations if c.state in OPEN_STEP_STATES),
            key=lambda c: c.position,
        )
        concluding = [c for c in open_steps if ConsultationRole(c.role).concludes]
        if not concluding:
            raise InvalidInput(
                f"{paper.number} would have no Entscheidung or Kenntnisnahme left; keep or add "
                "a concluding step"
            )
        last = concluding[-1]
        if len(concluding) > 1 or last is not open_steps[-1]:
            raise InvalidInput(
                f"{paper.number} may have one concluding step only, at the end of its path "
                f"(found {', '.join(str(c.position) for c in concluding)})"
            )
        if any(c.level == last.level for c in open_steps if c is not last):
            raise InvalidInput("the concluding step must be alone on the last level")

    def _ctx(self, session: Session, catalog: Catalog, actor: Actor, paper: Paper) -> FlowContext:
        def record(
            action: AuditAction, before: str | None, after: str | None, payload: dict[str, Any]
        ) -> None:
            self._record(session, paper, actor, action, before, after, payload)

        def insert_step(
            after: ConsultationRecord,
            *,
            organization: str,
            role: ConsultationRole,
            public: bool | None,
            planned_date: dt.date | None,
            note: str,
        ) -> ConsultationRecord:
            org = catalog.body_organization(organization)
            steps = sorted(paper.consultations, key=lambda c: c.position)
            at = max(c.position for c in steps if c.level <= after.level) + 1
            for step in steps:
                if step.level > after.level:
                    step.level += 1
                if step.position >= at:
                    step.position += 1
            new = _new_step(catalog, org, role, public, planned_date, at, after.level + 1, note)
            paper.consultations.insert(at - 1, new)
            payload = step_payload(new) | {"reason": note}
            record(AuditAction.CONSULTATION_ADDED, None, new.state, payload)
            return new

        return FlowContext(
            catalog=catalog, actor=actor, record=record, paper=paper, insert_step=insert_step
        )

    def _record(
        self,
        session: Session,
        paper: Paper,
        actor: Actor,
        action: AuditAction,
        before: str | None,
        after: str | None,
        payload: dict[str, Any],
    ) -> None:
        session.info[_ACTOR] = actor.user_id  # reminder changes are audited as this user's
        append_event(
            session,
            stream=paper_stream(paper.id),
            occurred_at=self.clock.now(),
            actor=actor.user_id,
            action=action.value,
            paper_id=paper.id,
            from_state=before,
            to_state=after,
            payload=payload,
        )

    def _touch(self, catalog: Catalog, paper: Paper) -> PaperView:
        self._paper_changed(catalog, paper)
        return self._view(catalog, paper)

    def _paper_changed(self, catalog: Catalog, paper: Paper) -> None:
        """What every change to a paper ends with, in its transaction: the modification time
        and the reminders kept in step with the paper's new state."""
        paper.modified_at = self.clock.now()
        self._sync_reminders(catalog, paper)

    def record_imported_result(
        self,
        session: Session,
        paper: Paper,
        catalog: Catalog,
        actor: Actor,
        entry: ResultEntry,
        *,
        origin: Mapping[str, str],
    ) -> list[str]:
        """Record a result taken over from another system (``ratsweg oparl import``) on a
        paper locked in the caller's transaction, exactly as ``record_result`` does; the
        audit payload also names its ``origin`` (the OParl id and the file or URL it was
        read from). Returns the warnings."""
        return self._apply_result(session, paper, catalog, actor, entry, origin)

    def _view(self, catalog: Catalog, paper: Paper) -> PaperView:
        view = paper_view(catalog, paper, self.engine.paper_triggers(catalog, paper.state))
        session = Session.object_session(paper)
        if session is None:
            return view
        origin, chain = chain_numbers(session, paper)
        view = replace(
            view,
            origin=origin,
            supplement_no=paper.supplement_no,
            chain=chain,
            faction=paper.faction,
            members=tuple(paper.members or ()),
            answer=paper.answer,
            answer_date=paper.answer_date,
        )
        return self._with_co_signing_due(session, catalog, paper, view)


class AuditEventStream:
    """Events of an open read transaction: iterate once; ``count()`` runs the same query."""

    def __init__(self, session: Session, statement: Any) -> None:
        self._session, self._statement = session, statement

    def count(self) -> int:
        return repository.count_rows(self._session, self._statement)

    def __iter__(self) -> Iterator[AuditEventView]:
        rows = self._session.execute(self._statement.execution_options(yield_per=2000))
        try:
            for row in rows:
                yield audit_event_view(row, row.paper_number)
        finally:
            rows.close()


def _require_role(actor: Actor, roles: set[Role], what: str) -> None:
    if not actor.roles & roles:
        raise PermissionDenied(
            f"{actor.user_id!r} may not {what}: needs one of the roles {', '.join(sorted(roles))}"
        )


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=BERLIN)


def _body_view(body: BodyRow) -> BodyView:
    return BodyView(
        id=body.id,
        name=body.name,
        state=body.state,
        definitions_version=body.definitions_version,
        loaded_at=body.loaded_at,
    )


def _step(paper: Paper, position: int) -> Consultation:
    for step in paper.consultations:
        if step.position == position:
            return step
    count = len(paper.consultations)
    raise NotFoundError(f"{paper.number} has no step {position} (its path has {count} steps)")


def _agenda_target(meeting: Any, item: MinutesItem) -> Consultation:
    """The consultation behind a minutes item (by TOP number or by paper)."""
    agenda = [a for a in meeting.agenda_items if a.consultation is not None]
    if item.top is not None:
        wanted = item.top.replace(" ", "").casefold()
        found = [
            a
            for a in meeting.agenda_items
            if (a.number or "").replace(" ", "").casefold() == wanted
        ]
        if not found:
            numbers = [a.number for a in meeting.agenda_items if a.number]
            hint = (
                f" (TOPs: {', '.join(numbers)})" if numbers else " (the agenda is not numbered yet)"
            )
            raise InvalidInput(f"{item.where}: meeting {meeting.id} has no TOP {item.top!r}{hint}")
        if found[0].consultation is None:
            raise InvalidInput(f"{item.where}: TOP {item.top} is no paper's consultation")
        return cast(Consultation, found[0].consultation)
    matches = [a for a in agenda if a.consultation.paper.number == item.paper]
    if not matches:
        papers = sorted({a.consultation.paper.number for a in agenda})
        raise InvalidInput(
            f"{item.where}: paper {item.paper!r} is not on the agenda of meeting {meeting.id}"
            + (
                did_you_mean(item.paper or "", papers)
                or f" (papers: {', '.join(papers) or 'none'})"
            )
        )
    if len(matches) > 1:
        raise InvalidInput(f"{item.where}: paper {item.paper} is on the agenda twice; name the TOP")
    return cast(Consultation, matches[0].consultation)


def _new_step(
    catalog: Catalog,
    org: Organization,
    role: ConsultationRole,
    public: bool | None,
    planned_date: dt.date | None,
    position: int,
    level: int,
    note: str | None,
) -> Consultation:
    """A planned step; publicity defaults to the organization's."""
    return Consultation(
        position=position,
        level=level,
        organization_id=org.id,
        role=role.value,
        public=org.public if public is None else public,
        state=catalog.lifecycle("consultation").initial,
        planned_date=planned_date,
        note=note,
    )


def _next_level(steps: Iterable[Consultation]) -> int:
    return max((c.level for c in steps), default=0) + 1


def _relevel(steps: Sequence[Consultation]) -> None:
    """Number the levels 1, 2, ... in path order; neighbours that shared a level still do."""
    old = [c.level for c in steps]
    level = 0
    for index, step in enumerate(steps):
        if index == 0 or old[index] != old[index - 1]:
            level += 1
        step.level = level


def _parse_role(role: str) -> ConsultationRole:
    try:
        return ConsultationRole(role)
    except ValueError:
        raise InvalidInput(f"unknown role {role!r}{_hint(role, ConsultationRole)}") from None


def _parse_outcome(catalog: Catalog, text: str) -> Outcome:
    """A normalised outcome, or a label the municipality's definitions map onto one."""
    outcome = catalog.procedure.outcome(text)
    if outcome is None:
        known = [o.value for o in Outcome] + sorted(catalog.procedure.outcome_labels)
        hint = did_you_mean(text, known) or f" (use one of {', '.join(o.value for o in Outcome)})"
        raise InvalidInput(f"unknown result {text!r}{hint}")
    return outcome


def _hint(value: str, enum: Iterable[Any]) -> str:
    values = [str(e.value) for e in enum]
    return did_you_mean(value, values) or f" (use one of {', '.join(values)})"


_COUNTS = {
    "yes": Ballot.YES,
    "no": Ballot.NO,
    "abstain": Ballot.ABSTAIN,
    "biased": Ballot.BIASED,
    "not_participating": Ballot.NOT_PARTICIPATING,
    "absent": Ballot.ABSENT,
}


def _complete_vote(vote: VoteCount) -> VoteCount:
    """Check the counts; with named ballots, derive missing counts and refuse contradictions."""
    for name in _COUNTS:
        count = getattr(vote, name)
        if count is not None and count < 0:
            raise InvalidInput(f"vote {vote.subject!r}: count {name}={count} is negative")
    if not vote.named:
        return vote
    members = Counter(n.member for n in vote.named)
    twice = sorted(m for m, k in members.items() if k > 1)
    if twice:
        raise InvalidInput(f"vote {vote.subject!r}: {', '.join(twice)} named more than once")
    tally = Counter(n.ballot for n in vote.named)
    for name, ballot in _COUNTS.items():
        given = getattr(vote, name)
        if given is not None and given != tally[ballot]:
            raise InvalidInput(
                f"vote {vote.subject!r}: {name}={given} does not match the {tally[ballot]} "
                f"named {ballot.value} ballots"
            )
    return replace(
        vote,
        yes=tally[Ballot.YES],
        no=tally[Ballot.NO],
        abstain=tally[Ballot.ABSTAIN],
        biased=tally[Ballot.BIASED],
        not_participating=tally[Ballot.NOT_PARTICIPATING],
        absent=tally[Ballot.ABSENT],
    )


def _check_votes(
    rule: VotingRule, org: Organization, result: Outcome, votes: Sequence[VoteCount]
) -> list[str]:
    """Quorum and majority doubts as warnings (domain.md 2.9, 2.10); impossible counts refused.

    Quorum is computed both with and without the members excluded as befangen, because it
    is disputed whether they count as present.
    """
    warnings: list[str] = []
    seats = org.seats
    needed = math.floor(seats * rule.quorum_share) + 1 if seats else None
    for vote in votes:
        counts = [vote.yes, vote.no, vote.abstain, vote.biased, vote.not_participating]
        if all(c is None for c in counts):
            continue
        present = sum(c or 0 for c in counts)
        if seats and present + (vote.absent or 0) > seats:
            raise InvalidInput(
                f"vote {vote.subject!r} counts {present + (vote.absent or 0)} members, but "
                f"{org.name} has {seats} seats; check the counts or 'seats' in organizations.yaml"
            )
        if needed is None:
            continue
        biased = vote.biased or 0
        if present < needed:
            warnings.append(
                f"{org.name} was not quorate for {vote.subject!r}: {present} of {seats} "
                f"members present, {needed} needed"
            )
        elif present - biased < needed:
            warnings.append(
                f"{org.name} was quorate for {vote.subject!r} only if the {biased} members "
                f"excluded as befangen count as present ({present - biased} without them, "
                f"{needed} needed)"
            )
    main = [v for v in votes if v.kind is VoteKind.MAIN and v.yes is not None]
    if main:
        vote = main[-1]
        against = (vote.no or 0) + ((vote.abstain or 0) if rule.abstentions_count else 0)
        carried = vote.yes is not None and vote.yes > against
        basis = "Nein and Enthaltungen" if rule.abstentions_count else "Nein"
        counted = f"Ja {vote.yes} against {against} {basis}"
        positive = {ResultEffect.ADOPT, ResultEffect.APPROVE, ResultEffect.RECOMMEND}
        if result.effect in positive and not carried:
            warnings.append(f"{result.label!r}, but the main vote has no majority ({counted})")
        if result.effect is ResultEffect.REJECT and carried:
            warnings.append(f"{result.label!r}, but the main vote has a majority ({counted})")
    return warnings


def _vote_row(position: int, vote: VoteCount) -> Vote:
    return Vote(
        position=position,
        subject=vote.subject,
        kind=vote.kind.value,
        yes=vote.yes,
        no=vote.no,
        abstain=vote.abstain,
        biased=vote.biased,
        not_participating=vote.not_participating,
        absent=vote.absent,
        label=vote.label,
        raw=vote.raw,
        named=[{"member": n.member, "ballot": n.ballot.value} for n in vote.named] or None,
    )


def _deadline_met(session: Session, paper: Paper, step: Consultation, deadline: Deadline) -> bool:
    """Whether ``deadline`` of an open step no longer waits for anything: the Vorlagenschluss
    once the paper is released (the submission is in), the Ladung once the step's meeting is
    invited. The urgent Ladung is an alternative to the Ladung, never a deadline of its own."""
    if deadline.kind is DeadlineKind.URGENT_INVITATION:
        return True
    if deadline.kind is DeadlineKind.SUBMISSION_CUTOFF:
        return paper.frozen
    if deadline.kind is DeadlineKind.INVITATION and step.meeting_id is not None:
        meeting = session.get(Meeting, step.meeting_id)
        return meeting is not None and meeting.invited_at is not None
    return False


def _reminder_view(row: Any, outbox: Any, number: str | None) -> ReminderView:
    return ReminderView(
        id=row.id,
        key=row.key,
        kind=ReminderKind(row.kind),
        state=ReminderState(row.state),
        paper=number,
        due_at=row.due_at,
        escalate_at=row.escalate_at,
        recipients=tuple(row.recipients),
        subject=row.subject,
        attempts=outbox.attempts if outbox is not None else 0,
        sent_at=row.sent_at,
        last_error=outbox.last_error if outbox is not None else None,
        claimed_by=row.claimed_by,
        refused=tuple(
            RefusedRecipient(r["address"], r["code"], r["reply"])
            for r in (outbox.refused if outbox is not None and outbox.refused else ())
        ),
    )
