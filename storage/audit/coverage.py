"""Coverage of the chains: every municipality, paper and meeting has its chain, and the chains
of municipalities and papers reach the state the database holds.

Hashes prove that a chain was not changed inside; they cannot show that a whole chain was
deleted, or its last events (a cut tail: the chain still verifies, it only ends early). The
stored rows can: each municipality, paper and meeting names its chain, and the last event of a
paper's chain that sets its state (``paper_created``, ``paper_transitioned``) must name the
state the paper holds now, as the last ``definitions_loaded`` of a municipality's chain must
name its definitions version. (A meeting's state and agenda are compared by replaying its
chain, ``workflow.audit.replay_meeting``.)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from storage.audit.streams import body_stream, meeting_stream, paper_stream
from storage.schema import AuditEvent, Body, Meeting, Paper
from workflow.core.model import AuditAction

#: stream prefix -> the actions that set the state of that kind of row
STATE_ACTIONS: dict[str, tuple[str, ...]] = {
    "paper:": (AuditAction.PAPER_CREATED, AuditAction.PAPER_TRANSITIONED),
    "body:": (AuditAction.DEFINITIONS_LOADED,),
}


@dataclass(frozen=True, slots=True)
class CoverageGap:
    """A row whose chain is missing or ends before the state the row holds."""

    stream: str
    #: the seq after the chain's last event: where the missing events were
    seq: int
    #: "paper 2025/001", "meeting 3", "municipality musterstadt"
    what: str
    paper_number: str | None
    missing_chain: bool
    reason: str


def coverage_gaps(session: Session, heads: Mapping[str, tuple[int, str]]) -> Iterator[CoverageGap]:
    """Every row without its chain, or whose chain ends in another state than the row's.

    ``heads`` are the last (seq, hash) of every chain, as ``verify_chains`` read them."""
    last_states = _last_states(session)
    for stream, what, number, state in _rows(session):
        head = heads.get(stream)
        if head is None:
            yield CoverageGap(
                stream,
                1,
                what,
                number,
                True,
                f"{what} has no audit chain: every event of {stream} is missing (deleted); "
                f"the database holds it in state {state!r}",
            )
            continue
        if stream.startswith("meeting:"):
            continue  # replayed in full by the caller
        last = last_states.get(stream)
        if last is None or last[1] != state:
            ends = f"ends in {last[1]!r} (event {last[0]})" if last else "sets no state"
            yield CoverageGap(
                stream,
                head[0] + 1,
                what,
                number,
                False,
                f"{what} is in {state!r} in the database, but its audit chain {ends} and stops "
                f"at event {head[0]}: events after it were deleted (a cut tail), or the "
                "database was changed without its events",
            )


def _rows(session: Session) -> Iterator[tuple[str, str, str | None, str]]:
    """(stream, what, paper number, state) of every municipality, paper and meeting."""
    for body_id, version in session.execute(select(Body.id, Body.definitions_version)):
        yield body_stream(body_id), f"municipality {body_id}", None, version
    papers = select(Paper.id, Paper.number, Paper.state).order_by(Paper.id)
    for paper_id, number, state in session.execute(papers):
        yield paper_stream(paper_id), f"paper {number}", number, state
    meetings = select(Meeting.id, Meeting.state).order_by(Meeting.id)
    for meeting_id, state in session.execute(meetings):
        yield meeting_stream(meeting_id), f"meeting {meeting_id}", None, state


def _last_states(session: Session) -> dict[str, tuple[int, str | None]]:
    """stream -> (seq, to_state) of the last state-setting event of every chain."""
    kinds = or_(
        *(
            and_(AuditEvent.stream.startswith(prefix), AuditEvent.action.in_(actions))
            for prefix, actions in STATE_ACTIONS.items()
        )
    )
    last = (
        select(AuditEvent.stream, func.max(AuditEvent.seq).label("seq"))
        .where(kinds)
        .group_by(AuditEvent.stream)
        .subquery()
    )
    query = select(AuditEvent.stream, AuditEvent.seq, AuditEvent.to_state).join(
        last, and_(AuditEvent.stream == last.c.stream, AuditEvent.seq == last.c.seq)
    )
    return {stream: (seq, state) for stream, seq, state in session.execute(query)}
