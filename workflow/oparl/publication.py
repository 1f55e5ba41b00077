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
import hashlib
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storage.schema import (
    AgendaItem,
    Attachment,
    AuditEvent,
    DefinitionVersion,
    Meeting,
    Paper,
    TextVersion,
)
from storage.schema import Body as BodyRow
from storage.schema import Consultation as StepRow
from workflow.core.clock import local
from workflow.core.errors import InvalidInput, NotFoundError
from workflow.core.model import ConsultationRole, OrganizationKind, Outcome
from workflow.oparl.validate import LIMITS, MAX_URL  # what clients store; longer text is cut

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from workflow.core.catalog import Catalog, Organization
    from workflow.service import WorkflowService

OPARL = "https://schema.oparl.org/1.1/"
DEFAULT_PAGE_SIZE = 100
ROLE_NAMES = {
    ConsultationRole.VORBERATUNG: "Vorberatung",
    ConsultationRole.ANHOERUNG: "Anhörung",
    ConsultationRole.ENTSCHEIDUNG: "Entscheidung",
    ConsultationRole.KENNTNISNAHME: "Kenntnisnahme",
    ConsultationRole.GENEHMIGUNG: "Genehmigung",
}
#: the steps in which a resolution is taken (OParl ``authoritative``)
DECIDING = {ConsultationRole.ENTSCHEIDUNG, ConsultationRole.GENEHMIGUNG}
CLASSIFICATION = {
    OrganizationKind.COUNCIL: "Parlament",
    OrganizationKind.COMMITTEE: "Ausschuss",
    OrganizationKind.ADVISORY_BOARD: "Beirat",
    OrganizationKind.EXECUTIVE_BOARD: "Vorstand",
}
#: organizationType of offices: the value OParl clients group as a department (the spec's
#: "Verwaltungsbereich" is left ungrouped by them); classification says "Amt"
OFFICE_TYPE = "Referat"
MEETING_STATES = {
    "planned": "terminiert",
    "invited": "eingeladen",
    "held": "durchgeführt",
    "minutes_approved": "durchgeführt",
}
#: meeting states whose agenda has gone out with the invitation
AGENDA_OUT = {"invited", "held", "minutes_approved"}
VOTE_FIELDS = (
    ("yes", "Ja"),
    ("no", "Nein"),
    ("abstain", "Enthaltungen"),
    ("biased", "Befangen"),
    ("not_participating", "nicht teilgenommen"),
    ("absent", "abwesend"),
)


@dataclass(frozen=True, slots=True)
class Content:
    """The bytes behind a File's ``accessUrl``: in memory (texts) or read on demand."""

    media_type: str
    read: Callable[[], bytes]


@dataclass(slots=True)
class Publication:
    """Every public object by path (relative to ``base``), the lists, the file contents."""

    base: str
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    contents: dict[str, Content] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"{self.base}/{path}"

    def pages(self, list_path: str, size: int) -> int:
        return max(1, math.ceil(len(self.lists[list_path]) / size))

    def page(
        self,
        list_path: str,
        number: int,
        size: int,
        modified_since: dt.datetime | None = None,
        query: str = "",
    ) -> dict[str, Any] | None:
        """One list page (``data``, ``pagination``, absolute ``links``), or None past the end.

        ``query`` (e.g. ``modified_since=...``) is kept on every link.
        """
        members = [self.objects[p] for p in self.lists[list_path]]
        if modified_since is None:  # a full list: only what exists; a sync also gets deletions
            members = [m for m in members if not m.get("deleted")]
        else:
            members = [
                m for m in members if dt.datetime.fromisoformat(m["modified"]) >= modified_since
            ]
        total = max(1, math.ceil(len(members) / size))
        if not 1 <= number <= total:
            return None
        suffix = f"?{query}" if query else ""

        def link(n: int) -> str:
            return self.url(list_path if n == 1 else f"{list_path}/page-{n}") + suffix

        links = {"first": link(1), "last": link(total)}
        if number > 1:
            links["prev"] = link(number - 1)
        if number < total:
            links["next"] = link(number + 1)
        return {
            "data": members[(number - 1) * size : number * size],
            "pagination": {
                "totalElements": len(members),
                "elementsPerPage": size,
                "currentPage": number,
                "totalPages": total,
            },
            "links": links,
        }

    def list_page_of(self, path: str) -> tuple[str, int] | None:
        """(list path, page number) when ``path`` names a list page."""
        if path in self.lists:
            return path, 1
        head, _, tail = path.rpartition("/")
        match = re.fullmatch(r"page-([1-9][0-9]*)", tail)
        if head in self.lists and match and int(match.group(1)) > 1:
            return head, int(match.group(1))
        return None


def stamp(instant: dt.datetime) -> str:
    """An OParl date-time: Europe/Berlin with its offset, whole seconds."""
    return local(instant).replace(microsecond=0).isoformat()


def latest(*stamps: str) -> str:
    """The latest of OParl date-times (compared as instants, not as strings)."""
    return max(stamps, key=dt.datetime.fromisoformat)


def parse_base_url(text: str) -> str:
    """``http(s)://host[:port][/path]`` without a trailing slash, query or fragment.

    :raises InvalidInput: anything else.
    """
    from urllib.parse import urlsplit

    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise InvalidInput(
            f"{text!r} is not a base URL; pass --base-url like https://ris.example.org/oparl"
        )
    try:
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        raise InvalidInput(
            f"{text!r} has an invalid port; pass e.g. http://127.0.0.1:8000"
        ) from None
    return text.strip().rstrip("/")


# -- building ------------------------------------------------------------------------------


def build_publication(service: WorkflowService, base_url: str) -> Publication:
    """Everything public in the database, as OParl objects under ``base_url``.

    :raises NotFoundError: no municipality is loaded.
    """
    publication = Publication(base=base_url)
    with service.db.read() as session:
        bodies = session.scalars(select(BodyRow).order_by(BodyRow.id)).all()
        if not bodies:
            raise NotFoundError("no municipality is loaded; run ratsweg init --definitions DIR")
        for body in bodies:
            _Builder(service, session, publication, body).build()
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
            f"{publication.url(longest)!r} is longer than {MAX_URL} characters, which OParl "
            "clients cannot store; choose a shorter --base-url"
        )


def clip(text: str | None, limit: int) -> str | None:
    """``text`` cut to ``limit`` characters, the cut marked with "…"."""
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def _fit(name: str, room: int) -> str:
    """A file name cut to ``room`` characters, keeping its extension."""
    if len(name) <= room:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) >= room // 2:
        return name[: max(room, 1)]
    return stem[: room - len(extension) - 1].rstrip("-.") + "." + extension


class _Builder:
    """One body's objects; every method adds objects to the publication."""

    def __init__(
        self, service: WorkflowService, session: Session, out: Publication, body: BodyRow
    ) -> None:
        self.service, self.session, self.out, self.body = service, session, out, body
        self.prefix = f"body/{quote(body.id, safe='')}"
        self.catalog = service.shared.catalogs.get(session, body.definitions_version)
        self.organizations: dict[str, Organization] = {}
        self.agenda: dict[int, str] = {}  # consultation id -> its published agenda item's path
        self.superseded: dict[int, Paper] = {}  # published paper id -> its Ergänzungsvorlage
        self.handed: set[int] = set()  # public steps handed over to an unreleased supplement

    def path(self, kind: str, key: object = "") -> str:
        return f"{self.prefix}/{kind}" + (f"/{quote(str(key), safe='')}" if key != "" else "")

    def url(self, kind: str, key: object = "") -> str:
        return self.out.url(self.path(kind, key))

    def build(self) -> None:
        versions = self.session.scalars(
            select(DefinitionVersion.loaded_at).where(DefinitionVersion.body_id == self.body.id)
        ).all()
        self.created = min([*versions, self.body.loaded_at])
        for org in self.catalog.organizations.values():
            self.organizations[org.id] = org
        once = self._published_papers()
        papers = [p for p in once if _public_steps(p) or p.id in self.superseded]
        steps = {s.id: s for p in papers for s in _public_steps(p)}
        meetings = self.session.scalars(
            select(Meeting)
            .where(Meeting.body_id == self.body.id)
            .order_by(Meeting.start, Meeting.id)
            .options(selectinload(Meeting.agenda_items).selectinload(AgendaItem.consultation))
        ).all()
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

    # -- what is public

    def _published_papers(self) -> list[Paper]:
        """Papers published now or before: released (frozen) with a public step. A public step
        is only ever cancelled after the release (before it, a removed step is deleted), so
        each of these papers was public while that step was open."""
        rows = self.session.scalars(
            select(Paper)
            .where(Paper.body_id == self.body.id, Paper.frozen.is_(True))
            .order_by(Paper.id)
            .options(
                selectinload(Paper.consultations).selectinload(StepRow.votes),
                selectinload(Paper.text_versions),
                selectinload(Paper.attachments),
            )
        ).all()
        successors = self._successors()
        published = []
        for paper in rows:
            following = successors.get(
                (paper.origin_id or paper.id, (paper.supplement_no or 0) + 1)
            )
            if following is not None and self._handed_over_public(following):
                self.superseded[paper.id] = following
            if paper.id in self.superseded or any(s.public for s in paper.consultations):
                published.append(paper)
        return published

    def _successors(self) -> dict[tuple[int, int], Paper]:
        """The Ergänzungsvorlagen of the body, by (original, number in the chain)."""
        rows = self.session.scalars(
            select(Paper)
            .where(Paper.body_id == self.body.id, Paper.origin_id.is_not(None))
            .options(selectinload(Paper.consultations))
        ).all()
        return {
            (p.origin_id, p.supplement_no): p
            for p in rows
            if p.origin_id is not None and p.supplement_no is not None
        }

    def _handed_over_public(self, supplement: Paper) -> bool:
        """Whether a public step went on to the supplement when it was created (its creation
        event lists the steps it took over: what the paper it continues had published)."""
        payload = self.session.scalar(
            select(AuditEvent.payload)
            .where(AuditEvent.paper_id == supplement.id, AuditEvent.action == "paper_created")
            .order_by(AuditEvent.id)
            .limit(1)
        )
        if payload is None:
            return False
        steps = json.loads(payload).get("consultations", [])
        return any(isinstance(s, dict) and s.get("public") is True for s in steps)

    def _handed_over_tombstones(self) -> None:
        """The public steps of a superseded paper that went on to an Ergänzungsvorlage not
        released yet: published as the paper's, they are tombstones until the release (then
        they are the supplement's, at the same URL)."""
        for paper_id, supplement in self.superseded.items():
            if supplement.frozen:
                continue
            paper = self.session.get_one(Paper, paper_id)
            created, left = stamp(paper.created_at), stamp(supplement.created_at)
            for step in _public_steps(supplement):
                self.handed.add(step.id)
                self._tombstone(self.path("consultation", step.id), "Consultation", created, left)

    def _public_items(self, meeting: Meeting, steps: dict[int, StepRow]) -> list[AgendaItem]:
        """The public part of a published agenda (published with the invitation; a meeting
        taken over from another system arrives invited or held, with its agenda out)."""
        if meeting.invited_at is None and meeting.state not in AGENDA_OUT:
            return []
        return [
            item
            for item in sorted(meeting.agenda_items, key=lambda i: i.sort_order)
            if item.part == "public"
            and (item.consultation_id is None or item.consultation_id in steps)
        ]

    def _removed_items(self, meeting: Meeting, steps: dict[int, StepRow]) -> list[AgendaItem]:
        """Public items of a published agenda that were taken off: their step was cancelled
        (removed from the path, the paper withdrawn) or its paper is no longer public."""
        if meeting.invited_at is None and meeting.state not in AGENDA_OUT:
            return []
        return [
            item
            for item in meeting.agenda_items
            if item.part == "public"
            and item.consultation is not None
            and item.consultation_id not in steps
            and item.consultation.public
            and (item.consultation.paper.frozen or item.consultation_id in self.handed)
        ]

    @staticmethod
    def _linked(item: AgendaItem, steps: dict[int, StepRow]) -> bool:
        """The item is the step's current place on an agenda (not a cancelled meeting's)."""
        assert item.consultation_id is not None
        return steps[item.consultation_id].meeting_id == item.meeting_id

    # -- objects

    def _add(self, path: str, obj: dict[str, Any]) -> str:
        self.out.objects[path] = {k: v for k, v in obj.items() if v not in (None, "", [])}
        return path

    def _tombstone(self, path: str, kind: str, created: str, modified: str) -> str:
        """What stays of an object once published (OParl: id, type, created, modified and
        deleted), so that clients that synced it learn of the deletion; never more."""
        self.out.objects[path] = {
            "id": self.out.url(path),
            "type": OPARL + kind,
            "created": created,
            "modified": latest(created, modified),
            "deleted": True,
        }
        return path

    def _paper_tombstone(self, paper: Paper) -> str:
        """A paper that is no longer public: it, its steps and its files are tombstones."""
        created, modified = stamp(paper.created_at), stamp(paper.modified_at)
        for step in paper.consultations:
            if step.public:
                self._tombstone(
                    self.path("consultation", step.id), "Consultation", created, modified
                )
        public_positions = {s.position for s in paper.consultations if s.public}
        keys = [
            (f"text-{v.id}", v.created_at)
            for v in paper.text_versions
            if v.source == "released" or (v.position is not None and v.position in public_positions)
        ]
        keys += [(f"attachment-{a.id}", a.created_at) for a in paper.attachments if a.public]
        for key, at in keys:
            self._tombstone(self.path("file", key), "File", stamp(at), modified)
        return self._tombstone(self.path("paper", paper.id), "Paper", created, modified)

    def _organization_tombstones(self) -> list[str]:
        """Organizations of earlier definitions that no current object refers to any more."""
        versions = self.session.scalars(
            select(DefinitionVersion.version).where(DefinitionVersion.body_id == self.body.id)
        ).all()
        gone: dict[str, None] = {}
        for version in versions:
            for org_id in self.service.shared.catalogs.get(self.session, version).organizations:
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

    def _organization_url(self, org_id: str, catalog: Catalog) -> str | None:
        """The Organization's URL; one that left the current definitions is still published."""
        if org_id not in self.organizations:
            org = catalog.organizations.get(org_id)
            if org is None:
                return None
            self.organizations[org_id] = org
        return self.url("organization", org_id)

    def _paper(self, paper: Paper) -> str:
        catalog = self.service.shared.catalogs.get(self.session, paper.definitions_version)
        kind = catalog.paper_types.get(paper.paper_type)
        steps = _public_steps(paper)
        texts = _public_texts(paper, steps)
        files = {v.id: self._text_file(paper, v, catalog) for v in texts}
        released = [files[v.id] for v in texts if v.source == "released"][:1]
        auxiliary = [files[v.id] for v in texts if files[v.id] not in released]
        auxiliary += [self._attachment(paper, a) for a in paper.attachments if a.public]
        consultations = [self._consultation(paper, s, catalog) for s in steps]
        created, touched = stamp(paper.created_at), stamp(paper.modified_at)
        for step in paper.consultations:
            if step.public and step not in steps:  # removed from the path after the release
                self._tombstone(
                    self.path("consultation", step.id), "Consultation", created, touched
                )
        office = self._organization_url(paper.office_id, catalog)
        modified = latest(stamp(paper.modified_at), *(o["modified"] for o in files.values()))
        modified = latest(modified, *(o["modified"] for o in [*consultations, *auxiliary]))
        return self._add(
            self.path("paper", paper.id),
            {
                "id": self.url("paper", paper.id),
                "type": OPARL + "Paper",
                "body": self.out.url(self.prefix),
                "name": paper.title,
                "reference": clip(paper.number, LIMITS["Paper.reference"]),
                "date": paper.date.isoformat(),
                "paperType": kind.name if kind else paper.paper_type,
                "mainFile": released[0] if released else None,
                "auxiliaryFile": auxiliary,
                "underDirectionOf": [office] if office else [],
                "consultation": consultations,
                "created": stamp(paper.created_at),
                "modified": modified,
            },
        )

    def _consultation(self, paper: Paper, step: StepRow, catalog: Catalog) -> dict[str, Any]:
        role = ConsultationRole(step.role)
        organization = self._organization_url(step.organization_id, catalog)
        item = self.agenda.get(step.id)
        result = step.result_label or (Outcome(step.outcome).label if step.outcome else None)
        path = self._add(
            self.path("consultation", step.id),
            {
                "id": self.url("consultation", step.id),
                "type": OPARL + "Consultation",
                "paper": self.url("paper", paper.id),
                "agendaItem": self.out.url(item) if item else None,
                "meeting": self.url("meeting", step.meeting_id) if step.meeting_id else None,
                "organization": [organization] if organization else [],
                "authoritative": role in DECIDING,
                "role": clip(ROLE_NAMES[role], LIMITS["Consultation.role"]),
                "ratsweg:date": step.date.isoformat() if step.date else None,
                "ratsweg:result": result,
                "created": stamp(paper.created_at),
                "modified": stamp(paper.modified_at),
            },
        )
        return self.out.objects[path]

    def _text_file(self, paper: Paper, version: TextVersion, catalog: Catalog) -> dict[str, Any]:
        data = version.text.encode("utf-8")
        key = f"text-{version.id}"
        name = f"{_safe(paper.number)}-fassung-{version.number}.txt"
        if version.source == "released":
            title = "Beschlussvorschlag"
        else:
            by = catalog.organization_name(version.organization_id or "")
            title = f"Beschlussvorschlag, Fassung {version.number} ({by})"
        return self._file(
            paper,
            key,
            name,
            Content("text/plain; charset=utf-8", lambda: data),
            {
                "name": title,
                "mimeType": "text/plain",
                "size": len(data),
                "sha512Checksum": hashlib.sha512(data).hexdigest(),
                "text": version.text,
                "date": local(version.created_at).date().isoformat(),
                "created": stamp(version.created_at),
            },
        )

    def _attachment(self, paper: Paper, row: Attachment) -> dict[str, Any]:
        service, attachment_id = self.service, row.id
        return self._file(
            paper,
            f"attachment-{row.id}",
            _safe(row.file_name),
            Content(row.media_type, lambda: read_attachment(service, attachment_id)),
            {
                "name": row.file_name,
                "mimeType": row.media_type,
                "size": row.size,
                "date": local(row.created_at).date().isoformat(),
                "created": stamp(row.created_at),
            },
        )

    def _file(
        self, paper: Paper, key: str, name: str, content: Content, fields: dict[str, Any]
    ) -> dict[str, Any]:
        folder = f"download/{quote(self.body.id, safe='')}/{key}/"
        name = _fit(name, MAX_URL - len(self.out.url(folder)))
        download = folder + name
        self.out.contents[download] = content
        path = self._add(
            self.path("file", key),
            {
                "id": self.url("file", key),
                "type": OPARL + "File",
                "fileName": name,
                "accessUrl": self.out.url(download),
                "downloadUrl": self.out.url(download),
                "paper": [self.url("paper", paper.id)],
                **fields,
                "name": clip(fields["name"], LIMITS["File.name"]),
                "modified": fields["created"],
            },
        )
        return self.out.objects[path]

    def _meeting(self, meeting: Meeting, items: list[AgendaItem], removed: list[AgendaItem]) -> str:
        catalog = self.service.shared.catalogs.get(self.session, meeting.definitions_version)
        organization = self._organization_url(meeting.organization_id, catalog)
        agenda = [self._agenda_item(meeting, item, order) for order, item in enumerate(items)]
        created, modified = stamp(meeting.created_at), stamp(meeting.modified_at)
        for item in removed:
            assert item.consultation is not None
            taken_off = latest(modified, stamp(item.consultation.paper.modified_at))
            created_at = stamp(item.nachtrag_at or meeting.created_at)
            path = self._tombstone(
                self.path("agendaitem", item.id), "AgendaItem", created_at, taken_off
            )
            modified = latest(modified, self.out.objects[path]["modified"])
        location = None
        if meeting.location:
            key = f"meeting-{meeting.id}"
            location = self.out.objects[
                self._add(
                    self.path("location", key),
                    {
                        "id": self.url("location", key),
                        "type": OPARL + "Location",
                        "description": meeting.location,
                        "meetings": [self.url("meeting", meeting.id)],
                        "created": created,
                        "modified": modified,
                    },
                )
            ]
        name = meeting.name or (
            f"{catalog.organization_name(meeting.organization_id)}, {local(meeting.start):%d.%m.%Y}"
        )
        return self._add(
            self.path("meeting", meeting.id),
            {
                "id": self.url("meeting", meeting.id),
                "type": OPARL + "Meeting",
                "name": name,
                "meetingState": MEETING_STATES.get(meeting.state),
                "cancelled": True if meeting.state == "cancelled" else None,
                "start": stamp(meeting.start),
                "end": stamp(meeting.end) if meeting.end else None,
                "location": location,
                "organization": [organization] if organization else [],
                "agendaItem": agenda,
                "created": created,
                "modified": latest(modified, *(i["modified"] for i in agenda)),
            },
        )

    def _agenda_item(self, meeting: Meeting, item: AgendaItem, order: int) -> dict[str, Any]:
        consultation_path = self.path("consultation", item.consultation_id)
        linked = self.agenda.get(item.consultation_id or 0) == self.path("agendaitem", item.id)
        step = self.out.objects.get(consultation_path) if linked else None
        row = item.consultation if linked else None
        modified = stamp(meeting.modified_at)
        fields: dict[str, Any] = {}
        if step is not None and row is not None:
            modified = latest(modified, step["modified"])
            fields = {
                "consultation": step["id"],
                "result": step.get("ratsweg:result"),
                "resolutionText": _votes_text(row),
                "resolutionFile": self._resolution_file(row),
            }
        path = self._add(
            self.path("agendaitem", item.id),
            {
                "id": self.url("agendaitem", item.id),
                "type": OPARL + "AgendaItem",
                "meeting": self.url("meeting", meeting.id),
                "number": clip(item.number, LIMITS["AgendaItem.number"]),
                "order": order,
                "name": item.title,
                "public": True,
                **fields,
                "created": stamp(item.nachtrag_at or meeting.created_at),
                "modified": modified,
            },
        )
        return self.out.objects[path]

    def _resolution_file(self, step: StepRow) -> dict[str, Any] | None:
        for version in step.paper.text_versions:
            if version.source == "amended" and version.position == step.position:
                return self.out.objects.get(self.path("file", f"text-{version.id}"))
        return None


def _public_steps(paper: Paper) -> list[StepRow]:
    return [s for s in paper.consultations if s.public and s.state != "cancelled"]


def _public_texts(paper: Paper, steps: list[StepRow]) -> list[TextVersion]:
    """The released wording and the amendments made in public steps."""
    public_positions = {s.position for s in steps}
    return [
        v
        for v in paper.text_versions
        if v.source == "released" or (v.position is not None and v.position in public_positions)
    ]


def _votes_text(step: StepRow) -> str | None:
    lines = []
    for vote in step.votes:
        counts = ", ".join(
            f"{label} {getattr(vote, attr)}"
            for attr, label in VOTE_FIELDS
            if getattr(vote, attr) is not None
        )
        text = "; ".join(part for part in (vote.label, counts) if part)
        if text:
            lines.append(f"{vote.subject}: {text}")
    return "\n".join(lines) or None


def _safe(name: str) -> str:
    """A file name that needs no escaping in a URL or a path."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return cleaned or "datei"


def read_attachment(service: WorkflowService, attachment_id: int) -> bytes:
    with service.db.read() as session:
        return session.scalars(
            select(Attachment.content).where(Attachment.id == attachment_id)
        ).one()


def walk(publication: Publication, page_size: int) -> Iterator[tuple[str, Any]]:
    """(path, object or list page) for everything a static tree holds."""
    yield from publication.objects.items()
    for list_path in publication.lists:
        for number in range(1, publication.pages(list_path, page_size) + 1):
            page = publication.page(list_path, number, page_size)
            yield (list_path if number == 1 else f"{list_path}/page-{number}"), page
