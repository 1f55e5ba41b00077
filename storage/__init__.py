"""SQLAlchemy storage of ratsweg: schema, sessions, migrations and the audit writer."""

from __future__ import annotations
