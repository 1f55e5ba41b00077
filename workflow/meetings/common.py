"""What every meeting operation shares, also across capabilities (minutes, the OParl import):
the meeting's catalog and actor, the meeting.manage permission, its lifecycle context, its
audit chain, its reminders and its view."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from storage import reminders as reminder_store
from storage.audit import append_event, meeting_stream
from storage.schema import Meeting
from workflow.core.clock import check_exists, local
from workflow.core.engine import MeetingContext
from workflow.core.errors import InvalidInput, PermissionDenied
from workflow.core.i18n import _
from workflow.core.model import (
    Action,
    Actor,
    AuditAction,
    MeetingView,
)
from workflow.papers.views import meeting_view
from workflow.reminders.planning import MeetingFacts, plan_meeting_reminders

if TYPE_CHECKING:
    from workflow.core.catalog import Catalog

from workflow.papers.steps import meeting_label
from workflow.uow import UnitOfWork, require


def meeting_catalog_actor(uow: UnitOfWork, meeting: Meeting) -> tuple[Catalog, Actor]:
    """The meeting's rules come from its definitions version, the actor from the current."""
    return uow.catalog(meeting.definitions_version), uow.actor()


def require_manage(catalog: Catalog, actor: Actor, target: str) -> None:
    """Refuse a change to a meeting or its agenda to anyone without meeting.manage (the
    Sitzungsdienst), and name the fix when the definitions give that right to no role."""
    if not catalog.permissions.get(Action.MEETING_MANAGE):
        raise PermissionDenied(
            _(
                "definitions {version!r} give no role {value}; add it to the "
                "permissions and load the definitions"
            ).format(version=catalog.version[:12], value=Action.MEETING_MANAGE.value)
        )
    require(catalog, actor, Action.MEETING_MANAGE, target)


def meeting_flow(
    uow: UnitOfWork, catalog: Catalog, actor: Actor, meeting: Meeting
) -> MeetingContext:
    def record(
        action: AuditAction, before: str | None, after: str | None, payload: dict[str, Any]
    ) -> None:
        record_meeting(uow, meeting, actor, action, payload, before, after)

    return MeetingContext(
        catalog=catalog,
        actor=actor,
        record=record,
        meeting=meeting,
        label=meeting_label(catalog, meeting),
    )


def sync_meeting_reminders(
    uow: UnitOfWork, catalog: Catalog, actor: Actor, meeting: Meeting
) -> None:
    """Keep the meeting's own reminders (its Ladung and escalation) in step with it, in
    the caller's transaction and under the meeting lock every meeting operation holds;
    each change is audited in the meeting's stream."""
    if catalog.deadlines.reminders is None:
        return
    planned = catalog.lifecycle("meeting").initial
    papers = {
        item.consultation.paper.id: item.consultation.paper
        for item in meeting.agenda_items
        if item.consultation is not None
    }
    facts = MeetingFacts(
        id=meeting.id,
        label=meeting_label(catalog, meeting),
        organization_id=meeting.organization_id,
        day=local(meeting.start).date(),
        awaiting_invitation=meeting.state == planned
        and meeting.invited_at is None
        and bool(meeting.agenda_items),
        papers=tuple((p.number, p.title, p.office_id) for _key, p in sorted(papers.items())),
    )
    now = uow.now()
    changes = reminder_store.apply_meeting_plan(
        uow.session,
        body_id=meeting.body_id,
        meeting_id=meeting.id,
        plans=plan_meeting_reminders(catalog, facts),
        now=now,
    )
    for change in changes:
        record_meeting(uow, meeting, actor, change.action, change.payload)


def record_meeting(
    uow: UnitOfWork,
    meeting: Meeting,
    actor: Actor,
    action: AuditAction,
    payload: dict[str, Any],
    before: str | None = None,
    after: str | None = None,
) -> None:
    append_event(
        uow.session,
        stream=meeting_stream(meeting.id),
        occurred_at=uow.now(),
        actor=actor.user_id,
        action=action.value,
        from_state=before,
        to_state=after,
        payload={"meeting": meeting.id, **payload},
    )


def present_meeting(
    uow: UnitOfWork, meeting: Meeting, catalog: Catalog | None = None
) -> MeetingView:
    catalog = catalog or uow.catalog(meeting.definitions_version)
    return meeting_view(catalog, meeting, uow.engine.meeting_triggers(catalog, meeting.state))


def check_meeting_times(start: dt.datetime, end: dt.datetime | None) -> None:
    """:raises InvalidInput: a time without zone, one its zone skips, or an end before the
    start."""
    if start.tzinfo is None or (end is not None and end.tzinfo is None):
        raise InvalidInput(_("meeting times need a time zone"))
    check_exists(start, _("the start"))
    if end is not None:
        check_exists(end, _("the end"))
    if end is not None and end <= start:
        raise InvalidInput(
            _("the meeting ends ({end}) before it starts ({start})").format(
                end=_when(end), start=_when(start)
            )
        )


def _when(instant: dt.datetime) -> str:
    return local(instant).strftime("%d.%m.%Y %H:%M")
