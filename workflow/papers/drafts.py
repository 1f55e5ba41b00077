"""Editing a draft (Entwurf): its title, text, participating offices and the planned dates
of its Beratungsfolge, while the paper is still in the lifecycle's initial state.

One edit is one ``paper_edited`` event in the paper's chain, naming each changed field with
its old and new value; a text change names the two wordings' SHA-256 and the draft text
version it created (``text_version_created`` with source ``draft`` carries the wording, as
for every other version). Release later adds the released version after the drafts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from storage.schema import CoSignature, Paper, TextVersion
from workflow.core.catalog import Catalog
from workflow.core.engine import WorkflowEngine
from workflow.core.errors import InvalidInput, TransitionNotAllowed
from workflow.core.i18n import _
from workflow.core.inputs import check_line, check_lines, check_text
from workflow.core.model import Actor, AuditAction, CoSignatureState, DraftChanges
from workflow.uow import UnitOfWork

#: The source of a text version written while the paper is a draft.
DRAFT_SOURCE = "draft"


def check_changes(changes: DraftChanges) -> None:
    """The same checks as creating a paper: no control characters, a title not empty.

    :raises InvalidInput: a bad value, or nothing asked for.
    """
    check_line(changes.title, _("title"))
    check_text(changes.text, _("text"))
    check_lines(changes.participants or (), _("participant or member"))
    if changes.title is not None and not changes.title.strip():
        raise InvalidInput(_("a paper needs a title"), field="title")
    if changes.text is not None and not changes.text.strip():
        raise InvalidInput(
            _("the new text is empty; a draft keeps its text until it has one"), field="text"
        )
    fields = (changes.title, changes.text, changes.participants, changes.planned)
    if all(f is None for f in fields):
        raise InvalidInput(
            _("no change given; change the title, the text, the participants or the plan")
        )


def edit_draft(
    uow: UnitOfWork,
    engine: WorkflowEngine,
    catalog: Catalog,
    actor: Actor,
    paper: Paper,
    changes: DraftChanges,
) -> None:
    """Apply ``changes`` to the locked draft ``paper`` and record ``paper_edited``.

    :raises TransitionNotAllowed: the paper is no longer a draft.
    :raises InvalidInput: nothing would change, the writing office named as participant, or
        a planned date for a step the path does not have.
    :raises NotFoundError: an unknown office.
    """
    initial = catalog.lifecycle("paper").initial
    if paper.state != initial:
        raise TransitionNotAllowed(
            paper.number,
            paper.state,
            _("edit"),
            engine.paper_triggers(catalog, paper.state),
            _("only a draft (Entwurf) can be edited; later changes go into an Ergänzungsvorlage"),
        )
    diff: dict[str, Any] = {}
    if changes.title is not None and changes.title.strip() != paper.title:
        diff["title"] = {"old": paper.title, "new": changes.title.strip()}
        paper.title = changes.title.strip()
    if changes.participants is not None:
        diff |= _participants(catalog, paper, changes.participants)
    if changes.planned is not None:
        diff |= _planned(paper, changes.planned)
    if changes.text is not None and changes.text != paper.text:
        diff["text"] = _text(uow, actor, paper, changes.text)
    if not diff:
        raise InvalidInput(_("no change: {number} already reads so").format(number=paper.number))
    paper.modified_at = uow.now()
    uow.record(paper, actor, AuditAction.PAPER_EDITED, None, None, {"changes": diff})


def _participants(catalog: Catalog, paper: Paper, wanted: Sequence[str]) -> dict[str, Any]:
    offices = [catalog.office(p.strip()).id for p in dict.fromkeys(wanted)]
    if paper.office_id in offices:
        raise InvalidInput(
            _("{office_id!r} writes the paper and cannot also co-sign it").format(
                office_id=paper.office_id
            ),
            field="participants",
        )
    old = sorted(c.office_id for c in paper.co_signatures)
    if sorted(offices) == old:
        return {}
    paper.co_signatures[:] = [c for c in paper.co_signatures if c.office_id in offices]
    kept = {c.office_id for c in paper.co_signatures}
    for office in offices:
        if office not in kept:
            paper.co_signatures.append(
                CoSignature(office_id=office, state=CoSignatureState.PENDING.value)
            )
    return {"participants": {"old": old, "new": sorted(offices)}}


def _planned(paper: Paper, planned: Mapping[int, dt.date | None]) -> dict[str, Any]:
    steps = {c.position: c for c in paper.consultations}
    missing = sorted(p for p in planned if p not in steps)
    if missing:
        raise InvalidInput(
            _("{number} has no step {position}; its path has {count} steps").format(
                number=paper.number, position=missing[0], count=len(steps)
            ),
            field="planned",
        )
    old: dict[str, str | None] = {}
    new: dict[str, str | None] = {}
    for position, day in sorted(planned.items()):
        step = steps[position]
        if step.planned_date != day:
            old[str(position)] = _iso(step.planned_date)
            new[str(position)] = _iso(day)
            step.planned_date = day
    return {"planned_dates": {"old": old, "new": new}} if new else {}


def _text(uow: UnitOfWork, actor: Actor, paper: Paper, text: str) -> dict[str, Any]:
    """Store ``text`` as the draft's wording and as a new draft text version."""
    old = paper.text
    paper.text = text
    version = TextVersion(
        number=len(paper.text_versions) + 1,
        text=text,
        source=DRAFT_SOURCE,
        position=None,
        organization_id=None,
        created_at=uow.now(),
        actor=actor.user_id,
    )
    paper.text_versions.append(version)
    payload = {
        "version": version.number,
        "source": DRAFT_SOURCE,
        "position": None,
        "organization": None,
        "sha256": _sha256(text),
        "text": text,
    }
    uow.record(paper, actor, AuditAction.TEXT_VERSION_CREATED, None, None, payload)
    return {"old_sha256": _sha256(old), "new_sha256": _sha256(text), "version": version.number}


def _sha256(text: str | None) -> str | None:
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text is not None else None


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
