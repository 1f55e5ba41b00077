"""What ``ratsweg oparl import`` reports: each paper's outcome (imported, updated, unchanged or
reported with the reason) and what the source had that the import could not use. The command
prints it as a summary and writes it as JSON with ``--report``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class PaperReport:
    oparl_id: str
    reference: str | None
    status: str  # imported, updated, unchanged, reported
    number: str | None = None
    state: str | None = None
    reason: str | None = None
    changes: tuple[str, ...] = ()  # updated: what was added

    def as_dict(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__slots__}
        data["changes"] = list(self.changes)
        return data


@dataclass(slots=True)
class ImportReport:
    source: str
    version: str | None
    papers: list[PaperReport] = field(default_factory=list)
    meetings_created: int = 0
    deleted: int = 0
    problems: list[str] = field(default_factory=list)
    vendor_keys: dict[str, int] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return sum(1 for p in self.papers if p.status == status)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "oparl_version": self.version,
            "imported": self.count("imported"),
            "updated": self.count("updated"),
            "unchanged": self.count("unchanged"),
            "reported": self.count("reported"),
            "meetings_created": self.meetings_created,
            "deleted_objects_ignored": self.deleted,
            "source_problems": self.problems,
            "vendor_keys_ignored": self.vendor_keys,
            "papers": [p.as_dict() for p in self.papers],
        }
