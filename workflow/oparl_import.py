"""``ratsweg oparl import``: replay another system's papers through the engine.

Each paper is imported in a transaction of its own: it is created with its Beratungsfolge,
submitted and released, and each consultation is scheduled into its meeting and its result
recorded through the same path as ``record_result``, so the audit chain is the real one. A
paper the engine refuses (or ``oparl_plan`` cannot map) is rolled back and reported with the
reason; papers already imported stay untouched. Every event is written by the actor
``import``; the creation names the OParl id, the source and the user who ran the import, and
each result names its agenda item. Objects already imported (by OParl id) are skipped, so a
second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from storage.schema import AgendaItem, Consultation, ImportedObject, Meeting, Paper
from workflow.errors import InvalidInput, PermissionDenied, WorkflowError
from workflow.model import (
    OPEN_STEP_STATES,
    Actor,
    AgendaPart,
    AuditAction,
    ConsultationRole,
    Outcome,
    ResultEntry,
    Role,
)
from workflow.oparl_plan import PaperPlan, StepPlan, organization_for, parse_instant, plan_paper
from workflow.oparl_source import Source
from workflow.service import ALLOWED_EFFECTS
from workflow.service_base import step_payload

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from storage.schema import Body as BodyRow
    from workflow.catalog import Catalog
    from workflow.service import WorkflowService

ACTOR = Actor(
    user_id="import",
    name="OParl-Import",
    roles=frozenset({Role.SESSION_OFFICE, Role.ADMIN}),
)


@dataclass(frozen=True, slots=True)
class PaperReport:
    oparl_id: str
    reference: str | None
    status: str  # imported, skipped, reported
    number: str | None = None
    state: str | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


@dataclass(slots=True)
class ImportReport:
    source: str
    version: str | None
    papers: list[PaperReport] = field(default_factory=list)
    meetings_created: int = 0
    deleted: int = 0
    problems: list[str] = field(default_factory=list)
    vendor_keys: dict[str, int] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return sum(1 for p in self.papers if p.status == status)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "oparl_version": self.version,
            "imported": self.count("imported"),
            "skipped": self.count("skipped"),
            "reported": self.count("reported"),
            "meetings_created": self.meetings_created,
            "deleted_objects_ignored": self.deleted,
            "source_problems": self.problems,
            "vendor_keys_ignored": self.vendor_keys,
            "papers": [p.as_dict() for p in self.papers],
        }


def import_source(
    service: WorkflowService, source: Source, *, user: str | None, body: str | None = None
) -> ImportReport:
    """Import every paper of ``source`` into the (given or only) municipality.

    :raises PermissionDenied: ``user`` is not an admin of the municipality.
    """
    _require_admin(service, user, body)
    report = ImportReport(
        source=source.location,
        version=source.version,
        deleted=source.deleted,
        problems=list(source.problems),
        vendor_keys=dict(sorted(source.vendor_keys.items())),
    )
    for paper in source.of_type("Paper"):
        report.papers.append(_import_paper(service, source, paper, user or "", body, report))
    return report


def _require_admin(service: WorkflowService, user: str | None, body: str | None) -> None:
    with service.db.read() as session:
        body_row = service._body(session, body)
        actor = service._actor(service._catalog(session, body_row.definitions_version), user)
    if Role.ADMIN not in actor.roles:
        raise PermissionDenied(
            f"{actor.user_id!r} may not import council data from another system: needs the "
            "role admin"
        )


def _import_paper(
    service: WorkflowService,
    source: Source,
    paper: dict[str, Any],
    user: str,
    body: str | None,
    report: ImportReport,
) -> PaperReport:
    oparl_id = paper["id"]
    reference = paper.get("reference") if isinstance(paper.get("reference"), str) else None
    try:
        with service.db.write() as session:
            body_row = service._body(session, body)
            done = _imported(session, body_row.id, oparl_id)
            if done is not None:
                row = session.get_one(Paper, done.local_id)
                return PaperReport(oparl_id, reference, "skipped", row.number, row.state)
            catalog = service._catalog(session, body_row.definitions_version)
            plan = plan_paper(paper, source, catalog)
            replay = _Replay(service, session, body_row, catalog, source, user)
            row = replay.run(plan)
            report.meetings_created += replay.meetings_created
            return PaperReport(oparl_id, reference, "imported", row.number, row.state)
    except WorkflowError as exc:
        return PaperReport(oparl_id, reference, "reported", reason=str(exc))


def _imported(session: Session, body_id: str, external_id: str) -> ImportedObject | None:
    return session.scalars(
        select(ImportedObject).where(
            ImportedObject.body_id == body_id, ImportedObject.external_id == external_id
        )
    ).one_or_none()


class _Replay:
    """One paper's history, replayed in the caller's transaction."""

    def __init__(
        self,
        service: WorkflowService,
        session: Session,
        body: BodyRow,
        catalog: Catalog,
        source: Source,
        user: str,
    ) -> None:
        self.service, self.session, self.body = service, session, body
        self.catalog, self.source, self.user = catalog, source, user
        self.meetings_created = 0

    def run(self, plan: PaperPlan) -> Paper:
        paper = self._create(plan)
        ctx = self.service._ctx(self.session, self.catalog, ACTOR, paper)
        engine = self.service.engine
        engine.fire_paper(ctx, "submit", source=plan.oparl_id)
        engine.fire_paper(ctx, "release", source=plan.oparl_id)
        previous: Consultation | None = None
        rows = iter(sorted(paper.consultations, key=lambda c: c.position))
        for position, step in enumerate(plan.steps, start=1):
            row = self._produced(paper, previous, step) if step.produced else next(rows)
            try:
                self._replay_step(paper, row, step)
            except WorkflowError as exc:
                raise InvalidInput(f"{step.describe(position)}: {exc}") from exc
            previous = row
        self._remember("paper", plan.oparl_id, paper.id, plan.source)
        self.service._paper_changed(self.catalog, paper)
        return paper

    def _create(self, plan: PaperPlan) -> Paper:
        now = self.service.clock.now()
        paper = Paper(
            body_id=self.body.id,
            definitions_version=self.catalog.version,
            number=self._number(plan.reference),
            paper_type=plan.paper_type,
            title=plan.title,
            reference=plan.reference,
            office_id=plan.office,
            date=plan.date,
            state=self.catalog.lifecycle("paper").initial,
            frozen=False,
            created_at=now,
            modified_at=now,
        )
        initial = self.catalog.lifecycle("consultation").initial
        created = [s for s in plan.steps if not s.produced]
        for position, step in enumerate(created, start=1):
            assert step.role is not None
            paper.consultations.append(
                Consultation(
                    position=position,
                    level=position,
                    organization_id=step.organization.id,
                    role=step.role.value,
                    public=_public(step, step.organization.public),
                    state=initial,
                )
            )
        self.session.add(paper)
        self.session.flush()
        payload = {
            "number": paper.number,
            "paper_type": plan.paper_type,
            "title": plan.title,
            "office": plan.office,
            "date": plan.date.isoformat(),
            "reference": plan.reference,
            "participants": [],
            "consultations": [step_payload(c) for c in paper.consultations],
            "definitions_version": self.catalog.version,
            "text": paper.text,
            "oparl_id": plan.oparl_id,
            "source": plan.source,
            "imported_by": self.user,
        }
        self.service._record(
            self.session, paper, ACTOR, AuditAction.PAPER_CREATED, None, paper.state, payload
        )
        return paper

    def _number(self, reference: str) -> str:
        """The source's Drucksachen-Nummer; "(2)", "(3)" … when another paper has it already."""
        taken = set(
            self.session.scalars(
                select(Paper.number).where(
                    Paper.body_id == self.body.id, Paper.number.startswith(reference)
                )
            )
        )
        number, n = reference, 1
        while number in taken:
            n += 1
            number = f"{reference} ({n})"
        return number

    @staticmethod
    def _produced(paper: Paper, previous: Consultation | None, step: StepPlan) -> Consultation:
        """The step the previous result inserted (vertagt: the same body again)."""
        after = previous.position if previous else 0
        for row in sorted(paper.consultations, key=lambda c: c.position):
            if row.position > after and row.state in OPEN_STEP_STATES:
                if row.organization_id == step.organization.id:
                    return row
                break
        raise InvalidInput(f"no repeated step of {step.organization.name} follows the last result")

    def _replay_step(self, paper: Paper, row: Consultation, step: StepPlan) -> None:
        if step.meeting is None or step.date is None:
            return
        meeting = self._meeting(step)
        ctx = self.service._ctx(self.session, self.catalog, ACTOR, paper)
        self.service.engine.fire_consultation(
            ctx, row, "schedule", date=step.date, meeting=meeting.id, source=step.oparl_id
        )
        row.date, row.meeting_id = step.date, meeting.id
        self._agenda_item(meeting, row, step)
        if step.result is None:
            return
        if step.result.outcome is None:
            raise InvalidInput(
                f"result {step.result.text!r} is not understood ({step.result.reason}); add it "
                "to procedure.outcome_labels in the definitions"
            )
        outcome = Outcome.VERTAGT_IN_FOLGEGREMIUM if step.skip else step.result.outcome
        role = ConsultationRole(row.role)
        if outcome.effect not in ALLOWED_EFFECTS[role]:
            raise InvalidInput(
                f"result {step.result.text!r} reads as {outcome.label!r}, which does not end "
                f"an {role.value}; if it does here, map the text under "
                "procedure.outcome_labels in the definitions"
            )
        amended = step.agenda_item.get("resolutionText") if step.agenda_item else None
        entry = ResultEntry(
            position=row.position,
            outcome=outcome.value,
            date=step.date,
            votes=step.result.votes,
            label=step.result.text.strip()[:255],
            amended_text=amended if outcome.amends_text and isinstance(amended, str) else None,
            note=f"importiert: {_item_id(step)}",
        )
        self.service._apply_result(self.session, paper, self.catalog, ACTOR, entry)

    def _meeting(self, step: StepPlan) -> Meeting:
        assert step.meeting is not None and step.start is not None
        oparl_id = step.meeting["id"]
        done = _imported(self.session, self.body.id, oparl_id)
        if done is not None:
            return self.session.get_one(Meeting, done.local_id)
        orgs = step.meeting.get("organization")
        org = step.organization
        if isinstance(orgs, list) and orgs and isinstance(orgs[0], str):
            try:
                org = organization_for(orgs[0], self.source, self.catalog)
            except InvalidInput:
                org = step.organization
        now = self.service.clock.now()
        end = step.meeting.get("end")
        end_at = parse_instant(end, f"meeting {oparl_id}: 'end'") if end else None
        name = step.meeting.get("name") if isinstance(step.meeting.get("name"), str) else None
        meeting = Meeting(
            body_id=self.body.id,
            definitions_version=self.catalog.version,
            organization_id=org.id,
            name=name[:255] if name else None,
            start=step.start,
            end=end_at if end_at and end_at > step.start else None,
            state=self._meeting_state(step, now),
            created_at=now,
            modified_at=now,
        )
        self.session.add(meeting)
        self.session.flush()
        source = self.source.origin.get(oparl_id, self.source.location)
        payload = {
            "organization": org.id,
            "start": step.start.isoformat(),
            "name": meeting.name,
            "oparl_id": oparl_id,
            "source": source,
            "imported_by": self.user,
        }
        self.service._record_meeting(
            self.session, meeting, ACTOR, AuditAction.MEETING_CREATED, payload, None, meeting.state
        )
        self._remember("meeting", oparl_id, meeting.id, source)
        self.meetings_created += 1
        return meeting

    def _meeting_state(self, step: StepPlan, now: dt.datetime) -> str:
        """Held once its start has passed; invited when the source published its agenda (a
        council information system publishes the agenda with the invitation); else planned."""
        assert step.meeting is not None and step.start is not None
        if step.start <= now:
            return "held"
        published = (
            step.agenda_item or step.meeting.get("agendaItem") or step.meeting.get("invitation")
        )
        return "invited" if published else self.catalog.lifecycle("meeting").initial

    def _agenda_item(self, meeting: Meeting, row: Consultation, step: StepPlan) -> None:
        item = step.agenda_item or {}
        number = item.get("number") if isinstance(item.get("number"), str) else None
        taken = {i.number for i in meeting.agenda_items}
        if not number or len(number) > 16 or number in taken:
            number = None
        title = item.get("name") if isinstance(item.get("name"), str) else None
        public = item.get("public") is not False
        agenda_item = AgendaItem(
            part=AgendaPart.of(public).value,
            number=number,
            sort_order=_sort_order(meeting, step),
            title=title or row.paper.title,
            consultation=row,
            note=f"importiert: {_item_id(step)}",
        )
        meeting.agenda_items.append(agenda_item)
        self.session.flush()
        payload = {
            "item": agenda_item.id,
            "part": agenda_item.part,
            "number": number,
            "title": agenda_item.title,
            "paper": row.paper.number,
            "position": row.position,
            "oparl_id": item.get("id"),
        }
        self.service._record_meeting(
            self.session, meeting, ACTOR, AuditAction.AGENDA_ITEM_ADDED, payload
        )
        # a meeting still planned owes its invitation: its Ladung reminder, as in _add_item
        self.service._sync_meeting_reminders(self.session, self.catalog, ACTOR, meeting)

    def _remember(self, kind: str, oparl_id: str, local_id: int, source: str) -> None:
        self.session.add(
            ImportedObject(
                body_id=self.body.id,
                external_id=oparl_id,
                kind=kind,
                local_id=local_id,
                source=source,
                imported_at=self.service.clock.now(),
                actor=self.user,
            )
        )
        self.session.flush()


def _sort_order(meeting: Meeting, step: StepPlan) -> int:
    """The item's place in the source's agenda (so the TOPs keep the source's order), or after
    the last item when that place is taken or unknown."""
    taken = {i.sort_order for i in meeting.agenda_items}
    source = step.meeting.get("agendaItem") if step.meeting else None
    item_id = step.agenda_item.get("id") if step.agenda_item else None
    if isinstance(source, list) and item_id is not None:
        ids = [i.get("id") if isinstance(i, dict) else i for i in source]
        if item_id in ids and ids.index(item_id) + 1 not in taken:
            return ids.index(item_id) + 1
    return max(taken, default=0) + 1


def _public(step: StepPlan, default: bool) -> bool:
    public = step.agenda_item.get("public") if step.agenda_item else None
    return public if isinstance(public, bool) else default


def _item_id(step: StepPlan) -> str:
    item_id = step.agenda_item.get("id") if step.agenda_item else None
    return item_id if isinstance(item_id, str) else step.oparl_id
