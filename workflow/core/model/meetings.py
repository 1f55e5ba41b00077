"""Meetings (Sitzungen) and their agendas."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from workflow.core.i18n import N_, _


class AgendaPart(StrEnum):
    """Öffentlicher or nichtöffentlicher Teil of a meeting; the public part comes first."""

    PUBLIC = "public"
    NON_PUBLIC = "non_public"

    @property
    def prefix(self) -> str:
        """The letter of the TOP number: "Ö 3", "N 1"."""
        return "Ö" if self is AgendaPart.PUBLIC else "N"

    @property
    def label(self) -> str:
        """Öffentlicher Teil, nichtöffentlicher Teil."""
        return _(N_("public part")) if self is AgendaPart.PUBLIC else _(N_("non-public part"))

    @classmethod
    def of(cls, public: bool) -> AgendaPart:
        return cls.PUBLIC if public else cls.NON_PUBLIC


class AgendaShift(StrEnum):
    """One place up or down within the item's part of the agenda (the editor's buttons)."""

    UP = "up"
    DOWN = "down"


@dataclass(frozen=True, slots=True, kw_only=True)
class AgendaItemView:
    """One Tagesordnungspunkt; ``number`` is set (and frozen) by the invitation."""

    id: int
    part: AgendaPart
    number: str | None
    sort_order: int
    title: str
    paper_number: str | None = None
    consultation_position: int | None = None
    consultation_state: str | None = None
    #: the step's result as recorded ("einstimmig beschlossen"), once it is
    result_label: str | None = None
    nachtrag: bool = False
    nachtrag_at: dt.datetime | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MeetingView:
    """A Sitzung of one organization; ``start``/``end`` are UTC instants."""

    id: int
    body_id: str
    organization_id: str
    organization_name: str
    name: str | None
    number: str | None
    start: dt.datetime
    end: dt.datetime | None
    location: str | None
    state: str
    state_label: str
    invited_at: dt.datetime | None
    created_at: dt.datetime
    modified_at: dt.datetime
    agenda: tuple[AgendaItemView, ...] = ()
    allowed_actions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class MeetingMoved:
    """A moved meeting, the steps that moved with it (paper number, position) and what the
    session office must check again (the Ladungsfrist of an invitation already sent)."""

    meeting: MeetingView
    steps: tuple[tuple[str, int], ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class MeetingNotice:
    """The Ladungsfrist of a meeting as the session office reads it: the last day the
    invitation may go out (None: the definitions set no Ladungsfrist for the Gremium), the
    day it went out, and the warnings (German) when it is late or was too late."""

    dispatch_by: dt.date | None
    invited_on: dt.date | None
    warnings: tuple[str, ...] = ()
