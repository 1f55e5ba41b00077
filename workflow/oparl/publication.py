"""The public record of a ratsweg database as OParl 1.1 objects: one builder for the static
export and for the HTTP server.

URL layout under BASE (each object's ``id`` is its URL; a file is the path plus ``.json``):

    system                              System            bodies                 list of Body
    body/{body}                         Body              body/{body}/paper      list of Paper
    body/{body}/organization|meeting|person               lists; page n >= 2 at LIST/page-{n}
    body/{body}/organization/{org}      Organization      body/{body}/meeting/{id}     Meeting
    body/{body}/agendaitem/{id}         AgendaItem        body/{body}/paper/{id}       Paper
    body/{body}/consultation/{id}       Consultation      body/{body}/file/{key}       File
    body/{body}/location/meeting-{id}   Location          download/{body}/{key}/{name} content

What is published (and nothing else, not even in list totals):
- papers once released (frozen) that have at least one public step not cancelled, and
  papers once published whose open steps went on to an Ergänzungsvorlage (superseded: they
  stay as themselves, with the steps that remain, so that their URL keeps answering);
- of those, the public steps that are not cancelled, in path order;
- meetings, with their public agenda items once the invitation went out;
- the released wording and amendments of public steps (as text files), public attachments.

What was published and left the record stays at its URL as a tombstone (id, type, created,
modified, deleted): cancelled public steps of released papers, released papers without a
public step left (with their steps and files), public steps handed over to an Ergänzungsvorlage
not released yet (and their public TOPs), public TOPs of invited meetings whose step left,
organizations earlier definitions had. Lists show tombstones only to ``modified_since``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from storage import oparl as store
from storage import repository
from workflow.core.errors import InvalidInput, NotFoundError
from workflow.core.i18n import _
from workflow.core.model import OrganizationKind
from workflow.oparl.publication_meetings import MEETING_STATES, VOTE_FIELDS, _MeetingObjects
from workflow.oparl.publication_papers import DECIDING, ROLE_NAMES, _PaperObjects
from workflow.oparl.publication_select import AGENDA_OUT, _public_steps, _Selection
from workflow.oparl.publication_tree import (
    DEFAULT_PAGE_SIZE,
    OPARL,
    Content,
    Publication,
    clip,
    latest,
    stamp,
    walk,
)
from workflow.oparl.validate_object import MAX_URL  # what clients store

if TYPE_CHECKING:
    from workflow.core.catalog import Organization
    from workflow.uow import Shared

__all__ = [
    "AGENDA_OUT",
    "CLASSIFICATION",
    "DECIDING",
    "DEFAULT_PAGE_SIZE",
    "MEETING_STATES",
    "OFFICE_TYPE",
    "OPARL",
    "ROLE_NAMES",
    "VOTE_FIELDS",
    "Content",
    "Publication",
    "build_publication",
    "clip",
    "latest",
    "parse_base_url",
    "read_attachment",
    "stamp",
    "walk",
]

CLASSIFICATION = {
    OrganizationKind.COUNCIL: "Parlament",
    OrganizationKind.COMMITTEE: "Ausschuss",
    OrganizationKind.ADVISORY_BOARD: "Beirat",
    OrganizationKind.EXECUTIVE_BOARD: "Vorstand",
}
#: organizationType of offices: the value OParl clients group as a department (the spec's
#: "Verwaltungsbereich" is left ungrouped by them); classification says "Amt"
OFFICE_TYPE = "Referat"


def parse_base_url(text: str) -> str:
    """``http(s)://host[:port][/path]`` without a trailing slash, query or fragment.

    :raises InvalidInput: anything else.
    """
    from urllib.parse import urlsplit

    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise InvalidInput(
            _(
                "{text!r} is not a base URL; pass --base-url like https://ris.example.org/oparl"
            ).format(text=text)
        )
    try:
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        raise InvalidInput(
            _("{text!r} has an invalid port; pass e.g. http://127.0.0.1:8000").format(text=text)
        ) from None
    return text.strip().rstrip("/")


# -- building ------------------------------------------------------------------------------


def build_publication(shared: Shared, base_url: str) -> Publication:
    """Everything public in the database, as OParl objects under ``base_url``.

    :raises NotFoundError: no municipality is loaded.
    """
    publication = Publication(base=base_url)
    with shared.read() as uow:
        session = uow.session
        bodies = repository.list_bodies(session)
        if not bodies:
            raise NotFoundError(_("no municipality is loaded; run ratsweg init --definitions DIR"))
        for body in bodies:
            _Builder(
                session,
                publication,
                body,
                lambda version: shared.catalogs.get(session, version),
                lambda attachment_id: read_attachment(shared, attachment_id),
            ).build()
    _check_url_lengths(publication)
    first = [publication.objects[p] for p in publication.lists["bodies"]]
    publication.objects["system"] = {
        "id": publication.url("system"),
        "type": OPARL + "System",
        "oparlVersion": OPARL,
        "body": publication.url("bodies"),
        "name": "ratsweg",
        "created": min((b["created"] for b in first), key=dt.datetime.fromisoformat),
        "modified": latest(*(b["modified"] for b in first)),
    }
    return publication


def _check_url_lengths(publication: Publication) -> None:
    """Every id, list page and download URL fits what clients store.

    :raises InvalidInput: one does not; the base URL is the part to shorten.
    """
    paths = [*publication.objects, *publication.contents]
    paths += [f"{name}/page-{len(members) + 1}" for name, members in publication.lists.items()]
    longest = max(paths, key=len)
    if len(publication.url(longest)) > MAX_URL:
        raise InvalidInput(
            _(
                "{url!r} is longer than {MAX_URL} characters, which "
                "OParl clients cannot store; choose a shorter --base-url"
            ).format(url=publication.url(longest), MAX_URL=MAX_URL)
        )


def read_attachment(shared: Shared, attachment_id: int) -> bytes:
    """An attachment's content, read on demand in a transaction of its own."""
    with shared.read() as uow:
        return store.attachment_content(uow.session, attachment_id)


class _Builder(_Selection, _PaperObjects, _MeetingObjects):
    """One body's objects, built in the order the links between them need."""

    def build(self) -> None:
        versions = store.definitions_loaded_at(self.session, self.body.id)
        self.created = min([*versions, self.body.loaded_at])
        for org in self.catalog.organizations.values():
            self.organizations[org.id] = org
        once = self._published_papers()
        papers = [p for p in once if _public_steps(p) or p.id in self.superseded]
        steps = {s.id: s for p in papers for s in _public_steps(p)}
        meetings = store.meetings_with_agenda(self.session, self.body.id)
        items = {m.id: self._public_items(m, steps) for m in meetings}
        for meeting in meetings:
            for item in items[meeting.id]:
                if item.consultation_id in steps and self._linked(item, steps):
                    self.agenda[item.consultation_id] = self.path("agendaitem", item.id)
        paper_paths = {p.id: self._paper(p) for p in papers}
        self._handed_over_tombstones()
        paper_paths |= {p.id: self._paper_tombstone(p) for p in once if p.id not in paper_paths}
        self.out.lists[self.path("paper")] = [paper_paths[p.id] for p in once]
        self.out.lists[self.path("meeting")] = [
            self._meeting(m, items[m.id], self._removed_items(m, steps)) for m in meetings
        ]
        self.out.lists[self.path("organization")] = [
            self._organization(org) for org in self.organizations.values()
        ] + self._organization_tombstones()
        self.out.lists[self.path("person")] = []
        self.out.lists.setdefault("bodies", []).append(self._body())

    def _organization_tombstones(self) -> list[str]:
        """Organizations of earlier definitions that no current object refers to any more."""
        versions = store.definitions_versions(self.session, self.body.id)
        gone: dict[str, None] = {}
        for version in versions:
            for org_id in self.catalog_of(version).organizations:
                if org_id not in self.organizations:
                    gone[org_id] = None
        created, modified = stamp(self.created), stamp(self.body.loaded_at)
        return [
            self._tombstone(self.path("organization", org_id), "Organization", created, modified)
            for org_id in gone
        ]

    def _body(self) -> str:
        catalog_body = self.catalog.body
        path = self._add(
            self.prefix,
            {
                "id": self.out.url(self.prefix),
                "type": OPARL + "Body",
                "system": self.out.url("system"),
                "name": catalog_body.name,
                "shortName": catalog_body.short_name,
                "ags": catalog_body.ags,
                "rgs": catalog_body.ars,
                "organization": self.url("organization"),
                "person": self.url("person"),
                "meeting": self.url("meeting"),
                "paper": self.url("paper"),
                "created": stamp(self.created),
                "modified": stamp(self.body.loaded_at),
            },
        )
        self.out.objects[path]["legislativeTerm"] = []  # required; ratsweg keeps no terms
        return path

    def _organization(self, org: Organization) -> str:
        gremium = org.kind.deliberates
        return self._add(
            self.path("organization", org.id),
            {
                "id": self.url("organization", org.id),
                "type": OPARL + "Organization",
                "body": self.out.url(self.prefix),
                "name": org.name,
                "shortName": org.short_name,
                "organizationType": "Gremium" if gremium else OFFICE_TYPE,
                "classification": CLASSIFICATION.get(org.kind, "Amt"),
                "created": stamp(self.created),
                "modified": stamp(self.body.loaded_at),
            },
        )
