"""The OParl objects of a meeting: the Meeting, its Location, its AgendaItems (with the result,
the votes and the amended wording of a linked step) and the tombstones of the public items
taken off its agenda. ``workflow.oparl.publication`` describes what is published.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workflow.core.clock import local
from workflow.oparl.publication_builder import _BuilderBase
from workflow.oparl.publication_tree import OPARL, clip, latest, stamp
from workflow.oparl.validate_object import LIMITS  # what clients store; longer text is cut

if TYPE_CHECKING:
    from storage.schema import AgendaItem, Meeting
    from storage.schema import Consultation as StepRow

MEETING_STATES = {
    "planned": "terminiert",
    "invited": "eingeladen",
    "held": "durchgeführt",
    "minutes_approved": "durchgeführt",
}
VOTE_FIELDS = (
    ("yes", "Ja"),
    ("no", "Nein"),
    ("abstain", "Enthaltungen"),
    ("biased", "Befangen"),
    ("not_participating", "nicht teilgenommen"),
    ("absent", "abwesend"),
)


class _MeetingObjects(_BuilderBase):
    """Meetings, their locations and agenda items, as objects or tombstones."""

    def _meeting(self, meeting: Meeting, items: list[AgendaItem], removed: list[AgendaItem]) -> str:
        catalog = self.catalog_of(meeting.definitions_version)
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
