"""Notifiers deliver outbox messages: e-mail over SMTP, or a log line.

A notifier raises ``DeliveryError`` (``permanent`` when retrying cannot help, e.g. a 5xx reply
or no recipient) and nothing else for a failed delivery. The message's idempotency key is its
Message-ID, so a receiving system can drop the rare duplicate (see docs/architecture.md).
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from workflow.errors import DeliveryError
from workflow.model import OutboxMessage

log = logging.getLogger(__name__)
_NOT_ATOM = re.compile(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]")


class Notifier(Protocol):
    def send(self, message: OutboxMessage) -> None:
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

    @property
    def domain(self) -> str:
        return self.sender.rpartition("@")[2] or "ratsweg.invalid"


class SmtpNotifier:
    """E-mail over SMTP (smtplib); one connection is reused until it fails."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            s = self.settings
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            try:
                if s.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.user:
                    smtp.login(s.user, s.password or "")
            except BaseException:
                smtp.close()
                raise
            self._smtp = smtp
        return self._smtp

    def build(self, message: OutboxMessage) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.settings.sender
        mail["To"] = ", ".join(message.recipients)
        mail["Subject"] = message.subject
        mail["Message-ID"] = message_id(message.key, self.settings.domain)
        mail["X-Ratsweg-Key"] = message.key
        mail.set_content(message.body)
        return mail

    def send(self, message: OutboxMessage) -> None:
        if not message.recipients:
            raise DeliveryError("keine Empfänger mit E-Mail-Adresse", permanent=True)
        mail = self.build(message)
        try:
            self._connection().send_message(mail, to_addrs=list(message.recipients))
        except smtplib.SMTPRecipientsRefused as exc:
            self.close()
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(
                f"SMTP refused the recipients: {exc.recipients}", permanent=min(codes) >= 500
            ) from exc
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise DeliveryError(
                f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent=exc.smtp_code >= 500
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise DeliveryError(f"SMTP {type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
