"""``ratsweg meeting order|remove-item|move-item``: the Tagesordnung editor's operations.

Items are named by their id (the ``ID`` column of ``ratsweg meeting agenda``): until the
invitation a TOP has no number. ``workflow.cli.root`` registers these commands on the
``meeting`` group.
"""

from __future__ import annotations

import click

from workflow.cli.german import command, option
from workflow.cli.meetings import MEETING_ID, echo_agenda
from workflow.cli.options import Runtime, actor_option, pass_runtime, user_of
from workflow.core.i18n import N_, _

ITEM_ID = click.IntRange(min=1)


@command(
    "order",
    help=N_(
        "Order the TOPs before the invitation: every item id in the new order, or one item --up or --down. Items stay in their part (public first)."
    ),
)
@click.argument("meeting_id", metavar="ID", type=MEETING_ID)
@click.argument("items", metavar="[ITEM]...", nargs=-1, type=ITEM_ID)
@option("--up", "up", type=ITEM_ID, metavar="ITEM", help=N_("Move ITEM one place up."))
@option("--down", "down", type=ITEM_ID, metavar="ITEM", help=N_("Move ITEM one place down."))
@actor_option
@pass_runtime
def meeting_order(
    rt: Runtime,
    meeting_id: int,
    items: tuple[int, ...],
    up: int | None,
    down: int | None,
    user: str | None,
) -> None:
    from workflow.core.errors import InvalidInput
    from workflow.core.model import AgendaShift

    if sum((bool(items), up is not None, down is not None)) != 1:
        raise InvalidInput(
            _("give either every item id in the new order, or --up ITEM, or --down ITEM")
        )
    agendas, who = rt.service.agendas, user_of(user)
    if up is not None or down is not None:
        shift, item = (AgendaShift.UP, up) if up is not None else (AgendaShift.DOWN, down)
        assert item is not None
        view = agendas.shift_agenda_item(meeting_id, user=who, item=item, shift=shift, body=rt.body)
    else:
        view = agendas.order_agenda(meeting_id, user=who, items=list(items), body=rt.body)
    click.echo(_("meeting {id}: agenda ordered").format(id=view.id), err=True)
    echo_agenda(view.agenda, "table")


@command(
    "remove-item",
    help=N_("Take an item off the agenda before the invitation; its step is due again."),
)
@click.argument("meeting_id", metavar="ID", type=MEETING_ID)
@click.argument("item", metavar="ITEM", type=ITEM_ID)
@actor_option
@pass_runtime
def meeting_remove_item(rt: Runtime, meeting_id: int, item: int, user: str | None) -> None:
    view = rt.service.agendas.remove_agenda_item(
        meeting_id, user=user_of(user), item=item, body=rt.body
    )
    click.echo(_("meeting {id}: item {item} taken off").format(id=view.id, item=item), err=True)
    echo_agenda(view.agenda, "table")


@command(
    "move-item",
    help=N_("Move an item to another meeting of the same Gremium (before the invitation)."),
)
@click.argument("meeting_id", metavar="ID", type=MEETING_ID)
@click.argument("item", metavar="ITEM", type=ITEM_ID)
@option("--to", "to_meeting", required=True, type=MEETING_ID, help=N_("The other meeting."))
@actor_option
@pass_runtime
def meeting_move_item(
    rt: Runtime, meeting_id: int, item: int, to_meeting: int, user: str | None
) -> None:
    moved = rt.service.agendas.move_agenda_item(
        meeting_id, user=user_of(user), item=item, to_meeting=to_meeting, body=rt.body
    )
    number = moved.number or _("not numbered until the invitation")
    nachtrag = ", " + _("Nachtrag") if moved.nachtrag else ""
    click.echo(
        _("item {item} moved to meeting {id} as item {new} ({number})").format(
            item=item, id=to_meeting, new=moved.id, number=number + nachtrag
        ),
        err=True,
    )
