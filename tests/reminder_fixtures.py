"""Musterstadt definitions with deadlines, reminders, e-mail addresses and a co-signing office."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from tests.conftest import VALID_DEFINITIONS
from workflow.core.model import OutboxMessage
from workflow.service import WorkflowService

DEADLINES = """deadlines:
  default:
    meeting_time: "18:00"
    notice: {days: 4, unit: calendar_days, count_event_day: false, count_meeting_day: false,
             event: receipt}
    submission_cutoff: {days: 2, unit: working_days}
    implementation_report: {months: 6}
  organizations:
    amt2:
      co_signing: {days: 3, unit: working_days}
  reminders:
    lead_days: 1
    escalate_after_hours: 24
    escalate_to: [office_head, session_office, buero@musterstadt.example]
"""
USERS = """users:
  - {id: clerk, name: Erika Sachbearbeiterin, roles: [clerk], offices: [amt1],
     email: erika@musterstadt.example}
  - {id: head, name: Max Amtsleiter, roles: [office_head], offices: [amt1],
     email: max@musterstadt.example}
  - {id: clerk2, name: Olaf Zwei, roles: [clerk], offices: [amt2], email: olaf@musterstadt.example}
  - {id: head2, name: Ina Zwei, roles: [office_head], offices: [amt2],
     email: ina@musterstadt.example}
  - {id: session, name: Sitzungsdienst, roles: [session_office],
     email: sitzungsdienst@musterstadt.example}
  - {id: auditor, name: Rechnungsprüfung, roles: [auditor]}
  - {id: admin, name: Administration, roles: [admin]}
"""
OFFICE2 = """  - id: amt2
    name: Amt 2
    kind: office
"""


def reminder_definitions(target: Path) -> Path:
    folder = target / "musterstadt"
    shutil.copytree(VALID_DEFINITIONS, folder)
    (folder / "deadlines.yaml").write_text(DEADLINES, encoding="utf-8")
    (folder / "users.yaml").write_text(USERS, encoding="utf-8")
    orgs = folder / "organizations.yaml"
    orgs.write_text(orgs.read_text(encoding="utf-8") + OFFICE2, encoding="utf-8")
    return folder


def create_paper(
    service: WorkflowService,
    *,
    participants: tuple[str, ...] = (),
    title: str = "Radweg Hauptstraße",
) -> str:
    return service.papers.create_paper(
        user="clerk",
        paper_type="vorlage",
        title=title,
        office="amt1",
        date=dt.date(2025, 3, 1),
        route="standard",
        participants=participants,
        planned_dates=[dt.date(2025, 3, 18), dt.date(2025, 3, 27)],
    ).number


class RecordingNotifier:
    def __init__(self, fail: int = 0, permanent: bool = False) -> None:
        self.sent: list[OutboxMessage] = []
        self.fail, self.permanent = fail, permanent

    def send(self, message: OutboxMessage) -> None:
        from workflow.core.errors import DeliveryError

        if self.fail:
            self.fail -= 1
            raise DeliveryError("421 try later", permanent=self.permanent)
        self.sent.append(message)

    def close(self) -> None:
        return None
