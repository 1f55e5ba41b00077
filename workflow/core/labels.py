"""Labels of the lifecycles' triggers and states, for the texts people read.

A municipality names its states and transitions in its definitions (``label`` in
``lifecycles.yaml``); those names come first. The catalogue below holds the standard names of
the shipped lifecycles' triggers, for an action named by its id alone (a refusal of an action a
caller names by its trigger). The engine offers triggers as :class:`Offer`: the id, which
scripts and JSON read, carrying the label people read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Self

from workflow.core.i18n import N_, _

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
