"""A PostgreSQL login role for the application that may append to the audit table but never
change or delete what is in it: privileges, not only triggers, refuse UPDATE, DELETE and
TRUNCATE on ``audit_event``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from workflow.core.errors import InvalidInput
from workflow.core.i18n import _

ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
AUDIT_TABLE = "audit_event"
AUDIT_PRIVILEGES = ("SELECT", "INSERT")
#: tables the application reads but never writes
READ_ONLY_TABLES = ("alembic_version",)


@dataclass(frozen=True, slots=True)
class GrantedRole:
    schema: str
    created: bool
    tables: tuple[str, ...]


def grant_app_role(session: Session, name: str, password: str | None) -> GrantedRole:
    """Create the login role ``name``, or update it, and (re)grant its privileges on the
    tables of the current schema. Idempotent; run it again after ``db upgrade``."""
    _check_name(name)
    conn = session.connection()
    schema, me = conn.execute(text("SELECT current_schema(), current_user")).one()
    existing = conn.execute(
        text("SELECT rolsuper FROM pg_roles WHERE rolname = :name"), {"name": name}
    ).first()
    if name == me:
        raise InvalidInput(
            _(
                "{name!r} is the role ratsweg is connected as, which owns the tables; "
                "choose another name for the application role"
            ).format(name=name)
        )
    if existing is not None and existing[0]:
        raise InvalidInput(
            _("role {name!r} is a superuser and bypasses privileges; choose another").format(
                name=name
            )
        )
    listed = conn.execute(
        text("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = :s ORDER BY 1"),
        {"s": schema},
    )
    tables = [(str(row[0]), str(row[1])) for row in listed]
    if any(owner == name for _, owner in tables):
        raise InvalidInput(
            _("role {name!r} owns tables in schema {schema!r}; choose another").format(
                name=name, schema=schema
            )
        )
    quote = conn.dialect.identifier_preparer.quote
    role, where = quote(name), quote(schema)
    verb = "ALTER" if existing is not None else "CREATE"
    login = "LOGIN" + (f" PASSWORD {_literal(password)}" if password is not None else "")
    statements = [
        f"{verb} ROLE {role} {login} NOSUPERUSER NOCREATEDB NOCREATEROLE",
        f"GRANT USAGE ON SCHEMA {where} TO {role}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {where} FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {where} TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {role}",
    ]
    names = {table for table, _ in tables}
    for table in (AUDIT_TABLE, *READ_ONLY_TABLES):
        if table in names:
            statements.append(f"REVOKE ALL ON {where}.{quote(table)} FROM {role}")
            granted = ", ".join(AUDIT_PRIVILEGES) if table == AUDIT_TABLE else "SELECT"
            statements.append(f"GRANT {granted} ON {where}.{quote(table)} TO {role}")
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        for statement in statements:  # no parameters: the driver leaves % and ? alone
            cursor.execute(statement)
    finally:
        cursor.close()
    writable = names - {AUDIT_TABLE, *READ_ONLY_TABLES}
    return GrantedRole(schema=schema, created=existing is None, tables=tuple(sorted(writable)))


def _check_name(name: str) -> None:
    if not ROLE_NAME.fullmatch(name):
        raise InvalidInput(
            _(
                "role name {name!r} is not usable; use lower-case letters, digits and _ "
                "(at most 63, not starting with a digit)"
            ).format(name=name)
        )


def _literal(value: str) -> str:
    if "\x00" in value:
        raise InvalidInput(_("the password contains a NUL character"))
    return "'" + value.replace("'", "''") + "'"
