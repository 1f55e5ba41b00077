"""Notifiers deliver outbox messages: e-mail over SMTP, or a log line.

A notifier raises ``DeliveryError`` (``permanent`` when retrying cannot help, e.g. a 5xx reply
to the message or no recipient) and nothing else for a failed delivery. A problem of the mail
setup (no connection, TLS, login, a refused sender) is never the message's fault: it is
transient, so the message is retried with backoff, and it is logged once, naming the setting to
fix. A delivered message may still have lost some recipients; ``send`` returns them in a
``Delivery`` and logs them. The message's idempotency key is its Message-ID, so a receiving
system can drop the rare duplicate (see docs/architecture.md).
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from workflow.core.errors import DeliveryError
from workflow.core.model import OutboxMessage, RefusedRecipient

log = logging.getLogger(__name__)
_NOT_ATOM = re.compile(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]")


@dataclass(frozen=True, slots=True)
class Delivery:
    """A delivered message: ``refused`` holds (address, SMTP code, reply) of each recipient the
    server refused while it accepted the others; the worker records them with the message."""

    refused: tuple[RefusedRecipient, ...] = ()

    def __str__(self) -> str:
        return _refused_text(self.refused)


class Notifier(Protocol):
    def send(self, message: OutboxMessage) -> Delivery | None:
        """Deliver ``message`` or raise ``DeliveryError``."""

    def close(self) -> None:
        """Release connections."""


def message_id(key: str, domain: str) -> str:
    """The Message-ID for an idempotency key: deterministic, valid per RFC 5322."""
    return f"<{_NOT_ATOM.sub('.', key)}@{domain}>"


class LogNotifier:
    """Writes each message to the log (for installations without mail, and for trials)."""

    def send(self, message: OutboxMessage) -> None:
        log.info(
            "Erinnerung %s an %s: %s", message.key, ", ".join(message.recipients), message.subject
        )

    def close(self) -> None:
        return None


class NullNotifier:
    """Accepts everything and does nothing (benchmarks)."""

    def send(self, message: OutboxMessage) -> None:
        return None

    def close(self) -> None:
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 25
    starttls: bool = False
    user: str | None = None
    password: str | None = None
    sender: str = "ratsweg@localhost"
    timeout: float = 30.0
    # After a setup failure, messages fail at once (transiently) for this many seconds instead
    # of each trying to connect and log in again (a wrong password would otherwise be tried
    # once per message, which mail servers answer by locking the account).
    setup_retry: float = 30.0

    @property
    def domain(self) -> str:
        return self.sender.rpartition("@")[2] or "ratsweg.invalid"


class SmtpNotifier:
    """E-mail over SMTP (smtplib); one connection is reused until it fails."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        self._setup_error: str | None = None
        self._setup_failed_at = 0.0

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            if (
                self._setup_error is not None
                and time.monotonic() - self._setup_failed_at < self.settings.setup_retry
            ):
                raise DeliveryError(self._setup_error, setup=True)
            phase = ["connect"]
            try:
                self._smtp = self._connect(phase)
            except (smtplib.SMTPException, OSError) as exc:
                raise self._setup_failed(phase[0], exc) from exc
            self._setup_error = None
        return self._smtp

    def _connect(self, phase: list[str]) -> smtplib.SMTP:
        s = self.settings
        smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            if s.starttls:
                phase[0] = "starttls"
                smtp.starttls(context=ssl.create_default_context())
            if s.user:
                phase[0] = "login"
                smtp.login(s.user, s.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _setup_failed(self, phase: str, exc: BaseException) -> DeliveryError:
        """A transient ``DeliveryError`` naming the settings to fix; logged once while the
        same problem persists."""
        s = self.settings
        reason = _text(exc)
        if phase == "login":
            what = f"login as {s.user!r} failed ({reason})"
            fix = "RATSWEG_SMTP_USER and RATSWEG_SMTP_PASSWORD"
        elif phase == "starttls":
            what = f"STARTTLS failed ({reason})"
            fix = "RATSWEG_SMTP_STARTTLS and RATSWEG_SMTP_PORT"
        elif phase == "sender":
            what = f"sender {s.sender!r} refused ({reason})"
            fix = "RATSWEG_SMTP_FROM" + ("" if s.user else " (or set RATSWEG_SMTP_USER)")
        else:
            what = f"cannot connect ({reason})"
            fix = "RATSWEG_SMTP_HOST and RATSWEG_SMTP_PORT"
        text = f"SMTP setup {s.host}:{s.port}: {what}; check {fix}"
        if text != self._setup_error:
            log.error("%s; messages are retried with backoff", text)
        self._setup_error, self._setup_failed_at = text, time.monotonic()
        return DeliveryError(text, setup=True)

    def build(self, message: OutboxMessage) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.settings.sender
        mail["To"] = ", ".join(message.recipients)
        mail["Subject"] = " ".join(message.subject.split())  # a header is one line
        mail["Message-ID"] = message_id(message.key, self.settings.domain)
        mail["X-Ratsweg-Key"] = message.key
        mail.set_content(message.body)
        return mail

    def send(self, message: OutboxMessage) -> Delivery:
        if not message.recipients:
            raise DeliveryError("keine Empfänger mit E-Mail-Adresse", permanent=True)
        mail = self.build(message)
        smtp = self._connection()
        try:
            refused = smtp.send_message(mail, to_addrs=list(message.recipients))
        except smtplib.SMTPRecipientsRefused as exc:
            self.close()
            everyone = _refused(exc.recipients)
            raise DeliveryError(
                f"SMTP refused every recipient: {_refused_text(everyone)}",
                permanent=min(r.code for r in everyone) >= 500,
            ) from exc
        except smtplib.SMTPSenderRefused as exc:
            self.close()  # the same sender for every message: a problem of the setup
            raise self._setup_failed("sender", exc) from exc
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise DeliveryError(
                f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent=exc.smtp_code >= 500
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise DeliveryError(f"SMTP {type(exc).__name__}: {exc}") from exc
        delivery = Delivery(_refused(refused))
        if delivery.refused:
            log.warning(
                "SMTP delivered %s without the refused recipients %s", message.key, delivery
            )
        return delivery

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


def _refused(recipients: dict[str, tuple[int, bytes]]) -> tuple[RefusedRecipient, ...]:
    """smtplib's {address: (code, reply)} in address order, each reply as one line."""
    return tuple(
        RefusedRecipient(address, code, _text(reply))
        for address, (code, reply) in sorted(recipients.items())
    )


def _refused_text(refused: tuple[RefusedRecipient, ...]) -> str:
    return "; ".join(map(str, refused))


def _text(exc: BaseException | bytes | str) -> str:
    """An exception or SMTP reply as one line: 'code text' for SMTP replies."""
    if isinstance(exc, str):
        text = exc
    elif isinstance(exc, bytes):
        text = exc.decode("utf-8", "replace")
    elif isinstance(exc, smtplib.SMTPResponseException):
        text = f"{exc.smtp_code} {_text(exc.smtp_error)}"
    else:
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return " ".join(text.split())
