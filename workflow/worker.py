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
import signal
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from workflow.audit.seal import write_seal_file
from workflow.core.errors import ConflictError, DeliveryError, StorageError, WorkflowError
from workflow.core.model import DeliveryFailure, RefusedRecipient, SweepReport
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


#: The share of a lease in which a worker starts sends; the rest is a margin for the send in
#: progress (the SMTP timeout) and the finishing transaction.
LEASE_SHARE = 0.5


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
        """One transaction that claims and leases, delivery, one finishing transaction.

        Messages are sent only during the first half of the lease (``LEASE_SHARE``): the rest
        are handed back untried, so no message is sent after another worker could have taken
        it over. A message the notifier cannot even build (an unexpected exception, e.g. a
        header it refuses) is parked as failed instead of stopping the worker, which would
        otherwise meet it again in every sweep and re-send the batch's earlier messages."""
        o = self.options
        leased_at = time.monotonic()
        claimed, messages = self.service.reminders.claim_and_lease(
            worker=self.name, limit=o.batch, lease=dt.timedelta(seconds=o.lease)
        )
        if not messages:  # nothing to finish: no second transaction (every idle sweep)
            return SweepReport(claimed=claimed)
        send_until = leased_at + o.lease * LEASE_SHARE
        delivered: list[int] = []
        refused: dict[int, tuple[RefusedRecipient, ...]] = {}
        failures: list[DeliveryFailure] = []
        released: list[int] = []
        for message in messages:
            if released or time.monotonic() >= send_until:
                released.append(message.id)
                continue
            try:
                delivery = self.notifier.send(message)
            except DeliveryError as exc:
                failures.append(DeliveryFailure(message.id, str(exc), exc.permanent, exc.setup))
                continue
            except Exception as exc:  # one bad message must not stop the worker
                log.exception("message %s cannot be delivered, parking it", message.key)
                error = f"ratsweg cannot build or send this message: {type(exc).__name__}: {exc}"
                failures.append(DeliveryFailure(message.id, error, permanent=True))
                continue
            delivered.append(message.id)
            if delivery is not None and delivery.refused:
                refused[message.id] = delivery.refused
        if released:
            log.info(
                "%s: lease of %.0f s half over, %d messages handed back untried",
                self.name,
                o.lease,
                len(released),
            )
        sent, retried, failed = self.service.reminders.finish_messages(
            worker=self.name,
            delivered=delivered,
            refused=refused,
            failures=failures,
            max_attempts=o.max_attempts,
            backoff=dt.timedelta(seconds=o.backoff),
            released=released,
        )
        return SweepReport(claimed=claimed, sent=sent, retried=retried, failed=failed)

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
        scheduler.add_job(
            self.sweep,
            "interval",
            seconds=self.options.interval,
            id="sweep_reminders",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=dt.datetime.now(dt.UTC),  # the first sweep at start
        )
        if self.options.seal_dir is not None:
            scheduler.add_job(
                self.seal,
                "interval",
                seconds=self.options.seal_every,
                id="seal_audit",
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
                next_run_time=dt.datetime.now(dt.UTC),  # the first seal at start
            )
        return scheduler


def _add(a: SweepReport, b: SweepReport) -> SweepReport:
    return SweepReport(
        claimed=a.claimed + b.claimed,
        sent=a.sent + b.sent,
        retried=a.retried + b.retried,
        failed=a.failed + b.failed,
    )
