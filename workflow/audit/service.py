"""The audit trail of papers, meetings and the municipality: reading, searching, exporting,
verifying, sealing and replaying it, and the read-only database roles of auditors."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy.orm import Session

from storage import repository
from storage import trail as trail_store
from storage.audit import (
    append_event,
    body_stream,
    paper_stream,
    verify_chains,
)
from storage.roles import AUDIT_PRIVILEGES, grant_app_role
from storage.schema import (
    Paper,
)
from workflow.audit.replay import (
    ReplayedPaper,
    ReplayProblem,
    ReplayReport,
    ReplayStatus,
    check_paper,
    replay_events,
)
from workflow.audit.seal import SealFile, root_hash
from workflow.audit.verification import chain_report, meeting_reports, seal_checks
from workflow.core.clock import BERLIN
from workflow.core.errors import (
    InvalidInput,
    NotFoundError,
)
from workflow.core.i18n import _
from workflow.core.model import (
    AppRole,
    AuditAction,
    AuditEventView,
    AuditQuery,
    ChainHead,
    Role,
    Seal,
    VerifyReport,
)
from workflow.papers.present import present
from workflow.papers.steps import (
    hint,
)
from workflow.papers.views import audit_event_view
from workflow.uow import (
    AUDIT_READERS,
    TRUSTED,
    Reader,
    Shared,
    UnitOfWork,
    actor_of,
    require_role,
)


class AuditService:
    """Read, search, export, seal, verify and replay the audit trail."""

    def __init__(self, shared: Shared) -> None:
        self._shared = shared

    def audit_trail(
        self, number: str, *, body: str | None = None, reader: str | Reader | None = TRUSTED
    ) -> list[AuditEventView]:
        with self._shared.read(body, reader, AUDIT_READERS) as uow:
            session = uow.session
            paper = uow.paper(number)
            events = repository.paper_trail(session, paper.id, paper_stream(paper.id))
            return [audit_event_view(e, paper.number) for e in events]

    def replay_audit(
        self,
        number: str | None = None,
        *,
        body: str | None = None,
        reader: str | Reader | None = TRUSTED,
    ) -> list[ReplayReport]:
        """Rebuild one paper (or every paper and meeting of the municipality) purely from its
        audit events and compare it with the stored one; each report names the first
        difference."""
        with self._shared.read(body, reader, AUDIT_READERS) as uow:
            session = uow.session
            body_row = uow.body()
            if number is not None:
                papers: Sequence[Paper] = [uow.paper(number, for_update=False)]
            else:
                papers = repository.list_papers(session, body_row.id)
            continued = _Continued(uow)
            reports = []
            for paper in papers:
                catalog = uow.catalog(paper.definitions_version)
                stored = present(uow, catalog, paper)
                reports.append(check_paper(continued.events(paper), uow.catalog, stored, continued))
            if number is None:
                reports.extend(meeting_reports(uow, body_row.id))
            return reports

    def verify_audit(
        self,
        seal: Seal | None = None,
        *,
        seals: Sequence[SealFile] = (),
        body: str | None = None,
        reader: str | Reader | None = TRUSTED,
    ) -> VerifyReport:
        """Recompute every hash chain and check that every municipality, paper and meeting has
        a chain that reaches its stored state; with a seal, also check that every sealed chain
        head is still the event at its (stream, seq); with ``seals`` (a folder's files), check
        each of them the same way and report per file. Names the first break and its paper."""
        sealed = {h.stream: (h.seq, h.hash) for h in seal.heads} if seal else None
        with self._shared.read(body, reader, AUDIT_READERS) as uow:
            session = uow.session
            if seal is not None:
                self._check_seal_database(session, seal)
            check = verify_chains(session, sealed=sealed)
            report = chain_report(uow, check)
            if seals:
                report = dataclasses.replace(report, seals=seal_checks(session, seals, check))
            if seal is None:
                return report
            after = check.events - check.sealed_seen if report.ok else None
            return dataclasses.replace(report, sealed_events=seal.events, events_after_seal=after)

    def seal_audit(self, *, user: str | None, body: str | None = None) -> Seal:
        """Verify every chain, then record the seal in the body's stream and return the heads
        of all chains (with that seal event) and their root hash, for a file kept elsewhere.

        :raises PermissionDenied: the user is neither auditor nor admin.
        :raises InvalidInput: a chain is broken (a broken trail is not sealed).
        """
        now = self._shared.clock.now()
        with self._shared.write(user, body) as uow:
            session = uow.session
            body_row = uow.body()
            actor = actor_of(uow.catalog(body_row.definitions_version), user)
            require_role(actor, {Role.AUDITOR, Role.ADMIN}, _("seal the audit trail"))
            check = verify_chains(session)
            if check.broken is not None:
                where = check.broken.stream
                raise InvalidInput(
                    _(
                        "the audit trail is broken in {where} at event {seq} ({reason}); "
                        "nothing was sealed; verify the audit trail"
                    ).format(where=where, seq=check.broken.seq, reason=check.broken.reason)
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
                    "dialect": self._shared.db.dialect,
                    "location": self._shared.db.location,
                    "bodies": [b.id for b in repository.list_bodies(session)],
                },
                heads=tuple(heads),
                root_hash=root_hash(heads),
            )

    def require_sealer(self, user: str | None, *, body: str | None = None) -> None:
        """Check, before a worker starts sealing as ``user``, that the user may seal.

        :raises PermissionDenied: the user is neither auditor nor admin.
        """
        with self._shared.read(body) as uow:
            actor = actor_of(uow.catalog(uow.body().definitions_version), user)
            require_role(actor, {Role.AUDITOR, Role.ADMIN}, _("seal the audit trail"))

    def search_audit(
        self, query: AuditQuery, *, body: str | None = None, reader: str | Reader | None = TRUSTED
    ) -> list[AuditEventView]:
        """The events matching every filter of ``query``, oldest first.

        :raises NotFoundError: unknown paper, paper type or organization.
        :raises InvalidInput: unknown action, or ``since`` after ``until``.
        """
        with self.audit_events(query, body=body, reader=reader) as events:
            return list(events)

    @contextlib.contextmanager
    def audit_events(
        self, query: AuditQuery, *, body: str | None = None, reader: str | Reader | None = TRUSTED
    ) -> Iterator[AuditEventStream]:
        """Like ``search_audit``, but streams the events from one read transaction, which stays
        open inside the ``with`` block: constant memory for exports of any size."""
        with self._shared.read(body, reader, AUDIT_READERS) as uow:
            session = uow.session
            statement = self._audit_statement(uow, query)
            yield AuditEventStream(session, statement)

    def create_app_role(
        self, name: str, *, user: str | None, password: str | None = None, body: str | None = None
    ) -> AppRole:
        """Create or update a PostgreSQL login role that may read and write the application
        tables but only SELECT and INSERT on the audit table (idempotent).

        :raises PermissionDenied: the user is not an admin.
        :raises InvalidInput: not PostgreSQL, or an unusable role name.
        """
        with self._shared.write(user, body) as uow:
            session = uow.session
            body_row = uow.body()
            actor = actor_of(uow.catalog(body_row.definitions_version), user)
            require_role(actor, {Role.ADMIN}, _("create database roles"))
            if self._shared.db.dialect != "postgresql":
                raise InvalidInput(
                    _(
                        "db create-app-role works on PostgreSQL only; this database is {dialect} "
                        "(SQLite has no roles: protect the file instead)"
                    ).format(dialect=self._shared.db.dialect)
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
                occurred_at=self._shared.clock.now(),
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

    def _audit_statement(self, uow: UnitOfWork, query: AuditQuery) -> Any:
        session = uow.session
        body_row = uow.body()
        catalog = uow.catalog(body_row.definitions_version)
        if query.action is not None and query.action not in set(AuditAction):
            raise InvalidInput(
                _("unknown action {action!r}{hint}").format(
                    action=query.action,
                    hint=hint(query.action, AuditAction),
                )
            )
        if query.since and query.until and query.since > query.until:
            raise InvalidInput(
                _("the period ends before it starts: {since} is after {until}").format(
                    since=query.since.isoformat(),
                    until=query.until.isoformat(),
                ),
                field="until",
            )
        paper = uow.paper(query.paper, for_update=False) if query.paper else None
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
            meeting_id=uow.meeting(query.meeting).id if query.meeting is not None else None,
        )

    @staticmethod
    def _check_seal_database(session: Session, seal: Seal) -> None:
        sealed = set(seal.database.get("bodies") or ())
        present = {b.id for b in repository.list_bodies(session)}
        if sealed and not sealed & present:
            raise InvalidInput(
                _(
                    "the seal was taken of another database ({location}, "
                    "municipalities {bodies}); verify it against that database"
                ).format(
                    location=seal.database.get("location"),
                    bodies=", ".join(sorted(sealed)),
                )
            )


class _Continued:
    """The replayed papers Ergänzungsvorlagen continue, each replayed once per replay run."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._done: dict[str, ReplayedPaper | ReplayProblem] = {}

    def events(self, paper: Paper) -> list[AuditEventView]:
        rows = repository.paper_events(self._uow.session, paper_stream(paper.id))
        return [audit_event_view(e, paper.number) for e in rows]

    def __call__(self, number: str) -> ReplayedPaper:
        if number not in self._done:
            try:
                paper = self._uow.paper(number, for_update=False)
                self._done[number] = replay_events(self.events(paper), self._uow.catalog, self)
            except NotFoundError:
                message = _("the database holds no paper {number}").format(number=number)
                self._done[number] = ReplayProblem(0, ReplayStatus.MISMATCH, message)
            except ReplayProblem as problem:
                self._done[number] = problem
        done = self._done[number]
        if isinstance(done, ReplayProblem):
            raise done
        return done


class AuditEventStream:
    """Events of an open read transaction: iterate once; ``count()`` runs the same query."""

    def __init__(self, session: Session, statement: Any) -> None:
        self._session, self._statement = session, statement

    def count(self) -> int:
        return repository.count_rows(self._session, self._statement)

    def __iter__(self) -> Iterator[AuditEventView]:
        rows = trail_store.stream_rows(self._session, self._statement)
        try:
            for row in rows:
                yield audit_event_view(row, row.paper_number)
        finally:
            rows.close()


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=BERLIN)
