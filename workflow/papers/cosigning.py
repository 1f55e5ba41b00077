"""Mitzeichnung beyond signing: overruling an objection, and the due date of each signature.

An objection (``paper co-sign --object --comment``) blocks the release (guard
``no_objections``) until the objecting office signs after all (``paper co-sign`` again, which
withdraws the objection) or the head of the writing office overrules it with a reason
(``paper overrule``; who may is the permission ``co_signature.overrule``). The objection's
comment is kept; the overruling is recorded beside it and in the audit trail.

A pending co-signature is due ``deadlines.co_signing`` after it was requested (the
``co_signature_requested`` event of the submit), by the rule of the co-signing office.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflow.core.errors import InvalidInput, NotFoundError, TransitionNotAllowed, did_you_mean
from workflow.core.i18n import _
from workflow.core.inputs import check_line
from workflow.core.model import (
    Action,
    AuditAction,
    CoSignatureState,
    PaperView,
)
from workflow.papers.present import touch
from workflow.uow import Shared

if TYPE_CHECKING:
    from storage.schema import CoSignature, Paper
    from workflow.core.catalog import Organization


class CoSigningService:
    """Overruling objections in the Mitzeichnung; co-signing due dates for the views."""

    def __init__(self, shared: Shared) -> None:
        self._shared = shared

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
                raise InvalidInput(_("overruling an objection needs a reason; pass --reason TEXT"))
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
            raise InvalidInput(_("an objection needs a reason; pass --comment TEXT"))
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
