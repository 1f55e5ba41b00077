"""What ``audit verify`` concludes from one pass over the chains: the first broken link, a
municipality, paper or meeting whose chain is missing or cut short, a meeting its chain does not
reproduce, and, with a folder of seals, whether each seal still matches."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence

from sqlalchemy.orm import Session

from storage import repository
from storage.audit import ChainCheck, Problem, coverage_gaps, hashes_at, meeting_stream
from workflow.audit.replay_meeting import MEETING_PROBLEM, check_meeting
from workflow.audit.replay_state import ReplayReport
from workflow.audit.seal import SealFile
from workflow.core.i18n import _, ngettext
from workflow.core.model import Seal, SealCheck, VerifyReport
from workflow.meetings.common import present_meeting
from workflow.papers.views import audit_event_view
from workflow.uow import UnitOfWork

UNREADABLE = "unreadable seal file"
OTHER_DATABASE = "seal of another database"


def chain_report(uow: UnitOfWork, check: ChainCheck) -> VerifyReport:
    """The verdict on the chains alone: the first break, else the first row whose chain is
    missing or ends before its state, else the first meeting its chain does not reproduce."""
    session = uow.session
    report = VerifyReport(streams=check.streams, events=check.events)
    if check.broken is not None:
        return dataclasses.replace(
            report,
            broken_stream=check.broken.stream,
            broken_seq=check.broken.seq,
            broken_paper=repository.stream_paper_number(session, check.broken.stream),
            problem=check.broken.problem.value,
            reason=check.broken.reason,
        )
    gaps = list(coverage_gaps(session, check.heads))
    if gaps:
        first = gaps[0]
        more = (
            ngettext(
                " ({n} more without a complete chain)",
                " ({n} more without a complete chain)",
                len(gaps) - 1,
            ).format(n=len(gaps) - 1)
            if len(gaps) > 1
            else ""
        )
        return dataclasses.replace(
            report,
            broken_stream=first.stream,
            broken_seq=first.seq,
            broken_paper=first.paper_number,
            problem=(Problem.MISSING_CHAIN if first.missing_chain else Problem.CUT_TAIL).value,
            reason=first.reason + more,
        )
    differs = first_meeting_mismatch(uow)
    if differs is not None and differs.meeting is not None:
        return dataclasses.replace(
            report,
            broken_stream=meeting_stream(differs.meeting),
            broken_seq=differs.seq,
            problem=MEETING_PROBLEM,
            reason=differs.difference,
        )
    return report


def meeting_reports(uow: UnitOfWork, body_id: str) -> Iterator[ReplayReport]:
    """Each meeting of the municipality replayed from its own chain."""
    for meeting in repository.list_meetings(uow.session, body_id):
        rows = repository.paper_events(uow.session, meeting_stream(meeting.id))
        events = [audit_event_view(e, None) for e in rows]
        yield check_meeting(events, present_meeting(uow, meeting))


def first_meeting_mismatch(uow: UnitOfWork) -> ReplayReport | None:
    """The first meeting of any municipality its chain does not reproduce."""
    for body_row in repository.list_bodies(uow.session):
        for report in meeting_reports(uow, body_row.id):
            if not report.ok:
                return report
    return None


def seal_checks(
    session: Session, files: Sequence[SealFile], check: ChainCheck
) -> tuple[SealCheck, ...]:
    """Each seal file against the database: every head it holds must still be the event at
    that (stream, seq), with the same hash. One query for the heads of all seals."""
    seals = [f.seal for f in files if f.seal is not None]
    stored = hashes_at(session, ((h.stream, h.seq) for s in seals for h in s.heads))
    bodies = {b.id for b in repository.list_bodies(session)}
    heads = check.heads if check.broken is None else None
    return tuple(_seal_check(session, f, stored, heads, bodies, check.events) for f in files)


def _seal_check(
    session: Session,
    file: SealFile,
    stored: Mapping[tuple[str, int], str],
    heads: Mapping[str, tuple[int, str]] | None,
    bodies: set[str],
    events: int,
) -> SealCheck:
    seal = file.seal
    if seal is None:
        return SealCheck(file=file.name, problem=UNREADABLE, reason=file.error)
    result = SealCheck(
        file=file.name,
        sealed_at=seal.sealed_at,
        actor=seal.actor,
        root_hash=seal.root_hash,
        sealed_events=seal.events,
    )
    sealed_bodies = set(seal.database.get("bodies") or ())
    if sealed_bodies and not sealed_bodies & bodies:
        reason = _(
            "the seal was taken of another database ({location}, municipalities {bodies})"
        ).format(
            location=seal.database.get("location"),
            bodies=", ".join(sorted(sealed_bodies)),
        )
        return dataclasses.replace(result, problem=OTHER_DATABASE, reason=reason)
    for head in seal.heads:
        found = stored.get((head.stream, head.seq))
        if found == head.hash:
            continue
        if found is None:
            problem, reason = Problem.TRUNCATED, _gone(head.stream, head.seq, heads)
        else:
            problem = Problem.SEAL_MISMATCH
            reason = _(
                "{SEAL_MISMATCH}: the event at the sealed head has hash {found}, the "
                "seal holds {sealed} (the chain was rewritten at or before this "
                "event after the seal was taken)"
            ).format(
                SEAL_MISMATCH=Problem.SEAL_MISMATCH,
                found=found[:12],
                sealed=head.hash[:12],
            )
        return dataclasses.replace(
            result,
            problem=problem.value,
            stream=head.stream,
            seq=head.seq,
            paper=repository.stream_paper_number(session, head.stream),
            reason=reason,
        )
    after = events - seal.events if heads is not None else None
    return dataclasses.replace(result, events_after_seal=after)


def _gone(stream: str, seq: int, heads: Mapping[str, tuple[int, str]] | None) -> str:
    if heads is None:
        what = _("that event is gone")
    elif stream not in heads:
        what = _("the whole chain is gone")
    else:
        what = _("the chain ends at event {seq}").format(seq=heads[stream][0])
    return _("{TRUNCATED} the seal: sealed up to event {seq}, but {what}").format(
        TRUNCATED=Problem.TRUNCATED, seq=seq, what=what
    )


def newest(files: Sequence[SealFile]) -> Seal | None:
    """The newest readable seal of a folder."""
    seals = [f.seal for f in files if f.seal is not None]
    return max(seals, key=lambda s: s.sealed_at) if seals else None
