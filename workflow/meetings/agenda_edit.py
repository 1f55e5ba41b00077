"""Editing an agenda (Tagesordnung) before the invitation: ordering its TOPs, taking one off,
moving one to another meeting of the same Gremium.

The invitation numbers the TOPs (Ö 1.., N 1..) and the members receive that agenda, so the
numbers are final from then on: after the invitation a TOP is neither reordered nor taken
off by the Sitzungsdienst. Its Absetzung is the Gremium's decision in the session, recorded
as the result 'abgesetzt' (the item stays on the agenda, its step is repeated later); an
item added afterwards is a Nachtrag with the next number of its part. Until the invitation
the items carry no numbers, so an order is just their ``sort_order``: the public part first,
then the non-public one, each item staying in its part.

As everywhere in the service, one public method is one transaction, and every change appends
its audit events in that transaction. Locks are taken in one order: meeting rows first (by
id), then papers by id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from storage.schema import AgendaItem, Consultation, Meeting
from workflow.core.clock import local
from workflow.core.errors import InvalidInput, NotFoundError
from workflow.core.i18n import _
from workflow.core.model import (
    Actor,
    AgendaItemView,
    AgendaPart,
    AgendaShift,
    AuditAction,
    MeetingView,
)
from workflow.meetings.agenda import AgendaService
from workflow.meetings.common import (
    meeting_catalog_actor,
    present_meeting,
    record_meeting,
    require_manage,
    sync_meeting_reminders,
)
from workflow.papers.steps import check_window, meeting_label
from workflow.papers.views import agenda_item_view
from workflow.reminders.sync import paper_changed
from workflow.uow import UnitOfWork

if TYPE_CHECKING:
    from workflow.core.catalog import Catalog

#: The most items an order may name (an agenda is far shorter; this bounds the input).
MAX_AGENDA_ITEMS = 500


class AgendaEditor(AgendaService):
    """``AgendaService`` with the editor's operations: order, shift, remove, move."""

    def order_agenda(
        self,
        meeting_id: int,
        *,
        user: str | None,
        items: Sequence[int],
        body: str | None = None,
    ) -> MeetingView:
        """Give the agenda a new order: ``items`` names every item id once. Each item stays in
        its part (public part first); within a part the items follow ``items``.

        :raises InvalidInput: ``items`` is not a permutation of the agenda's item ids, the
            order is the one it has, or the invitation went out (its numbers are final).
        :raises TransitionNotAllowed: the meeting is held or cancelled.
        :raises PermissionDenied: the user may not do meeting.manage.
        """
        if len(items) > MAX_AGENDA_ITEMS:
            raise InvalidInput(
                _("an agenda has at most {count} items").format(count=MAX_AGENDA_ITEMS)
            )
        with self._shared.write(user, body) as uow:
            meeting, catalog, actor = self._editable(uow, meeting_id, _("reorder the agenda of"))
            current = {i.id: i for i in meeting.agenda_items}
            if sorted(items) != sorted(current):
                raise InvalidInput(
                    _(
                        "the new order must name each item of the agenda once: {given} given, "
                        "the agenda holds {held}"
                    ).format(given=_ids(items), held=_ids(sorted(current)))
                )
            self._reorder(uow, actor, meeting, [current[i] for i in items], None)
            return present_meeting(uow, meeting, catalog)

    def shift_agenda_item(
        self,
        meeting_id: int,
        *,
        user: str | None,
        item: int,
        shift: AgendaShift,
        body: str | None = None,
    ) -> MeetingView:
        """Move one item a place up or down within its part (the editor's buttons).

        :raises InvalidInput: the item is first (up) or last (down) of its part, or the
            invitation went out.
        :raises NotFoundError: no such item on the meeting's agenda.
        """
        with self._shared.write(user, body) as uow:
            meeting, catalog, actor = self._editable(uow, meeting_id, _("reorder the agenda of"))
            moved = _item_of(meeting, item, meeting_label(catalog, meeting))
            part = [i for i in _ordered(meeting) if i.part == moved.part]
            at = part.index(moved)
            to = at - 1 if shift is AgendaShift.UP else at + 1
            if not 0 <= to < len(part):
                edge = _("first") if shift is AgendaShift.UP else _("last")
                raise InvalidInput(
                    _("item {item} is already the {edge} of its part; nothing changed").format(
                        item=item, edge=edge
                    )
                )
            part[at], part[to] = part[to], part[at]
            others = [i for i in _ordered(meeting) if i.part != moved.part]
            self._reorder(uow, actor, meeting, part + others, (item, shift.value))
            return present_meeting(uow, meeting, catalog)

    def remove_agenda_item(
        self,
        meeting_id: int,
        *,
        user: str | None,
        item: int,
        body: str | None = None,
    ) -> MeetingView:
        """Take an item off the agenda before the invitation. The step of its paper goes
        back to planned (its meeting and date removed, the planned date kept), so that it is
        due again and the next agenda takes it.

        :raises InvalidInput: the invitation went out (then the Gremium decides the
            Absetzung in the session: record 'abgesetzt').
        :raises NotFoundError: no such item on the meeting's agenda.
        """
        with self._shared.write(user, body) as uow:
            meeting, catalog, actor = self._editable(
                uow, meeting_id, _("take an item off the agenda of"), item
            )
            row = _item_of(meeting, item, meeting_label(catalog, meeting))
            if row.consultation is not None:
                self._unschedule(uow, actor, meeting, row.consultation)
            self._unlist(uow, actor, meeting, row, "removed")
            sync_meeting_reminders(uow, catalog, actor, meeting)
            return present_meeting(uow, meeting, catalog)

    def move_agenda_item(
        self,
        meeting_id: int,
        *,
        user: str | None,
        item: int,
        to_meeting: int,
        body: str | None = None,
    ) -> AgendaItemView:
        """Move an item to another planned or invited meeting of the same Gremium, before
        the invitation of its meeting; its step is scheduled for the other meeting's day.
        In an invited meeting the item is a Nachtrag with the next number of its part.

        :raises InvalidInput: the same meeting, another Gremium, the invitation of the item's
            meeting went out, or the new day is outside a re-decision step's objection window.
        :raises TransitionNotAllowed: either meeting is held or cancelled.
        :raises NotFoundError: no such meeting or item.
        """
        with self._shared.write(user, body) as uow:
            # meetings lock in id order
            locked = {m: uow.meeting(m, for_update=True) for m in sorted({meeting_id, to_meeting})}
            source, target = locked[meeting_id], locked[to_meeting]
            meeting, catalog, actor = self._editable(
                uow, meeting_id, _("move an item off the agenda of"), item, source
            )
            if target is source:
                raise InvalidInput(
                    _("item {item} is already on the agenda of meeting {id}").format(
                        item=item, id=meeting_id
                    )
                )
            row = _item_of(meeting, item, meeting_label(catalog, meeting))
            target_catalog = self._target(uow, actor, meeting, target)
            moved = self._move(uow, actor, meeting, target, row)
            sync_meeting_reminders(uow, catalog, actor, meeting)
            sync_meeting_reminders(uow, target_catalog, actor, target)
            return agenda_item_view(moved)

    # -- helpers -------------------------------------------------------------------------------

    def _editable(
        self,
        uow: UnitOfWork,
        meeting_id: int,
        what: str,
        item: int | None = None,
        meeting: Meeting | None = None,
    ) -> tuple[Meeting, Catalog, Actor]:
        """The locked meeting, once the actor may manage it and its agenda is not yet sent."""
        meeting = meeting or uow.meeting(meeting_id, for_update=True)
        catalog, actor = meeting_catalog_actor(uow, meeting)
        label = meeting_label(catalog, meeting)
        require_manage(catalog, actor, label)
        self._require_open(catalog, meeting, what)
        if meeting.invited_at is not None:
            raise InvalidInput(_invited_message(label, meeting, item))
        return meeting, catalog, actor

    def _target(self, uow: UnitOfWork, actor: Actor, source: Meeting, target: Meeting) -> Catalog:
        """The target meeting's catalog, once it is open and of the source's Gremium."""
        catalog = uow.catalog(target.definitions_version)
        label = meeting_label(catalog, target)
        require_manage(catalog, actor, label)
        self._require_open(catalog, target, _("move an item into"))
        if target.organization_id != source.organization_id:
            raise InvalidInput(
                _(
                    "{label} is a meeting of {target!r}, the item one of {source!r}; a TOP "
                    "moves only between meetings of the same Gremium"
                ).format(
                    label=label,
                    target=target.organization_id,
                    source=source.organization_id,
                )
            )
        return catalog

    def _move(
        self, uow: UnitOfWork, actor: Actor, source: Meeting, target: Meeting, row: AgendaItem
    ) -> AgendaItem:
        """Take ``row`` off ``source`` and put it on ``target``'s agenda; its step (if any)
        is scheduled for the target's day in the same transaction."""
        step = row.consultation
        public = AgendaPart(row.part) is AgendaPart.PUBLIC
        title, note = row.title, row.note
        self._unlist(uow, actor, source, row, f"moved to meeting {target.id}")
        if step is None:
            return self._add_item(uow, actor, target, title, public, None, note)
        paper = uow.paper(step.paper.number, for_update=True)
        check_window(uow.session, paper, step, local(target.start).date())
        step.meeting_id = None
        return self._schedule(uow, actor, target, paper, step)

    def _unschedule(
        self, uow: UnitOfWork, actor: Actor, meeting: Meeting, step: Consultation
    ) -> None:
        """Free the step of an item taken off: back to planned (its date removed, the planned
        date kept). A step closed meanwhile (its paper withdrawn) keeps its state."""
        paper = uow.paper(step.paper.number, for_update=True)
        catalog = uow.catalog(paper.definitions_version)
        if catalog.lifecycle("consultation").transition("unschedule", step.state) is not None:
            ctx = uow.flow(catalog, actor, paper)
            self._shared.engine.fire_consultation(
                ctx, step, "unschedule", internal=True, meeting=meeting.id
            )
            step.date = None
        step.meeting_id = None
        paper_changed(uow, catalog, paper)

    def _unlist(
        self, uow: UnitOfWork, actor: Actor, meeting: Meeting, row: AgendaItem, reason: str
    ) -> None:
        """Delete ``row`` from the agenda, audited in the meeting's stream."""
        step = row.consultation
        payload = {
            "item": row.id,
            "part": row.part,
            "title": row.title,
            "paper": step.paper.number if step is not None else None,
            "position": step.position if step is not None else None,
            "reason": reason,
        }
        meeting.agenda_items.remove(row)
        meeting.modified_at = self._shared.clock.now()
        record_meeting(uow, meeting, actor, AuditAction.AGENDA_ITEM_REMOVED, payload)
        uow.session.flush()

    def _reorder(
        self,
        uow: UnitOfWork,
        actor: Actor,
        meeting: Meeting,
        wanted: list[AgendaItem],
        shifted: tuple[int, str] | None,
    ) -> None:
        """Store ``wanted`` as the order (public part first, each part in ``wanted``'s order);
        the new sort orders lie above the old ones, so no flush meets a duplicate."""
        order = [i for part in AgendaPart for i in wanted if i.part == part.value]
        if order == _ordered(meeting):
            raise InvalidInput(_("the agenda already has this order; nothing changed"))
        base = max(i.sort_order for i in meeting.agenda_items) + 1
        for offset, row in enumerate(order):
            row.sort_order = base + offset
        meeting.modified_at = self._shared.clock.now()
        payload: dict[str, object] = {"order": [i.id for i in order]}
        if shifted is not None:
            payload |= {"item": shifted[0], "shift": shifted[1]}
        record_meeting(uow, meeting, actor, AuditAction.AGENDA_ORDERED, payload)
        uow.session.flush()


def _ordered(meeting: Meeting) -> list[AgendaItem]:
    """The agenda as it reads: the public part, then the non-public one, each by sort order."""
    rows = sorted(meeting.agenda_items, key=lambda i: i.sort_order)
    return [i for part in AgendaPart for i in rows if i.part == part.value]


def _item_of(meeting: Meeting, item: int, label: str) -> AgendaItem:
    row = next((i for i in meeting.agenda_items if i.id == item), None)
    if row is None:
        held = _ids(sorted(i.id for i in meeting.agenda_items))
        raise NotFoundError(
            _("{label} has no agenda item {item} (its items: {held})").format(
                label=label, item=item, held=held
            )
        )
    return row


def _invited_message(label: str, meeting: Meeting, item: int | None) -> str:
    """Why an invited agenda is not edited, and what to do instead."""
    if item is None:
        return _(
            "the invitation to {label} went out, so its TOP numbers are final; add late "
            "items as a Nachtrag"
        ).format(label=label)
    return _(
        "the invitation to {label} went out, so item {item} stays on its agenda; the Gremium "
        "decides its Absetzung in the session: record the result 'abgesetzt' there"
    ).format(label=label, item=item)


def _ids(ids: Sequence[int]) -> str:
    return ", ".join(map(str, ids)) or "-"
