"""Municipalities (bodies) and their definitions: loading a definitions version, listing the
municipalities of a database, and the admin check of commands that act for a whole municipality."""

from __future__ import annotations

from pathlib import Path

from storage import repository
from storage.audit import append_event, body_stream
from storage.schema import Body as BodyRow
from storage.schema import (
    DefinitionVersion,
)
from workflow import definitions
from workflow.core.catalog import Catalog
from workflow.core.i18n import N_
from workflow.core.model import (
    Action,
    AuditAction,
    BodyView,
    Role,
)
from workflow.uow import (
    KNOWN_USERS,
    TRUSTED,
    Reader,
    Shared,
    actor_of,
    require,
    require_role,
)


class BodyService:
    """Municipalities and the versions of their definitions."""

    def __init__(self, shared: Shared) -> None:
        self._shared = shared

    def load_definitions(self, directory: str | Path, *, user: str | None) -> BodyView:
        """Register a municipality or move it to a new definitions version.

        The first load of a body needs no user; later loads need one with definitions.load.
        :raises DefinitionError: the files are invalid (every problem listed).
        """
        catalog = definitions.load_catalog(directory)
        now = self._shared.clock.now()
        with self._shared.write(user, catalog.body.id) as uow:
            session = uow.session
            body = repository.get_body(session, catalog.body.id)
            actor_id = "system"
            if body is not None:
                current = uow.catalog(body.definitions_version)
                actor = actor_of(current, user)
                require(current, actor, Action.DEFINITIONS_LOAD, catalog.body.name)
                actor_id = actor.user_id
                if body.definitions_version == catalog.version:
                    return _body_view(body)
            if repository.get_definition_files(session, catalog.version) is None:
                session.add(
                    DefinitionVersion(
                        version=catalog.version,
                        body_id=catalog.body.id,
                        files=dict(catalog.files),
                        loaded_at=now,
                        loaded_by=actor_id,
                    )
                )
                session.flush()
            previous = body.definitions_version if body else None
            if body is None:
                body = BodyRow(id=catalog.body.id)
                session.add(body)
            body.name, body.state = catalog.body.name, catalog.body.state
            body.definitions_version, body.loaded_at = catalog.version, now
            session.flush()
            append_event(
                session,
                stream=body_stream(body.id),
                occurred_at=now,
                actor=actor_id,
                action=AuditAction.DEFINITIONS_LOADED,
                from_state=previous,
                to_state=catalog.version,
                payload={"source": catalog.source, "files": sorted(catalog.files)},
            )
            self._shared.catalogs.put(catalog)
            return _body_view(body)

    def list_bodies(self) -> list[BodyView]:
        with self._shared.read() as uow:
            return [_body_view(b) for b in repository.list_bodies(uow.session)]

    def catalog(
        self, body_id: str | None = None, *, reader: str | Reader | None = TRUSTED
    ) -> Catalog:
        """The current definitions of a body."""
        with self._shared.read(body_id, reader, KNOWN_USERS) as uow:
            return uow.catalog()

    def require_admin(self, user: str | None, *, body: str | None = None) -> None:
        """Schema changes and new municipalities need an admin once the database holds a
        municipality; an empty database may be set up by anyone.

        :raises PermissionDenied: the user is not an admin of the (given or only) municipality.
        """
        with self._shared.read(body) as uow:
            session = uow.session
            if not repository.has_tables(session) or not repository.list_bodies(session):
                return
            body_row = uow.body()
            actor = actor_of(uow.catalog(body_row.definitions_version), user)
            require_role(actor, {Role.ADMIN}, N_("change the schema or the municipalities"))


def _body_view(body: BodyRow) -> BodyView:
    return BodyView(
        id=body.id,
        name=body.name,
        state=body.state,
        definitions_version=body.definitions_version,
        loaded_at=body.loaded_at,
    )
