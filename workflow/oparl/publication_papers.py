"""The OParl objects of a paper: the Paper, its Consultations, its Files (the released wording,
the amendments of public steps, public attachments) and, once it is no longer public, its
tombstones. ``workflow.oparl.publication`` describes what is published.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from workflow.core.clock import local
from workflow.core.model import ConsultationRole, Outcome
from workflow.oparl.publication_builder import _BuilderBase
from workflow.oparl.publication_select import _public_steps, _public_texts
from workflow.oparl.publication_tree import OPARL, Content, clip, latest, stamp
from workflow.oparl.validate_object import LIMITS, MAX_URL  # what clients store; longer is cut

if TYPE_CHECKING:
    from storage.schema import Attachment, Paper, TextVersion
    from storage.schema import Consultation as StepRow
    from workflow.core.catalog import Catalog

ROLE_NAMES = {
    ConsultationRole.VORBERATUNG: "Vorberatung",
    ConsultationRole.ANHOERUNG: "Anhörung",
    ConsultationRole.ENTSCHEIDUNG: "Entscheidung",
    ConsultationRole.KENNTNISNAHME: "Kenntnisnahme",
    ConsultationRole.GENEHMIGUNG: "Genehmigung",
}
#: the steps in which a resolution is taken (OParl ``authoritative``)
DECIDING = {ConsultationRole.ENTSCHEIDUNG, ConsultationRole.GENEHMIGUNG}


class _PaperObjects(_BuilderBase):
    """Papers, their steps and files, as objects or tombstones."""

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

    def _paper(self, paper: Paper) -> str:
        catalog = self.catalog_of(paper.definitions_version)
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
        read, attachment_id = self.read_attachment, row.id
        return self._file(
            paper,
            f"attachment-{row.id}",
            _safe(row.file_name),
            Content(row.media_type, lambda: read(attachment_id)),
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


def _fit(name: str, room: int) -> str:
    """A file name cut to ``room`` characters, keeping its extension."""
    if len(name) <= room:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) >= room // 2:
        return name[: max(room, 1)]
    return stem[: room - len(extension) - 1].rstrip("-.") + "." + extension


def _safe(name: str) -> str:
    """A file name that needs no escaping in a URL or a path."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return cleaned or "datei"
