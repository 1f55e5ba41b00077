"""``ratsweg worker``: sweeps due reminders into the outbox and delivers the outbox.

APScheduler 3.11 only provides the tick (a ``BlockingScheduler`` with a ``MemoryJobStore`` and
one interval job, ``max_instances=1``, ``coalesce=True``, no misfire grace): what is due comes
from the database on every sweep, so reminders that fell due while no worker ran are sent on
the first sweep after start, whatever APScheduler thinks about missed runs.

With ``seal_dir`` a second job seals the audit trail every ``seal_every`` seconds (the first
at start) as ``seal_as`` and writes each seal as a new file into that folder (``audit seal``,
``workflow.audit.seal.write_seal_file``): whoever can INSERT into the audit table can append
correctly hashed events, and only a seal kept outside the database shows what was there before;
the interval bounds that window. A seal that cannot be taken or written is logged and tried
again at the next run; it never stops the worker.

SIGTERM or SIGINT: the current batch is finished, the scheduler shut down, the process exits 0.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from workflow.audit.seal import write_seal_file
from workflow.core.errors import ConflictError, DeliveryError, StorageError, WorkflowError
from workflow.core.model import DeliveryFailure, OutboxMessage, RefusedRecipient, SweepReport
from workflow.reminders.notify import Notifier
from workflow.service import WorkflowService

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerOptions:
    interval: float = 60.0  # seconds between sweeps
    batch: int = 500  # reminders claimed / messages leased per transaction
    lease: float = 300.0  # seconds a leased message is this worker's
    max_attempts: int = 5
    backoff: float = 60.0  # seconds before the first retry; doubled each time
    seal_dir: str | None = None  # write a seal of the audit trail into this folder
    seal_every: float = 3600.0  # seconds between seals
    seal_as: str | None = None  # the user who seals (auditor or admin)
    fence_group: int = 25  # messages fenced at a time; each fence records the group before


#: The share of a lease in which a worker starts sends; the rest is a margin for the send in
#: progress (the SMTP timeout) and the finishing transaction.
LEASE_SHARE = 0.5

#: How long (as a share of the lease) one fence lets a worker start sends: it proves the lease
#: for the next messages of the batch in one statement, and fences again when this has passed.
FENCE_SHARE = 0.1


def worker_name() -> str:
    return f"worker:{socket.gethostname()}:{os.getpid()}"


class Worker:
    def __init__(
        self,
        service: WorkflowService,
        notifier: Notifier,
        options: WorkerOptions | None = None,
        name: str | None = None,
    ) -> None:
        self.service, self.notifier = service, notifier
        self.options = options or WorkerOptions()
        self.name = name or worker_name()
        self.stop = threading.Event()
        self._busy = threading.Lock()
        self.total = SweepReport()

    def sweep(self) -> SweepReport:
        """Claim and deliver batches until nothing is due or a stop is requested."""
        report = SweepReport()
        with self._busy:
            while not self.stop.is_set():
                try:
                    batch = self.run_batch()
                except (ConflictError, StorageError) as exc:
                    log.warning("sweep interrupted, next sweep retries: %s", exc)
                    break
                report = _add(report, batch)
                if batch.claimed == 0 and batch.sent + batch.retried + batch.failed == 0:
                    break
        self.total = _add(self.total, report)
        if report != SweepReport():
            log.info("sweep %s: %s", self.name, report)
        return report

    def seal(self) -> Path | None:
        """Seal the audit trail and write the seal into ``seal_dir`` (the seal job). Whatever
        fails is logged and left to the next run: the file returned, or None."""
        o = self.options
        if o.seal_dir is None:
            return None
        try:
            seal = self.service.audit.seal_audit(user=o.seal_as)
            path = write_seal_file(seal, o.seal_dir)
        except (WorkflowError, OSError) as exc:
            log.error("audit seal not written, the next run tries again: %s", exc)
            return None
        except Exception:  # the seal job must not stop the worker either
            log.exception("audit seal not written, the next run tries again")
            return None
        log.info("sealed %d events in %d chains: %s", seal.events, len(seal.heads), path)
        return path

    def run_batch(self) -> SweepReport:
        """One transaction that claims and leases, delivery in fenced groups, one finishing
        transaction.

        Every lease has a token of its own (``secrets.token_hex``). Before it starts sends the
        worker *fences*: one short transaction (``ReminderService.fence_messages``) returns
        those of its next ``fence_group`` messages that still carry the token and whose lease
        runs on for at least the fence's window plus ``1 - LEASE_SHARE`` of a lease; the worker
        starts sends of only these, and only within the window (``FENCE_SHARE`` of the lease,
        at most what is left of its first half; by ``time.monotonic``, read before the fence),
        then fences the next group. That fence records the group before it in the same
        transaction (``ReminderService.finish_and_fence``): its sent messages are marked sent,
        its failures queued again or parked, each under the lease's token; the last group is
        recorded by the finishing transaction. The bound, with the workers' clocks in step:

        - every send starts after a fence that found the message still leased to this worker,
          and at least ``(1 - LEASE_SHARE)`` of the lease (the margin for the send in
          progress and the finishing transaction) before another worker may take it over;
        - a worker that stalls past its lease (SIGSTOP, a long pause) sends nothing after it
          wakes up that another worker has leased since: the fence it runs first no longer
          finds its token. A stall its monotonic clock does not see (a frozen VM), or another
          worker's clock running ahead, is caught by the token as well, except for the sends
          started within one window after the last successful fence;
        - what can still go out twice are the messages whose send had begun, or had ended
          but was not yet recorded, when the worker stopped for good or stalled past its lease:
          at most one group (``fence_group`` messages), the one fenced last
          (docs/architecture.md).

        Messages are started only during the first half of the lease (``LEASE_SHARE``): the
        rest, and the ones a fence did not return, are handed back untried. A message the
        notifier cannot even build (an unexpected exception, e.g. a header it refuses) is
        parked as failed instead of stopping the worker, which would otherwise meet it again
        in every sweep and re-send the batch's earlier messages."""
        o = self.options
        token = secrets.token_hex(16)
        leased_at = time.monotonic()
        claimed, messages = self.service.reminders.claim_and_lease(
            worker=self.name, limit=o.batch, lease=dt.timedelta(seconds=o.lease), token=token
        )
        if not messages:  # nothing to finish: no second transaction (every idle sweep)
            return SweepReport(claimed=claimed)
        done, outcome = self._deliver(token, messages, leased_at + o.lease * LEASE_SHARE)
        if outcome.handed_back:
            log.info("%s: lease half over or lost, %d handed back", self.name, outcome.handed_back)
        sent, retried, failed = self.service.reminders.finish_messages(
            worker=self.name,
            token=token,
            delivered=outcome.delivered,
            refused=outcome.refused,
            failures=outcome.failures,
            max_attempts=o.max_attempts,
            backoff=dt.timedelta(seconds=o.backoff),
            released=outcome.released,
        )
        return _add(done, SweepReport(claimed=claimed, sent=sent, retried=retried, failed=failed))

    def _deliver(
        self, token: str, messages: list[OutboxMessage], send_until: float
    ) -> tuple[SweepReport, _Outcome]:
        """Send the messages group by group, each group fenced by the transaction that
        records the group before it (the loop of ``run_batch``): what was recorded, and the
        outcome of the last group, not yet recorded."""
        done, outcome = SweepReport(), _Outcome()
        size = max(1, self.options.fence_group)
        i = 0
        while i < len(messages):
            group = messages[i : i + size]
            fenced = self._fence(token, group, send_until, outcome)
            if fenced is None:  # the lease's share is over or cannot be proven
                outcome.released += [m.id for m in messages[i:]]
                outcome.handed_back += len(messages) - i
                break
            ids, until, recorded = fenced
            if recorded is not None:
                done, outcome = _add(done, recorded), _Outcome(handed_back=outcome.handed_back)
            for message in group:
                if time.monotonic() >= until:  # checked right before the send starts
                    break  # fence the rest of the group again
                i += 1
                if message.id in ids:
                    self._send(message, outcome)
                else:
                    outcome.released.append(message.id)
                    outcome.handed_back += 1
        return done, outcome

    def _send(self, message: OutboxMessage, outcome: _Outcome) -> None:
        """Send one fenced message and note the outcome."""
        try:
            delivery = self.notifier.send(message)
        except DeliveryError as exc:
            outcome.failures.append(DeliveryFailure(message.id, str(exc), exc.permanent, exc.setup))
            return
        except Exception as exc:  # one bad message must not stop the worker
            log.exception("message %s cannot be delivered, parking it", message.key)
            error = f"ratsweg cannot build or send this message: {type(exc).__name__}: {exc}"
            outcome.failures.append(DeliveryFailure(message.id, error, permanent=True))
            return
        outcome.delivered.append(message.id)
        if delivery is not None and delivery.refused:
            outcome.refused[message.id] = delivery.refused

    def _fence(
        self, token: str, group: list[OutboxMessage], send_until: float, outcome: _Outcome
    ) -> tuple[set[int], float, SweepReport | None] | None:
        """Prove the lease of the messages ``group``, recording ``outcome`` (the group before)
        in the same transaction: the ids that may be sent, the monotonic time until which
        their sends may start, and what was recorded (None when there was nothing to record).
        None once the lease's share for starting sends is over, or when the database cannot
        be asked (the sends so far are then still recorded by the finishing transaction, if it
        can be)."""
        started = time.monotonic()
        o = self.options
        window = min(o.lease * FENCE_SHARE, send_until - started)
        if window <= 0:
            return None  # the rest is handed back
        fence: dict[str, Any] = {
            "token": token,
            "ids": [m.id for m in group],
            "window": dt.timedelta(seconds=window),
            "margin": dt.timedelta(seconds=o.lease * (1 - LEASE_SHARE)),
        }
        recorded = None
        try:
            if not (outcome.delivered or outcome.failures or outcome.released):
                ids = self.service.reminders.fence_messages(**fence)
            else:
                (sent, retried, failed), ids = self.service.reminders.finish_and_fence(
                    worker=self.name,
                    delivered=outcome.delivered,
                    refused=outcome.refused,
                    failures=outcome.failures,
                    max_attempts=o.max_attempts,
                    backoff=dt.timedelta(seconds=o.backoff),
                    released=outcome.released,
                    **fence,
                )
                recorded = SweepReport(sent=sent, retried=retried, failed=failed)
        except (ConflictError, StorageError) as exc:
            log.warning("%s: cannot prove the lease, handing the batch back: %s", self.name, exc)
            return None
        return set(ids), started + window, recorded

    def run(self, *, once: bool = False) -> SweepReport:
        """Sweep once, or every ``interval`` seconds until SIGTERM/SIGINT."""
        previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
        scheduler: Any = None

        def on_signal(signum: int, frame: FrameType | None) -> None:
            log.info("signal %s: finishing the current batch", signum)
            self.stop.set()
            if scheduler is not None and scheduler.running:
                scheduler.shutdown(wait=False)

        for sig in previous:
            signal.signal(sig, on_signal)
        try:
            if once:
                self.sweep()
                self.seal()
            else:
                scheduler = self._scheduler()
                scheduler.start()  # returns after shutdown
                with self._busy:  # wait for the batch in progress
                    pass
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.notifier.close()
        return self.total

    def _scheduler(self) -> Any:
        from apscheduler.jobstores.memory import MemoryJobStore
        from apscheduler.schedulers.blocking import BlockingScheduler

        scheduler = BlockingScheduler(jobstores={"default": MemoryJobStore()}, timezone=dt.UTC)
        jobs: list[tuple[Callable[[], object], float, str]] = [
            (self.sweep, self.options.interval, "sweep_reminders")
        ]
        if self.options.seal_dir is not None:
            jobs.append((self.seal, self.options.seal_every, "seal_audit"))
        for job, seconds, name in jobs:
            scheduler.add_job(
                job,
                "interval",
                seconds=seconds,
                id=name,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
                next_run_time=dt.datetime.now(dt.UTC),  # the first run at start
            )
        return scheduler


@dataclass(slots=True)
class _Outcome:
    """What became of the messages tried since the last fence, for the transaction that
    records them (the next fence or the finishing transaction)."""

    delivered: list[int] = field(default_factory=list)
    refused: dict[int, tuple[RefusedRecipient, ...]] = field(default_factory=dict)
    failures: list[DeliveryFailure] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    handed_back: int = 0  # released in the whole batch, for the log


def _add(a: SweepReport, b: SweepReport) -> SweepReport:
    return SweepReport(
        claimed=a.claimed + b.claimed,
        sent=a.sent + b.sent,
        retried=a.retried + b.retried,
        failed=a.failed + b.failed,
    )
