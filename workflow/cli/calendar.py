"""``ratsweg calendar export``: meetings and deadlines as iCalendar (see ``workflow.calendar.ical``)."""

from __future__ import annotations

import datetime as dt

import click

from workflow.cli.german import group, option
from workflow.cli.options import DATE, Runtime, pass_runtime, reader_option, user_of
from workflow.core.i18n import N_, _, date_text, ngettext


@group(help=N_("Meetings and deadlines for calendar programs (iCalendar)."))
def calendar() -> None:
    pass


@calendar.command(
    "export",
    help=N_(
        "Write the meetings and open deadlines of a user, an office or a Gremium "
        "(default: the whole municipality) as an iCalendar file; re-exports keep every "
        "entry's UID."
    ),
)
@option("--user", help=N_("The calendar of this user (the papers of the user's offices)."))
@option("--office", help=N_("The calendar of this office."))
@option("--organization", help=N_("The calendar of this Gremium."))
@option("--from", "start", type=DATE, help=N_("First day (default: 30 days ago)."))
@option("--to", "end", type=DATE, help=N_("Last day (default: a year after --from or today)."))
@option(
    "--deadlines",
    "style",
    type=click.Choice(["event", "todo"]),
    default="event",
    show_default=True,
    help=N_("Deadlines as all-day events, or as to-dos with a due date."),
)
@option(
    "--output",
    type=click.Path(dir_okay=False),
    help=N_("Write to FILE (replaced) instead of stdout."),
)
@reader_option
@pass_runtime
def calendar_export(
    rt: Runtime,
    reader: str | None,
    user: str | None,
    office: str | None,
    organization: str | None,
    start: dt.date | None,
    end: dt.date | None,
    style: str,
    output: str | None,
) -> None:
    from workflow.calendar.ical import DeadlineStyle, build_calendar
    from workflow.cli.output import open_output

    feed = rt.service.calendar.calendar_feed(
        user=user,
        office=office,
        organization=organization,
        start=start,
        end=end,
        body=rt.body,
        reader=user_of(reader),
    )
    text = build_calendar(feed, now=rt.service.clock.now(), style=DeadlineStyle(style))
    with open_output(output) as handle:
        handle.write(text.decode("utf-8"))
    if output:
        meetings, deadlines = len(feed.meetings), len(feed.deadlines) + len(feed.tasks)
        click.echo(
            _("wrote {meetings} and {deadlines} ({start}–{end}) to {file}").format(
                meetings=ngettext("{n} meeting", "{n} meetings", meetings).format(n=meetings),
                deadlines=ngettext("{n} deadline", "{n} deadlines", deadlines).format(n=deadlines),
                start=date_text(feed.start),
                end=date_text(feed.end),
                file=output,
            ),
            err=True,
        )
