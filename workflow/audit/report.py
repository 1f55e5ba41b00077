"""The decision-trail report of a paper as one self-contained, printable HTML document
(German labels, inline CSS with ``@media print``, no external resources, every text escaped),
and its conversion to PDF where a converter is installed.

Takes a list of ``PaperTrail`` (the paper, then the papers the service adds to its report),
so a paper and its Ergänzungsvorlagen can share one document.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path

from workflow.audit.compliance import DeadlineStatus
from workflow.audit.trail import PaperTrail
from workflow.core.clock import local
from workflow.core.errors import InvalidInput
from workflow.core.i18n import N_, _
from workflow.core.model import ConsultationView, CoSignatureView, VoteCount

PDF_TIMEOUT: float = 120  # seconds a PDF converter may take
BALLOT_LABELS = {
    "yes": "Ja",
    "no": "Nein",
    "abstain": "Enthaltung",
    "biased": "befangen",
    "not_participating": "nicht teilgenommen",
    "absent": "abwesend",
}
VOTE_KINDS = {"procedural": "Geschäftsordnungsantrag", "amendment": "Änderungsantrag"}
SOURCES = {"draft": "Entwurf", "released": "Freigabe", "amended": "geändert"}

CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; color: #111;
       margin: 2em auto; max-width: 60em; line-height: 1.35; }
h1 { font-size: 16pt; margin-bottom: 0.2em; } h2 { font-size: 13pt; margin-top: 1.6em;
  border-bottom: 1px solid #999; } h3 { font-size: 11pt; margin-bottom: 0.3em; }
table { border-collapse: collapse; width: 100%; margin: 0.4em 0 1em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.4em; text-align: left; vertical-align: top; }
th { background: #eee; } td.num { text-align: right; }
dl.facts { display: grid; grid-template-columns: 12em auto; gap: 0.15em 1em; }
dl.facts dt { font-weight: bold; } dl.facts dd { margin: 0; }
.nonpublic { background: #fff3cd; } .badge { font-size: 8.5pt; padding: 0 0.3em;
  border: 1px solid #7a4800; border-radius: 0.2em; color: #7a4800; white-space: nowrap; }
.kept { color: #075e07; } .missed { color: #a00; font-weight: bold; }
.open, .unknown, .not_applicable { color: #555; } .broken { color: #a00; font-weight: bold; }
.intact { color: #075e07; font-weight: bold; } pre { white-space: pre-wrap;
  background: #f6f6f6; padding: 0.5em; border: 1px solid #ddd; } code { font-size: 8.5pt; }
footer { margin-top: 2em; font-size: 8.5pt; color: #555; }
@media print {
  body { margin: 0; max-width: none; font-size: 9.5pt; }
  h2 { page-break-after: avoid; } tr, pre { page-break-inside: avoid; }
  .nonpublic { background: none; } .badge { border-color: #000; color: #000; }
  section.paper + section.paper { page-break-before: always; }
}
"""


def render_report(trails: Sequence[PaperTrail], *, generated_at: dt.datetime) -> str:
    """The HTML document for ``trails`` (the paper first)."""
    first = trails[0].paper
    title = f"Beschlussnachweis {first.number}: {first.title}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="de"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body><main>",
        f"<h1>{_e(title)}</h1>",
        (
            f"<p>Erstellt am {_e(_instant(generated_at))} (Europe/Berlin) aus dem Audit-Trail. "
            "Enthält öffentliche und nicht öffentliche Beratungen; nicht öffentliche sind "
            "gekennzeichnet.</p>"
        ),
    ]
    parts.extend(_paper(trail) for trail in trails)
    parts.append(
        "</main><footer>ratsweg Beschlussnachweis. Zeiten in Europe/Berlin. Die Hash-Kette jeder "
        "Vorlage wurde beim Erstellen neu berechnet.</footer></body></html>"
    )
    return "\n".join(parts) + "\n"


def _paper(trail: PaperTrail) -> str:
    paper = trail.paper
    facts = [
        ("Vorlage", paper.number),
        ("Art", paper.paper_type_name),
        ("Titel", paper.title),
        ("Aktenzeichen", paper.reference or "–"),
        ("Federführung", paper.office_name),
        ("Datum", _date(paper.date)),
        ("Status", paper.state_label),
        ("Hash-Kette", _chain(trail)),
    ]
    rows = "".join(
        f"<dt>{_e(k)}</dt><dd>{v if k == 'Hash-Kette' else _e(v)}</dd>" for k, v in facts
    )
    return "\n".join(
        [
            f'<section class="paper" id="{_e(paper.number)}">',
            f"<h2>Vorlage {_e(paper.number)}</h2>",
            f'<dl class="facts">{rows}</dl>',
            _path(trail),
            _votes(paper.consultations),
            _co_signatures(trail),
            _texts(trail),
            _deadlines(trail),
            _events(trail),
            "</section>",
        ]
    )


def _chain(trail: PaperTrail) -> str:
    broken = trail.chain_break
    if broken is None:
        return f'<span class="intact">intakt</span> ({trail.chain_events} Ereignisse geprüft)'
    return f'<span class="broken">GEBROCHEN bei Ereignis {broken.seq}</span>: {_e(broken.reason)}'


def _path(trail: PaperTrail) -> str:
    head = [
        "Nr.",
        "Gremium",
        "Rolle",
        "Datum",
        "Sitzung",
        "Öffentlichkeit",
        "Ergebnis",
        "Abstimmung",
    ]
    rows = []
    for step in trail.paper.consultations:
        meeting = trail.meetings.get(step.position)
        where = (
            f"{meeting.name or 'Sitzung'} {meeting.id}, {_instant(meeting.start)}"
            if meeting
            else ""
        )
        public = "öffentlich" if step.public else _badge("nicht öffentlich")
        main = [v for v in step.votes if v.kind.value == "main"]
        cells = [
            _e(step.position),
            _e(step.organization_name),
            _e(step.role.label),
            _e(_date(step.date or step.planned_date))
            + ("" if step.date else " <small>(geplant)</small>"),
            _e(where),
            public,
            _e(step.result_label or (step.outcome.label if step.outcome else step.state)),
            _e(_counts(main[-1]) if main else ""),
        ]
        css = "" if step.public else ' class="nonpublic"'
        rows.append(f"<tr{css}>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return "<h3>Beratungsfolge</h3>" + _table(head, rows)


def _votes(steps: Iterable[ConsultationView]) -> str:
    blocks = []
    for step in steps:
        for vote in step.votes:
            marker = "" if step.public else " " + _badge("nicht öffentlich")
            kind = VOTE_KINDS.get(vote.kind.value, "Hauptantrag")
            lines = [
                (
                    f"<p><b>{_e(step.position)}. {_e(step.organization_name)}</b>{marker}: "
                    f"{_e(vote.subject)} ({_e(kind)}): {_e(_counts(vote))}</p>"
                )
            ]
            if vote.raw:
                lines.append(f"<p>Protokoll: {_e(vote.raw)}</p>")
            if vote.named:
                rows = [
                    f"<tr><td>{_e(b.member)}</td><td>{_e(BALLOT_LABELS[b.ballot.value])}</td></tr>"
                    for b in vote.named
                ]
                lines.append(_table(["Mitglied", "Stimme"], rows))
            blocks.append("".join(lines))
    if not blocks:
        return ""
    return "<h3>Abstimmungen</h3>" + "".join(blocks)


#: The state of a Mitzeichnung as the report names it.
CO_SIGNATURE_STATES = {
    "pending": "offen",
    "signed": "gezeichnet",
    "objected": "Einwand erhoben",
    "overruled": "Einwand überstimmt",
}


def _co_signatures(trail: PaperTrail) -> str:
    rows = [
        "<tr>"
        + "".join(
            f"<td>{_e(v)}</td>"
            for v in (
                c.office_name,
                _co_signature_state(c),
                c.actor or "",
                _instant(c.signed_at) if c.signed_at else "",
                c.comment or "",
            )
        )
        + "</tr>"
        for c in trail.paper.co_signatures
    ]
    if not rows:
        return ""
    return "<h3>Mitzeichnungen</h3>" + _table(["Amt", "Stand", "von", "am", "Bemerkung"], rows)


def _co_signature_state(c: CoSignatureView) -> str:
    """ "gezeichnet", "Einwand erhoben", or for an overruled objection "Einwand überstimmt am
    12.03.2025 10:00 durch head: Begründung" (never "gezeichnet": the office did not sign)."""
    text = CO_SIGNATURE_STATES.get(c.state.value, c.state.value)
    if c.state.value == "overruled":
        if c.overruled_at is not None:
            text += f" am {_instant(c.overruled_at)}"
        if c.overruled_by:
            text += f" durch {c.overruled_by}"
        if c.overrule_reason:
            text += f": {c.overrule_reason}"
    return text


def _texts(trail: PaperTrail) -> str:
    blocks = []
    for version in trail.paper.text_versions:
        digest = hashlib.sha256(version.text.encode("utf-8")).hexdigest()
        where = (
            f", Schritt {version.position} ({version.organization_id})" if version.position else ""
        )
        blocks.append(
            f"<p><b>Fassung {_e(version.number)}</b>: "
            f"{_e(SOURCES.get(version.source, version.source))}{_e(where)}, "
            f"{_e(_instant(version.created_at))}, {_e(version.actor)}<br>"
            f"SHA-256 <code>{digest}</code></p><pre>{_e(version.text)}</pre>"
        )
    if not blocks:
        return "<h3>Textfassungen</h3><p>Keine Textfassung erfasst.</p>"
    return "<h3>Textfassungen</h3>" + "".join(blocks)


def _deadlines(trail: PaperTrail) -> str:
    rows = []
    for check in trail.deadlines:
        css = check.status.value
        cells = [
            _e(check.kind),
            _e(check.position or ""),
            _e(check.organization_name),
            _e(_date(check.due)),
            _e(_instant(check.done_at) if check.done_at else ""),
            f'<span class="{css}">{_e(check.status.label)}</span>',
            _e(check.explanation),
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    missed = sum(c.status is DeadlineStatus.MISSED for c in trail.deadlines)
    summary = f"<p>{len(trail.deadlines)} Fristen, davon {missed} versäumt.</p>"
    head = ["Frist", "Schritt", "Gremium / Amt", "fällig bis", "erledigt", "Stand", "Erläuterung"]
    return "<h3>Fristen</h3>" + summary + _table(head, rows)


def _events(trail: PaperTrail) -> str:
    rows = []
    for event in trail.events:
        change = (
            f"{event.from_state or ''} → {event.to_state or ''}"
            if event.from_state or event.to_state
            else ""
        )
        details = ", ".join(f"{k}={v}" for k, v in sorted(event.payload.items()))
        cells = [
            _e(event.seq),
            _e(_instant(event.occurred_at)),
            _e(event.actor),
            _e(event.action),
            _e(change),
            _e(details),
            f"<code>{_e(event.hash[:16])}</code>",
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = ["#", "Zeit", "Akteur", "Aktion", "Zustand", "Details", "Hash"]
    return "<h3>Audit-Ereignisse</h3>" + _table(head, rows)


def _counts(vote: VoteCount) -> str:
    """e.g. "12 Ja, 0 Nein, 1 Enthaltung" (2 Enthaltungen; Ja, Nein and befangen stay)."""
    parts = [
        f"{n} {singular if n == 1 else plural}"
        for n, singular, plural in (
            (vote.yes, "Ja", "Ja"),
            (vote.no, "Nein", "Nein"),
            (vote.abstain, "Enthaltung", "Enthaltungen"),
            (vote.biased, "befangen", "befangen"),
        )
        if n is not None
    ]
    text = ", ".join(parts)
    if vote.label:
        text = f"{vote.label} ({text})" if text else vote.label
    return text


def _table(head: Sequence[str], rows: Sequence[str]) -> str:
    header = "".join(f"<th>{_e(h)}</th>" for h in head)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _badge(text: str) -> str:
    return f'<span class="badge">{_e(text)}</span>'


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _date(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def _instant(value: dt.datetime) -> str:
    return local(value).strftime("%d.%m.%Y %H:%M:%S")


# -- PDF ----------------------------------------------------------------------------------------

#: Chromium binaries, the headless shell (Debian's chromium-headless-shell) first
CHROMIUMS = (
    "chromium-headless-shell",
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
)
NO_CONVERTER = N_(
    "no PDF converter found: install WeasyPrint (pip install weasyprint), "
    "wkhtmltopdf or Chromium, or write the HTML with -o and print it to PDF "
    "from a browser"
)


def find_pdf_converter() -> str:
    """``weasyprint``, or the path of a wkhtmltopdf or Chromium binary.

    :raises InvalidInput: none is installed (the message says what to install).
    """
    if importlib.util.find_spec("weasyprint") is not None:
        return "weasyprint"
    for name in ("wkhtmltopdf", *CHROMIUMS):
        found = shutil.which(name)
        if found:
            return found
    raise InvalidInput(_(NO_CONVERTER))


def write_pdf(html_text: str, target: Path, converter: str) -> None:
    """Convert ``html_text`` into ``target`` with ``converter`` (from ``find_pdf_converter``).
    The converter writes a file beside ``target`` that replaces it only when it is a PDF, so a
    converter that fails leaves no file, nor an older one, to be taken for its output.

    :raises InvalidInput: the converter failed or wrote no PDF (its last line of output is
        named).
    """
    part = target.with_name(f".{target.name}.part")
    try:
        why = _convert(html_text, part, converter, target)
        if why is None and not _is_pdf(part):
            why = _("it wrote no PDF")
        if why is not None:
            raise InvalidInput(
                _("{name} could not write {target!r}: {why}").format(
                    name=Path(converter).name, target=str(target), why=why
                )
            )
        part.replace(target)
    finally:
        part.unlink(missing_ok=True)


def _convert(html_text: str, target: Path, converter: str, shown: Path) -> str | None:
    """Run ``converter`` on ``html_text`` into ``target``; why it failed, or None. ``shown``:
    the file the user asked for, named by the message of a converter that hangs."""
    if converter == "weasyprint":
        import weasyprint  # type: ignore[import-not-found, unused-ignore]

        weasyprint.HTML(string=html_text).write_pdf(str(target))
        return None
    source = target.with_name(target.name + ".html")
    source.write_text(html_text, encoding="utf-8")
    try:
        command = pdf_command(converter, source, target)
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, check=False, timeout=PDF_TIMEOUT
            )
        except subprocess.TimeoutExpired:
            raise InvalidInput(
                _(
                    "{name} did not finish {target!r} within {PDF_TIMEOUT} s; write the "
                    "HTML with -o FILE and print it from a browser"
                ).format(name=Path(converter).name, target=str(shown), PDF_TIMEOUT=PDF_TIMEOUT)
            ) from None
    finally:
        source.unlink(missing_ok=True)
    if done.returncode == 0:
        return None
    lines = (done.stderr or done.stdout).strip().splitlines()
    return lines[-1] if lines else _("exit status {returncode}").format(returncode=done.returncode)


def pdf_command(converter: str, source: Path, target: Path) -> list[str]:
    """The command line that prints ``source`` (HTML) into ``target`` with ``converter``.
    Chromium runs headless without GPU, and as root (a container, CI) without its sandbox,
    which it refuses to start as root: it would exit without writing the PDF."""
    if Path(converter).name == "wkhtmltopdf":
        return [converter, "--quiet", str(source), str(target)]
    as_root = getattr(os, "geteuid", lambda: -1)() == 0
    return [
        converter,
        "--headless",
        "--disable-gpu",
        *(["--no-sandbox"] if as_root else []),
        "--no-pdf-header-footer",
        f"--print-to-pdf={target}",
        source.resolve().as_uri(),
    ]


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(5) == b"%PDF-"
    except OSError:
        return False
