"""A paper as the API returns it: the view of its row with its chain of Ergänzungsvorlagen,
its submitters and answer, and each pending co-signature's due date (``deadlines.co_signing``,
counted from when the signature was requested)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace

from sqlalchemy.orm import Session

from storage import facts as fact_store
from storage.deadlines import CoSignatureRow
from storage.schema import CoSignature, Paper
from workflow.core.catalog import Catalog
from workflow.core.deadlines import Deadline, DeadlineKind, lead_time_deadline
from workflow.core.model import CoSignatureState, PaperView
from workflow.papers.views import paper_view
from workflow.reminders.sync import paper_changed
from workflow.uow import UnitOfWork


def present(uow: UnitOfWork, catalog: Catalog, paper: Paper) -> PaperView:
    """The paper's view (``catalog``: the definitions version it was created under)."""
    view = paper_view(catalog, paper, uow.engine.paper_triggers(catalog, paper.state))
    origin, chain = fact_store.chain_numbers(uow.session, paper)
    view = replace(
        view,
        origin=origin,
        supplement_no=paper.supplement_no,
        chain=chain,
        faction=paper.faction,
        members=tuple(paper.members or ()),
        answer=paper.answer,
        answer_date=paper.answer_date,
    )
    deadlines = co_signing_deadlines(uow.session, catalog, paper)
    if not deadlines:
        return view
    signatures = tuple(
        replace(c, due=deadlines[c.office_id].day) if c.office_id in deadlines else c
        for c in view.co_signatures
    )
    return replace(view, co_signatures=signatures)


def touch(uow: UnitOfWork, catalog: Catalog, paper: Paper) -> PaperView:
    """End a change to the paper (modification time, reminders) and return its view."""
    paper_changed(uow, catalog, paper)
    return present(uow, catalog, paper)


def co_signing_deadlines(session: Session, catalog: Catalog, paper: Paper) -> dict[str, Deadline]:
    """The Mitzeichnung Frist of each pending co-signature whose office has a
    ``deadlines.co_signing`` rule, counted from when it was last requested; by office, in the
    paper's order of co-signatures."""
    rules = catalog.deadlines
    if not any(
        c.state == CoSignatureState.PENDING.value
        and rules.for_organization(c.office_id).co_signing is not None
        for c in paper.co_signatures
    ):
        return {}
    requested = fact_store.co_signature_requests(session, paper.id)
    return pending_co_signing_deadlines(catalog, paper.co_signatures, requested)


def pending_co_signing_deadlines(
    catalog: Catalog,
    co_signatures: Sequence[CoSignature | CoSignatureRow],
    requested: Mapping[str, dt.datetime],
) -> dict[str, Deadline]:
    """``co_signing_deadlines`` of co-signatures whose requests (by office) were read
    already."""
    rules = catalog.deadlines
    pending = [
        c.office_id
        for c in co_signatures
        if c.state == CoSignatureState.PENDING.value
        and rules.for_organization(c.office_id).co_signing is not None
    ]
    if not pending:
        return {}
    calendar = catalog.calendar()
    deadlines: dict[str, Deadline] = {}
    for office in pending:
        rule = rules.for_organization(office).co_signing
        when = requested.get(office)
        if rule is None or when is None:
            continue
        deadlines[office] = lead_time_deadline(
            calendar,
            calendar.local_date(when),
            rule,
            kind=DeadlineKind.CO_SIGNING,
            before=False,
            anchor_text="der Anforderung am",
        )
    return deadlines
