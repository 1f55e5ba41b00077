"""Labels of the lifecycles' triggers and states, for the texts people read.

A municipality names its states and transitions in its definitions (``label`` in
``lifecycles.yaml``); those names come first. The catalogue below holds the standard names of
the shipped lifecycles' triggers, for an action named by its id alone (a refusal of an action a
caller names by its trigger). The engine offers triggers as :class:`Offer`: the id, which
scripts and JSON read, carrying the label people read.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any, Self

from workflow.core.i18n import N_, _
from workflow.core.model import (
    CoSignatureState,
    OrganizationKind,
    ReminderKind,
    ReminderState,
    TaskState,
)

#: The standard triggers (definitions/_standard/lifecycles.yaml), by id. Ids the consultation
#: and meeting lifecycles share with another lifecycle (hold, cancel) are not here: their
#: label depends on the lifecycle, which only the definitions know.
TRIGGER_LABELS = {
    "submit": N_("submit for co-signing"),
    "release": N_("release"),
    "begin_consultation": N_("begin the consultation"),
    "adopt": N_("adopt"),
    "adopt_delegated": N_("adopt (objection period running)"),
    "reject": N_("reject"),
    "note": N_("take note"),
    "annul": N_("annul"),
    "decide_urgently": N_("decide urgently"),
    "finalize": N_("objection period over"),
    "object": N_("object"),
    "contest": N_("contest"),
    "suspend": N_("suspend"),
    "appeal": N_("appeal"),
    "confirm": N_("decision confirmed (supervisory authority)"),
    "implement": N_("mark as implemented"),
    "withdraw": N_("withdraw"),
    "supplement": N_("create an Ergänzungsvorlage"),
    "schedule": N_("schedule"),
    "drop": N_("take off the agenda"),
    "unschedule": N_("cancel the date"),
    "invite": N_("invite"),
    "approve_minutes": N_("approve the minutes"),
}

#: The standard states whose id names one state in every lifecycle that has it (a step's and a
#: meeting's "held" and "cancelled" differ, so they are not here).
STATE_LABELS = {
    "draft": N_("draft"),
    "co_signing": N_("in co-signing"),
    "released": N_("released"),
    "in_consultation": N_("in consultation"),
    "decided_urgently": N_("decided urgently"),
    "objection_period": N_("in the objection period"),
    "adopted": N_("adopted"),
    "objected": N_("objected (execution suspended)"),
    "contested": N_("contested (execution suspended)"),
    "suspended": N_("suspended"),
    "appealed": N_("appealed (the council decides)"),
    "supervisory_review": N_("with the supervisory authority"),
    "implemented": N_("implemented"),
    "rejected": N_("rejected"),
    "noted": N_("noted"),
    "withdrawn": N_("withdrawn"),
    "annulled": N_("annulled"),
    "superseded": N_("continued by an Ergänzungsvorlage"),
    "planned": N_("planned"),
    "scheduled": N_("scheduled"),
    "dropped": N_("taken off the agenda"),
    "invited": N_("invited"),
    "minutes_approved": N_("minutes approved"),
}


class Offer(str):
    """A trigger offered from the current state: the string is the trigger's id (what scripts
    and JSON read); ``label`` is its name for people, from the definitions where they name it,
    and ``state_label`` the name of the state it leaves ('' when not known)."""

    label: str
    state_label: str

    def __new__(cls, trigger: str, label: str = "", state_label: str = "") -> Self:
        offer = super().__new__(cls, trigger)
        offer.label = label
        offer.state_label = state_label
        return offer


class Offers(list[Offer]):
    """The triggers offered from one state, and that state's label (also when none is
    offered: a refusal in a final state still names the state as the definitions do)."""

    def __init__(self, offers: Iterable[Offer] = (), state_label: str = "") -> None:
        super().__init__(offers)
        self.state_label = state_label


def action_label(action: str) -> str:
    """The German name of an action: an offer's label, else the catalogue's name of a standard
    trigger, else the text as given (a caller's own words)."""
    if isinstance(action, Offer) and action.label:
        return action.label
    label = TRIGGER_LABELS.get(str(action))
    return _(label) if label else _(str(action))


def state_text(state: str) -> str:
    """The catalogue's name of a standard state, else its id (the definitions' label, where
    the caller has the definitions, comes first: ``Lifecycle.state(id).label``)."""
    label = STATE_LABELS.get(state)
    return _(label) if label else state


def offer_text(action: str) -> str:
    """An offered action as a person reads it and a script names it: ``freigeben (release)``."""
    label = action_label(action)
    return f"{label} ({action})" if label != action else str(action)


#: Values of the model's enums are named by the enum's own ``label``: one word for one value
#: in every view (command line, web, documents).
_ENUM_KINDS: dict[str, type[enum.Enum]] = {
    "co_signature": CoSignatureState,
    "task": TaskState,
    "reminder": ReminderState,
    "organization": OrganizationKind,
    "reminder_kind": ReminderKind,
}

#: Values without an enum of the model, by kind: a step's standard states (a municipality's own
#: names come from its lifecycle), due and overdue notices, replay and ``paper check`` results.
VALUE_LABELS: dict[str, dict[str, str]] = {
    "step": {
        "planned": N_("planned"),
        "scheduled": N_("scheduled"),
        "held": N_("deliberated"),
        "dropped": N_("taken off the agenda"),
        "cancelled": N_("not needed"),
    },
    "deadline": {"open": N_("open"), "overdue": N_("overdue")},
    "replay": {"match": N_("matches"), "mismatch": N_("differs"), "incomplete": N_("incomplete")},
    "check": {
        "ok": N_("ok"),
        "nachtrag": N_("Nachtrag"),
        "no_date": N_("no date"),
        "no_rule": N_("no rule"),
        "cancelled": N_("not needed"),
    },
}


def value_label(kind: str, value: Any) -> str:
    """The German text of a value of ``kind`` (``held`` of a step: ``beraten``, ``pending`` of
    a co-signature: ``offen``); unknown values as they are."""
    text = str(value.value if isinstance(value, enum.Enum) else value)
    kind_enum = _ENUM_KINDS.get(kind)
    if kind_enum is not None:
        try:
            member = kind_enum(text)
        except ValueError:
            return text
        return str(member.label)  # type: ignore[attr-defined]
    label = VALUE_LABELS[kind].get(text)
    return _(label) if label else text
