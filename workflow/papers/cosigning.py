"""Mitzeichnung beyond signing: overruling an objection, and the due date of each signature.

An objection (``paper co-sign --object --comment``) blocks the release (guard
``no_objections``) until the objecting office signs after all (``paper co-sign`` again, which
withdraws the objection) or the head of the writing office overrules it with a reason
(``paper overrule``; who may is the permission ``co_signature.overrule``). The objection's
comment is kept; the overruling is recorded beside it and in the audit trail.

A pending co-signature is due ``deadlines.co_signing`` after it was requested (the
``co_signature_requested`` event of the submit), by the rule of the co-signing office.

``waiting_for`` is the Mitzeichnung inbox: the co-signatures a user may sign or object to, and
the objections they may overrule, judged by the same permission checks as the changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage import repository
from workflow.core.errors import (
    InvalidInput,
    NotFoundError,
    PermissionDenied,
    TransitionNotAllowed,
    did_you_mean,
)
from workflow.core.i18n import _
from workflow.core.inputs import check_line
from workflow.core.model import (
    MAX_PAGE_SIZE,
    Action,
    Actor,
    AuditAction,
    CoSignatureState,
    CoSigningItem,
    PaperView,
)
from workflow.papers.present import co_signing_deadlines, touch
from workflow.uow import (
    KNOWN_USERS,
    TRUSTED,
    PaperAction,
    Reader,
    Shared,
    UnitOfWork,
    actor_of,
    require_paper,
)

if TYPE_CHECKING:
    from storage.schema import CoSignature, Paper
    from workflow.core.catalog import Catalog, Organization

#: the co-signatures an office may still sign (signing an objected one withdraws the objection)
OPEN_SIGNATURES = frozenset({CoSignatureState.PENDING, CoSignatureState.OBJECTED})


class CoSigningService:
    """Signing, objecting and overruling objections in the Mitzeichnung; what waits for whom."""

    def __init__(self, shared: Shared) -> None:
        self._shared = shared

    def waiting_for(
        self,
        user: str,
        *,
        body: str | None = None,
        paper: str | None = None,
        reader: str | Reader | None = TRUSTED,
        limit: int = MAX_PAGE_SIZE,
    ) -> list[CoSigningItem]:
        """The co-signatures waiting for ``user`` on papers in Mitzeichnung, due first (those
        without a due date last): what one of their offices is to sign or object to, and the
        objections to their office's papers they may overrule. The session office and admins
        act for every office, so theirs is every open co-signature their roles allow. At most
        ``limit`` (1 to ``MAX_PAGE_SIZE``); ``paper``: only that paper's.

        :raises InvalidInput: ``limit`` out of bounds.
        :raises NotFoundError: ``user`` is not in users.yaml, or no such paper.
        """
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidInput(
                _("a list holds 1 to {most} entries, not {limit}").format(
                    most=MAX_PAGE_SIZE, limit=limit
                )
            )
        with self._shared.read(body, reader, KNOWN_USERS) as uow:
            current = uow.catalog()
            actor = actor_of(current, user)
            lifecycle = current.lifecycle("paper")
            states = [s.id for s in lifecycle.states if lifecycle.transition("release", s.id)]
            rows = (
                [uow.paper(paper)]
                if paper is not None
                else [
                    row
                    for state in states
                    for row in repository.list_papers(uow.session, uow.body().id, state=state)
                ]
            )
            items = [item for row in rows for item in waiting_on(uow, actor, row)]
            items.sort(key=lambda i: (i.due is None, i.due, i.number, i.office_id))
            return items[:limit]

    def overrule_objection(
        self,
        number: str,
        *,
        user: str | None,
        office: str,
        reason: str,
        body: str | None = None,
    ) -> PaperView:
        """Overrule ``office``'s objection to ``number``; the release is no longer blocked by it.

        :raises PermissionDenied: the user lacks co_signature.overrule or is not of the
            paper's office.
        :raises InvalidInput: no reason, or the office has not objected.
        :raises TransitionNotAllowed: the paper is not in Mitzeichnung.
        """
        check_line(reason, _("reason"))
        with self._shared.write(user, body) as uow:
            paper, catalog, actor = uow.lock_paper(number, Action.CO_SIGNATURE_OVERRULE)
            if not reason.strip():
                raise InvalidInput(_("overruling an objection needs a reason"), field="reason")
            if catalog.lifecycle("paper").transition("release", paper.state) is None:
                raise TransitionNotAllowed(
                    paper.number,
                    paper.state,
                    _("overrule an objection"),
                    self._shared.engine.paper_triggers(catalog, paper.state),
                    _("objections are overruled during the Mitzeichnung, before release"),
                )
            org = catalog.office(office)
            signature = _objection(paper, org)
            now = self._shared.clock.now()
            signature.state = CoSignatureState.OVERRULED.value
            signature.overruled_by, signature.overruled_at = actor.user_id, now
            signature.overrule_reason = reason.strip()
            uow.record(
                paper,
                actor,
                AuditAction.CO_SIGNATURE_OVERRULED,
                CoSignatureState.OBJECTED.value,
                CoSignatureState.OVERRULED.value,
                {"office": org.id, "objection": signature.comment, "reason": reason.strip()},
            )
            return touch(uow, catalog, paper)

    def co_sign(
        self,
        number: str,
        *,
        user: str | None,
        office: str,
        objection: bool = False,
        comment: str | None = None,
        body: str | None = None,
    ) -> PaperView:
        """Sign (or object to) the paper for one participating office."""
        check_line(comment, _("comment"))
        if objection and not (comment and comment.strip()):
            raise InvalidInput(_("an objection needs a reason"), field="comment")
        with self._shared.write(user, body) as uow:
            paper, catalog, actor = uow.lock_paper(number, Action.CO_SIGNATURE_SIGN, office=office)
            office_row = catalog.office(office)
            if catalog.lifecycle("paper").transition("release", paper.state) is None:
                allowed = self._shared.engine.paper_triggers(catalog, paper.state)
                raise TransitionNotAllowed(
                    paper.number,
                    paper.state,
                    _("co-sign"),
                    allowed,
                    _("co-signing happens after submit and before release"),
                )
            signature = _signature(paper, office_row)
            withdrawn = signature.comment if signature.state == CoSignatureState.OBJECTED else None
            new = CoSignatureState.OBJECTED if objection else CoSignatureState.SIGNED
            action = AuditAction.CO_SIGNATURE_OBJECTED if objection else AuditAction.CO_SIGNED
            previous = signature.state
            signature.state, signature.actor = new.value, actor.user_id
            signature.signed_at, signature.comment = self._shared.clock.now(), comment
            uow.record(
                paper,
                actor,
                action,
                previous,
                new.value,
                {"office": office_row.id, "comment": comment}
                | ({"objection_withdrawn": withdrawn} if withdrawn and not objection else {}),
            )
            return touch(uow, catalog, paper)


def _signature(paper: Paper, office_row: Organization) -> CoSignature:
    """The office's co-signature on the paper, if it still has something to sign."""
    signature = next((c for c in paper.co_signatures if c.office_id == office_row.id), None)
    if signature is None:
        participants = [c.office_id for c in paper.co_signatures]
        raise NotFoundError(
            _("{id!r} is not a participating office of {number}").format(
                id=office_row.id, number=paper.number
            )
            + (
                did_you_mean(office_row.id, participants)
                or _(" (participants: {participants})").format(
                    participants=", ".join(participants) or _("none")
                )
            )
        )
    if signature.state == CoSignatureState.SIGNED:
        raise InvalidInput(
            _("{name} has already signed {number}").format(
                name=office_row.name, number=paper.number
            )
        )
    if signature.state == CoSignatureState.OVERRULED:
        raise InvalidInput(
            _(
                "the objection of {name} to {number} was overruled by {overruled_by}; "
                "nothing is left to sign"
            ).format(
                name=office_row.name,
                number=paper.number,
                overruled_by=signature.overruled_by,
            )
        )
    return signature


def _objection(paper: Paper, org: Organization) -> CoSignature:
    """The co-signature by which ``org`` objects to ``paper``; refused when the office does not
    take part in the Mitzeichnung or has not objected."""
    signature = next((c for c in paper.co_signatures if c.office_id == org.id), None)
    if signature is None:
        participants = [c.office_id for c in paper.co_signatures]
        raise NotFoundError(
            _("{id!r} is not a participating office of {number}").format(
                id=org.id, number=paper.number
            )
            + (did_you_mean(org.id, participants) or "")
        )
    if signature.state != CoSignatureState.OBJECTED.value:
        raise InvalidInput(
            _(
                "{name} has not objected to {number} (its co-signature is {state}); only "
                "an objection can be overruled"
            ).format(name=org.name, number=paper.number, state=signature.state)
        )
    return signature


def waiting_on(uow: UnitOfWork, actor: Actor, paper: Paper) -> list[CoSigningItem]:
    """The co-signatures of ``paper`` that wait for ``actor`` (see ``waiting_for``)."""
    catalog = uow.catalog(paper.definitions_version)
    if catalog.lifecycle("paper").transition("release", paper.state) is None:
        return []
    deadlines = co_signing_deadlines(uow.session, catalog, paper)
    now, items = uow.now(), []
    for signature in paper.co_signatures:
        state = CoSignatureState(signature.state)
        may_sign = state in OPEN_SIGNATURES and _allowed(
            catalog, actor, Action.CO_SIGNATURE_SIGN, paper, signature.office_id
        )
        may_overrule = state is CoSignatureState.OBJECTED and _allowed(
            catalog, actor, Action.CO_SIGNATURE_OVERRULE, paper, None
        )
        if not (may_sign or may_overrule):
            continue
        deadline = deadlines.get(signature.office_id)
        items.append(
            CoSigningItem(
                number=paper.number,
                title=paper.title,
                paper_office_id=paper.office_id,
                paper_office_name=catalog.organization_name(paper.office_id),
                office_id=signature.office_id,
                office_name=catalog.organization_name(signature.office_id),
                state=state,
                comment=signature.comment if state is CoSignatureState.OBJECTED else None,
                due=deadline.day if deadline else None,
                overdue=deadline is not None and deadline.due <= now,
                may_sign=may_sign,
                may_overrule=may_overrule,
            )
        )
    return items


def _allowed(
    catalog: Catalog, actor: Actor, action: PaperAction, paper: Paper, office: str | None
) -> bool:
    """Whether ``require_paper`` lets ``actor`` do ``action`` (for ``office``)."""
    try:
        require_paper(catalog, actor, action, paper, office=office)
    except (PermissionDenied, NotFoundError):
        return False
    return True
