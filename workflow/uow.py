"""The unit of work: one transaction and what every change in it needs.

A capability service (``service.papers``, ``service.meetings``, …) opens exactly one unit of
work per public method through ``Shared.write`` or ``Shared.read``. The unit of work holds the
session, the clock, the engine, the catalogs, who acts and which municipality: everything a
change needs to find its rows, check permissions, fire lifecycle triggers and append its
audit events in the same transaction. Work that spans capabilities inside one transaction goes
through plain functions that take the unit of work.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from storage import repository
from storage.audit import append_event, paper_stream
from storage.schema import Body as BodyRow
from storage.schema import Consultation, Meeting, Paper
from storage.session import Database
from workflow.core.catalog import Catalog, Organization
from workflow.core.clock import Clock, today
from workflow.core.engine import ConsultationRecord, FlowContext, WorkflowEngine
from workflow.core.errors import (
    InvalidInput,
    NotFoundError,
    PermissionDenied,
    did_you_mean,
    not_found,
)
from workflow.core.i18n import N_, _, date_text
from workflow.core.model import (
    Action,
    Actor,
    AuditAction,
    ConsultationRole,
    ObjectionKind,
    Role,
)
from workflow.definitions import catalog_from_files

#: The actor of changes made on no user's behalf (reminder plans before any recorded change).
SYSTEM_ACTOR = "ratsweg"


class CatalogCache:
    """Catalogs by definitions version, built once per process from the stored files."""

    def __init__(self) -> None:
        self._catalogs: dict[str, Catalog] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, version: str) -> Catalog:
        with self._lock:
            cached = self._catalogs.get(version)
        if cached is not None:
            return cached
        files = repository.get_definition_files(session, version)
        if files is None:
            raise NotFoundError(
                _("definitions version {version!r} is not in the database").format(
                    version=version[:12]
                )
            )
        catalog = catalog_from_files(files, source=f"database:{version[:12]}")
        self.put(catalog)
        return catalog

    def put(self, catalog: Catalog) -> None:
        with self._lock:
            self._catalogs[catalog.version] = catalog


class Reader(Enum):
    """A read on nobody's behalf."""

    #: ratsweg's own code reads (the demo, the worker, the OParl server's public record, tests
    #: of the service); every command a person runs passes the user instead.
    TRUSTED = "trusted"


TRUSTED = Reader.TRUSTED


@dataclass(frozen=True, slots=True)
class Readers:
    """Who may read something: a user of users.yaml with one of ``roles`` (none: any)."""

    roles: frozenset[Role]
    what: str


#: Papers, meetings, Fristen, decisions, the definitions: every user of users.yaml.
KNOWN_USERS = Readers(frozenset(), N_("read"))
#: The audit trail (every step, non-public ones included): auditors, admins, the session office.
AUDIT_READERS = Readers(
    frozenset({Role.AUDITOR, Role.ADMIN, Role.SESSION_OFFICE}), N_("read the audit trail")
)
#: Reminders (recipients and their e-mail addresses): the session office and admins, and the
#: auditors, who read everything.
REMINDER_READERS = Readers(
    frozenset({Role.SESSION_OFFICE, Role.ADMIN, Role.AUDITOR}), N_("read the reminders")
)


class Shared:
    """What every capability service holds: the database, the clock, the engine and the
    catalog cache. It opens units of work."""

    def __init__(self, database: Database, clock: Clock, engine: WorkflowEngine) -> None:
        self.db, self.clock, self.engine = database, clock, engine
        self.catalogs = CatalogCache()

    @contextlib.contextmanager
    def write(self, user: str | None = None, body: str | None = None) -> Iterator[UnitOfWork]:
        """A write transaction: committed when the block ends, rolled back on any error."""
        with self.db.write() as session:
            yield UnitOfWork(self, session, user, body)

    @contextlib.contextmanager
    def read(
        self,
        body: str | None = None,
        user: str | Reader | None = None,
        readers: Readers | None = None,
    ) -> Iterator[UnitOfWork]:
        """A read transaction of ``user``. With ``readers`` the user must be in users.yaml
        and hold one of their roles (``TRUSTED``: ratsweg's own code reads, no user)."""
        with self.db.read() as session:
            uow = UnitOfWork(self, session, None if isinstance(user, Reader) else user, body)
            if readers is not None and not isinstance(user, Reader):
                uow.require_reader(readers)
            yield uow


class UnitOfWork:
    """One transaction of one user (``user``, may be None for reads) in one municipality
    (``body_id``, None: the only one in the database)."""

    def __init__(
        self, shared: Shared, session: Session, user: str | None, body_id: str | None
    ) -> None:
        self.shared, self.session = shared, session
        self.clock, self.engine = shared.clock, shared.engine
        self.user, self.body_id = user, body_id
        #: who made the change recorded last: reminder changes are audited as theirs
        self.last_actor: str | None = None
        self._body: BodyRow | None = None
        self._actor: Actor | None = None

    def now(self) -> dt.datetime:
        return self.clock.now()

    # -- the municipality and its definitions ------------------------------------------------

    def body(self) -> BodyRow:
        """The municipality named, or the only one in the database."""
        if self._body is None:
            self._body = find_body(self.session, self.body_id)
        return self._body

    def catalog(self, version: str | None = None) -> Catalog:
        """The definitions of ``version``, by default the municipality's current ones."""
        return self.shared.catalogs.get(self.session, version or self.body().definitions_version)

    def actor(self) -> Actor:
        """The acting user, as the municipality's current definitions know them.

        :raises PermissionDenied: no user given, or not in users.yaml.
        """
        if self._actor is None:
            self._actor = actor_of(self.catalog(), self.user)
        return self._actor

    def require_reader(self, readers: Readers) -> None:
        """The acting user is in users.yaml and holds one of ``readers``' roles (any role when
        it names none).

        :raises PermissionDenied: no user given, or not one of the readers.
        :raises NotFoundError: the user is not in users.yaml.
        """
        actor = self.actor()
        if readers.roles and not actor.roles & readers.roles:
            require_role(actor, set(readers.roles), readers.what)

    # -- papers ------------------------------------------------------------------------------

    def paper(self, number: str, *, for_update: bool = False) -> Paper:
        """The municipality's paper ``number`` (locked for this transaction with
        ``for_update``)."""
        body = self.body()
        paper = repository.get_paper(self.session, body.id, number, for_update=for_update)
        if paper is None:
            known = repository.paper_numbers(self.session, body.id)
            message = _("no paper {number!r} in {body}").format(number=number, body=body.name)
            raise NotFoundError(message + did_you_mean(number, known))
        return paper

    def meeting(self, meeting_id: int, *, for_update: bool = False) -> Meeting:
        """The municipality's meeting ``meeting_id`` (locked with ``for_update``)."""
        body = self.body()
        meeting = repository.get_meeting(self.session, body.id, meeting_id, for_update=for_update)
        if meeting is None:
            known = repository.meeting_ids(self.session, body.id, limit=8)
            latest = _("latest: {ids}").format(ids=", ".join(map(str, known)))
            hint = f" ({latest})" if known else ""
            message = _("no meeting {id!r} in {body}").format(id=meeting_id, body=body.name)
            raise NotFoundError(message + hint)
        return meeting

    def lock_paper(
        self, number: str, action: PaperAction | None, *, office: str | None = None
    ) -> tuple[Paper, Catalog, Actor]:
        """Lock the paper row for this transaction; its catalog and the actor, once
        ``require_paper`` allowed the actor ``action`` on the paper (``office``: on behalf
        of that office instead of the writing one). ``None``: the caller decides the action
        from the paper's state and calls ``require_paper`` before it changes anything.

        The actor comes from the body's current definitions (users change over time); the
        paper's rules come from the version it was created under.
        """
        paper = self.paper(number, for_update=True)
        catalog, actor = self.catalog(paper.definitions_version), self.actor()
        if action is not None:
            require_paper(catalog, actor, action, paper, office=office)
        return paper, catalog, actor

    def record(
        self,
        paper: Paper,
        actor: Actor,
        action: AuditAction,
        before: str | None,
        after: str | None,
        payload: dict[str, Any],
    ) -> None:
        """Append one event to the paper's audit chain, in this transaction."""
        self.last_actor = actor.user_id
        append_event(
            self.session,
            stream=paper_stream(paper.id),
            occurred_at=self.clock.now(),
            actor=actor.user_id,
            action=action.value,
            paper_id=paper.id,
            from_state=before,
            to_state=after,
            payload=payload,
        )

    def flow(self, catalog: Catalog, actor: Actor, paper: Paper) -> FlowContext:
        """What a paper trigger needs: its definitions, who acts, the paper's audit chain
        and how to insert a step when a result re-routes the paper."""

        def record(
            action: AuditAction, before: str | None, after: str | None, payload: dict[str, Any]
        ) -> None:
            self.record(paper, actor, action, before, after, payload)

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
            new = new_step(catalog, org, role, public, planned_date, at, after.level + 1, note)
            paper.consultations.insert(at - 1, new)
            payload = step_payload(new) | {"reason": note}
            record(AuditAction.CONSULTATION_ADDED, None, new.state, payload)
            return new

        return FlowContext(
            catalog=catalog, actor=actor, record=record, paper=paper, insert_step=insert_step
        )

    def refuse_future(
        self, what: str, day: dt.date, fix: str, *, field: str | None = "date"
    ) -> None:
        """Refuse to record something as having happened on ``day`` when that is after today
        (the clock's date in Europe/Berlin): a result, a held meeting or a decision cannot
        lie in the future. ``what`` ends with its verb ("... is dated"); ``field`` names the
        input that gave ``day`` (None: none did)."""
        now = today(self.clock)
        if day > now:
            raise InvalidInput(
                _("{what} {day}, after today ({today}); {fix}").format(
                    what=what, day=date_text(day), today=date_text(now), fix=fix
                ),
                field=field,
            )


def find_body(session: Session, body_id: str | None) -> BodyRow:
    """The municipality ``body_id``, or the only one in the database."""
    if body_id:
        row = repository.get_body(session, body_id)
        if row is None:
            raise not_found(
                N_("municipality"),
                body_id,
                [b.id for b in repository.list_bodies(session)],
                vocabulary=True,
            )
        return row
    bodies = repository.list_bodies(session)
    if len(bodies) == 1:
        return bodies[0]
    if not bodies:
        raise NotFoundError(
            _("no municipality in this database; run 'ratsweg init --definitions DIR' first")
        )
    names = ", ".join(b.id for b in bodies)
    raise InvalidInput(
        _("this database holds several municipalities ({names}); pass --body").format(names=names)
    )


def actor_of(catalog: Catalog, user: str | None) -> Actor:
    """``user`` as ``catalog``'s users.yaml knows them."""
    if not user:
        raise PermissionDenied(_("no user given; pass --as USER or set RATSWEG_USER"))
    known = catalog.user(user)
    return Actor(user_id=known.id, name=known.name, roles=known.roles, offices=known.offices)


def require(
    catalog: Catalog, actor: Actor, action: Action, target: str, office: str | None = None
) -> None:
    """May ``actor`` do ``action`` (on behalf of ``office``)? The session office and admins
    act for every office.

    :raises PermissionDenied: no role of the action's, or not of the office.
    """
    roles = catalog.permissions[action]
    if not actor.roles & roles:
        raise PermissionDenied(
            _("{user!r} may not do {action} on {target}: needs one of the roles {roles}").format(
                user=actor.user_id,
                action=action.value,
                target=target,
                roles=", ".join(sorted(roles)),
            )
        )
    if office:
        _require_office(actor, office)


def _require_office(actor: Actor, office: str) -> None:
    """``actor`` acts for ``office`` (the session office and admins act for every office)."""
    privileged = actor.roles & {Role.SESSION_OFFICE, Role.ADMIN}
    if not privileged and office not in actor.offices:
        raise PermissionDenied(
            _("{user!r} does not belong to office {office!r} and may not act for it").format(
                user=actor.user_id, office=office
            )
        )


@dataclass(frozen=True, slots=True)
class Trigger:
    """A lifecycle trigger as an action on a paper: the lifecycle's roles decide who may fire
    it (the engine checks them), ``require_paper`` the office."""

    name: str
    lifecycle: str = "paper"


#: What a user does to a paper: a permission of the definitions or a lifecycle trigger.
PaperAction = Action | Trigger

#: Triggers fired on every office's papers: the Bürgermeister's rights over the council's
#: decisions (Dringlichkeitsentscheidung, Widerspruch, Beanstandung, Aussetzung, Einspruch).
MUNICIPAL_TRIGGERS = frozenset({"decide_urgently"} | {kind.trigger for kind in ObjectionKind})


def require_paper(
    catalog: Catalog,
    actor: Actor,
    action: PaperAction,
    paper: Paper,
    *,
    office: str | None = None,
) -> None:
    """May ``actor`` do ``action`` on ``paper``? The one check of every action on a paper.

    The role comes from the permission (or, for a trigger, the lifecycle: a user without one
    of its roles is refused by the engine, with the roles named). The office: a user acts for
    the paper's writing office, or for ``office`` when one is given (co-signing: the
    participating office; Beschlusskontrolle: the task's office). The session office and
    admins act for every office; the Bürgermeister's triggers (``MUNICIPAL_TRIGGERS``) concern
    every office's papers.

    :raises PermissionDenied: no role of the action's, or not of the office.
    :raises NotFoundError: ``office`` is not an office of the definitions.
    """
    acting_for = catalog.office(office).id if office else paper.office_id
    if isinstance(action, Action):
        require(catalog, actor, action, paper.number, office=acting_for)
        return
    if action.lifecycle == "paper" and action.name in MUNICIPAL_TRIGGERS:
        return
    roles = {
        role
        for transition in catalog.lifecycle(action.lifecycle).transitions
        if transition.trigger == action.name
        for role in transition.roles
    }
    if actor.roles & roles:  # without one, the engine refuses and names the roles
        _require_office(actor, acting_for)


def require_role(actor: Actor, roles: set[Role], what: str) -> None:
    """``what`` (a catalogue id, marked with ``N_``) needs one of ``roles``."""
    if not actor.roles & roles:
        raise PermissionDenied(
            _("{user!r} may not {what}: needs one of the roles {roles}").format(
                user=actor.user_id, what=_(what), roles=", ".join(sorted(roles))
            )
        )


def new_step(
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
