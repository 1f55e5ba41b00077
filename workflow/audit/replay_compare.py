"""Audit replay, comparing: the rebuilt paper against the stored one, naming the first
difference. ``workflow.audit.replay`` describes replay.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from workflow.audit.replay_state import ReplayedPaper, ReplayStatus
from workflow.core.i18n import _
from workflow.core.model import PaperView, VoteCount

_PAPER_FIELDS = (
    ("number", "number"),
    ("paper_type", "paper_type"),
    ("title", "title"),
    ("office_id", "office"),
    ("date", "date"),
    ("reference", "reference"),
    ("definitions_version", "definitions version"),
    ("state", "state"),
)
_STEP_FIELDS = (
    "organization_id",
    "role",
    "public",
    "level",
    "state",
    "planned_date",
    "date",
    "outcome",
    "result_label",
    "votes",
    "note",
)


def first_difference(
    replayed: ReplayedPaper, stored: PaperView
) -> tuple[ReplayStatus, str, int] | None:
    """The first field where the replayed paper differs from the stored one: paper fields,
    then the steps in path order, the co-signatures, the text versions."""
    for attr, name in _PAPER_FIELDS:
        ours, theirs = getattr(replayed, attr), getattr(stored, attr)
        if ours != theirs:
            return (
                ReplayStatus.MISMATCH,
                _differs(_("the paper's {name}").format(name=name), ours, theirs),
                replayed.seq,
            )
    steps = sorted(replayed.steps, key=lambda s: s.position)
    if len(steps) != len(stored.consultations):
        text = _("the audit trail gives {steps} steps, the database holds {theirs}").format(
            steps=len(steps), theirs=len(stored.consultations)
        )
        return ReplayStatus.MISMATCH, text, replayed.seq
    for ours, theirs in zip(steps, stored.consultations, strict=True):
        for attr in _STEP_FIELDS:
            mine, other = getattr(ours, attr), getattr(theirs, attr)
            if attr == "outcome" and other is not None:
                other = other.value
            if attr == "role":
                other = other.value
            if mine != other:
                what = _("step {position} ({organization_id}) {attr}").format(
                    position=ours.position, organization_id=ours.organization_id, attr=attr
                )
                if attr == "votes":
                    what, mine, other = _vote_difference(what, mine, other)
                return ReplayStatus.MISMATCH, _differs(what, mine, other), ours.seq
    return _co_signature_difference(replayed, stored) or _text_difference(replayed, stored)


def _co_signature_difference(
    replayed: ReplayedPaper, stored: PaperView
) -> tuple[ReplayStatus, str, int] | None:
    ours = sorted(replayed.co_signatures)
    theirs = sorted(c.office_id for c in stored.co_signatures)
    if ours != theirs:
        return (
            ReplayStatus.MISMATCH,
            _differs(_("the co-signing offices"), ours, theirs),
            replayed.seq,
        )
    for signature in stored.co_signatures:
        mine = replayed.co_signatures[signature.office_id]
        for attr, other in (
            ("state", signature.state.value),
            ("actor", signature.actor),
            ("comment", signature.comment),
        ):
            if getattr(mine, attr) != other:
                what = _("the co-signature of {office_id} {attr}").format(
                    office_id=signature.office_id, attr=attr
                )
                return ReplayStatus.MISMATCH, _differs(what, getattr(mine, attr), other), mine.seq
    return None


def _text_difference(
    replayed: ReplayedPaper, stored: PaperView
) -> tuple[ReplayStatus, str, int] | None:
    if len(replayed.text_versions) != len(stored.text_versions):
        text = _("the audit trail gives {ours} text versions, the database holds {theirs}").format(
            ours=len(replayed.text_versions),
            theirs=len(stored.text_versions),
        )
        return ReplayStatus.MISMATCH, text, replayed.seq
    for mine, other in zip(replayed.text_versions, stored.text_versions, strict=True):
        for attr in ("number", "text", "source", "position", "organization_id", "actor"):
            if getattr(mine, attr) != getattr(other, attr):
                what = _("text version {number} {attr}").format(number=other.number, attr=attr)
                return (
                    ReplayStatus.MISMATCH,
                    _differs(what, getattr(mine, attr), getattr(other, attr)),
                    mine.seq,
                )
    if not replayed.text_known and not replayed.text_versions:
        text = _(
            "the paper_created event lacks 'text': it was recorded before ratsweg "
            "kept the draft wording, so the paper's text cannot be checked"
        )
        return ReplayStatus.INCOMPLETE, text, 1
    if replayed.current_text != stored.text:
        return (
            ReplayStatus.MISMATCH,
            _differs(_("the paper's text"), replayed.current_text, stored.text),
            (replayed.seq),
        )
    return None


def _vote_difference(
    what: str, ours: tuple[VoteCount, ...], theirs: tuple[VoteCount, ...]
) -> tuple[str, Any, Any]:
    """The first field of the first vote that differs (e.g. a vote's label), so the message
    shows the two values that differ, not two summaries that look alike."""
    if len(ours) != len(theirs):
        return what, ours, theirs
    for index, (mine, other) in enumerate(zip(ours, theirs, strict=True), start=1):
        for name in mine.as_dict():
            if getattr(mine, name) != getattr(other, name):
                return (
                    _("{what} (vote {index}, {name})").format(what=what, index=index, name=name),
                    getattr(mine, name),
                    getattr(other, name),
                )
    return what, ours, theirs


def _differs(what: str, ours: Any, theirs: Any) -> str:
    shown, stored = _show(ours), _show(theirs)
    if shown == stored:  # a difference the summary does not show: show the values in full
        shown, stored = repr(ours), repr(theirs)
    return _("{what}: the audit trail gives {shown}, the database holds {stored}").format(
        what=what, shown=shown, stored=stored
    )


def _show(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple) and value and isinstance(value[0], VoteCount):
        return "; ".join(_show_vote(v) for v in value)
    if isinstance(value, str) and len(value) > 60:
        return repr(value[:57] + "...")
    return repr(value)


def _show_vote(vote: VoteCount) -> str:
    counts = (vote.yes, vote.no, vote.abstain, vote.biased)
    return f"{vote.subject} {'/'.join('-' if c is None else str(c) for c in counts)}"
