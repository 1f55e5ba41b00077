"""``ratsweg demo``: the Landau Sitzungsvorlage of 23.11.2011 from draft to decision.

Source: the Sitzungsvorlage "Integrationskonzept der Stadt Landau in der Pfalz" (Sozialamt,
Aktenzeichen 500-Integrationskonzept) with its Beratungsfolge of seven steps. The Stadtrat
adopted the concept on 13.12.2011, recorded as "einstimmig beschlossen" with 39 Ja, 0 Nein and
4 Enthaltungen; the Beirat für Migration und Integration decided on 08.12.2011.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from workflow.app import Settings, build_service, upgrade
from workflow.definitions import resolve_definitions_dir
from workflow.model import AuditEventView, PaperView, VerifyReport, VoteCount

D = dt.date

#: (position, date, outcome, label, votes) as the Landau path went.
LANDAU_RESULTS: tuple[tuple[int, dt.date, str, str | None, VoteCount | None], ...] = (
    (1, D(2011, 11, 14), "empfohlen", None, None),
    (2, D(2011, 11, 17), "empfohlen", None, None),
    (3, D(2011, 11, 17), "empfohlen", None, None),
    (4, D(2011, 11, 29), "empfohlen", None, None),
    (5, D(2011, 12, 7), "empfohlen", None, None),
    (6, D(2011, 12, 8), "beschlossen", "einstimmig beschlossen", None),
    (
        7,
        D(2011, 12, 13),
        "beschlossen",
        "einstimmig beschlossen",
        VoteCount(yes=39, no=0, abstain=4, biased=0, label="einstimmig"),
    ),
)
CLERK, HEAD, SESSION_OFFICE = "sozialamt.weber", "sozialamt.leitung", "sitzungsdienst.becker"
CO_SIGNERS = (("hauptamt", "hauptamt.leitung"), ("bgm", "bgm.referent"))


@dataclass(frozen=True, slots=True)
class DemoResult:
    database_url: str
    paper: PaperView
    trail: list[AuditEventView]
    report: VerifyReport


def run_demo(database_url: str | None = None) -> DemoResult:
    if database_url is None:
        folder = Path(tempfile.mkdtemp(prefix="ratsweg-demo-"))
        database_url = f"sqlite:///{folder / 'demo.db'}"
    service = build_service(Settings(database_url=database_url, user=None))
    try:
        upgrade(service)
        service.load_definitions(resolve_definitions_dir("landau"), user="admin")
        paper = service.create_paper(
            user=CLERK,
            paper_type="sitzungsvorlage",
            title="Integrationskonzept der Stadt Landau in der Pfalz",
            office="sozialamt",
            date=D(2011, 11, 23),
            route="integration",
            reference="500-Integrationskonzept",
            text="Der Stadtrat beschließt das beigefügte Integrationskonzept.",
            participants=[office for office, _ in CO_SIGNERS],
            planned_dates=[date for _, date, *_ in LANDAU_RESULTS],
        )
        number = paper.number
        service.submit_paper(number, user=CLERK)
        for office, signer in CO_SIGNERS:
            service.co_sign(number, user=signer, office=office)
        service.release_paper(number, user=HEAD)
        for position, date, outcome, label, votes in LANDAU_RESULTS:
            service.record_result(
                number,
                user=SESSION_OFFICE,
                position=position,
                outcome=outcome,
                date=date,
                label=label,
                votes=[votes] if votes else [],
            )
        return DemoResult(
            database_url=database_url,
            paper=service.get_paper(number),
            trail=service.audit_trail(number),
            report=service.verify_audit(),
        )
    finally:
        service.db.dispose()
