"""``ratsweg meeting ...``: meetings (Sitzungen) and their agendas.

Same shape as every command in ``workflow.cli`` (parse, one service call, render);
``workflow.cli.root`` registers the group. Times are entered and shown in Europe/Berlin and stored in UTC.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from workflow.cli.german import group, option
from workflow.cli.options import (
    DATE,
    Runtime,
    actor_option,
    pass_runtime,
    reader_option,
    user_of,
    warning_text,
)
from workflow.cli.output import (
    chosen_format,
    echo_rows,
    output_options,
    render,
    render_object,
    row_output_options,
    show_start,
    state_line,
)
from workflow.core.clock import local, wall_clock
from workflow.core.errors import InvalidInput
from workflow.core.i18n import N_, _, ngettext
from workflow.core.labels import offer_text

if TYPE_CHECKING:
    from workflow.core.model import AgendaItemView, MeetingView

_FORMATS = ("%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%dT%H:%M")
#: a trailing UTC offset, "+01:00", "+0200" or "Z": which of the two 02:30 of the night the
#: clocks go back is meant
_OFFSET = re.compile(r"\s*(?:(?P<z>Z)|(?P<sign>[+-])(?P<h>[0-9]{2}):?(?P<m>[0-9]{2}))$")


class LocalTimeType(click.ParamType):  # type: ignore[type-arg]
    """A local time in Europe/Berlin, "YYYY-MM-DD HH:MM" or "DD.MM.YYYY HH:MM", optionally with
    its offset ("+01:00"); UTC out. A time the clocks skip or show twice is refused."""

    name = "datetime"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.datetime):
            return value
        text, zone = _split_offset(str(value).strip())
        for fmt in _FORMATS:
            try:
                naive = dt.datetime.strptime(text, fmt)
            except ValueError:
                continue
            try:
                return wall_clock(naive.date(), naive.time().replace(tzinfo=zone))
            except InvalidInput as exc:
                self.fail(str(exc), param, ctx)
        self.fail(
            _("{value!r} is not a time; use 'YYYY-MM-DD HH:MM' (Europe/Berlin)").format(
                value=value
            ),
            param,
            ctx,
        )


def _split_offset(text: str) -> tuple[str, dt.tzinfo | None]:
    """``text`` without a trailing UTC offset, and that offset (None: none given)."""
    found = _OFFSET.search(text)
    if found is None or len(text) - len(found.group(0)) < 5:  # "17:00" alone is no offset
        return text, None
    if found["z"]:
        return text[: found.start()], dt.UTC
    minutes = int(found["h"]) * 60 + int(found["m"])
    sign = -1 if found["sign"] == "-" else 1
    return text[: found.start()], dt.timezone(sign * dt.timedelta(minutes=minutes))


def parse_clock(value: str) -> dt.time | None:
    """ "HH:MM" or "HH:MM+01:00" as a time (with its offset); None: not a time of day."""
    text, zone = _split_offset(value.strip())
    try:
        return dt.datetime.strptime(text, "%H:%M").time().replace(tzinfo=zone)
    except ValueError:
        return None


LOCAL_TIME = LocalTimeType()
MEETING_ID = click.IntRange(min=1)


@group(help=N_("Meetings (Sitzungen) and their agendas (Tagesordnungen)."))
def meeting() -> None:
    pass


@meeting.command("create", help=N_("Plan a meeting of a Gremium."))
@option("--organization", required=True, help=N_("Gremium id, e.g. stadtrat."))
@option(
    "--start",
    required=True,
    type=LOCAL_TIME,
    help=N_('"YYYY-MM-DD HH:MM", local time (add "+01:00" in the hour the clocks show twice).'),
)
@option("--end", help=N_('"HH:MM" on the same day, or "YYYY-MM-DD HH:MM".'))
@option("--location", help=N_("Where the meeting takes place."))
@option("--name", help=N_('e.g. "12. Sitzung des Stadtrates".'))
@actor_option
@output_options
@pass_runtime
def meeting_create(
    rt: Runtime,
    organization: str,
    start: dt.datetime,
    end: str | None,
    location: str | None,
    name: str | None,
    user: str | None,
    fmt: str,
    as_json: bool,
) -> None:
    view = rt.service.meetings.create_meeting(
        user=user_of(user),
        organization=organization,
        start=start,
        end=_end_time(end, start) if end else None,
        location=location,
        name=name,
        body=rt.body,
    )
    click.echo(_("created meeting {id}").format(id=view.id), err=True)
    _show_meeting(view, chosen_format(fmt, as_json))


@meeting.command("list", help=N_("List meetings by start."))
@option("--organization", help=N_("Only meetings of this Gremium."))
@option("--from", "since", type=DATE, help=N_("First day (local)."))
@option("--to", "until", type=DATE, help=N_("Last day (local)."))
@option("--state", help=N_("Only meetings in this state."))
@row_output_options
@reader_option
@pass_runtime
def meeting_list(rt: Runtime, fmt: str, as_json: bool, reader: str | None, **filters: Any) -> None:
    views = rt.service.meetings.list_meetings(body=rt.body, reader=user_of(reader), **filters)
    fmt = chosen_format(fmt, as_json)
    if fmt in ("json", "ndjson"):
        echo_rows([_meeting_plain(v) for v in views], [], fmt)
        return
    rows = [
        {
            "ID": v.id,
            "Gremium": v.organization_name,
            "Beginn": show_start(v.start) if fmt == "table" else _local(v.start),
            "Ort": v.location,
            "Name": v.name,
            "Status": v.state_label if fmt == "table" else v.state,
            "TOPs": len(v.agenda),
        }
        for v in views
    ]
    echo_rows(rows, ["ID", "Gremium", "Beginn", "Ort", "Name", "Status", "TOPs"], fmt)


@meeting.command("show", help=N_("Show a meeting with its agenda."))
@click.argument("meeting_id", metavar="ID", type=MEETING_ID)
@output_options
@reader_option
@pass_runtime
def meeting_show(rt: Runtime, meeting_id: int, fmt: str, as_json: bool, reader: str | None) -> None:
    view = rt.service.meetings.get_meeting(meeting_id, body=rt.body, reader=user_of(reader))
    _show_meeting(view, chosen_format(fmt, as_json))


@meeting.command("agenda", help=N_("Show the agenda: TOPs, public part first, Nachträge marked."))
@click.argument("meeting_id", metavar="ID", type=MEETING_ID)
@output_options
@reader_option
@pass_runtime
def meeting_agenda(
    rt: Runtime, meeting_id: int, fmt: str, as_json: bool, reader: str | None
) -> None:
    view = rt.service.meetings.get_meeting(meeting_id, body=rt.body, reader=user_of(reader))
    echo_agenda(view.agenda, chosen_format(fmt, as_json))


@meeting.command(
    "build-agenda", help=N_("Put the consultations due for the meeting on its agenda.")
)
@click.argument("meeting_id", metavar="ID", type=MEETING_ID)
@actor_option
@pass_runtime
def meeting_build_agenda(rt: Runtime, meeting_id: int, user: str | None) -> None:
    view = rt.service.agendas.build_agenda(meeting_id, user=user_of(user), body=rt.body)
    click.echo(
        ngettext(
            "meeting {id}: {n} agenda item", "meeting {id}: {n} agenda items", len(view.agenda)
        ).format(id=view.id, n=len(view.agenda)),
        err=True,
    )
    echo_agenda(view.agenda, "table")


@meeting.command("add-item", help=N_("Add an agenda item without a paper."))
@click.argument("meeting_id", metavar="ID", type=MEETING_ID)
@option("--title", required=True, help=N_('e.g. "Mitteilungen der Verwaltung".'))
@option("--non-public", is_flag=True, help=N_("Put it in the non-public part."))
@option("--note", help=N_("A note shown with the item."))
@actor_option
@pass_runtime
def meeting_add_item(
    rt: Runtime, meeting_id: int, title: str, non_public: bool, note: str | None, user: str | None
) -> None:
    item = rt.service.agendas.add_agenda_item(
        meeting_id, user=user_of(user), title=title, public=not non_public, note=note, body=rt.body
    )
    click.echo(_("meeting {id}: {item}").format(id=meeting_id, item=_item_text(item)), err=True)


def _meeting_action(name: str, method: str, help_text: str) -> None:
    @meeting.command(name, help=help_text)
    @click.argument("meeting_id", metavar="ID", type=MEETING_ID)
    @actor_option
    @pass_runtime
    def command(rt: Runtime, meeting_id: int, user: str | None) -> None:
        view = getattr(rt.service.meetings, method)(meeting_id, user=user_of(user), body=rt.body)
        click.echo(_meeting_state(view), err=True)


_meeting_action("invite", "invite_meeting", N_("Send the invitation; numbers the TOPs for good."))
_meeting_action("hold", "hold_meeting", N_("Mark an invited meeting as held."))
_meeting_action("approve-minutes", "approve_minutes", N_("Record that the minutes were approved."))


@meeting.command("cancel", help=N_("Cancel a meeting; its consultations go back to planned."))
@click.argument("meeting_id", metavar="ID", type=MEETING_ID)
@option("--reason", required=True, help=N_("Why the meeting is cancelled."))
@actor_option
@pass_runtime
def meeting_cancel(rt: Runtime, meeting_id: int, reason: str, user: str | None) -> None:
    view = rt.service.meetings.cancel_meeting(
        meeting_id, user=user_of(user), reason=reason, body=rt.body
    )
    click.echo(_meeting_state(view), err=True)


def _meeting_state(view: MeetingView) -> str:
    """``Sitzung 3: eingeladen (invited)``."""
    return state_line(_("meeting {id}").format(id=view.id), view.state_label, view.state)


@meeting.command(
    "move",
    help=N_("Move a planned or invited meeting; its steps and their reminders move with it."),
)
@click.argument("meeting_id", metavar="ID", type=MEETING_ID)
@option("--date", "day", required=True, type=DATE, help=N_("The new day (local)."))
@option(
    "--time",
    "clock",
    help=N_("The new start, HH:MM (default: the time it had; HH:MM+01:00 with offset)."),
)
@option("--reason", help=N_("Why the meeting moves (audited)."))
@actor_option
@pass_runtime
def meeting_move(
    rt: Runtime,
    meeting_id: int,
    day: dt.date,
    clock: str | None,
    reason: str | None,
    user: str | None,
) -> None:
    at = None
    if clock is not None:
        at = parse_clock(clock)
        if at is None:
            raise click.BadParameter(
                _("{value!r} is not a time; use HH:MM (or HH:MM+01:00 with the offset)").format(
                    value=clock
                ),
                param_hint="--time",
            )
    moved = rt.service.meetings.move_meeting(
        meeting_id, user=user_of(user), day=day, time=at, reason=reason, body=rt.body
    )
    for warning in moved.warnings:
        click.echo(warning_text(warning), err=True)
    count = len(moved.steps)
    steps = (
        "; " + ngettext("{n} step moved with it", "{n} steps moved with it", count).format(n=count)
        if moved.steps
        else ""
    )
    where = _("meeting {id}: moved to {start}").format(
        id=moved.meeting.id, start=show_start(moved.meeting.start)
    )
    click.echo(where + steps, err=True)


@meeting.command(
    "record-minutes",
    help=N_(
        "Record the results of a whole meeting from a minutes file (YAML or CSV); the "
        "file is checked as a whole and recorded completely or not at all."
    ),
)
@click.argument("meeting_id", metavar="ID", type=MEETING_ID)
@click.argument("minutes_file", metavar="FILE", type=click.Path(dir_okay=False))
@output_options
@actor_option
@pass_runtime
def meeting_record_minutes(
    rt: Runtime, meeting_id: int, minutes_file: str, fmt: str, as_json: bool, user: str | None
) -> None:
    from workflow.meetings.minutes import read_minutes_file

    items = read_minutes_file(minutes_file)
    results = rt.service.minutes.record_minutes(meeting_id, items, user=user_of(user), body=rt.body)
    for result in results:
        for warning in result.warnings:
            click.echo(warning_text(f"{result.item}: {warning}"), err=True)
    rows = [
        {
            "TOP": r.item,
            "Vorlage": r.paper_number,
            "Schritt": r.position,
            "Ergebnis": r.outcome,
            "Vorlage jetzt": r.paper_state,
        }
        for r in results
    ]
    fmt = chosen_format(fmt, as_json)
    headers = ["TOP", "Vorlage", "Schritt", "Ergebnis", "Vorlage jetzt"]
    click.echo(render(rows, headers, fmt))
    recorded = ngettext("{n} result recorded", "{n} results recorded", len(results))
    click.echo(
        _("meeting {id}: {recorded}").format(
            id=meeting_id, recorded=recorded.format(n=len(results))
        ),
        err=True,
    )


# -- rendering ----------------------------------------------------------------------------------


def _show_meeting(view: MeetingView, fmt: str) -> None:
    if fmt == "json":
        click.echo(render_object(_meeting_plain(view)))
        return
    until = f"–{local(view.end).strftime('%H:%M')}" if view.end else ""
    title = f" {view.name}" if view.name else ""
    click.echo(
        _("Meeting {id}{name}: {organization}, {start}").format(
            id=view.id,
            name=title,
            organization=view.organization_name,
            start=show_start(view.start) + until,
        )
    )
    click.echo(
        _("Location: {location}; status: {label} ({state}); possible: {actions}").format(
            location=view.location or "-",
            label=view.state_label,
            state=view.state,
            actions=", ".join(offer_text(a) for a in view.allowed_actions) or "-",
        )
    )
    click.echo("")
    echo_agenda(view.agenda, fmt)


def _meeting_plain(view: MeetingView) -> dict[str, Any]:
    return dataclasses.asdict(view)


def echo_agenda(items: Sequence[AgendaItemView], fmt: str) -> None:
    """The agenda as a table (``ID``: what ``meeting order|remove-item|move-item`` take)."""
    if fmt == "json":
        click.echo(render([dataclasses.asdict(i) for i in items], [], fmt))
        return
    rows = [
        {
            "ID": i.id,
            "TOP": i.number or "",
            "Ö/N": i.part.prefix,
            "Nachtrag": _("Nachtrag") if i.nachtrag else "",
            "Vorlage": i.paper_number or "",
            "Betreff": i.title,
        }
        for i in items
    ]
    click.echo(render(rows, ["ID", "TOP", "Ö/N", "Nachtrag", "Vorlage", "Betreff"], fmt))


def _item_text(item: AgendaItemView) -> str:
    number = item.number or _("not numbered until the invitation")
    nachtrag = ", " + _("Nachtrag") if item.nachtrag else ""
    return _("{title!r} added ({part}, {number})").format(
        title=item.title, part=item.part.prefix, number=number + nachtrag
    )


def _local(instant: dt.datetime) -> str:
    return local(instant).strftime("%d.%m.%Y %H:%M")


def _end_time(value: str, start: dt.datetime) -> dt.datetime:
    """``--end``: "HH:MM" on the start's day, or a whole local time (either with an offset)."""
    clock = parse_clock(value)
    try:
        if clock is None:
            return LOCAL_TIME.convert(value, None, None)  # type: ignore[no-any-return]
        return wall_clock(local(start).date(), clock)
    except (InvalidInput, click.BadParameter) as exc:
        raise click.BadParameter(_message(exc), param_hint="'--end'") from None


def _message(exc: Exception) -> str:
    return exc.format_message() if isinstance(exc, click.ClickException) else str(exc)
