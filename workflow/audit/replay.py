"""Audit replay: rebuild a paper purely from its audit events and compare it with the database.

``replay_events`` reads a paper's chain (``paper:<id>``) from its ``paper_created`` event on
and rebuilds what the events say: the paper's state, its path (each step's organization,
role, publicity, position, level, state, planned and actual date, outcome, label, votes and
note), the co-signatures and the text versions. Every lifecycle transition is checked against
the paper's definitions: the event must start where the replay stands and the lifecycle must
have that trigger from there to that state. ``check_paper`` then compares the rebuilt paper
with the stored one and names the first difference.

An event recorded before ratsweg kept a field that replay needs is not guessed at: the replay
stops there and says which event lacks which field (status ``incomplete``).

An Ergänzungsvorlage's creating event records the steps it takes over with their former
position; what it does not record of them (a note, a result) comes from replaying the paper it
continues (``continued``). Meetings and their agendas are replayed from their own
``meeting:<id>`` chains by ``workflow.audit.replay_meeting``. Replay does not rebuild
reminders, implementation tasks and the decision procedures' rows. Timestamps (signed at,
created at) are not compared; the events carry their own time.
"""

from __future__ import annotations

from collections.abc import Callable

from workflow.audit.replay_apply import replay_events
from workflow.audit.replay_compare import first_difference
from workflow.audit.replay_state import (
    Continued,
    ReplayedCoSignature,
    ReplayedPaper,
    ReplayedStep,
    ReplayedTextVersion,
    ReplayProblem,
    ReplayReport,
    ReplayStatus,
)
from workflow.core.catalog import Catalog
from workflow.core.model import AuditEventView, PaperView

__all__ = [
    "Continued",
    "ReplayProblem",
    "ReplayReport",
    "ReplayStatus",
    "ReplayedCoSignature",
    "ReplayedPaper",
    "ReplayedStep",
    "ReplayedTextVersion",
    "check_paper",
    "first_difference",
    "replay_events",
]


def check_paper(
    events: list[AuditEventView],
    catalog_of: Callable[[str], Catalog],
    stored: PaperView,
    continued: Continued | None = None,
) -> ReplayReport:
    """Replay ``events`` and compare the result with the ``stored`` paper; ``continued`` gives
    the replayed paper an Ergänzungsvorlage continues."""
    number, count = stored.number, len(events)
    try:
        replayed = replay_events(events, catalog_of, continued)
    except ReplayProblem as problem:
        return ReplayReport(
            paper_number=number,
            events=count,
            status=problem.status,
            difference=problem.message,
            seq=problem.seq,
        )
    found = first_difference(replayed, stored)
    if found is None:
        return ReplayReport(paper_number=number, events=count, status=ReplayStatus.MATCH)
    status, text, seq = found
    return ReplayReport(paper_number=number, events=count, status=status, difference=text, seq=seq)
