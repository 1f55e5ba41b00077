"""``ratsweg oparl import``: replay another system's papers through the engine.

Each paper is imported in a transaction of its own: it is created with its Beratungsfolge,
submitted and released, and each consultation is scheduled into its meeting and its result
recorded through the same path as ``record_result``, so the audit chain is the real one. A
paper the engine refuses (or ``oparl_plan`` cannot map) is rolled back and reported with the
reason; the other papers are not affected. Every event is written by the actor
``import``; the creation names the OParl id, the source and the user who ran the import, and
each result names its agenda item and where it was read.

Objects already imported are known by their OParl id (``imported_object``). Running the import
again (while the old system is still in use) brings such a paper forward: what the source has
now and the paper has not yet (a meeting for a step, a result, a repeated step after "vertagt")
is recorded through the engine like the first time, in the paper's own transaction. What the
paper has is never rewritten: when the source contradicts it (another result, a consultation
gone), or the paper changed in ratsweg and the source does not agree with it, the paper is
reported and left as it is. A run with nothing new changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from storage.schema import AgendaItem, AuditEvent, Consultation, ImportedObject, Meeting, Paper
from workflow.core.clock import local
from workflow.core.errors import InvalidInput, PermissionDenied, WorkflowError
from workflow.core.model import (
    OPEN_STEP_STATES,
    Actor,
    AgendaPart,
    AuditAction,
    ConsultationRole,
    Outcome,
    ResultEntry,
    Role,
)
from workflow.meetings.common import record_meeting, sync_meeting_reminders
from workflow.oparl.plan import PaperPlan, StepPlan, organization_for, parse_instant, plan_paper
from workflow.oparl.source import Source
from workflow.papers.results import ALLOWED_EFFECTS, apply_result
from workflow.reminders.sync import paper_changed
from workflow.uow import UnitOfWork, step_payload

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session

    from storage.schema import Body as BodyRow
    from workflow.core.catalog import Catalog
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
    status: str  # imported, updated, unchanged, reported
    number: str | None = None
    state: str | None = None
    reason: str | None = None
    changes: tuple[str, ...] = ()  # updated: what was added

    def as_dict(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__slots__}
        data["changes"] = list(self.changes)
        return data


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
            "updated": self.count("updated"),
            "unchanged": self.count("unchanged"),
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
    require_importer(service, user, body)
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


def require_importer(service: WorkflowService, user: str | None, body: str | None) -> None:
    """Only an admin imports; the command asks before it reads (or downloads) the source.

    :raises PermissionDenied: ``user`` is not an admin of the municipality.
    """
    with service.shared.read(body, user) as uow:
        actor = uow.actor()
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
    known: tuple[str, str] | None = None  # number and state of a paper imported before
    try:
        with service.shared.write(user, body) as uow:
            session = uow.session
            body_row = uow.body()
            catalog = uow.catalog()
            done = _imported(session, body_row.id, oparl_id)
            if done is not None:
                row = session.get_one(Paper, done.local_id, with_for_update=True)
                known = (row.number, row.state)
                own = uow.catalog(row.definitions_version)
                update = _Update(uow, body_row, own, source, user)
                changes = update.bring_forward(row, lambda: plan_paper(paper, source, catalog))
                report.meetings_created += update.meetings_created
                status = "updated" if changes else "unchanged"
                return PaperReport(
                    oparl_id, reference, status, row.number, row.state, changes=changes
                )
            plan = plan_paper(paper, source, catalog)
            replay = _Replay(uow, body_row, catalog, source, user)
            row = replay.run(plan)
            report.meetings_created += replay.meetings_created
            return PaperReport(oparl_id, reference, "imported", row.number, row.state)
    except WorkflowError as exc:
        number, state = known or (None, None)
        return PaperReport(oparl_id, reference, "reported", number, state, reason=str(exc))


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
        uow: UnitOfWork,
        body: BodyRow,
        catalog: Catalog,
        source: Source,
        user: str,
    ) -> None:
        self.uow, self.session, self.body = uow, uow.session, body
        self.catalog, self.source, self.user = catalog, source, user
        self.meetings_created = 0

    def run(self, plan: PaperPlan) -> Paper:
        paper = self._create(plan)
        ctx = self.uow.flow(self.catalog, ACTOR, paper)
        engine = self.uow.engine
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
        paper_changed(self.uow, self.catalog, paper)
        return paper

    def _create(self, plan: PaperPlan) -> Paper:
        now = self.uow.clock.now()
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
        self.uow.record(paper, ACTOR, AuditAction.PAPER_CREATED, None, paper.state, payload)
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
        self._schedule(paper, row, step)
        if step.result is not None:
            self._record_result(paper, row, step)

    def _schedule(self, paper: Paper, row: Consultation, step: StepPlan) -> Meeting:
        """Put the step on the agenda of its meeting (created on first use)."""
        assert step.date is not None
        meeting = self._meeting(step)
        ctx = self.uow.flow(self.catalog, ACTOR, paper)
        self.uow.engine.fire_consultation(
            ctx, row, "schedule", date=step.date, meeting=meeting.id, source=step.oparl_id
        )
        row.date, row.meeting_id = step.date, meeting.id
        self._agenda_item(meeting, row, step)
        return meeting

    def _record_result(self, paper: Paper, row: Consultation, step: StepPlan) -> None:
        """Record the step's result as ``ratsweg consultation record`` would."""
        assert step.result is not None
        if step.result.outcome is None:
            raise InvalidInput(
                f"result {step.result.text!r} is not understood ({step.result.reason}); add it "
                "to procedure.outcome_labels in the definitions"
            )
        outcome = _outcome(step)
        assert outcome is not None
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
            label=_label(step),
            amended_text=amended if outcome.amends_text and isinstance(amended, str) else None,
            note=_note(step),
        )
        item_id = _item_id(step)
        meeting_id = step.meeting.get("id") if step.meeting else None
        where = self.source.origin.get(item_id) or self.source.origin.get(meeting_id or "")
        origin = {"oparl_id": item_id, "source": where or self.source.location}
        apply_result(self.uow, paper, self.catalog, ACTOR, entry, origin)

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
        now = self.uow.clock.now()
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
        record_meeting(
            self.uow, meeting, ACTOR, AuditAction.MEETING_CREATED, payload, None, meeting.state
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
        record_meeting(self.uow, meeting, ACTOR, AuditAction.AGENDA_ITEM_ADDED, payload)
        # a meeting still planned owes its invitation: its Ladung reminder, as after an agenda
        # change in the service
        sync_meeting_reminders(self.uow, self.catalog, ACTOR, meeting)

    def _remember(self, kind: str, oparl_id: str, local_id: int, source: str) -> None:
        self.session.add(
            ImportedObject(
                body_id=self.body.id,
                external_id=oparl_id,
                kind=kind,
                local_id=local_id,
                source=source,
                imported_at=self.uow.clock.now(),
                actor=self.user,
            )
        )
        self.session.flush()


class _Contradiction(InvalidInput):
    """The source says otherwise than the paper (detail only; the caller words the reason)."""


class _Update(_Replay):
    """A paper imported before, brought forward to what its source has now."""

    def bring_forward(self, paper: Paper, plan_now: Callable[[], PaperPlan]) -> tuple[str, ...]:
        """Record what the source has beyond the paper; return what was added (nothing: the
        paper is up to date).

        :raises InvalidInput: the source contradicts the paper, the paper changed in ratsweg
            and the source does not agree, or the engine refuses a new result; the reason
            says which. The caller's transaction is then rolled back.
        """
        changed = _changed_in_ratsweg(self.session, paper)
        try:
            plan = plan_now()
            return self._forward(paper, plan)
        except _Contradiction as exc:
            if changed:
                raise InvalidInput(
                    f"changed in ratsweg since the import ({changed}) and the source differs: "
                    f"{exc}; the paper is left as it is"
                ) from exc
            raise InvalidInput(
                f"the source contradicts what was imported: {exc}; the paper is left as it is "
                "(if the source is right, correct the paper in ratsweg)"
            ) from exc
        except WorkflowError as exc:
            if changed:
                raise InvalidInput(
                    f"changed in ratsweg since the import ({changed}); {exc}"
                ) from exc
            raise

    def _forward(self, paper: Paper, plan: PaperPlan) -> tuple[str, ...]:
        changes: list[str] = []
        for index, step in enumerate(plan.steps):
            position = index + 1
            rows = _in_order(paper)
            if index >= len(rows):
                raise InvalidInput(
                    f"the source has a {step.describe(position)} that the Beratungsfolge of "
                    f"{paper.number} does not have; add it in ratsweg (ratsweg consultation add) "
                    "and import again"
                )
            row = rows[index]
            self._compare(row, step, position)
            try:
                changes.extend(self._add(paper, row, step, position))
            except WorkflowError as exc:
                raise InvalidInput(f"{step.describe(position)}: {exc}") from exc
        for row in _in_order(paper)[len(plan.steps) :]:
            if row.outcome is not None or row.date is not None or row.state not in OPEN_STEP_STATES:
                raise _Contradiction(
                    f"consultation {row.position} ({self._name(row)}) is no longer in the source"
                )
        if changes:
            paper_changed(self.uow, self.catalog, paper)
        return tuple(changes)

    def _compare(self, row: Consultation, step: StepPlan, position: int) -> None:
        """Refuse a step whose body, role, meeting or result differs from the source's."""
        assert step.role is not None
        where = step.describe(position)
        if row.organization_id != step.organization.id or row.role != step.role.value:
            raise _Contradiction(
                f"consultation {position} is a {row.role} of {self._name(row)} in ratsweg, a "
                f"{step.role.value} of {step.organization.name} in the source"
            )
        if row.meeting_id is not None:
            theirs = step.meeting.get("id") if step.meeting else None
            ours = self._meeting_oparl_id(row.meeting_id)
            if theirs is None or (ours != theirs if ours else row.date != step.date):
                shown = f"the meeting {theirs}" if theirs else "no meeting"
                raise _Contradiction(
                    f"{where}: ratsweg has it on the agenda of the meeting on {_day(row.date)}"
                    f"{f' ({ours})' if ours else ''}, the source names {shown}"
                )
        if row.outcome is None:
            return
        ours_text = row.result_label or row.outcome
        if step.result is None:
            raise _Contradiction(
                f"{where}: ratsweg has the result {ours_text!r}, the source has none"
            )
        outcome = _outcome(step)
        imported = row.note == _note(step)
        if (
            outcome is None
            or outcome.value != row.outcome
            or row.date != step.date
            or (imported and row.result_label != _label(step))
        ):
            raise _Contradiction(
                f"{where}: the result is {ours_text!r} ({_day(row.date)}) in ratsweg, "
                f"{step.result.text.strip()!r} in the source"
            )

    def _add(self, paper: Paper, row: Consultation, step: StepPlan, position: int) -> list[str]:
        """What the source has beyond the step: its meeting, its result."""
        added: list[str] = []
        if row.outcome is not None:
            return added
        if row.meeting_id is None and step.meeting is not None and step.date is not None:
            meeting = self._schedule(paper, row, step)
            added.append(
                f"{step.describe(position)}: on the agenda of {meeting.name or 'its meeting'}"
            )
        if step.result is not None:
            if row.meeting_id is None:
                raise InvalidInput("the source has a result but names no meeting for it")
            self._record_result(paper, row, step)
            added.append(f"{step.describe(position)}: result {step.result.text.strip()!r}")
        return added

    def _name(self, row: Consultation) -> str:
        org = self.catalog.organizations.get(row.organization_id)
        return org.name if org else row.organization_id

    def _meeting_oparl_id(self, meeting_id: int) -> str | None:
        return self.session.scalars(
            select(ImportedObject.external_id).where(
                ImportedObject.body_id == self.body.id,
                ImportedObject.kind == "meeting",
                ImportedObject.local_id == meeting_id,
            )
        ).first()


def _changed_in_ratsweg(session: Session, paper: Paper) -> str | None:
    """The first change made to the paper in ratsweg itself (not by the import; reminders are
    the paper's own bookkeeping), e.g. "result_recorded by sitzungsdienst on 12.03.2026"."""
    event = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.paper_id == paper.id,
            AuditEvent.actor != ACTOR.user_id,
            AuditEvent.action.not_like("reminder%"),
        )
        .order_by(AuditEvent.id)
        .limit(1)
    ).first()
    if event is None:
        return None
    return f"{event.action} by {event.actor} on {local(event.occurred_at):%d.%m.%Y}"


def _in_order(paper: Paper) -> list[Consultation]:
    return sorted(paper.consultations, key=lambda c: c.position)


def _outcome(step: StepPlan) -> Outcome | None:
    """The outcome the import records for the step's result (None: not understood)."""
    if step.result is None or step.result.outcome is None:
        return None
    return Outcome.VERTAGT_IN_FOLGEGREMIUM if step.skip else step.result.outcome


def _label(step: StepPlan) -> str:
    assert step.result is not None
    return step.result.text.strip()[:255]


def _note(step: StepPlan) -> str:
    return f"importiert: {_item_id(step)}"


def _day(day: dt.date | None) -> str:
    return f"{day:%d.%m.%Y}" if day else "no date"


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
