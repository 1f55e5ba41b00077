"""The auditors' reads (``service.trail``): decisions with their votes and the
deadlines kept on the way (``ratsweg decisions list``), and everything the decision-trail
report of one paper shows (``ratsweg audit report``). Read-only: one read transaction each.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storage import trail as trail_store
from storage.audit import ChainBreak, paper_stream, verify_stream
from storage.papers import chain_papers
from storage.schema import Consultation, Paper
from workflow.audit.compliance import (
    CoSignFacts,
    DeadlineCheck,
    DeadlineStatus,
    StepFacts,
    check_deadlines,
    decision_facts,
)
from workflow.core.errors import InvalidInput, did_you_mean
from workflow.core.i18n import _
from workflow.core.model import (
    AuditAction,
    AuditEventView,
    ConsultationRole,
    Outcome,
    PaperView,
    ResultEffect,
    VoteCount,
    VoteKind,
)
from workflow.papers.fristen import path_steps, release_facts
from workflow.papers.views import audit_event_view, paper_view, vote_view
from workflow.uow import AUDIT_READERS, KNOWN_USERS, TRUSTED, Reader, Shared, UnitOfWork

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from workflow.core.catalog import Catalog

#: results that decide: adopted, approved or annulled anywhere, rejected in a concluding step
DECIDING = (ResultEffect.ADOPT, ResultEffect.APPROVE, ResultEffect.ANNUL)
CONCLUDING_ROLES = tuple(r.value for r in ConsultationRole if r.concludes)


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionQuery:
    """Filters of ``decisions list``; every given filter must match."""

    organization: str | None = None
    since: dt.date | None = None  # meeting days, both inclusive
    until: dt.date | None = None
    paper_type: str | None = None
    outcome: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionView:
    paper: str
    title: str
    paper_type: str
    organization_id: str
    organization_name: str
    position: int
    role: str
    date: dt.date
    public: bool
    meeting_id: int | None
    outcome: Outcome
    result: str  # the municipal label, else the outcome's
    vote: VoteCount | None  # the main motion's vote, if recorded
    deadlines: tuple[DeadlineCheck, ...] = ()

    @property
    def missed(self) -> tuple[DeadlineCheck, ...]:
        return tuple(d for d in self.deadlines if d.status is DeadlineStatus.MISSED)


@dataclass(frozen=True, slots=True, kw_only=True)
class MeetingFacts:
    id: int
    name: str | None
    start: dt.datetime
    state: str
    invited_at: dt.datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PaperTrail:
    """One paper as the decision-trail report shows it."""

    paper: PaperView
    meetings: dict[int, MeetingFacts]  # step position -> its meeting
    deadlines: tuple[DeadlineCheck, ...]
    events: tuple[AuditEventView, ...]
    chain_events: int
    chain_break: ChainBreak | None


class TrailService:
    """Read-only views for auditors over decisions, deadlines and trails."""

    def __init__(self, shared: Shared) -> None:
        self._shared = shared

    def list_decisions(
        self,
        query: DecisionQuery,
        *,
        body: str | None = None,
        reader: str | Reader | None = TRUSTED,
    ) -> list[DecisionView]:
        """Decisions (results that adopt, approve or annul, or reject in a concluding step)
        by meeting day, with the main vote and the deadlines of the path up to the decision.

        :raises NotFoundError: unknown organization or paper type.
        :raises InvalidInput: unknown outcome, or ``since`` after ``until``.
        """
        if query.since and query.until and query.since > query.until:
            raise InvalidInput(
                _("the period starts {since:%d.%m.%Y} but ends {until:%d.%m.%Y}").format(
                    since=query.since, until=query.until
                )
            )
        with self._shared.read(body, reader, KNOWN_USERS) as uow:
            session = uow.session
            body_row = uow.body()
            catalog = uow.catalog(body_row.definitions_version)
            steps = _decided_steps(session, body_row.id, _resolved(catalog, query))
            papers = {s.paper_id: s.paper for s in steps}
            facts = _TrailFacts.load(session, papers.values())
            now = self._shared.clock.now()
            return [
                self._decision_view(uow, step, facts, now)
                for step in steps
                if step.date is not None
            ]

    def paper_report(
        self, number: str, *, body: str | None = None, reader: str | Reader | None = TRUSTED
    ) -> list[PaperTrail]:
        """The paper (and the papers ``papers_for_report`` adds) with path, votes, text
        versions, deadlines, audit events and the state of its hash chain.

        :raises NotFoundError: no such paper.
        """
        with self._shared.read(body, reader, AUDIT_READERS) as uow:
            session = uow.session
            papers = papers_for_report(uow, number)
            facts = _TrailFacts.load(session, papers)
            now = self._shared.clock.now()
            return [self._paper_trail(uow, paper, facts, now) for paper in papers]

    def _decision_view(
        self, uow: UnitOfWork, step: Consultation, facts: _TrailFacts, now: dt.datetime
    ) -> DecisionView:
        paper = step.paper
        catalog = uow.catalog(paper.definitions_version)
        outcome = Outcome(step.outcome or "")
        assert step.date is not None
        main = [v for v in step.votes if v.kind == VoteKind.MAIN.value]
        return DecisionView(
            paper=paper.number,
            title=paper.title,
            paper_type=paper.paper_type,
            organization_id=step.organization_id,
            organization_name=catalog.organization_name(step.organization_id),
            position=step.position,
            role=step.role,
            date=step.date,
            public=step.public,
            meeting_id=step.meeting_id,
            outcome=outcome,
            result=step.result_label or outcome.label,
            vote=vote_view(main[-1]) if main else None,
            deadlines=tuple(facts.check(catalog, paper, now, up_to=step)),
        )

    def _paper_trail(
        self, uow: UnitOfWork, paper: Paper, facts: _TrailFacts, now: dt.datetime
    ) -> PaperTrail:
        session = uow.session
        catalog = uow.catalog(paper.definitions_version)
        view = paper_view(catalog, paper, ())
        stream = paper_stream(paper.id)
        events = tuple(audit_event_view(e, paper.number) for e in facts.events.get(paper.id, ()))
        count, broken = verify_stream(session, stream)
        return PaperTrail(
            paper=view,
            meetings={
                s.position: facts.meetings[s.meeting_id]
                for s in paper.consultations
                if s.meeting_id is not None and s.meeting_id in facts.meetings
            },
            deadlines=tuple(facts.check(catalog, paper, now)),
            events=events,
            chain_events=count,
            chain_break=broken,
        )


def papers_for_report(uow: UnitOfWork, number: str) -> list[Paper]:
    """The papers one report covers, in order: the paper's whole chain, the original first,
    then its Ergänzungsvorlagen (just the paper when it has none)."""
    session = uow.session
    return chain_papers(session, uow.paper(number, for_update=False))


@dataclass(slots=True)
class _TrailFacts:
    """What the deadline checks need of many papers, read with a few queries."""

    events: dict[int, list[Any]]
    meetings: dict[int, MeetingFacts]
    objections: dict[int, dt.date]

    @classmethod
    def load(cls, session: Session, papers: Iterable[Paper]) -> _TrailFacts:
        rows = list(papers)
        ids = [p.id for p in rows]
        meeting_ids = {s.meeting_id for p in rows for s in p.consultations if s.meeting_id}
        meetings = {
            m.id: MeetingFacts(
                id=m.id, name=m.name, start=m.start, state=m.state, invited_at=m.invited_at
            )
            for m in trail_store.meetings_by_id(session, meeting_ids)
        }
        return cls(
            events=dict(trail_store.events_of_papers(session, ids)),
            meetings=meetings,
            objections=trail_store.einspruch_dates(session, ids),
        )

    def check(
        self,
        catalog: Catalog,
        paper: Paper,
        now: dt.datetime,
        *,
        up_to: Consultation | None = None,
    ) -> list[DeadlineCheck]:
        """The deadlines of ``paper``'s path (up to the step ``up_to``) and co-signatures."""
        events = self.events.get(paper.id, ())
        facts = release_facts(events)
        requested = {}
        for event in events:
            if event.action == AuditAction.CO_SIGNATURE_REQUESTED.value:
                office = json.loads(event.payload).get("office")
                if isinstance(office, str):
                    requested[office] = event.occurred_at
        invited = {i: m.invited_at for i, m in self.meetings.items()}
        steps = [
            s
            for s in path_steps(catalog, paper, facts, invited)
            if up_to is None or s.position <= up_to.position
        ]
        decided = next(
            (f for f in steps if up_to is not None and f.position == up_to.position), None
        )
        return check_deadlines(
            catalog.calendar(),
            catalog.deadlines,
            now=now,
            released_at=facts.released_at,
            steps=steps,
            co_signatures=[
                CoSignFacts(
                    office_id=c.office_id,
                    office_name=catalog.organization_name(c.office_id),
                    requested_at=requested.get(c.office_id),
                    signed_at=c.signed_at,
                )
                for c in paper.co_signatures
            ],
            decision=decision_facts(
                {k: r.days for k, r in catalog.decisions.delegated.items()},
                decided or _last_decided(steps, paper),
                self.objections.get(paper.id),
            ),
        )


def _last_decided(steps: Sequence[StepFacts], paper: Paper) -> StepFacts | None:
    """The step whose result decided the paper (for the report of the whole path)."""
    deciding = {
        s.position
        for s in paper.consultations
        if s.outcome is not None and _is_decision(Outcome(s.outcome), s.role)
    }
    found = [s for s in steps if s.position in deciding]
    return found[-1] if found else None


def _is_decision(outcome: Outcome, role: str) -> bool:
    return outcome.effect in DECIDING or (
        outcome.effect is ResultEffect.REJECT and role in CONCLUDING_ROLES
    )


def _resolved(catalog: Catalog, query: DecisionQuery) -> DecisionQuery:
    """The query with ids checked against the definitions (one line naming a bad one)."""
    if query.organization:
        catalog.organization(query.organization)
    if query.paper_type:
        catalog.paper_type(query.paper_type)
    if query.outcome:
        known = [o.value for o in Outcome]
        if query.outcome not in known:
            hint = did_you_mean(query.outcome, known)
            raise InvalidInput(
                _("unknown outcome {outcome!r}{hint}").format(outcome=query.outcome, hint=hint)
            )
    return query


def _decided_steps(session: Session, body_id: str, query: DecisionQuery) -> Sequence[Consultation]:
    return trail_store.decided_steps(
        session,
        body_id,
        deciding=[o.value for o in Outcome if o.effect in DECIDING],
        rejecting=[o.value for o in Outcome if o.effect is ResultEffect.REJECT],
        concluding_roles=CONCLUDING_ROLES,
        organization=query.organization,
        since=query.since,
        until=query.until,
        paper_type=query.paper_type,
        outcome=query.outcome,
    )
