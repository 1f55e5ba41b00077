"""What of a body is public, for the OParl builder: the papers published now or before, the
Ergänzungsvorlagen that took their steps over, the public part of each agenda.
``workflow.oparl.publication`` describes what is published.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from storage import oparl as store
from workflow.oparl.publication_builder import _BuilderBase
from workflow.oparl.publication_tree import stamp

if TYPE_CHECKING:
    from storage.schema import AgendaItem, Meeting, Paper, TextVersion
    from storage.schema import Consultation as StepRow

#: meeting states whose agenda has gone out with the invitation
AGENDA_OUT = {"invited", "held", "minutes_approved"}


class _Selection(_BuilderBase):
    """Which papers, steps and agenda items of the body are published."""

    def _published_papers(self) -> list[Paper]:
        """Papers published now or before: released (frozen) with a public step. A public step
        is only ever cancelled after the release (before it, a removed step is deleted), so
        each of these papers was public while that step was open."""
        rows = store.released_papers(self.session, self.body.id)
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
        rows = store.supplements(self.session, self.body.id)
        return {
            (p.origin_id, p.supplement_no): p
            for p in rows
            if p.origin_id is not None and p.supplement_no is not None
        }

    def _handed_over_public(self, supplement: Paper) -> bool:
        """Whether a public step went on to the supplement when it was created (its creation
        event lists the steps it took over: what the paper it continues had published)."""
        payload = store.creation_payload(self.session, supplement.id)
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
            paper = store.paper(self.session, paper_id)
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
