"""``ratsweg demo``: one real Beratungsfolge per shipped municipality, from draft to decision.

Each walkthrough is built from a seed document (``../shared/seeds`` in the project's notes)
and runs through the shipped definitions: the paper is created, co-signed by the offices the
document names and released; then every step of its Beratungsfolge is dealt with in a meeting
of its Gremium on the document's date: agenda built (public part Ö, non-public part N),
invitation, meeting held, result recorded from the minutes, minutes approved. The result is
checked twice: the hash chains verify, and the paper rebuilt from its audit events alone
matches the database.

``ratsweg demo`` plays on a clock that follows the seed's dates (Europe/Berlin), so its Fristen
come out as the documents show: the paper is created, co-signed and released on its date, or
on the Vorlagenschluss of its first step if that is earlier (the documents give no release
date); each meeting is invited on the last day its Ladung allows (10:00), held on its day at
17:00 with its result and minutes; a delegated committee's decision is finalized the day after
its Einspruchsfrist. Landau's Stadtrat (13.12.2011) still shows as a Nachtrag case in ``paper
check``: the Beirat's result of 08.12.2011 cannot go out with an invitation due that day.

- **landau**: Sitzungsvorlage "Integrationskonzept der Stadt Landau in der Pfalz" of
  23.11.2011 (Sozialamt, Aktenzeichen 500-Integrationskonzept), Mitzeichnung by Hauptamt and
  BGM, seven steps from the non-public Stadtvorstand on 14.11.2011 to the Stadtrat on
  13.12.2011: "einstimmig beschlossen" with 39 Ja, 0 Nein and 4 Enthaltungen; the Beirat für
  Migration und Integration decided on 08.12.2011.
- **voelklingen**: Beschlussvorlage "Integrationskonzept der Stadt Völklingen" (Wirtschaft,
  Kultur und Soziales; beteiligt: Rechnungsprüfungsamt, Finanzmanagement). Vorberatung in the
  Ausschuss für Kinder, Jugend und Soziales, non-public, on 16.09.2020; Entscheidung in the
  public Stadtrat, adopted. The Vorlage carries no number and no date: it is dated here with
  its draft concept (31.08.2020), and the seed gives the Stadtrat only as "a Thursday in
  09/2020" after the committee: 24.09.2020 is used.
- **herzogenrath**: Sitzungsvorlage "Integrationskonzept für die Stadt Herzogenrath" (Amt 50),
  public. The ASIDQ decides alone under Zuständigkeitsordnung § 8 b on 25.03.2025 ("Ein
  Beschluss des Stadtrates ist insofern nicht erforderlich"); the vote box is empty. As a
  delegated committee's decision it waits for its Einspruchsfrist (GO NRW § 57 Abs. 4), which
  the session office then ends. The Vorlage carries no date: it is dated with its annex
  (17.03.2025). Its Ergänzungsvorlage chain (V/2019/367-E01 … -E04) is not part of this demo.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workflow.core.clock import BERLIN, FixedClock
from workflow.core.deadlines import DeadlineKind, PathStep, check_path
from workflow.core.i18n import _
from workflow.core.model import AgendaItemView, AuditEventView, PaperView, VerifyReport, VoteCount
from workflow.meetings.minutes import MinutesItem

if TYPE_CHECKING:
    from workflow.audit.replay import ReplayReport
    from workflow.service import WorkflowService

D = dt.date


@dataclass(frozen=True, slots=True, kw_only=True)
class SeedStep:
    """One step of the Beratungsfolge as the document shows it, and its result."""

    date: dt.date
    outcome: str
    label: str | None = None
    votes: VoteCount | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Walkthrough:
    municipality: str
    source: str
    paper_type: str
    title: str
    office: str
    route: str
    date: dt.date
    text: str
    reference: str | None
    clerk: str
    head: str
    session_office: str
    co_signers: tuple[tuple[str, str], ...]  # (office, user who signs for it)
    steps: tuple[SeedStep, ...]  # one per step of the route, in order
    finalize: bool = False  # end the Einspruchsfrist of a delegated committee's decision


LANDAU = Walkthrough(
    municipality="landau",
    source="Sitzungsvorlage des Sozialamtes vom 23.11.2011",
    paper_type="sitzungsvorlage",
    title="Integrationskonzept der Stadt Landau in der Pfalz",
    office="sozialamt",
    route="integration",
    date=D(2011, 11, 23),
    text="Der Stadtrat beschließt das beigefügte Integrationskonzept.",
    reference="500-Integrationskonzept",
    clerk="sozialamt.weber",
    head="sozialamt.leitung",
    session_office="sitzungsdienst.becker",
    co_signers=(("hauptamt", "hauptamt.leitung"), ("bgm", "bgm.referent")),
    steps=(
        SeedStep(date=D(2011, 11, 14), outcome="empfohlen"),
        SeedStep(date=D(2011, 11, 17), outcome="empfohlen"),
        SeedStep(date=D(2011, 11, 17), outcome="empfohlen"),
        SeedStep(date=D(2011, 11, 29), outcome="empfohlen"),
        SeedStep(date=D(2011, 12, 7), outcome="empfohlen"),
        SeedStep(date=D(2011, 12, 8), outcome="beschlossen", label="einstimmig beschlossen"),
        SeedStep(
            date=D(2011, 12, 13),
            outcome="beschlossen",
            label="einstimmig beschlossen",
            votes=VoteCount(yes=39, no=0, abstain=4, biased=0, label="einstimmig"),
        ),
    ),
)
VOELKLINGEN = Walkthrough(
    municipality="voelklingen",
    source="Beschlussvorlage der Organisationseinheit Wirtschaft, Kultur und Soziales (2020)",
    paper_type="beschlussvorlage",
    title="Integrationskonzept der Stadt Völklingen",
    office="wks",
    route="integrationskonzept",
    date=D(2020, 8, 31),
    text=(
        "Der Entwurf des aktualisierten und weiterentwickelten Integrationskonzeptes der Stadt "
        "Völklingen wird beschlossen."
    ),
    reference=None,
    clerk="wks.sachbearbeitung",
    head="wks.leitung",
    session_office="sitzungsdienst",
    co_signers=(("rpa", "rpa.leitung"), ("finanzmanagement", "finanzmanagement.leitung")),
    steps=(
        SeedStep(date=D(2020, 9, 16), outcome="empfohlen"),
        SeedStep(date=D(2020, 9, 24), outcome="beschlossen"),
    ),
)
HERZOGENRATH = Walkthrough(
    municipality="herzogenrath",
    source="Sitzungsvorlage des Amtes 50 - Sozialamt (2025)",
    paper_type="sitzungsvorlage",
    title=(
        "Integrationskonzept für die Stadt Herzogenrath; hier: Vorlage des Konzeptes durch den "
        "Runden Tisch Flüchtlingsarbeit, Migration und Integration"
    ),
    office="amt50",
    route="integrationskonzept",
    date=D(2025, 3, 17),
    text=(
        "Der Ausschuss für Arbeit, Soziales, Integration, Demografie und Quartiersentwicklung "
        "beschließt das beigefügte Integrationskonzept als Handlungsempfehlung und Leitfaden "
        "für die Integration zugewanderter Menschen in der Stadt Herzogenrath."
    ),
    reference=None,
    clerk="amt50.sachbearbeitung",
    head="amt50.leitung",
    session_office="sitzungsdienst",
    co_signers=(),
    steps=(SeedStep(date=D(2025, 3, 25), outcome="beschlossen"),),
    finalize=True,
)
WALKTHROUGHS = {w.municipality: w for w in (LANDAU, VOELKLINGEN, HERZOGENRATH)}
#: Meetings start at 17:00 local time.
MEETING_TIME = dt.time(17, 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class StepPlayed:
    """What happened to one step: its meeting, its TOP, its result."""

    position: int
    organization: str
    date: dt.date
    meeting_id: int
    item: AgendaItemView
    result: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoResult:
    database_url: str
    walkthrough: Walkthrough
    paper: PaperView
    played: tuple[StepPlayed, ...]
    trail: list[AuditEventView]
    report: VerifyReport
    replay: ReplayReport


class _Timeline:
    """Moves a ``FixedClock`` forward to each action's local time (never back); without a
    clock, actions happen whenever they run."""

    def __init__(self, clock: FixedClock | None) -> None:
        self.clock = clock

    def at(self, day: dt.date, time: dt.time) -> None:
        if self.clock is not None:
            instant = dt.datetime.combine(day, time, tzinfo=BERLIN).astimezone(dt.UTC)
            self.clock.advance_to(instant)

    def later(self, minutes: int) -> None:
        if self.clock is not None:
            self.clock.instant += dt.timedelta(minutes=minutes)


def _schedule(service: WorkflowService, walk: Walkthrough) -> tuple[dt.date, list[dt.date]]:
    """The day the paper is released, and the day each step's meeting is invited: the last
    day its Vorlagenschluss and Ladung allow (by the shipped deadline rules)."""
    catalog = service.bodies.catalog(walk.municipality)
    calendar = catalog.calendar()
    route = catalog.route(walk.route).steps
    steps = [
        PathStep(
            position=position,
            organization_id=route_step.organization,
            organization_name=catalog.organization_name(route_step.organization),
            role=route_step.role.value,
            date=seed.date,
        )
        for position, (route_step, seed) in enumerate(zip(route, walk.steps, strict=True), 1)
    ]
    release, invitations = walk.date, []
    for check in check_path(calendar, catalog.deadlines, steps):
        days = {d.kind: d.day for d in check.deadlines}
        release = min(release, days.get(DeadlineKind.SUBMISSION_CUTOFF, release))
        invitations.append(days.get(DeadlineKind.INVITATION, check.date or walk.date))
    return release, invitations


def play(
    service: WorkflowService, walk: Walkthrough, clock: FixedClock | None = None
) -> tuple[str, list[StepPlayed]]:
    """Take the walkthrough's paper from draft to its end state on ``service``, whose
    municipality must already be loaded; return its number and what each step went through.

    With ``clock`` (the service's own), every action happens on the seed's dates (see the
    module's description); without it, whenever the service's clock says."""
    time = _Timeline(clock)
    release, invitations = _schedule(service, walk)
    paper = _draft_and_release(service, walk, time, release)
    meetings = _Meetings(service, walk, time, paper, invitations)
    played = [meetings.deal_with(position) for position in range(1, len(walk.steps) + 1)]
    if walk.finalize:
        _finalize(service, walk, time, paper)
    return paper.number, played


def _draft_and_release(
    service: WorkflowService, walk: Walkthrough, time: _Timeline, release: dt.date
) -> PaperView:
    """The paper created, submitted, co-signed by the offices the document names and
    released, starting at 08:00 on ``release``."""
    time.at(release, dt.time(8, 0))
    paper = service.papers.create_paper(
        user=walk.clerk,
        paper_type=walk.paper_type,
        title=walk.title,
        office=walk.office,
        date=walk.date,
        route=walk.route,
        reference=walk.reference,
        text=walk.text,
        participants=[office for office, _ in walk.co_signers],
        planned_dates=[step.date for step in walk.steps],
    )
    number, clerk = paper.number, walk.clerk
    time.later(15)
    service.papers.submit_paper(number, user=clerk)
    for office, signer in walk.co_signers:
        time.later(30)
        service.co_signing.co_sign(number, user=signer, office=office)
    time.later(30)
    service.papers.release_paper(number, user=walk.head)
    return paper


class _Meetings:
    """One meeting per step of the paper's path. Meetings are invited in the order of their
    invitation days, each before it is held; a meeting can be invited before an earlier
    step's result exists (a Nachtrag case)."""

    def __init__(
        self,
        service: WorkflowService,
        walk: Walkthrough,
        time: _Timeline,
        paper: PaperView,
        invitations: list[dt.date],
    ) -> None:
        self.service, self.walk, self.time = service, walk, time
        self.paper, self.invitations = paper, invitations
        self.meetings: dict[int, int] = {}  # position -> its meeting's id
        self.built: dict[int, tuple[AgendaItemView, ...]] = {}  # position -> agenda as built

    def invite(self, position: int) -> None:
        service, session_office = self.service, self.walk.session_office
        organization = self.paper.consultations[position - 1].organization_id
        step = self.walk.steps[position - 1]
        start = dt.datetime.combine(step.date, MEETING_TIME, tzinfo=BERLIN)
        self.time.at(min(self.invitations[position - 1], step.date), dt.time(10, 0))
        meeting = service.meetings.create_meeting(
            user=session_office, organization=organization, start=start
        )
        self.built[position] = service.agendas.build_agenda(meeting.id, user=session_office).agenda
        service.meetings.invite_meeting(meeting.id, user=session_office)
        self.meetings[position] = meeting.id

    def deal_with(self, position: int) -> StepPlayed:
        """The step's meeting (and those whose invitation is due by then) invited, held, its
        result recorded from the minutes, the minutes approved."""
        service, session_office = self.service, self.walk.session_office
        number, step = self.paper.number, self.walk.steps[position - 1]
        for waiting in range(position, len(self.walk.steps) + 1):
            if waiting not in self.meetings and self.invitations[waiting - 1] <= step.date:
                self.invite(waiting)
        if position not in self.meetings:
            self.invite(position)
        meeting_id = self.meetings[position]
        self.time.at(step.date, MEETING_TIME)
        service.meetings.hold_meeting(meeting_id, user=session_office)
        item = MinutesItem(
            where=_("step {position}").format(position=position),
            top=None,
            paper=number,
            outcome=step.outcome,
            label=step.label,
            votes=(step.votes,) if step.votes else (),
        )
        self.time.later(90)
        service.minutes.record_minutes(meeting_id, [item], user=session_office)
        self.time.later(15)
        service.meetings.approve_minutes(meeting_id, user=session_office)
        agenda = service.meetings.get_meeting(meeting_id).agenda
        (top,) = [a for a in agenda if a.paper_number == number] or self.built[position]
        view = service.papers.get_paper(number).consultations[position - 1]
        return StepPlayed(
            position=position,
            organization=view.organization_name,
            date=step.date,
            meeting_id=meeting_id,
            item=top,
            result=view.result_label or step.outcome,
        )


def _finalize(
    service: WorkflowService, walk: Walkthrough, time: _Timeline, paper: PaperView
) -> None:
    """A delegated committee's decision finalized at 09:00 the day after its Einspruchsfrist."""
    last = paper.consultations[len(walk.steps) - 1].organization_id
    rule = service.bodies.catalog(walk.municipality).decisions.delegated.get(last)
    days = rule.days if rule else 0
    time.at(walk.steps[-1].date + dt.timedelta(days=days + 1), dt.time(9, 0))
    service.decisions.finalize_decision(paper.number, user=walk.session_office)


#: The web password of every user of a demo database (``ratsweg web`` on it). For the demo
#: only: a real database gets each user's own password with ``ratsweg user set-password``.
DEMO_PASSWORD = "ratsweg-demo"


def set_demo_passwords(service: WorkflowService, municipality: str) -> None:
    """Every user of the municipality's users.yaml logs in with ``DEMO_PASSWORD``."""
    for user_id in service.bodies.catalog(municipality).users:
        service.accounts.set_password(user_id, DEMO_PASSWORD, user="admin", body=municipality)


def run_demo(database_url: str | None = None, municipality: str = "landau") -> DemoResult:
    """Play one walkthrough on ``database_url`` (default: a new temporary SQLite file)."""
    from workflow.app import Settings, build_service, upgrade
    from workflow.definitions import resolve_definitions_dir

    walk = WALKTHROUGHS[municipality]
    if database_url is None:
        folder = Path(tempfile.mkdtemp(prefix="ratsweg-demo-"))
        database_url = f"sqlite:///{folder / 'demo.db'}"
    # the seed's dates, not today's (see play); the definitions are loaded eight weeks before
    # the first meeting, ahead of the paper
    first = min([walk.date, *(step.date for step in walk.steps)]) - dt.timedelta(weeks=8)
    clock = FixedClock(dt.datetime.combine(first, dt.time(8, 0), tzinfo=BERLIN))
    settings = Settings(database_url=database_url, user=None, body=municipality)
    service = build_service(settings, clock)
    try:
        upgrade(service)
        service.bodies.load_definitions(resolve_definitions_dir(municipality), user="admin")
        set_demo_passwords(service, municipality)
        number, played = play(service, walk, clock)
        (replay,) = service.audit.replay_audit(number)
        return DemoResult(
            database_url=database_url,
            walkthrough=walk,
            paper=service.papers.get_paper(number),
            played=tuple(played),
            trail=service.audit.audit_trail(number),
            report=service.audit.verify_audit(),
            replay=replay,
        )
    finally:
        service.db.dispose()
