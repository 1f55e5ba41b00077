"""How the audit checks are shown (``audit verify``, ``audit replay``, the demo): the verdict
on the hash chains, on the seal files and on the replayed papers and meetings."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from workflow.cli.output import render, render_object, show_datetime
from workflow.core.i18n import N_, _, ngettext
from workflow.core.labels import value_label

if TYPE_CHECKING:
    from workflow.audit.replay import ReplayReport
    from workflow.core.model import Seal, SealCheck, VerifyReport


def echo_replay(reports: Sequence[ReplayReport], fmt: str) -> None:
    """One row per paper; in a table, then one line saying whether all papers match."""
    rows = [
        {
            "paper": r.paper_number,
            "meeting": r.meeting,
            "events": r.events,
            "status": r.status.value,
            "seq": r.seq,
            "difference": r.difference,
        }
        for r in reports
    ]
    if fmt != "table":
        click.echo(render(rows, list(rows[0]) if rows else ["paper"], fmt))
        return
    table = [
        {
            "paper": r.paper_number,
            "events": r.events,
            "status": value_label("replay", r.status),
            "difference": _("event {seq}: {difference}").format(seq=r.seq, difference=r.difference)
            if r.difference
            else "",
        }
        for r in reports
    ]
    click.echo(render(table, list(REPLAY_TITLES), fmt, REPLAY_TITLES))
    bad = [r for r in reports if not r.ok]
    meetings = sum(1 for r in reports if r.meeting is not None)
    papers = len(reports) - meetings
    what = ngettext("{n} paper", "{n} papers", papers).format(n=papers)
    if meetings:
        what = _("{papers} and {meetings}").format(
            papers=what,
            meetings=ngettext("{n} meeting", "{n} meetings", meetings).format(n=meetings),
        )
    if bad:
        click.echo(_("Replay FAILED for {n} of {what}.").format(n=len(bad), what=what))
    else:
        click.echo(_("Replay matches the database for all {what}.").format(what=what))


#: the columns of the replay table
REPLAY_TITLES = {
    "paper": N_("Paper"),
    "events": N_("Events"),
    "status": N_("Result"),
    "difference": N_("Difference"),
}


def echo_verify(report: VerifyReport, fmt: str, seal: Seal | None = None) -> None:
    if fmt != "table":
        document = dataclasses.asdict(report) | {"ok": report.ok}
        document.pop("seals")  # only with --seals, as one object per file
        if report.seals:
            document["seals"] = [dataclasses.asdict(s) | {"ok": s.ok} for s in report.seals]
        click.echo(render_object(document))
        return
    if report.broken_stream is not None:
        where = report.broken_stream or ""
        if report.broken_paper:
            where = _("paper {number} ({stream})").format(
                number=report.broken_paper, stream=report.broken_stream
            )
        click.echo(
            _("Audit trail BROKEN in {where} at event {seq}: {reason}").format(
                where=where, seq=report.broken_seq, reason=report.reason
            )
        )
    else:
        click.echo(
            _("Audit trail intact: {events} events in {chains} chains.").format(
                events=report.events, chains=report.streams
            )
        )
    if report.seals:
        echo_seal_checks(report.seals)
    if not report.ok:
        return
    if seal is not None:
        click.echo(
            _(
                "Seal of {time} by {actor} (root hash {hash}): all {sealed} sealed events "
                "unchanged; {after} events after the seal."
            ).format(
                time=show_datetime(seal.sealed_at),
                actor=seal.actor,
                hash=seal.root_hash[:16],
                sealed=report.sealed_events,
                after=report.events_after_seal,
            )
        )


def echo_seal_checks(checks: Sequence[SealCheck]) -> None:
    """One line per seal file, then how many match."""
    for check in checks:
        if check.problem is None:
            after = (
                _("; {n} events after it.").format(n=check.events_after_seal)
                if check.events_after_seal is not None
                else "."
            )
            click.echo(
                _("{file}: seal of {time} by {actor}: all {sealed} sealed events unchanged").format(
                    file=check.file,
                    time=show_datetime(check.sealed_at),
                    actor=check.actor,
                    sealed=check.sealed_events,
                )
                + after
            )
        elif check.stream is None:
            click.echo(f"{check.file}: {check.problem.upper()}: {check.reason}")
        else:
            where = (
                _("paper {number} ({stream})").format(number=check.paper, stream=check.stream)
                if check.paper
                else check.stream
            )
            click.echo(
                _("{file}: MISMATCH in {where} at event {seq}: {reason}").format(
                    file=check.file, where=where, seq=check.seq, reason=check.reason
                )
            )
    bad = sum(1 for c in checks if not c.ok)
    if bad:
        click.echo(
            _("{bad} of {n} seal files do not match the database.").format(bad=bad, n=len(checks))
        )
    else:
        click.echo(
            _(
                "All {n} seal files match. Events recorded after the newest seal are not proven "
                "by any seal."
            ).format(n=len(checks))
        )
