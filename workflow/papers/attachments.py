"""Anlagen of papers (``service.attachments``).

Each attachment is public or
non-public on its own (domain.md 2.1: a public decision can carry non-public attachments);
``ratsweg oparl export`` and ``serve`` publish only the public ones.
"""

from __future__ import annotations

import hashlib
import mimetypes
from typing import TYPE_CHECKING

from storage.schema import Attachment
from workflow.core.errors import InvalidInput, TransitionNotAllowed
from workflow.core.i18n import _
from workflow.core.inputs import check_line, check_media_type, read_file_bytes
from workflow.core.model import Action, Actor, AttachmentView, AuditAction
from workflow.papers.views import attachment_view
from workflow.reminders.sync import paper_changed
from workflow.uow import Shared, UnitOfWork

if TYPE_CHECKING:
    from pathlib import Path

    from storage.schema import Paper


class AttachmentService:
    """Attach files to papers; list a paper's attachments."""

    def __init__(self, shared: Shared) -> None:
        self._shared = shared

    def attach_file(
        self,
        number: str,
        path: Path,
        *,
        user: str | None,
        public: bool = True,
        file_name: str | None = None,
        media_type: str | None = None,
        body: str | None = None,
    ) -> AttachmentView:
        """Store ``path`` as an Anlage of the paper (audited as ``attachment_added``).

        :raises InvalidInput: the file cannot be read, is empty or too large.
        :raises PermissionDenied: the user may not edit papers of the paper's office.
        :raises TransitionNotAllowed: the paper is closed (withdrawn, decided for good).
        """
        content = _read(path)
        name, kind = _names(path, file_name, media_type)
        now = self._shared.clock.now()
        with self._shared.write(user, body) as uow:
            paper, catalog, actor = uow.lock_paper(number, Action.PAPER_EDIT)
            if catalog.lifecycle("paper").state(paper.state).final:
                raise TransitionNotAllowed(
                    paper.number,
                    paper.state,
                    _("attach a file"),
                    self._shared.engine.paper_triggers(catalog, paper.state),
                    _("the paper is closed"),
                )
            row = Attachment(
                file_name=name,
                media_type=kind,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                content=content,
                public=public,
                created_at=now,
                actor=actor.user_id,
            )
            paper.attachments.append(row)
            uow.session.flush()
            _record_added(uow, paper, actor, row)
            paper_changed(uow, catalog, paper)
            return attachment_view(row)


def _names(path: Path, file_name: str | None, media_type: str | None) -> tuple[str, str]:
    """The file name and media type an Anlage is stored under: the given ones, else the
    file's own name and the media type its extension suggests; checked to fit the columns."""
    name = (file_name or path.name).strip()
    if not name or "/" in name or "\\" in name:
        raise InvalidInput(
            _("{name!r} is not a file name; give a name without slashes").format(name=name),
            field="file_name",
        )
    check_line(name, _("file name"))
    kind = media_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if len(name) > 255:
        raise InvalidInput(
            _("the file name has {length} characters, 255 are stored; give a shorter name").format(
                length=len(name)
            ),
            field="file_name",
        )
    return name, check_media_type(kind)


def _record_added(uow: UnitOfWork, paper: Paper, actor: Actor, row: Attachment) -> None:
    """Audit the new Anlage (``attachment_added``) in the paper's chain; its content is
    identified by its SHA-256."""
    uow.record(
        paper,
        actor,
        AuditAction.ATTACHMENT_ADDED,
        paper.state,
        paper.state,
        {
            "attachment": row.id,
            "file_name": row.file_name,
            "media_type": row.media_type,
            "size": row.size,
            "sha256": row.sha256,
            "public": row.public,
        },
    )


def _read(path: Path) -> bytes:
    content = read_file_bytes(path)
    if not content:
        raise InvalidInput(
            _("{path!r} is empty; attach a file with content").format(path=str(path))
        )
    return content
