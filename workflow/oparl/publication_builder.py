"""What every part of the OParl builder shares: one body's publication in the making, its
paths and URLs, how an object or a tombstone is added, and the organizations it links to.
``workflow.oparl.publication`` describes what is published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from workflow.oparl.publication_tree import OPARL, Publication, latest

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from storage.schema import Body as BodyRow
    from storage.schema import Paper
    from workflow.core.catalog import Catalog, Organization


class _BuilderBase:
    """One body's objects; every method adds objects to the publication. ``catalog_of`` gives
    the definitions of a version, ``read_attachment`` an attachment's bytes (on demand)."""

    created: dt.datetime  # set by ``build``: when the body's first definitions were loaded

    def __init__(
        self,
        session: Session,
        out: Publication,
        body: BodyRow,
        catalog_of: Callable[[str], Catalog],
        read_attachment: Callable[[int], bytes],
    ) -> None:
        self.session, self.out, self.body = session, out, body
        self.catalog_of, self.read_attachment = catalog_of, read_attachment
        self.prefix = f"body/{quote(body.id, safe='')}"
        self.catalog = catalog_of(body.definitions_version)
        self.organizations: dict[str, Organization] = {}
        self.agenda: dict[int, str] = {}  # consultation id -> its published agenda item's path
        self.superseded: dict[int, Paper] = {}  # published paper id -> its Ergänzungsvorlage
        self.handed: set[int] = set()  # public steps handed over to an unreleased supplement

    def path(self, kind: str, key: object = "") -> str:
        return f"{self.prefix}/{kind}" + (f"/{quote(str(key), safe='')}" if key != "" else "")

    def url(self, kind: str, key: object = "") -> str:
        return self.out.url(self.path(kind, key))

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

    def _organization_url(self, org_id: str, catalog: Catalog) -> str | None:
        """The Organization's URL; one that left the current definitions is still published."""
        if org_id not in self.organizations:
            org = catalog.organizations.get(org_id)
            if org is None:
                return None
            self.organizations[org_id] = org
        return self.url("organization", org_id)
