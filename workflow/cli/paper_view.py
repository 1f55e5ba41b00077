"""How a paper is shown (``paper show``, ``paper create``, the demo) and its path (the
consultation commands), and how a diagram is written (``paper graph``, ``definitions graph``)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import click

from workflow.cli.output import render, render_object, show_date

if TYPE_CHECKING:
    from workflow.core.model import PaperView

GRAPH_FORMATS = ["mermaid", "dot", "svg", "png"]


def emit_graph(source: str, fmt: str, output: str | None) -> None:
    """Write diagram source (or SVG/PNG rendered from DOT) to OUTPUT or stdout."""
    from workflow.papers.diagrams import render as render_diagram

    if fmt == "png" and not output:
        raise click.UsageError("PNG is binary; pass --output FILE")
    data = render_diagram(source, fmt) if fmt in ("svg", "png") else source.encode("utf-8")
    if output:
        from pathlib import Path

        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            raise click.FileError(output, exc.strerror) from None
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(data.decode("utf-8"), nl=False)


def show_paper(view: PaperView, fmt: str) -> None:
    if fmt == "json":
        click.echo(render_object(dataclasses.asdict(view)))
        return
    click.echo(f"{view.paper_type_name} {view.number} vom {show_date(view.date)}: {view.title}")
    click.echo(
        f"Amt: {view.office_name}" + (f", Aktenzeichen {view.reference}" if view.reference else "")
    )
    click.echo(
        f"Status: {view.state_label} ({view.state}); "
        f"möglich: {', '.join(view.allowed_actions) or '-'}"
    )
    _echo_submitter_and_chain(view)
    if view.co_signatures:
        signs = ", ".join(_co_signature_text(c) for c in view.co_signatures)
        click.echo(f"Mitzeichnung: {signs}")
    if len(view.text_versions) > 1:
        latest = view.text_versions[-1]
        click.echo(
            f"Textfassung {latest.number} (geändert in Schritt {latest.position}, "
            f"{len(view.text_versions)} Fassungen)"
        )
    for attachment in view.attachments:
        part = "Ö" if attachment.public else "N"
        click.echo(f"Anlage ({part}): {attachment.file_name}, {attachment.size} Bytes")
    click.echo("")
    echo_path(view, fmt)


def _echo_submitter_and_chain(view: PaperView) -> None:
    if view.faction:
        members = f" ({', '.join(view.members)})" if view.members else ""
        click.echo(f"Eingereicht von: {view.faction}{members}")
    if view.origin:
        click.echo(f"Ergänzungsvorlage {view.supplement_no} zu {view.origin}")
    if len(view.chain) > 1:
        click.echo(f"Kette: {' → '.join(view.chain)}")
    if view.answer is not None and view.answer_date is not None:
        click.echo(f"Beantwortet am {show_date(view.answer_date)}: {view.answer}")


def _co_signature_text(signature: Any) -> str:
    text = f"{signature.office_name}: {signature.state.value}"
    if signature.due is not None:
        text += f" (fällig {show_date(signature.due)})"
    if signature.comment:
        text += f" ({signature.comment})"
    if signature.overruled_by:
        text += f", überstimmt von {signature.overruled_by}: {signature.overrule_reason}"
    return text


def echo_path(view: PaperView, fmt: str = "table") -> None:
    parallel = len({c.level for c in view.consultations}) < len(view.consultations)
    rows = [
        {
            "Nr": c.position,
            **({"Ebene": c.level} if parallel else {}),
            "Gremium": c.organization_name,
            "Zuständigkeit": c.role.value,
            "Ö/N": "Ö" if c.public else "N",
            "geplant": c.planned_date,
            "Sitzung": c.date,
            "Status": c.state,
            "Ergebnis": c.result_label or "",
            "Abstimmung": "; ".join(_vote_text(v, len(c.votes) > 1) for v in c.votes),
        }
        for c in view.consultations
    ]
    headers = [
        "Nr",
        *(["Ebene"] if parallel else []),
        "Gremium",
        "Zuständigkeit",
        "Ö/N",
        "geplant",
        "Sitzung",
        "Status",
        "Ergebnis",
        "Abstimmung",
    ]
    click.echo(render(rows, headers, fmt))


def _vote_text(vote: Any, with_subject: bool = False) -> str:
    parts = [
        f"{label} {value}"
        for label, value in (
            ("Ja", vote.yes),
            ("Nein", vote.no),
            ("Enth.", vote.abstain),
            ("Befangen", vote.biased),
            ("ohne Teilnahme", vote.not_participating),
            ("abwesend", vote.absent),
        )
        if value is not None
    ]
    text = ", ".join(parts)
    return f"{vote.subject}: {text}" if with_subject else text
