"""Real-browser tests: the web app served by uvicorn in a thread on the test's service, driven by
Playwright on Debian's Chromium (no browser download here), and axe-core (vendored from npm in
tests/browser/) checking every page type against WCAG 2.1 AA.

Locally the browser tests skip with a message when Chromium or Playwright is missing; with
``RATSWEG_REQUIRE_BROWSER=1`` (set by ``.ci/run``) they fail instead."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from workflow.service import WorkflowService

CHROMIUM = Path(os.environ.get("RATSWEG_CHROMIUM", "/usr/lib/chromium/chromium-headless-shell"))
AXE = Path(__file__).resolve().parent / "browser" / "axe-4.14.1.min.js"
#: The rules axe runs: WCAG 2.0/2.1 A and AA (BITV 2.0), and its best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return (
            f"Chromium is missing at {CHROMIUM}: apt-get install -y chromium "
            "chromium-headless-shell chromium-driver fonts-liberation2"
        )
    return None


def require_browser() -> None:
    missing = browser_missing()
    if missing is None:
        return
    if os.environ.get("RATSWEG_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests cannot run: {missing}")
    pytest.skip(f"browser tests skipped: {missing}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def served(service: WorkflowService) -> Iterator[str]:
    """The app on ``service``, served by uvicorn on a free local port; its base URL."""
    import uvicorn

    from workflow.web.app import create_app

    port = free_port()
    config = uvicorn.Config(
        create_app(service), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="ratsweg-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web app did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (Playwright's Browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser
        finally:
            browser.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (its CSP does not apply to scripts the
    test evaluates through the DevTools protocol)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation and node: rule, impact, selector, what axe says."""
    lines = []
    for v in violations:
        for node in v["nodes"]:
            lines.append(f"{v['id']} ({v['impact']}): {node['target']} {node['failureSummary']}")
    return "\n".join(lines)


def log_in(page: Any, base: str, user: str, password: str) -> None:
    page.goto(f"{base}/anmelden")
    page.fill("#user", user)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/vorlagen")
