"""Papers: creating, reading, listing, and moving them through Mitzeichnung, release and withdrawal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from storage import repository
from storage.schema import (
    Consultation,
    CoSignature,
    Paper,
)
from workflow.core.catalog import Catalog, PaperType, RouteStep
from workflow.core.errors import (
    InvalidInput,
)
from workflow.core.i18n import _
from workflow.core.inputs import check_line, check_lines, check_text
from workflow.core.model import (
    Action,
    AuditAction,
    CoSignatureState,
    DraftChanges,
    PaperPage,
    PaperQuery,
    PaperView,
)
from workflow.papers import listing
from workflow.papers.drafts import DRAFT_SOURCE, check_changes, edit_draft
from workflow.papers.present import present, touch
from workflow.papers.results import add_text_version
from workflow.papers.types import (
    check_concluding,
    check_submitter,
    rules_type,
)
from workflow.reminders.sync import sync_paper_reminders
from workflow.uow import (
    KNOWN_USERS,
    TRUSTED,
    Reader,
    Shared,
    Trigger,
    UnitOfWork,
    require,
    step_payload,
)


class PaperService:
    """Create, read and move papers (Vorlagen) along their lifecycle."""

    def __init__(self, shared: Shared) -> None:
        self._shared = shared

    def create_paper(
        self,
        *,
        user: str | None,
        paper_type: str,
        title: str,
        office: str,
        date: dt.date,
        route: str | None = None,
        reference: str | None = None,
        text: str | None = None,
        participants: Sequence[str] = (),
        planned_dates: Sequence[dt.date | None] = (),
        body: str | None = None,
        faction: str | None = None,
        members: Sequence[str] = (),
    ) -> PaperView:
        """Create a paper in the lifecycle's initial state, numbered gap-free per type and year.

        ``faction`` and ``members`` name who submitted a paper of a type submitted by a
        faction (Antrag, Anfrage); an Ergänzungsvorlage is created by ``create_supplement``.

        :raises NotFoundError: unknown type, office, route or participant.
        :raises PermissionDenied: the user may not create papers for ``office``.
        """
        _check_texts(title, reference, text, faction, [*participants, *members])
        if not title.strip():
            raise InvalidInput(_("a paper needs a title"), field="title")
        now = self._shared.clock.now()
        with self._shared.write(user, body) as uow:
            catalog, actor = uow.catalog(), uow.actor()
            kind = catalog.paper_type(paper_type)
            origin = catalog.office(office)
            require(catalog, actor, Action.PAPER_CREATE, origin.name, office=origin.id)
            submitter, submitters = _submitter(kind, faction, members)
            offices, steps = _plan(catalog, kind, origin.id, participants, route, planned_dates)
            paper = _draft(
                uow,
                catalog,
                kind,
                date,
                now,
                title=title.strip(),
                reference=reference,
                office_id=origin.id,
                text=text,
                faction=submitter,
                members=submitters,
            )
            _add_path(catalog, paper, steps, planned_dates)
            _add_co_signatures(paper, offices)
            uow.session.add(paper)
            uow.session.flush()
            payload = _created_payload(catalog, paper, route, offices)
            uow.record(paper, actor, AuditAction.PAPER_CREATED, None, paper.state, payload)
            sync_paper_reminders(uow, catalog, paper)
            return present(uow, catalog, paper)

    def edit_paper(
        self,
        number: str,
        *,
        user: str | None,
        changes: DraftChanges,
        body: str | None = None,
    ) -> PaperView:
        """Change a draft's title, text, participating offices or planned dates; a new text
        becomes a draft text version. Audited as ``paper_edited`` with each changed field.

        :raises TransitionNotAllowed: the paper is no longer a draft.
        :raises InvalidInput: a bad value, or nothing would change ("keine Änderung").
        :raises PermissionDenied: the user may not edit papers of the writing office.
        :raises NotFoundError: no such paper, or an unknown participating office.
        """
        check_changes(changes)
        with self._shared.write(user, body) as uow:
            paper, catalog, actor = uow.lock_paper(number, Action.PAPER_EDIT)
            edit_draft(uow, self._shared.engine, catalog, actor, paper, changes)
            return touch(uow, catalog, paper)

    def get_paper(
        self, number: str, *, body: str | None = None, reader: str | Reader | None = TRUSTED
    ) -> PaperView:
        with self._shared.read(body, reader, KNOWN_USERS) as uow:
            paper = uow.paper(number)
            return present(uow, uow.catalog(paper.definitions_version), paper)

    def list_papers(
        self,
        query: PaperQuery | None = None,
        *,
        body: str | None = None,
        reader: str | Reader | None = TRUSTED,
    ) -> PaperPage:
        """One page of the body's papers: filtered, searched and sorted as ``query`` asks
        (by default the first ``DEFAULT_PAGE_SIZE`` papers, newest first). Every user of
        users.yaml reads every paper of the municipality; "mine" and "waiting for me" need
        a user (see ``PaperQuery``).

        :raises InvalidInput: a bound is exceeded (page size, offset, search text), the
            period ends before it starts, relevance without a search text, or "mine" or
            "waiting for me" read on no user's behalf.
        :raises NotFoundError: an unknown paper type, office or Gremium, or a state that is
            no paper state of the definitions and no paper is in (a state of earlier
            definitions still lists its papers).
        :raises PermissionDenied: the reader is no user of users.yaml.
        """
        query = query or PaperQuery()
        if isinstance(reader, Reader) and (query.mine or query.waiting_for_me):
            raise InvalidInput(_("'mine' and 'waiting for me' need a user"), field="reader")
        with self._shared.read(body, reader, KNOWN_USERS) as uow:
            return listing.list_papers(uow, query)

    def submit_paper(self, number: str, *, user: str | None, body: str | None = None) -> PaperView:
        """Send the paper into Mitzeichnung (co-signing by the participating offices)."""
        with self._shared.write(user, body) as uow:
            paper, catalog, actor = uow.lock_paper(number, Trigger("submit"))
            roles = [c.role for c in sorted(paper.consultations, key=lambda c: c.position)]
            check_concluding(rules_type(catalog, paper), paper.number, roles)
            self._shared.engine.fire_paper(uow.flow(catalog, actor, paper), "submit")
            return touch(uow, catalog, paper)

    def release_paper(self, number: str, *, user: str | None, body: str | None = None) -> PaperView:
        """Release (freeze) the paper once every participating office has signed; its text
        becomes text version 1."""
        with self._shared.write(user, body) as uow:
            paper, catalog, actor = uow.lock_paper(number, Trigger("release"))
            self._shared.engine.fire_paper(uow.flow(catalog, actor, paper), "release")
            if paper.text and all(v.source == DRAFT_SOURCE for v in paper.text_versions):
                add_text_version(uow, paper, actor, paper.text, None)
            return touch(uow, catalog, paper)

    def withdraw_paper(
        self, number: str, *, user: str | None, reason: str, body: str | None = None
    ) -> PaperView:
        check_line(reason, _("reason"))
        if not reason.strip():
            raise InvalidInput(_("withdrawing needs a reason"), field="reason")
        return self._paper_trigger(number, "withdraw", user, body, reason=reason.strip())

    def _paper_trigger(
        self, number: str, trigger: str, user: str | None, body: str | None, **kw: Any
    ) -> PaperView:
        with self._shared.write(user, body) as uow:
            paper, catalog, actor = uow.lock_paper(number, Trigger(trigger))
            self._shared.engine.fire_paper(uow.flow(catalog, actor, paper), trigger, **kw)
            return touch(uow, catalog, paper)


def _check_texts(
    title: str, reference: str | None, text: str | None, faction: str | None, names: list[str]
) -> None:
    check_line(title, _("title"))
    check_line(reference, _("reference"))
    check_text(text, _("text"))
    check_line(faction, _("faction"))
    check_lines(names, _("participant or member"))


def _submitter(
    kind: PaperType, faction: str | None, members: Sequence[str]
) -> tuple[str | None, list[str] | None]:
    """The faction and members that submit a new paper of ``kind`` (none for a type written by
    an office); an Ergänzungsvorlage is refused here, it is numbered from its original."""
    if kind.is_supplement:
        raise InvalidInput(
            _(
                "a paper of type {name} is numbered from its original; create it as an "
                "Ergänzungsvorlage of the original"
            ).format(name=kind.name)
        )
    return check_submitter(kind, faction, members)


def _draft(
    uow: UnitOfWork,
    catalog: Catalog,
    kind: PaperType,
    date: dt.date,
    now: dt.datetime,
    *,
    title: str,
    reference: str | None,
    office_id: str,
    text: str | None,
    faction: str | None,
    members: list[str] | None,
) -> Paper:
    """A new paper of ``kind`` in the lifecycle's initial state, numbered with the next number
    of its type in the year of ``date`` (gap-free: the counter row stays locked until the
    transaction ends)."""
    body_id = uow.body().id
    seq = repository.next_sequence(uow.session, body_id, kind.id, date.year)
    return Paper(
        body_id=body_id,
        definitions_version=catalog.version,
        number=kind.numbering.format(year=date.year, seq=seq),
        paper_type=kind.id,
        title=title,
        reference=reference,
        office_id=office_id,
        date=date,
        text=text,
        state=catalog.lifecycle("paper").initial,
        frozen=False,
        created_at=now,
        modified_at=now,
        faction=faction,
        members=members,
    )


def _plan(
    catalog: Catalog,
    kind: PaperType,
    office_id: str,
    participants: Sequence[str],
    route: str | None,
    planned_dates: Sequence[dt.date | None],
) -> tuple[list[str], tuple[RouteStep, ...]]:
    """The co-signing offices and the route's steps of a new paper of ``office_id``, checked:
    the writing office does not co-sign, the path ends as the type asks, and there are no
    more planned dates than steps."""
    offices = [catalog.office(p).id for p in dict.fromkeys(participants)]
    if office_id in offices:
        raise InvalidInput(
            _("{office_id!r} writes the paper and cannot also co-sign it").format(
                office_id=office_id
            ),
            field="participants",
        )
    steps = catalog.route(route).steps if route else ()
    check_concluding(kind, _("the new paper"), [s.role.value for s in steps])
    if len(planned_dates) > len(steps):
        raise InvalidInput(
            _("{dates} planned dates given for a route of {steps} steps").format(
                dates=len(planned_dates), steps=len(steps)
            ),
            field="route",
        )
    return offices, steps


def _add_path(
    catalog: Catalog,
    paper: Paper,
    steps: Sequence[RouteStep],
    planned_dates: Sequence[dt.date | None],
) -> None:
    """Plan the route's steps as the new paper's Beratungsfolge, one level each, with the
    planned dates given (in order; the steps after them have none)."""
    initial = catalog.lifecycle("consultation").initial
    for position, step in enumerate(steps, start=1):
        org = catalog.organization(step.organization)
        planned = planned_dates[position - 1] if position <= len(planned_dates) else None
        paper.consultations.append(
            Consultation(
                position=position,
                level=position,
                organization_id=org.id,
                role=step.role.value,
                public=org.public if step.public is None else step.public,
                state=initial,
                planned_date=planned,
            )
        )


def _add_co_signatures(paper: Paper, offices: Sequence[str]) -> None:
    """The participating offices' co-signatures of a new paper, pending until they sign."""
    for office_id in offices:
        paper.co_signatures.append(
            CoSignature(office_id=office_id, state=CoSignatureState.PENDING.value)
        )


def _created_payload(
    catalog: Catalog, paper: Paper, route: str | None, offices: list[str]
) -> dict[str, Any]:
    """What ``paper_created`` records of a new paper (replay rebuilds the paper from it)."""
    return {
        "number": paper.number,
        "paper_type": paper.paper_type,
        "title": paper.title,
        "office": paper.office_id,
        "date": paper.date.isoformat(),
        "reference": paper.reference,
        "route": route,
        "participants": offices,
        "consultations": [step_payload(c) for c in paper.consultations],
        "definitions_version": catalog.version,
        "text": paper.text,
    } | ({"faction": paper.faction, "members": paper.members or []} if paper.faction else {})
