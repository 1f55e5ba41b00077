"""How a paper is shown (``paper show``, ``paper create``, the demo) and its path (the
consultation commands), and how a diagram is written (``paper graph``, ``definitions graph``)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import click

from workflow.cli.german import option
from workflow.cli.output import F, render, render_object, show_date, show_day
from workflow.core.i18n import N_, _
from workflow.core.labels import offer_text, value_label

if TYPE_CHECKING:
    from workflow.core.model import PaperView

GRAPH_FORMATS = ["mermaid", "dot", "svg", "png"]


def graph_options(func: F) -> F:
    """``--format`` (Mermaid, DOT, SVG, PNG) and ``--output`` of the commands that draw."""
    func = option("--output", type=click.Path(dir_okay=False), help=N_("Write to this file."))(func)
    return option(
        "--format",
        "fmt",
        type=click.Choice(GRAPH_FORMATS),
        default="mermaid",
        show_default=True,
        help=N_("Output format."),
    )(func)


def emit_graph(source: str, fmt: str, output: str | None) -> None:
    """Write diagram source (or SVG/PNG rendered from DOT) to OUTPUT or stdout."""
    from workflow.papers.diagrams import render as render_diagram

    if fmt == "png" and not output:
        from workflow.cli.options import UsageProblem

        raise UsageProblem(_("PNG is binary; pass --output FILE"))
    data = render_diagram(source, fmt) if fmt in ("svg", "png") else source.encode("utf-8")
    if output:
        from pathlib import Path

        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            raise click.FileError(output, exc.strerror) from None
        click.echo(_("wrote {file}").format(file=output), err=True)
    else:
        click.echo(data.decode("utf-8"), nl=False)


def show_paper(view: PaperView, fmt: str) -> None:
    if fmt == "json":
        click.echo(render_object(dataclasses.asdict(view)))
        return
    click.echo(
        _("{type} {number} of {date}: {title}").format(
            type=view.paper_type_name,
            number=view.number,
            date=show_date(view.date),
            title=view.title,
        )
    )
    office = _("Office: {office}").format(office=view.office_name)
    if view.reference:
        office += ", " + _("reference {reference}").format(reference=view.reference)
    click.echo(office)
    click.echo(
        _("Status: {label} ({state}); possible: {actions}").format(
            label=view.state_label,
            state=view.state,
            actions=", ".join(offer_text(a) for a in view.allowed_actions) or "-",
        )
    )
    _echo_submitter_and_chain(view)
    if view.co_signatures:
        signs = ", ".join(_co_signature_text(c) for c in view.co_signatures)
        click.echo(_("Co-signing: {signatures}").format(signatures=signs))
    latest = view.text_versions[-1] if view.text_versions else None
    if latest is not None and latest.position is not None:
        click.echo(
            _("Wording {number} (changed in step {position}, {count} versions)").format(
                number=latest.number, position=latest.position, count=len(view.text_versions)
            )
        )
    for attachment in view.attachments:
        part = _("P") if attachment.public else _("NP")
        click.echo(
            _("Attachment ({part}): {file}, {size} bytes").format(
                part=part, file=attachment.file_name, size=attachment.size
            )
        )
    click.echo("")
    echo_path(view, fmt)


def _echo_submitter_and_chain(view: PaperView) -> None:
    if view.faction:
        members = f" ({', '.join(view.members)})" if view.members else ""
        click.echo(_("Submitted by: {faction}").format(faction=view.faction) + members)
    if view.origin:
        click.echo(
            _("Supplement {no} to {origin}").format(no=view.supplement_no, origin=view.origin)
        )
    if len(view.chain) > 1:
        click.echo(_("Chain: {papers}").format(papers=" → ".join(view.chain)))
    if view.answer is not None and view.answer_date is not None:
        click.echo(
            _("Answered on {date}: {answer}").format(
                date=show_date(view.answer_date), answer=view.answer
            )
        )


def _co_signature_text(signature: Any) -> str:
    text = f"{signature.office_name}: {value_label('co_signature', signature.state)}"
    if signature.due is not None:
        text += " (" + _("due {date}").format(date=show_day(signature.due)) + ")"
    if signature.comment:
        text += f" ({signature.comment})"
    if signature.overruled_by:
        text += ", " + _("overruled by {user}: {reason}").format(
            user=signature.overruled_by, reason=signature.overrule_reason
        )
    return text


def echo_path(view: PaperView, fmt: str = "table") -> None:
    table = fmt == "table"
    parallel = len({c.level for c in view.consultations}) < len(view.consultations)
    rows = [
        {
            "Nr": c.position,
            **({"Ebene": c.level} if parallel else {}),
            "Gremium": c.organization_name,
            "Zuständigkeit": c.role.label if table else c.role.value,
            "Ö/N": "Ö" if c.public else "N",
            "geplant": show_day(c.planned_date) if table else c.planned_date,
            "Sitzung": show_day(c.date) if table else c.date,
            "Status": value_label("step", c.state) if table else c.state,
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
            (_("Yes"), vote.yes),
            (_("No"), vote.no),
            (_("Abst."), vote.abstain),
            (_("Biased"), vote.biased),
            (_("not voting"), vote.not_participating),
            (_("absent"), vote.absent),
        )
        if value is not None
    ]
    text = ", ".join(parts)
    return f"{vote.subject}: {text}" if with_subject else text
