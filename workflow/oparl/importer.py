"""``ratsweg oparl import``: replay another system's papers through the engine.

Each paper is imported in a transaction of its own: it is created with its Beratungsfolge,
submitted and released, and each consultation is scheduled into its meeting and its result
recorded through the same path as ``record_result``, so the audit chain is the real one
(``workflow.oparl.replay``). A paper the engine refuses (or ``oparl_plan`` cannot map) is
rolled back and reported with the reason; the other papers are not affected. Every event is
written by the actor ``import``; the creation names the OParl id, the source and the user who
ran the import, and each result names its agenda item and where it was read.

Objects already imported are known by their OParl id (``imported_object``). Running the import
again (while the old system is still in use) brings such a paper forward
(``workflow.oparl.forward``): what the source has now and the paper has not yet is recorded
through the engine like the first time; what the paper has is never rewritten. A run with
nothing new changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storage import oparl as store
from workflow.core.errors import WorkflowError
from workflow.core.i18n import _
from workflow.core.model import Role
from workflow.oparl.forward import Update
from workflow.oparl.plan import plan_paper
from workflow.oparl.replay import Replay
from workflow.oparl.report import ImportReport, PaperReport
from workflow.uow import require_role

if TYPE_CHECKING:
    from workflow.oparl.source import Source
    from workflow.uow import Shared

__all__ = ["ImportReport", "PaperReport", "import_source", "require_importer"]


def import_source(
    shared: Shared, source: Source, *, user: str | None, body: str | None = None
) -> ImportReport:
    """Import every paper of ``source`` into the (given or only) municipality.

    :raises PermissionDenied: ``user`` is not an admin of the municipality.
    """
    require_importer(shared, user, body)
    report = ImportReport(
        source=source.location,
        version=source.version,
        deleted=source.deleted,
        problems=list(source.problems),
        vendor_keys=dict(sorted(source.vendor_keys.items())),
    )
    for paper in source.of_type("Paper"):
        report.papers.append(_import_paper(shared, source, paper, user or "", body, report))
    return report


def require_importer(shared: Shared, user: str | None, body: str | None) -> None:
    """Only an admin imports; the command asks before it reads (or downloads) the source.

    :raises PermissionDenied: ``user`` is not an admin of the municipality.
    """
    with shared.read(body, user) as uow:
        actor = uow.actor()
    require_role(actor, {Role.ADMIN}, _("import council data from another system"))


def _import_paper(
    shared: Shared,
    source: Source,
    paper: dict[str, Any],
    user: str,
    body: str | None,
    report: ImportReport,
) -> PaperReport:
    """The paper imported (or brought forward) in a transaction of its own, or reported."""
    oparl_id = paper["id"]
    reference = paper.get("reference") if isinstance(paper.get("reference"), str) else None
    known: tuple[str, str] | None = None  # number and state of a paper imported before
    try:
        with shared.write(user, body) as uow:
            session = uow.session
            body_row = uow.body()
            catalog = uow.catalog()
            done = store.imported_object(session, body_row.id, oparl_id)
            if done is not None:
                row = store.lock_paper(session, done.local_id)
                known = (row.number, row.state)
                own = uow.catalog(row.definitions_version)
                update = Update(uow, body_row, own, source, user)
                changes = update.bring_forward(row, lambda: plan_paper(paper, source, catalog))
                report.meetings_created += update.meetings_created
                status = "updated" if changes else "unchanged"
                return PaperReport(
                    oparl_id, reference, status, row.number, row.state, changes=changes
                )
            plan = plan_paper(paper, source, catalog)
            replay = Replay(uow, body_row, catalog, source, user)
            row = replay.run(plan)
            report.meetings_created += replay.meetings_created
            return PaperReport(oparl_id, reference, "imported", row.number, row.state)
    except WorkflowError as exc:
        number, state = known or (None, None)
        return PaperReport(oparl_id, reference, "reported", number, state, reason=str(exc))
