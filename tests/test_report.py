"""``ratsweg audit report``: the decision trail of one paper as a self-contained HTML document,
parsed back with ``html.parser``; ``--pdf`` with and without a converter."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.test_trail import AUDITOR, CLERK, HEAD, SESSION, at
from workflow.audit import report
from workflow.cli import cli
from workflow.core.clock import FixedClock
from workflow.core.i18n import _
from workflow.core.model import Ballot, NamedBallot, VoteCount
from workflow.service import WorkflowService

TITLE = 'Kita "Sonnenschein" <script>alert(1)</script> & Sanierung'
TEXT = "Der Stadtrat beschließt <b>den Neubau</b> & die Sanierung."
AMENDED = "Der Stadtrat beschließt den Neubau ohne Sanierung."
NAMED = (
    NamedBallot(member="Arendt", ballot=Ballot.YES),
    NamedBallot(member="Böll <SPD>", ballot=Ballot.NO),
    NamedBallot(member="Curie", ballot=Ballot.BIASED),
)


class Document(HTMLParser):
    """Tags, attributes, the text of each section (by the last h2/h3) and table rows."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.sections: dict[str, list[list[str]]] = {}
        self.text: list[str] = []
        self._heading: str | None = None
        self._in_heading = False
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._style = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("h2", "h3"):
            self._in_heading, self._heading = True, ""
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "style":
            self._style = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h2", "h3"):
            self._in_heading = False
            self.sections.setdefault(self._heading or "", [])
        elif tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.sections[self._heading or ""].append(self._row)
            self._row = None
        elif tag == "style":
            self._style = False

    def handle_data(self, data: str) -> None:
        if self._style:
            return
        self.text.append(data)
        if self._in_heading:
            self._heading = (self._heading or "") + data
        if self._cell is not None:
            self._cell.append(data)

    def rows(self, heading: str) -> list[list[str]]:
        return self.sections[heading][1:]  # without the header row

    @property
    def all_text(self) -> str:
        return "".join(self.text)


@pytest.fixture
def paper(landau: WorkflowService) -> str:
    return decided_paper(landau)


def decided_paper(landau: WorkflowService) -> str:
    """Stadtvorstand (non-public), Hauptausschuss, Stadtrat: amended, with named ballots."""
    clock = landau.clock
    assert isinstance(clock, FixedClock)
    clock.instant = at("2024-01-08", 9)
    number = landau.papers.create_paper(
        user=CLERK, paper_type="sitzungsvorlage", title=TITLE, office="sozialamt",
        date=dt.date(2024, 1, 8), route="stadtrat", text=TEXT,
        planned_dates=[dt.date(2024, 1, 22), dt.date(2024, 1, 29), dt.date(2024, 2, 15)],
    ).number  # fmt: skip
    landau.papers.submit_paper(number, user=CLERK)
    landau.papers.release_paper(number, user=HEAD)
    for position, day in ((1, "2024-01-22"), (2, "2024-01-29")):
        clock.instant = at(day, 20)
        landau.results.record_result(
            number, user=SESSION, position=position, outcome="empfohlen",
            date=dt.date.fromisoformat(day),
        )  # fmt: skip
    clock.instant = at("2024-02-15", 20)
    landau.results.record_result(
        number, user=SESSION, position=3, outcome="geaendert_beschlossen",
        date=dt.date(2024, 2, 15), amended_text=AMENDED,
        votes=[VoteCount(named=NAMED)],
    )  # fmt: skip
    clock.instant = at("2024-03-01", 12)
    return number


def run(service: WorkflowService, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(
        cli, list(args), obj=service, env={"RATSWEG_USER": AUDITOR, **(env or {})}
    )


def test_the_report_holds_path_votes_texts_deadlines_and_events(
    landau: WorkflowService, paper: str, tmp_path: Path
) -> None:
    target = tmp_path / "bericht.html"
    result = run(landau, "audit", "report", paper, "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Bericht zu {paper} nach {target}; Prüfkette intakt\n"
    doc = Document(target.read_text(encoding="utf-8"))

    # self-contained and escaped: no script, no external resource, the title as text
    assert not [t for t, a in doc.tags if t in ("script", "link", "img", "iframe")]
    assert not [a for _, a in doc.tags if "src" in a or "href" in a]
    assert ("html", {"lang": "de"}) in doc.tags
    assert f"Beschlussnachweis {paper}: {TITLE}" in doc.all_text
    assert "@media print" in target.read_text(encoding="utf-8")

    path = doc.rows("Beratungsfolge")
    assert [(r[0], r[1], r[2], r[3], r[5]) for r in path] == [
        ("1", "Stadtvorstand", "Vorberatung", "22.01.2024", "nicht öffentlich"),
        ("2", "Hauptausschuss", "Vorberatung", "29.01.2024", "öffentlich"),
        ("3", "Stadtrat", "Entscheidung", "15.02.2024", "öffentlich"),
    ]
    assert path[2][6] == "geändert beschlossen"
    assert path[2][7] == "1 Ja, 1 Nein, 0 Enthaltungen, 1 befangen"
    nonpublic = [a.get("class") for t, a in doc.tags if t == "tr" and a.get("class")]
    assert nonpublic == ["nonpublic"]  # the Stadtvorstand's row only

    assert doc.rows("Abstimmungen") == [
        ["Arendt", "Ja"],
        ["Böll <SPD>", "Nein"],
        ["Curie", "befangen"],
    ]
    text = doc.all_text
    for wording in (TEXT, AMENDED):
        assert wording in text
        assert hashlib.sha256(wording.encode()).hexdigest() in text
    assert "Fassung 2: geändert, Schritt 3 (stadtrat)" in text

    deadlines = {(r[0], r[1]): r[5] for r in doc.rows("Fristen")}
    assert deadlines[("Vorlagenschluss", "3")] == "eingehalten"
    assert deadlines[("Ladung", "3")] == "nicht feststellbar"  # no meeting record

    events = doc.rows("Audit-Ereignisse")
    trail = landau.audit.audit_trail(paper)
    assert [r[0] for r in events] == [str(e.seq) for e in trail]
    assert events[0][1:4] == ["08.01.2024 09:00:00", CLERK, "paper_created"]
    assert events[-1][2] == SESSION
    assert "intakt (" in text and f"{len(trail)} Ereignisse geprüft" in text


def test_html_goes_to_stdout_and_an_unknown_paper_is_one_line(
    landau: WorkflowService, paper: str
) -> None:
    result = run(landau, "audit", "report", paper)
    assert result.exit_code == 0
    assert result.stdout.startswith("<!DOCTYPE html>")
    missing = run(landau, "audit", "report", "2024/999")
    assert missing.exit_code == 1
    assert "keine Vorlage '2024/999'" in missing.stderr
    assert missing.stderr.count("\n") == 1 and missing.stdout == ""


def test_a_broken_chain_is_shown(landau: WorkflowService, paper: str) -> None:
    from tests.test_audit import _tamper

    _tamper(landau.db, "UPDATE audit_event SET actor = 'mallory' WHERE seq = 2")
    result = run(landau, "audit", "report", paper)
    assert result.exit_code == 0
    assert result.stderr.endswith("; Prüfkette GEBROCHEN\n")
    assert "GEBROCHEN bei Ereignis 2: hash mismatch" in Document(result.stdout).all_text


def test_pdf_without_a_converter_names_what_to_install(
    landau: WorkflowService, paper: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(report.shutil, "which", lambda name: None)
    folder = tmp_path / "out"
    folder.mkdir()
    out, pdf = folder / "r.html", folder / "r.pdf"
    result = run(landau, "audit", "report", paper, "-o", str(out), "--pdf", str(pdf))
    assert result.exit_code == 1
    assert result.stderr.partition(": ")[2] == f"{_(report.NO_CONVERTER)}\n"
    assert _(report.NO_CONVERTER).startswith("kein PDF-Konverter gefunden")
    assert list(folder.iterdir()) == []  # nothing written


def test_pdf_with_wkhtmltopdf(
    landau: WorkflowService, paper: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stand-in wkhtmltopdf on PATH receives the HTML and writes the target."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "wkhtmltopdf"
    fake.write_text('#!/bin/sh\necho "%PDF-1.4 $(wc -c < "$2")" > "$3"\n', encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(report.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    folder = tmp_path / "out"
    folder.mkdir()
    pdf = folder / "r.pdf"
    result = run(landau, "audit", "report", paper, "--pdf", str(pdf))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # only the PDF was asked for
    assert result.stderr == f"Bericht zu {paper} nach {pdf}; Prüfkette intakt\n"
    assert pdf.read_text(encoding="utf-8").startswith("%PDF-1.4 ")
    assert int(pdf.read_text(encoding="utf-8").split()[1]) > 5000  # the whole document
    assert [p.name for p in folder.iterdir()] == ["r.pdf"]  # the HTML it was given is gone


def test_a_pdf_converter_that_hangs_is_one_line(
    landau: WorkflowService, paper: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "wkhtmltopdf"
    fake.write_text("#!/bin/sh\nsleep 30\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(report.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(report, "PDF_TIMEOUT", 0.5)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    pdf = tmp_path / "r.pdf"
    result = run(landau, "audit", "report", paper, "--pdf", str(pdf))
    assert result.exit_code == 1
    assert result.stderr.partition(": ")[2] == (
        f"wkhtmltopdf hat {str(pdf)!r} nicht binnen 0.5 s fertiggestellt; "
        "schreiben Sie das HTML mit -o DATEI und drucken Sie es im Browser\n"
    )
    assert not pdf.exists()


# -- issue 13 item 19: Chromium as the converter, run as root ----------------------------------


def _fake_chromium(tmp_path: Path, script: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in ``chromium`` alone on PATH (no WeasyPrint): the converter chosen."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "chromium"
    fake.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(report.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setenv("PATH", str(bin_dir))
    return bin_dir


@pytest.mark.parametrize(("euid", "sandbox"), [(0, ["--no-sandbox"]), (1000, [])])
def test_chromium_runs_without_its_sandbox_only_as_root(
    landau: WorkflowService,
    paper: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    euid: int,
    sandbox: list[str],
) -> None:
    """Chromium refuses to start as root with its sandbox and writes no PDF."""
    args = tmp_path / "args"
    script = (
        f'for a in "$@"; do echo "$a" >> {args}; done\n'
        'for a in "$@"; do case "$a" in --print-to-pdf=*) echo "%PDF-1.4" > "${a#*=}";; '
        "esac; done"
    )
    _fake_chromium(tmp_path, script, monkeypatch)
    monkeypatch.setattr(report.os, "geteuid", lambda: euid)
    folder = tmp_path / "out"
    folder.mkdir()
    pdf = folder / "r.pdf"
    result = run(landau, "audit", "report", paper, "--pdf", str(pdf))
    assert result.exit_code == 0, result.output
    given = args.read_text(encoding="utf-8").splitlines()
    assert given[:3] == ["--headless", "--disable-gpu", *sandbox, "--no-pdf-header-footer"][:3]
    assert ("--no-sandbox" in given) is bool(sandbox)
    assert pdf.read_text(encoding="utf-8") == "%PDF-1.4\n"
    assert [p.name for p in folder.iterdir()] == ["r.pdf"]


@pytest.mark.parametrize(
    "script",
    ["exit 0", 'for a in "$@"; do case "$a" in --print-to-pdf=*) : > "${a#*=}";; esac; done'],
)
def test_a_converter_that_writes_no_pdf_is_an_error(
    landau: WorkflowService,
    paper: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    script: str,
) -> None:
    """Exit status 0 and no file (or an empty one) is no success, even where an older PDF of
    the same name lies, which stays as it was."""
    _fake_chromium(tmp_path, script, monkeypatch)
    folder = tmp_path / "out"
    folder.mkdir()
    pdf = folder / "r.pdf"
    pdf.write_bytes(b"%PDF-1.4 an older report")
    result = run(landau, "audit", "report", paper, "--pdf", str(pdf))
    assert (result.exit_code, result.stderr.partition(": ")[2]) == (
        1,
        f"chromium konnte {str(pdf)!r} nicht schreiben: es wurde keine PDF geschrieben\n",
    )
    assert pdf.read_bytes() == b"%PDF-1.4 an older report"
    assert [p.name for p in folder.iterdir()] == ["r.pdf"]


def _installed_chromium() -> str | None:
    for name in report.CHROMIUMS:
        found = report.shutil.which(name)
        if found:
            return found
    return None


@pytest.mark.skipif(_installed_chromium() is None, reason="no Chromium installed")
def test_pdf_with_the_installed_chromium(
    landau: WorkflowService, paper: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real Chromium (CI installs it; CI and containers run as root) writes the report."""
    chromium = _installed_chromium()
    assert chromium is not None
    monkeypatch.setattr(report.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(
        report.shutil, "which", lambda name: chromium if name == "chromium" else None
    )
    folder = tmp_path / "out"
    folder.mkdir()
    pdf = folder / "r.pdf"
    result = run(landau, "audit", "report", paper, "--pdf", str(pdf))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Bericht zu {paper} nach {pdf}; Prüfkette intakt\n"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in folder.iterdir()] == ["r.pdf"]
    if report.shutil.which("pdftotext") is None:
        return
    import subprocess

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert int(dict(line.split(":", 1) for line in info.stdout.splitlines())["Pages"]) >= 1
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    assert paper in text.stdout and "Beschlussnachweis" in text.stdout
