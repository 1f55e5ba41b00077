"""``ratsweg web``: uvicorn serves the app; with ``--workers`` each process builds it from the
environment, and a login in one is a login in all (the session is in the database)."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from storage.session import Database
from tests.conftest import VALID_DEFINITIONS
from workflow.app import upgrade
from workflow.core.clock import SystemClock
from workflow.service import WorkflowService


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def request(
    port: int, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], str]:
    """(status, headers, text) of one request to the server on ``port``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        found = {k.lower(): v for k, v in response.getheaders()}
        return response.status, found, response.read().decode()
    finally:
        connection.close()


def wait_for(port: int, path: str, seconds: float = 30) -> tuple[int, dict[str, str], str]:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return request(port, "GET", path)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.mark.slow
def test_ratsweg_web_with_four_workers_shares_sessions_and_csrf_tokens(database_url: str) -> None:
    """``ratsweg web --workers 4`` on SQLite and PostgreSQL: a login and its CSRF token,
    made in one worker process, hold in every other (they live in the database)."""
    url = database_url
    service = WorkflowService(Database(url), SystemClock())
    upgrade(service)
    service.bodies.load_definitions(VALID_DEFINITIONS, user=None)
    service.accounts.set_password("clerk", "geheim-123", user="admin")
    service.db.dispose()
    port = free_port()
    script = Path(sys.executable).with_name("ratsweg")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    args = [str(script), "web", "--database", url, "--port", str(port), "--workers", "4"]
    server = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        status, headers, text = wait_for(port, "/anmelden")
        assert status == 200 and "Anmelden" in text and headers["x-frame-options"] == "DENY"
        form = urlencode({"user": "clerk", "password": "geheim-123"})
        origin = {"Origin": f"http://127.0.0.1:{port}"}
        kind = {"Content-Type": "application/x-www-form-urlencoded"}
        status, headers, _ = request(port, "POST", "/anmelden", form, origin | kind)
        assert status == 303
        cookie = {"Cookie": headers["set-cookie"].split(";")[0]}
        page = request(port, "GET", "/vorlagen/neu", "", cookie)[2]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token, page
        for i in range(8):  # whichever worker answers knows the session and its token
            assert "Erika Sachbearbeiterin" in request(port, "GET", "/vorlagen", "", cookie)[2]
            paper = {"csrf_token": token.group(1), "paper_type": "vorlage", "office": "amt1",
                     "title": f"Vorlage {i}", "date": "2025-03-01", "route": "standard"}  # fmt: skip
            status, _, text = request(
                port, "POST", "/vorlagen/neu", urlencode(paper), origin | kind | cookie
            )
            assert status == 303, text
        forged = urlencode({"paper_type": "vorlage", "office": "amt1", "title": "x"})
        assert request(port, "POST", "/vorlagen/neu", forged, origin | kind | cookie)[0] == 403
    finally:
        server.terminate()
        server.wait(timeout=30)
    check = WorkflowService(Database(url), SystemClock())
    try:
        titles = sorted(p.title for p in check.papers.list_papers().items)
    finally:
        check.db.dispose()
    assert titles == [f"Vorlage {i}" for i in range(8)]
