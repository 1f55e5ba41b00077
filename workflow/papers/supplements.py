"""Ergänzungsvorlagen: ``service.supplements`` (domain.md 2.5).

A released paper is frozen. A change goes into an Ergänzungsvorlage numbered from the original
of its chain (``V/2019/367-E01`` … ``-E04``; the pattern is the numbering of a paper type whose
``numbering`` uses ``{origin}``). The supplement takes over the steps not yet dealt with: the
same consultation rows move to it, so an agenda that holds one of them now holds the
supplement. Steps already dealt with stay on the paper they were dealt with on, which fires
``supplement`` and ends in its lifecycle's ``superseded`` state. The supplement starts as a
draft and goes through Mitzeichnung and release like any paper.

Only the latest paper of a chain can be supplemented. Numbers are gap-free under concurrency:
the original's row is locked first (then the latest paper's), so two supplements of one chain
are created one after the other, and a rolled-back creation gives its number back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from storage import papers as paper_store
from storage import repository
from storage.audit import paper_stream
from storage.schema import CoSignature, Paper
from workflow.core.errors import InvalidInput, NotFoundError, TransitionNotAllowed
from workflow.core.i18n import _
from workflow.core.inputs import check_line, check_text
from workflow.core.model import (
    OPEN_STEP_STATES,
    Action,
    Actor,
    AuditAction,
    AuditEventView,
    CoSignatureState,
    PaperView,
)
from workflow.papers.present import present
from workflow.papers.views import audit_event_view
from workflow.reminders.sync import paper_changed
from workflow.uow import (
    AUDIT_READERS,
    KNOWN_USERS,
    TRUSTED,
    Reader,
    Shared,
    UnitOfWork,
    require_paper,
    step_payload,
)

if TYPE_CHECKING:
    from storage.schema import Consultation
    from workflow.core.catalog import Catalog, PaperType


class SupplementService:
    """Ergänzungsvorlagen and the chain of papers they form."""

    def __init__(self, shared: Shared) -> None:
        self._shared = shared

    def create_supplement(
        self,
        number: str,
        *,
        user: str | None,
        reason: str,
        date: dt.date,
        title: str | None = None,
        text: str | None = None,
        participants: Sequence[str] = (),
        paper_type: str | None = None,
        body: str | None = None,
    ) -> PaperView:
        """Create the next Ergänzungsvorlage of ``number``'s chain; it takes over the open steps.

        :raises InvalidInput: no reason, no open step, or no Ergänzungsvorlage type configured.
        :raises PermissionDenied: the user may not create papers for the paper's office.
        :raises TransitionNotAllowed: ``number`` is not released, or its path is closed.
        :raises NotFoundError: unknown paper, type or participant.
        """
        check_line(reason, _("reason"))
        check_line(title, _("title"))
        check_text(text, _("text"))
        if not reason.strip():
            raise InvalidInput(_("an Ergänzungsvorlage needs a reason"), field="reason")
        if title is not None and not title.strip():
            raise InvalidInput(_("the title is empty; give one or leave it out"), field="title")
        with self._shared.write(user, body) as uow:
            actor = uow.actor()
            given = uow.paper(number, for_update=False)
            catalog = uow.catalog(given.definitions_version)
            office = catalog.office(given.office_id)
            require_paper(catalog, actor, Action.PAPER_CREATE, given)
            root, head = _lock_chain(uow, given)
            kind = _supplement_type(catalog, root, paper_type)
            steps = _open_steps(uow, catalog, head)
            offices = [catalog.office(p).id for p in dict.fromkeys(participants)]
            if office.id in offices:
                raise InvalidInput(
                    _("{id!r} writes the paper and cannot also co-sign it").format(id=office.id)
                )
            new = _supplement_row(uow, catalog, kind, root, head, office.id, date, title, text)
            for office_id in offices:
                new.co_signatures.append(
                    CoSignature(office_id=office_id, state=CoSignatureState.PENDING.value)
                )
            uow.session.add(new)
            uow.session.flush()
            _hand_over(uow, catalog, actor, head, new, steps, reason.strip())
            paper_changed(uow, catalog, head)
            paper_changed(uow, catalog, new)
            return present(uow, catalog, new)

    # -- queries -------------------------------------------------------------------------------

    def paper_chain(
        self, number: str, *, body: str | None = None, reader: str | Reader | None = TRUSTED
    ) -> list[PaperView]:
        """Every paper of ``number``'s chain, the original first, then E01, E02, …

        For any member of the chain; a paper without supplements is a chain of one.
        :raises NotFoundError: no such paper.
        """
        with self._shared.read(body, reader, KNOWN_USERS) as uow:
            paper = uow.paper(number, for_update=False)
            views = []
            for member in paper_store.chain_papers(uow.session, paper):
                catalog = uow.catalog(member.definitions_version)
                views.append(present(uow, catalog, member))
            return views

    def chain_audit_trail(
        self, number: str, *, body: str | None = None, reader: str | Reader | None = TRUSTED
    ) -> list[AuditEventView]:
        """The audit trails of every paper of ``number``'s chain, paper by paper in chain
        order, each event labelled with its paper's number.

        :raises NotFoundError: no such paper.
        """
        with self._shared.read(body, reader, AUDIT_READERS) as uow:
            session = uow.session
            paper = uow.paper(number, for_update=False)
            return [
                audit_event_view(event, member.number)
                for member in paper_store.chain_papers(session, paper)
                for event in repository.paper_trail(session, member.id, paper_stream(member.id))
            ]


def _lock_chain(uow: UnitOfWork, given: Paper) -> tuple[Paper, Paper]:
    """Lock the chain's original, then its latest paper; refuse if ``given`` is not the
    latest (its open steps went on already)."""
    root_number = given.number
    if given.origin_id is not None:
        root_number = paper_store.paper_number(uow.session, given.origin_id)
    root = uow.paper(root_number, for_update=True)
    latest = paper_store.latest_supplement_number(uow.session, root.id)
    if latest is None:
        return root, root
    if latest != given.number:
        raise InvalidInput(
            _(
                "{number} is continued by {latest}; the next Ergänzungsvorlage follows "
                "the latest paper of the chain, {latest}"
            ).format(number=given.number, latest=latest)
        )
    return root, uow.paper(latest, for_update=True)


def _hand_over(
    uow: UnitOfWork,
    catalog: Catalog,
    actor: Actor,
    head: Paper,
    new: Paper,
    steps: Sequence[Consultation],
    reason: str,
) -> None:
    """Move the open steps to the supplement (renumbered, levels kept in order) and audit
    it on both papers: the supplement's creation, the old paper's hand-over and state."""
    moved = [
        {"from_position": c.position, "organization": c.organization_id, "role": c.role}
        for c in steps
    ]
    levels: dict[int, int] = {}
    for position, step in enumerate(steps, start=1):
        levels.setdefault(step.level, len(levels) + 1)
        step.paper = new
        step.position, step.level = position, levels[step.level]
    uow.session.flush()
    origin = new.origin_id
    root_number = new.number if origin is None else paper_store.paper_number(uow.session, origin)
    uow.record(
        new,
        actor,
        AuditAction.PAPER_CREATED,
        None,
        new.state,
        {
            "number": new.number,
            "paper_type": new.paper_type,
            "title": new.title,
            "office": new.office_id,
            "date": new.date.isoformat(),
            "reference": new.reference,
            "participants": [c.office_id for c in new.co_signatures],
            "consultations": [
                _step_payload(c) | {"from_position": m["from_position"]}
                for c, m in zip(steps, moved, strict=True)
            ],
            "definitions_version": catalog.version,
            "origin": root_number,
            "continues": head.number,
            "supplement_no": new.supplement_no,
            "reason": reason,
            "text": new.text,
        },
    )
    uow.record(
        head,
        actor,
        AuditAction.SUPPLEMENT_CREATED,
        None,
        None,
        {"supplement": new.number, "reason": reason, "moved": moved},
    )
    ctx = uow.flow(catalog, actor, head)
    uow.engine.fire_paper(ctx, "supplement", supplement=new.number, reason=reason)


def _open_steps(uow: UnitOfWork, catalog: Catalog, head: Paper) -> list[Consultation]:
    """The steps of the chain's latest paper not yet dealt with, in path order: what the
    Ergänzungsvorlage takes over. Refused when the paper cannot be supplemented now."""
    if catalog.lifecycle("paper").transition("supplement", head.state) is None:
        raise TransitionNotAllowed(
            head.number,
            head.state,
            "supplement",
            uow.engine.paper_triggers(catalog, head.state),
            _("an Ergänzungsvorlage continues a released paper whose path is still open"),
        )
    steps = sorted(
        (c for c in head.consultations if c.state in OPEN_STEP_STATES),
        key=lambda c: c.position,
    )
    if not steps:
        raise InvalidInput(
            _("{number} has no open step for an Ergänzungsvorlage").format(number=head.number)
        )
    return steps


def _supplement_row(
    uow: UnitOfWork,
    catalog: Catalog,
    kind: PaperType,
    root: Paper,
    head: Paper,
    office_id: str,
    date: dt.date,
    title: str | None,
    text: str | None,
) -> Paper:
    """The Ergänzungsvorlage following ``head``, numbered from the chain's original, as a
    draft of ``office_id`` that carries the latest paper's reference and submitters on."""
    seq = (head.supplement_no or 0) + 1
    return Paper(
        body_id=uow.body().id,
        definitions_version=catalog.version,
        number=kind.numbering.format(origin=root.number, seq=seq),
        paper_type=kind.id,
        title=(title or head.title).strip(),
        reference=head.reference,
        office_id=office_id,
        date=date,
        text=text,
        state=catalog.lifecycle("paper").initial,
        frozen=False,
        created_at=uow.now(),
        modified_at=uow.now(),
        origin_id=root.id,
        supplement_no=seq,
        faction=head.faction,
        members=head.members,
    )


def _supplement_type(catalog: Catalog, root: Paper, wanted: str | None) -> PaperType:
    if wanted is not None:
        kind = catalog.paper_type(wanted)
        if not kind.is_supplement:
            supplements = [t.id for t in catalog.paper_types.values() if t.is_supplement]
            raise InvalidInput(
                _(
                    "{id!r} is not an Ergänzungsvorlage type (its numbering has no "
                    "{{origin}}); use one of: {supplements}"
                ).format(
                    id=kind.id,
                    supplements=", ".join(supplements) or _("none configured"),
                )
            )
        return kind
    origin_type = catalog.paper_types.get(root.paper_type)
    if origin_type is None or origin_type.supplement_type is None:
        raise NotFoundError(
            _(
                "the definitions of {number} give papers of type {paper_type!r} no "
                "Ergänzungsvorlage; set paper_types[].supplement_type (see "
                "docs/definitions.md) or give the type"
            ).format(number=root.number, paper_type=root.paper_type)
        )
    return catalog.paper_type(origin_type.supplement_type)


def _step_payload(step: Consultation) -> dict[str, Any]:
    """A step taken over by an Ergänzungsvorlage: as every step event records it, plus the
    state and date it is taken over in."""
    return step_payload(step) | {
        "state": step.state,
        "date": step.date.isoformat() if step.date else None,
    }
