"""Reminders for the worker and the session office: claiming and leasing due reminders into the
outbox, finishing deliveries, listing reminders and queueing a failed one again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from storage import reminders as reminder_store
from workflow.core.errors import (
    InvalidInput,
    NotFoundError,
    PermissionDenied,
)
from workflow.core.i18n import _
from workflow.core.model import (
    DeliveryFailure,
    OutboxMessage,
    RefusedRecipient,
    ReminderKind,
    ReminderState,
    ReminderView,
    Role,
)
from workflow.uow import REMINDER_READERS, TRUSTED, Reader, Shared, UnitOfWork, actor_of


def finish_delivery(
    uow: UnitOfWork,
    *,
    worker: str,
    token: str,
    delivered: Sequence[int],
    failures: Sequence[DeliveryFailure],
    max_attempts: int,
    backoff: dt.timedelta,
    refused: Mapping[int, Sequence[RefusedRecipient]] | None = None,
    released: Sequence[int] = (),
) -> tuple[int, int, int]:
    """Record a worker's tries in the unit of work's transaction: delivered messages sent (a
    ``reminder_sent`` event each), failures retried with backoff or parked as failed, released
    ones deliverable again; only messages still leased to ``worker`` under ``token``.
    Returns (sent, retried, failed)."""
    return reminder_store.finish_delivery(
        uow.session,
        worker=worker,
        token=token,
        now=uow.now(),
        delivered=delivered,
        refused=refused or {},
        failures=failures,
        max_attempts=max_attempts,
        backoff=backoff,
        released=released,
    )


class ReminderService:
    """Delivery and lists of reminders."""

    def __init__(self, shared: Shared) -> None:
        self._shared = shared

    def claim_and_lease(
        self, *, worker: str, limit: int, lease: dt.timedelta, token: str
    ) -> tuple[int, list[OutboxMessage]]:
        """One transaction per batch: lease queued retries and lapsed leases first, then claim
        due reminders into new outbox rows for the rest of the batch, leased to ``worker``
        under ``token`` (new for each lease, e.g. ``secrets.token_hex(16)``) before anyone else
        sees them. Returns (claimed, leased messages)."""
        with self._shared.write() as uow:
            session = uow.session
            return reminder_store.claim_and_lease(
                session,
                now=self._shared.clock.now(),
                limit=limit,
                worker=worker,
                lease=lease,
                token=token,
            )

    def fence_messages(
        self, *, token: str, ids: Sequence[int], window: dt.timedelta, margin: dt.timedelta
    ) -> list[int]:
        """One short transaction: of the leased messages ``ids``, those still leased under
        ``token`` whose lease runs on for at least ``window + margin`` from now. Only these
        may be sent, and a send may start only within ``window`` of the moment before this
        call: then it starts at least ``margin`` before another worker can take the message
        over, and once another worker has, the message is not returned any more."""
        with self._shared.write() as uow:
            now = self._shared.clock.now()
            return reminder_store.fence(
                uow.session, now=now, ids=ids, token=token, until=now + window + margin
            )

    def finish_and_fence(
        self,
        *,
        worker: str,
        token: str,
        delivered: Sequence[int],
        failures: Sequence[DeliveryFailure],
        max_attempts: int,
        backoff: dt.timedelta,
        ids: Sequence[int],
        window: dt.timedelta,
        margin: dt.timedelta,
        refused: Mapping[int, Sequence[RefusedRecipient]] | None = None,
        released: Sequence[int] = (),
    ) -> tuple[tuple[int, int, int], list[int]]:
        """``finish_messages`` for the messages a worker has tried since its last fence and
        ``fence_messages`` for the next ones (``ids``), in one transaction: what it sent is
        recorded (under the lease's token) when it proves the lease for the next sends, so a
        worker that stops for good leaves at most the messages of one fence sent but not
        recorded. Returns ((sent, retried, failed), the fenced ids)."""
        with self._shared.write() as uow:
            done = finish_delivery(
                uow,
                worker=worker,
                token=token,
                delivered=delivered,
                failures=failures,
                max_attempts=max_attempts,
                backoff=backoff,
                refused=refused,
                released=released,
            )
            now = uow.now()
            fenced = reminder_store.fence(
                uow.session, now=now, ids=ids, token=token, until=now + window + margin
            )
            return done, fenced

    def finish_messages(
        self,
        *,
        worker: str,
        token: str,
        delivered: Sequence[int],
        failures: Sequence[DeliveryFailure],
        max_attempts: int,
        backoff: dt.timedelta,
        refused: Mapping[int, Sequence[RefusedRecipient]] | None = None,
        released: Sequence[int] = (),
    ) -> tuple[int, int, int]:
        """Mark delivered messages sent (with a ``reminder_sent`` audit event each), schedule
        retries with exponential backoff, park the ones out of attempts as failed; only
        messages still leased to ``worker`` under ``token`` (the lease of this batch).

        ``refused`` maps the outbox id of a delivered message to the recipients the server
        refused while it accepted the others; they are stored with the message and named in
        its ``reminder_sent`` event. A failure of the mail setup is retried without counting
        the attempt; ``released`` messages were not tried and are deliverable again at once.
        Returns (sent, retried, failed).
        """
        with self._shared.write() as uow:
            return finish_delivery(
                uow,
                worker=worker,
                token=token,
                delivered=delivered,
                failures=failures,
                max_attempts=max_attempts,
                backoff=backoff,
                refused=refused,
                released=released,
            )

    def list_reminders(
        self,
        states: Sequence[ReminderState],
        *,
        body: str | None = None,
        limit: int | None = None,
        newest_first: bool = False,
        reader: str | Reader | None = TRUSTED,
    ) -> list[ReminderView]:
        """Reminders in ``states``: earliest due first, or the most recently changed first;
        at most ``limit`` of them (all without one)."""
        with self._shared.read(body, reader, REMINDER_READERS) as uow:
            session = uow.session
            body_row = uow.body()
            rows = reminder_store.list_reminders(
                session,
                body_id=body_row.id,
                states=[s.value for s in states],
                limit=limit,
                newest_first=newest_first,
            )
            return [_reminder_view(r, o, n) for r, o, n in rows]

    def retry_reminder(
        self, reminder_id: int, *, user: str | None, body: str | None = None
    ) -> ReminderView:
        """Queue a parked (failed) reminder again; session office or admin only.

        :raises PermissionDenied: the user is neither.
        :raises NotFoundError: no such reminder in the body.
        :raises InvalidInput: the reminder is not failed.
        """
        with self._shared.write(user, body) as uow:
            session = uow.session
            body_row = uow.body()
            actor = actor_of(uow.catalog(body_row.definitions_version), user)
            if not actor.roles & {Role.SESSION_OFFICE, Role.ADMIN}:
                raise PermissionDenied(
                    _("{user!r} may not {what}: needs one of the roles {roles}").format(
                        user=actor.user_id, what=_("retry reminders"), roles="admin, session_office"
                    )
                )
            row = reminder_store.get_reminder(session, reminder_id)
            if row is None or row.body_id != body_row.id:
                raise NotFoundError(
                    _("no reminder {id} in {body}").format(id=reminder_id, body=body_row.name)
                )
            if not reminder_store.retry_failed(
                session, reminder_id, now=self._shared.clock.now(), actor=actor.user_id
            ):
                state = ReminderState(row.state).label
                raise InvalidInput(
                    _(
                        "reminder {id} is {state}, not failed; only parked reminders can be retried"
                    ).format(id=reminder_id, state=state)
                )
            number = reminder_store.paper_number(session, row.paper_id)
            return _reminder_view(row, None, number)


def _reminder_view(row: Any, outbox: Any, number: str | None) -> ReminderView:
    return ReminderView(
        id=row.id,
        key=row.key,
        kind=ReminderKind(row.kind),
        state=ReminderState(row.state),
        paper=number,
        due_at=row.due_at,
        escalate_at=row.escalate_at,
        recipients=tuple(row.recipients),
        subject=row.subject,
        attempts=outbox.attempts if outbox is not None else 0,
        sent_at=row.sent_at,
        last_error=outbox.last_error if outbox is not None else None,
        claimed_by=row.claimed_by,
        refused=tuple(
            RefusedRecipient(r["address"], r["code"], r["reply"])
            for r in (outbox.refused if outbox is not None and outbox.refused else ())
        ),
    )
