"""THE API of ratsweg: ``WorkflowService``. One method is one transaction.

Every method returns frozen values from ``workflow.model``, never ORM rows, and every change
appends its audit events in the same transaction as the change itself.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from storage import repository
from storage.audit import append_event, body_stream, paper_stream, verify_chains
from storage.roles import AUDIT_PRIVILEGES, grant_app_role
from storage.schema import Body as BodyRow
from storage.schema import Consultation, CoSignature, DefinitionVersion, Paper, Vote
from storage.session import Database
from workflow import definitions
from workflow.catalog import Catalog
from workflow.clock import BERLIN, Clock
from workflow.engine import FlowContext, WorkflowEngine
from workflow.errors import (
    InvalidInput,
    NotFoundError,
    PermissionDenied,
    TransitionNotAllowed,
    did_you_mean,
    not_found,
)
from workflow.model import (
    Action,
    Actor,
    AppRole,
    AuditAction,
    AuditEventView,
    AuditQuery,
    BodyView,
    ChainHead,
    ConsultationRole,
    CoSignatureState,
    Outcome,
    PaperSummary,
    PaperView,
    ResultEffect,
    Role,
    Seal,
    VerifyReport,
    VoteCount,
)
from workflow.seal import root_hash
from workflow.views import audit_event_view, paper_summary, paper_view

#: Outcomes each role of step may record (Vorberatung results are recommendations).
ALLOWED_EFFECTS = {
    ConsultationRole.VORBERATUNG: {
        ResultEffect.RECOMMEND,
        ResultEffect.REJECT,
        ResultEffect.ADOPT,
        ResultEffect.NOTE,
    },
    ConsultationRole.ANHOERUNG: {
        ResultEffect.RECOMMEND,
        ResultEffect.REJECT,
        ResultEffect.ADOPT,
        ResultEffect.NOTE,
    },
    ConsultationRole.ENTSCHEIDUNG: {ResultEffect.ADOPT, ResultEffect.REJECT},
    ConsultationRole.KENNTNISNAHME: {ResultEffect.NOTE},
}


class WorkflowService:
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
    ) -> PaperView:
        """Create a paper in the lifecycle's initial state, numbered gap-free per type and year.

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
            offices = [catalog.office(p).id for p in dict.fromkeys(participants)]
            if origin.id in offices:
                raise InvalidInput(f"{origin.id!r} writes the paper and cannot also co-sign it")
            steps = catalog.route(route).steps if route else ()
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
            )
            initial = catalog.lifecycle("consultation").initial
            for position, step in enumerate(steps, start=1):
                org = catalog.organization(step.organization)
                planned = planned_dates[position - 1] if position <= len(planned_dates) else None
                paper.consultations.append(
                    Consultation(
                        position=position,
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
                    "consultations": [_step_payload(c) for c in paper.consultations],
                    "definitions_version": catalog.version,
                },
            )
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
        return self._paper_trigger(number, "submit", user, body)

    def release_paper(self, number: str, *, user: str | None, body: str | None = None) -> PaperView:
        """Release (freeze) the paper once every participating office has signed."""
        return self._paper_trigger(number, "release", user, body)

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
                {"office": office_row.id, "comment": comment},
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
        body: str | None = None,
    ) -> PaperView:
        """Insert a step into the planned path (before release only)."""
        step_role = _parse_role(role)
        with self.db.write() as session:
            paper, catalog, actor = self._lock(session, body, number, user)
            self._require_editable(catalog, actor, paper, "add a step to")
            org = catalog.body_organization(organization)
            steps = list(paper.consultations)
            at = len(steps) + 1 if position is None else position
            if not 1 <= at <= len(steps) + 1:
                raise InvalidInput(f"position {at} is outside 1..{len(steps) + 1}")
            for step in steps[at - 1 :]:
                step.position += 1
            new = Consultation(
                position=at,
                organization_id=org.id,
                role=step_role.value,
                public=org.public if public is None else public,
                state=catalog.lifecycle("consultation").initial,
                planned_date=planned_date,
            )
            paper.consultations.insert(at - 1, new)
            self._record(
                session,
                paper,
                actor,
                AuditAction.CONSULTATION_ADDED,
                None,
                new.state,
                _step_payload(new),
            )
            return self._touch(catalog, paper)

    def remove_consultation(
        self, number: str, *, user: str | None, position: int, body: str | None = None
    ) -> PaperView:
        """Remove a planned step (before release only)."""
        with self.db.write() as session:
            paper, catalog, actor = self._lock(session, body, number, user)
            self._require_editable(catalog, actor, paper, "remove a step from")
            step = _step(paper, position)
            paper.consultations.remove(step)
            for later in paper.consultations:
                if later.position > position:
                    later.position -= 1
            self._record(
                session,
                paper,
                actor,
                AuditAction.CONSULTATION_REMOVED,
                step.state,
                None,
                _step_payload(step),
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
        body: str | None = None,
    ) -> PaperView:
        """Record the result of one step; the result of the concluding step decides the paper.

        :raises TransitionNotAllowed: the paper is not released, the step is already held, or
            an earlier step has no result yet.
        :raises InvalidInput: the outcome does not fit the step's role, or a vote is wrong.
        """
        result = _parse_outcome(outcome)
        for vote in votes:
            _check_vote(vote)
        with self.db.write() as session:
            paper, catalog, actor = self._lock(session, body, number, user)
            self._require(catalog, actor, Action.CONSULTATION_RECORD, paper.number)
            step = _step(paper, position)
            role = ConsultationRole(step.role)
            if result.effect not in ALLOWED_EFFECTS[role]:
                fitting = [o.value for o in Outcome if o.effect in ALLOWED_EFFECTS[role]]
                raise InvalidInput(
                    f"{result.value!r} does not fit step {position} ({role.value}); "
                    f"use one of {', '.join(fitting)}"
                )
            ctx = self._ctx(session, catalog, actor, paper)
            self._begin_consultation(ctx, paper, catalog)
            when = date or step.date or step.planned_date
            if when is None:
                raise InvalidInput(
                    f"step {position} of {paper.number} has no meeting date; pass --date YYYY-MM-DD"
                )
            if step.state == catalog.lifecycle("consultation").initial:
                self.engine.fire_consultation(ctx, step, "schedule", date=when)
            step.date = when
            step.outcome, step.result_label = result.value, label or result.label
            step.votes = [
                Vote(
                    position=i,
                    subject=v.subject,
                    yes=v.yes,
                    no=v.no,
                    abstain=v.abstain,
                    biased=v.biased,
                    label=v.label,
                )
                for i, v in enumerate(votes, start=1)
            ]
            self._record(
                session,
                paper,
                actor,
                AuditAction.RESULT_RECORDED,
                None,
                None,
                {
                    "position": position,
                    "organization": step.organization_id,
                    "date": when.isoformat() if when else None,
                    "outcome": result.value,
                    "label": step.result_label,
                    "votes": [v.as_dict() for v in votes],
                },
            )
            self.engine.fire_consultation(ctx, step, "hold", outcome=result.value)
            return self._touch(catalog, paper)

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
            events = repository.paper_events(session, paper_stream(paper.id))
            return [audit_event_view(e, paper.number) for e in events]

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

    def _ctx(self, session: Session, catalog: Catalog, actor: Actor, paper: Paper) -> FlowContext:
        def record(
            action: AuditAction, before: str | None, after: str | None, payload: dict[str, Any]
        ) -> None:
            self._record(session, paper, actor, action, before, after, payload)

        return FlowContext(catalog=catalog, actor=actor, record=record, paper=paper)

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
        paper.modified_at = self.clock.now()
        return self._view(catalog, paper)

    def _view(self, catalog: Catalog, paper: Paper) -> PaperView:
        return paper_view(catalog, paper, self.engine.paper_triggers(catalog, paper.state))


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


def _step_payload(step: Consultation) -> dict[str, Any]:
    return {
        "position": step.position,
        "organization": step.organization_id,
        "role": step.role,
        "public": step.public,
        "planned_date": step.planned_date.isoformat() if step.planned_date else None,
    }


def _parse_role(role: str) -> ConsultationRole:
    try:
        return ConsultationRole(role)
    except ValueError:
        raise InvalidInput(f"unknown role {role!r}{_hint(role, ConsultationRole)}") from None


def _parse_outcome(outcome: str) -> Outcome:
    try:
        return Outcome(outcome)
    except ValueError:
        raise InvalidInput(f"unknown result {outcome!r}{_hint(outcome, Outcome)}") from None


def _hint(value: str, enum: Iterable[Any]) -> str:
    values = [str(e.value) for e in enum]
    return did_you_mean(value, values) or f" (use one of {', '.join(values)})"


def _check_vote(vote: VoteCount) -> None:
    for name in ("yes", "no", "abstain", "biased"):
        count = getattr(vote, name)
        if count is not None and count < 0:
            raise InvalidInput(f"vote count {name}={count} is negative")
