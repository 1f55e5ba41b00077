"""The queries of the papers capability beyond loading a paper: the chain of Ergänzungsvorlagen
a paper belongs to, the objection window of a re-decision step, and the meetings a paper's
steps and deadlines look at."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from storage.schema import DecisionProcedure, Meeting, Paper

_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])


def paper_number(session: Session, paper_id: int) -> str:
    """The number of the paper ``paper_id`` (which exists: a foreign key names it)."""
    return session.get_one(Paper, paper_id).number


def latest_supplement_number(session: Session, origin_id: int) -> str | None:
    """The number of the latest Ergänzungsvorlage of the original ``origin_id`` (None: it
    has none yet)."""
    return session.scalar(
        select(Paper.number)
        .where(Paper.origin_id == origin_id)
        .order_by(Paper.supplement_no.desc())
        .limit(1)
    )


def chain_papers(session: Session, paper: Paper) -> list[Paper]:
    """The papers of ``paper``'s chain in order: the original, then its supplements."""
    return list(session.scalars(in_chain(select(Paper), paper)))


def in_chain(query: _Query, paper: Paper) -> _Query:
    """``query`` over ``paper``'s chain: the original, then its supplements in order."""
    root_id = paper.origin_id or paper.id
    return query.where((Paper.id == root_id) | (Paper.origin_id == root_id)).order_by(
        func.coalesce(Paper.supplement_no, 0)
    )


def decision_window(session: Session, paper_id: int, position: int) -> DecisionProcedure | None:
    """The decision procedure that makes step ``position`` of the paper a re-decision with an
    objection window (an urgent decision has none)."""
    return session.scalars(
        select(DecisionProcedure).where(
            DecisionProcedure.paper_id == paper_id,
            DecisionProcedure.position == position,
            DecisionProcedure.kind != "dringlichkeitsentscheidung",
        )
    ).first()


def step_meeting(session: Session, meeting_id: int) -> Meeting:
    """The meeting a step is scheduled into (which exists: a foreign key names it)."""
    return session.get_one(Meeting, meeting_id)


def find_meeting(session: Session, meeting_id: int) -> Meeting | None:
    """The meeting ``meeting_id``, if there is one."""
    return session.get(Meeting, meeting_id)


def first_meeting_since(
    session: Session, body_id: str, organization_id: str, state: str, since: dt.datetime
) -> Meeting | None:
    """The Gremium's first meeting in ``state`` that starts at ``since`` or later."""
    return session.scalars(
        select(Meeting)
        .where(
            Meeting.body_id == body_id,
            Meeting.organization_id == organization_id,
            Meeting.state == state,
            Meeting.start >= since,
        )
        .order_by(Meeting.start, Meeting.id)
        .limit(1)
    ).first()
