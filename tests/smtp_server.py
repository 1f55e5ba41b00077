"""A real SMTP server on loopback (aiosmtpd) that records what arrives."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    subject: str
    message_id: str
    body: str
    at: float = field(default_factory=time.monotonic)  # when the server accepted it


@dataclass
class Recorder:
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    refuse: frozenset[str] = frozenset()  # recipients answered with 550
    # called with each accepted message before the server answers 250: a test can act at an
    # exact point of a client's SMTP conversation (e.g. stop the client while it waits)
    on_data: Callable[[Received], None] | None = None

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.content, policy=policy.default)
        received = Received(
            mail_from=envelope.mail_from,
            rcpt_tos=list(envelope.rcpt_tos),
            subject=str(mail["Subject"]),
            message_id=str(mail["Message-ID"]),
            body=mail.get_content(),  # type: ignore[attr-defined]
        )
        with self.lock:
            self.messages.append(received)
        if self.on_data is not None:
            self.on_data(received)
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.messages)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Login:
    """Accepts one user and password (AUTH PLAIN/LOGIN without TLS); counts attempts."""

    user: str
    password: str
    attempts: int = 0

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        self.attempts += 1
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            self.user.encode(),
            self.password.encode(),
        )
        return AuthResult(success=ok, handled=False)


@contextmanager
def smtp_server(
    *, login: Login | None = None, refuse: frozenset[str] = frozenset()
) -> Iterator[tuple[Recorder, int]]:
    """A server on loopback; with ``login`` it requires that login, and it refuses the
    recipients in ``refuse`` with 550."""
    recorder = Recorder(refuse=refuse)
    port = free_port()
    auth: dict[str, Any] = {}
    if login is not None:
        auth = {"auth_required": True, "auth_require_tls": False, "authenticator": login}
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **auth)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()
