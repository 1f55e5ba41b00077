"""A paper of another system, replayed through the engine as if it had been run in ratsweg.

``ratsweg oparl import`` (``workflow.oparl.importer``) creates the paper with its
Beratungsfolge, submits and releases it, schedules each consultation into its meeting (created
on first use) and records each result through the same path as ``record_result``, so the
audit chain is the real one. Every event is written by the actor ``import``; the creation names
the OParl id, the source and the user who ran the import, and each result names its agenda
item and where it was read.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from storage import oparl as store
from storage.schema import AgendaItem, Consultation, ImportedObject, Meeting, Paper
from workflow.core.errors import InvalidInput, WorkflowError
from workflow.core.i18n import _
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
from workflow.oparl.plan import PaperPlan, StepPlan, organization_for, parse_instant
from workflow.papers.result_check import ALLOWED_EFFECTS
from workflow.papers.results import apply_result
from workflow.reminders.sync import paper_changed
from workflow.uow import UnitOfWork, step_payload

if TYPE_CHECKING:
    from storage.schema import Body as BodyRow
    from workflow.core.catalog import Catalog
    from workflow.oparl.source import Source

ACTOR = Actor(
    user_id="import",
    name="OParl-Import",
    roles=frozenset({Role.SESSION_OFFICE, Role.ADMIN}),
)


class Replay:
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
        self._add_steps(paper, plan)
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

    def _add_steps(self, paper: Paper, plan: PaperPlan) -> None:
        """The Beratungsfolge as the source has it (without the steps a result inserts)."""
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

    def _number(self, reference: str) -> str:
        """The source's Drucksachen-Nummer; "(2)", "(3)" … when another paper has it already."""
        taken = store.numbers_starting(self.session, self.body.id, reference)
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
        raise InvalidInput(
            _("no repeated step of {name} follows the last result").format(
                name=step.organization.name
            )
        )

    def _replay_step(self, paper: Paper, row: Consultation, step: StepPlan) -> None:
        if step.meeting is None or step.date is None:
            return
        self.schedule(paper, row, step)
        if step.result is not None:
            self.record_result(paper, row, step)

    def schedule(self, paper: Paper, row: Consultation, step: StepPlan) -> Meeting:
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

    def record_result(self, paper: Paper, row: Consultation, step: StepPlan) -> None:
        """Record the step's result as ``ratsweg consultation record`` would."""
        assert step.result is not None
        if step.result.outcome is None:
            raise InvalidInput(
                _(
                    "result {text!r} is not understood ({reason}); add it to "
                    "procedure.outcome_labels in the definitions"
                ).format(
                    text=step.result.text,
                    reason=_(step.result.reason) if step.result.reason else "",
                )
            )
        outcome = outcome_of(step)
        assert outcome is not None
        role = ConsultationRole(row.role)
        if outcome.effect not in ALLOWED_EFFECTS[role]:
            raise InvalidInput(
                _(
                    "result {text!r} reads as {label!r}, which does not end an {value}; if "
                    "it does here, map the text under procedure.outcome_labels in the "
                    "definitions"
                ).format(text=step.result.text, label=outcome.label, value=role.value)
            )
        amended = step.agenda_item.get("resolutionText") if step.agenda_item else None
        entry = ResultEntry(
            position=row.position,
            outcome=outcome.value,
            date=step.date,
            votes=step.result.votes,
            label=label_of(step),
            amended_text=amended if outcome.amends_text and isinstance(amended, str) else None,
            note=note_of(step),
        )
        item_id = item_id_of(step)
        meeting_id = step.meeting.get("id") if step.meeting else None
        where = self.source.origin.get(item_id) or self.source.origin.get(meeting_id or "")
        origin = {"oparl_id": item_id, "source": where or self.source.location}
        apply_result(self.uow, paper, self.catalog, ACTOR, entry, origin)

    def _meeting(self, step: StepPlan) -> Meeting:
        """The step's meeting: the one imported before, else created as the source has it."""
        assert step.meeting is not None and step.start is not None
        oparl_id = step.meeting["id"]
        done = store.imported_object(self.session, self.body.id, oparl_id)
        if done is not None:
            return store.meeting(self.session, done.local_id)
        org = self._organization(step)
        now = self.uow.clock.now()
        end = step.meeting.get("end")
        end_at = (
            parse_instant(end, _("meeting {oparl_id}: 'end'").format(oparl_id=oparl_id))
            if end
            else None
        )
        name = step.meeting.get("name") if isinstance(step.meeting.get("name"), str) else None
        meeting = Meeting(
            body_id=self.body.id,
            definitions_version=self.catalog.version,
            organization_id=org,
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
            "organization": org,
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

    def _organization(self, step: StepPlan) -> str:
        """The id of the body that holds the meeting: the meeting's first organization as the
        definitions map it, else the step's."""
        assert step.meeting is not None
        orgs = step.meeting.get("organization")
        org = step.organization
        if isinstance(orgs, list) and orgs and isinstance(orgs[0], str):
            try:
                org = organization_for(orgs[0], self.source, self.catalog)
            except InvalidInput:
                org = step.organization
        return org.id

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
            note=f"importiert: {item_id_of(step)}",
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


def outcome_of(step: StepPlan) -> Outcome | None:
    """The outcome the import records for the step's result (None: not understood)."""
    if step.result is None or step.result.outcome is None:
        return None
    return Outcome.VERTAGT_IN_FOLGEGREMIUM if step.skip else step.result.outcome


def label_of(step: StepPlan) -> str:
    """The result as the source words it, as the import records it."""
    assert step.result is not None
    return step.result.text.strip()[:255]


def note_of(step: StepPlan) -> str:
    """The note the import leaves on the step's result: where it was read."""
    return f"importiert: {item_id_of(step)}"


def item_id_of(step: StepPlan) -> str:
    """The OParl id of the step's agenda item, else of its consultation."""
    item_id = step.agenda_item.get("id") if step.agenda_item else None
    return item_id if isinstance(item_id, str) else step.oparl_id


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
