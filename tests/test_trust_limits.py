"""Issue 13, items 5 and 6: what ratsweg reads from outside is bounded.

Files a user names must be regular files of at most RATSWEG_MAX_FILE_BYTES; JSON and YAML
nested too deeply are a clear error; each HTTP fetch has a total deadline; a list cut at
RATSWEG_MAX_PAGES says so; an OParl endpoint is read on its own host only (``--allow-host``
names others) and nothing but http(s) is followed.
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from workflow.audit.seal import read_seal
from workflow.cli import cli
from workflow.core.errors import InvalidInput
from workflow.meetings.minutes import read_minutes_file
from workflow.oparl.source import read_source
from workflow.oparl.validate import validate_path
from workflow.papers.votes import read_text_file, read_votes_file
from workflow.service import WorkflowService

DEEP_JSON = "[" * 200_000 + "]" * 200_000
SYSTEM = "https://schema.oparl.org/1.1/System"


def finishes(call: Callable[[], Any], seconds: float = 10) -> Any:
    """The result (or exception) of ``call``, which must end within ``seconds``."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"still running after {seconds} s"
    return outcome[0]


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "votes.yaml"
    os.mkfifo(path)
    yield path


@pytest.mark.parametrize("special", ["fifo", "/dev/zero"])
def test_user_files_must_be_regular_files(
    service: WorkflowService, fifo: Path, special: str
) -> None:
    path = fifo if special == "fifo" else Path(special)
    for read in (read_votes_file, read_minutes_file, read_text_file, read_seal):
        caught = finishes(lambda read=read: read(path))
        assert isinstance(caught, InvalidInput), (read, caught)
        assert "ist keine gewöhnliche Datei" in str(caught)
    number = service.papers.create_paper(
        user="clerk", paper_type="vorlage", title="H", office="amt1", date=dt.date(2025, 3, 1)
    ).number
    caught = finishes(lambda: service.attachments.attach_file(number, path, user="clerk"))
    assert isinstance(caught, InvalidInput) and "ist keine gewöhnliche Datei" in str(caught)
    result = finishes(
        lambda: CliRunner().invoke(
            cli, ["paper", "attach", number, str(path)], obj=service, env={"RATSWEG_USER": "clerk"}
        )
    )
    assert result.exit_code == 1 and result.stderr.count("\n") == 1, result.output
    assert "ist keine gewöhnliche Datei" in result.stderr
    assert service.papers.get_paper(number).attachments == ()
    source = finishes(lambda: read_source(str(path)))
    assert any("ist keine gewöhnliche Datei" in p for p in source.problems)


def test_files_are_capped_by_RATSWEG_MAX_FILE_BYTES(
    service: WorkflowService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATSWEG_MAX_FILE_BYTES", "100")
    votes = tmp_path / "votes.yaml"
    votes.write_text("- yes: 1\n" + "#" * 100 + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="größer als 100 Bytes .RATSWEG_MAX_FILE_BYTES."):
        read_votes_file(votes)
    votes.write_text("- yes: 1\n", encoding="utf-8")
    assert read_votes_file(votes)[0].yes == 1
    monkeypatch.setenv("RATSWEG_MAX_FILE_BYTES", "lots")
    with pytest.raises(InvalidInput, match="RATSWEG_MAX_FILE_BYTES='lots' ist keine ganze Zahl"):
        read_votes_file(votes)


def test_deep_nesting_is_an_error_not_a_recursion_error(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text(DEEP_JSON, encoding="utf-8")
    with pytest.raises(InvalidInput, match="zu tief verschachtelt"):
        read_votes_file(deep)
    with pytest.raises(InvalidInput, match="zu tief verschachtelt"):
        read_minutes_file(deep)
    with pytest.raises(InvalidInput, match="ist kein JSON"):
        read_seal(deep)
    assert any("zu tief verschachtelt" in p for p in read_source(str(deep)).problems)
    assert any("zu tief verschachtelt" in str(p) for p in validate_path(deep).problems)


def test_a_deeply_nested_endpoint_is_one_clear_error() -> None:
    with pytest.raises(InvalidInput, match="zu tief verschachtelt"):
        read_source("http://ris.example.org/system", fetch=lambda url: DEEP_JSON.encode())


def test_a_list_cut_at_RATSWEG_MAX_PAGES_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATSWEG_MAX_PAGES", "3")
    base = "http://ris.example.org/paper"

    def endless(url: str) -> bytes:
        page = int(url.rsplit("=", 1)[1]) if "=" in url else 0
        return json.dumps({"data": [], "links": {"next": f"{base}?page={page + 1}"}}).encode()

    source = read_source(base, fetch=endless)
    cut = (
        f"{base}?page=1: die Liste wurde nach 3 Seiten abgeschnitten (RATSWEG_MAX_PAGES); "
        f"{base}?page=4 und die folgenden Seiten wurden nicht gelesen"
    )
    assert source.problems == [cut]


# -- live endpoints ----------------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, dict[str, Any]]] = {}
    requested: ClassVar[list[str]] = []
    drip = False

    def do_GET(self) -> None:
        self.requested.append(self.path)
        if self.drip:  # headers at once, then one byte every 50 ms, never the end
            self.send_response(200)
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            try:
                for _ in range(400):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                pass
            return
        page = self.pages.get(self.path)
        if page is None:
            self.send_error(404)
            return
        body = json.dumps(page).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def _serve(**attributes: Any) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = type("Handler", (_Handler,), {"requested": [], **attributes})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def servers() -> Iterator[list[http.server.ThreadingHTTPServer]]:
    started: list[http.server.ThreadingHTTPServer] = []
    yield started
    for server in started:
        server.shutdown()
        server.server_close()


def _system(body_list: str) -> dict[str, Any]:
    return {"id": "x/system", "type": SYSTEM, "body": body_list}


def test_an_endpoint_is_read_on_its_own_host_unless_allowed(
    servers: list[http.server.ThreadingHTTPServer],
) -> None:
    other, other_base = _serve(pages={"/body": {"data": [], "links": {}}})
    servers.append(other)
    home, home_base = _serve(pages={"/system": _system(f"{other_base}/body")})
    servers.append(home)
    port = other_base.rsplit(":", 1)[1]

    source = read_source(f"{home_base}/system")
    home_port = home_base.rsplit(":", 1)[1]
    refused = (
        f"{other_base}/body: nicht abgerufen: 127.0.0.1:{port} ist nicht der Host der Quelle, "
        f"127.0.0.1:{home_port}; geben Sie --allow-host 127.0.0.1:{port} an, um dorthin zu folgen"
    )
    assert source.problems == [refused]
    assert other.RequestHandlerClass.requested == []

    allowed = read_source(f"{home_base}/system", allow_hosts=[f"127.0.0.1:{port}"])
    assert allowed.problems == [] and other.RequestHandlerClass.requested == ["/body"]


@pytest.mark.parametrize(
    "link", ["file:///etc/passwd", "ftp://127.0.0.1/body", "gopher://127.0.0.1/"]
)
def test_an_endpoint_never_follows_other_schemes(
    servers: list[http.server.ThreadingHTTPServer], link: str
) -> None:
    home, home_base = _serve(pages={"/system": _system(link)})
    servers.append(home)
    source = read_source(f"{home_base}/system", allow_hosts=["127.0.0.1"])
    assert source.problems == [f"{link}: nicht abgerufen: nur http(s)-URLs werden abgerufen"]


def test_cli_import_takes_allow_host(
    service: WorkflowService, servers: list[http.server.ThreadingHTTPServer]
) -> None:
    other, other_base = _serve(pages={"/body": {"data": [], "links": {}}})
    home, home_base = _serve(pages={"/system": _system(f"{other_base}/body")})
    servers.extend([other, home])
    args = ["oparl", "import", f"{home_base}/system"]
    env = {"RATSWEG_USER": "admin"}
    refused = CliRunner().invoke(cli, args, obj=service, env=env)
    assert refused.exit_code == 1 and "--allow-host 127.0.0.1:" in refused.output
    assert other.RequestHandlerClass.requested == []
    allowed = CliRunner().invoke(cli, [*args, "--allow-host", "127.0.0.1"], obj=service, env=env)
    assert "nicht abgerufen" not in allowed.output
    assert other.RequestHandlerClass.requested == ["/body"]


def test_a_fetch_ends_at_its_total_deadline_however_slowly_bytes_come(
    servers: list[http.server.ThreadingHTTPServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATSWEG_FETCH_SECONDS", "0.5")
    slow, base = _serve(drip=True)
    servers.append(slow)
    started = time.monotonic()
    caught = finishes(lambda: read_source(f"{base}/system"), seconds=5)
    assert time.monotonic() - started < 2
    assert isinstance(caught, InvalidInput)
    assert "keine vollständige Antwort binnen 0.5 s (RATSWEG_FETCH_SECONDS)" in str(caught)


def test_a_fetched_answer_is_capped(
    servers: list[http.server.ThreadingHTTPServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATSWEG_MAX_FILE_BYTES", "20")
    home, base = _serve(pages={"/system": _system("http://127.0.0.1/x" * 5)})
    servers.append(home)
    with pytest.raises(InvalidInput, match="größer als 20 Bytes"):
        read_source(f"{base}/system")
