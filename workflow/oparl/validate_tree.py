"""Checks of a whole OParl tree: every link resolves to an object of the type it names, and
AgendaItem and Consultation point at each other. ``workflow.oparl.validate`` describes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from workflow.oparl.validate_object import Problem, embedded
from workflow.oparl.validate_schema import references, type_of


def check_tree(
    objects: Iterable[tuple[str, dict[str, Any]]],
    lists: Iterable[tuple[str, dict[str, Any]]],
    contents: Iterable[str] = (),
) -> list[Problem]:
    """Links between objects of a whole tree.

    ``objects``: (where, object) for every object reachable by id (standalone or list data);
    ``lists``: (URL, page) for every list page; ``contents``: URLs of the files' content.
    """
    index: dict[str, dict[str, Any]] = {}
    occurrences: list[tuple[str, dict[str, Any]]] = []
    problems = []
    for where, obj in objects:
        for _, item in [("", obj), *embedded(obj)]:
            if not isinstance(item.get("id"), str):
                continue
            occurrences.append((where, item))
            if index.setdefault(item["id"], item) != item:
                problems.append(
                    Problem(where, "", f"{item['id']} differs from the object at its URL")
                )
    pages = dict(lists)
    problems.extend(
        Problem(url, "/links/next", f"{page['links']['next']!r} does not resolve to a list page")
        for url, page in pages.items()
        if isinstance(page.get("links"), dict)
        and "next" in page["links"]
        and page["links"]["next"] not in pages
    )
    files = set(contents)
    for where, obj in occurrences:
        problems.extend(_links(obj, where, index, pages, files))
    return sorted(set(problems), key=lambda p: (p.where, p.path, p.message))


def _links(
    obj: dict[str, Any],
    where: str,
    index: Mapping[str, dict[str, Any]],
    pages: Mapping[str, Any],
    files: set[str],
) -> Iterator[Problem]:
    kind = type_of(obj)
    if kind is None or kind[0] != "1.1":
        return
    name = kind[1]
    at = f"{where} ({obj.get('id')})"
    for prop, target in references().get(name, {}).items():
        if prop not in obj:
            continue
        values = obj[prop] if isinstance(obj[prop], list) else [obj[prop]]
        for value in values:
            if target == "externalList":
                if value not in pages:
                    yield Problem(at, f"/{prop}", f"{value!r} does not resolve to a list page")
                continue
            linked = index.get(value) if isinstance(value, str) else None
            if linked is None:
                yield Problem(at, f"/{prop}", f"{value!r} does not resolve to an object")
            elif type_of(linked) != ("1.1", target):
                yield Problem(at, f"/{prop}", f"{value!r} is a {linked.get('type')}, not {target}")
            elif linked.get("deleted") is True and obj.get("deleted") is not True:
                yield Problem(at, f"/{prop}", f"{value!r} is deleted; leave the link out")
    if name == "File":
        for prop in ("accessUrl", "downloadUrl"):
            if prop in obj and obj[prop] not in files:
                yield Problem(at, f"/{prop}", f"{obj[prop]!r} does not resolve to a file")
    if name == "Consultation":
        yield from _consultation_links(obj, at, index)
    if name == "AgendaItem" and "consultation" in obj:
        consultation = index.get(obj["consultation"], {})
        if consultation and consultation.get("agendaItem") != obj.get("id"):
            yield Problem(
                at,
                "/consultation",
                f"{obj['consultation']} does not point back (its agendaItem is "
                f"{consultation.get('agendaItem')!r})",
            )


def _consultation_links(
    obj: dict[str, Any], at: str, index: Mapping[str, dict[str, Any]]
) -> Iterator[Problem]:
    item = index.get(obj.get("agendaItem", ""))
    if item is not None and item.get("consultation") != obj.get("id"):
        yield Problem(
            at,
            "/agendaItem",
            f"{obj['agendaItem']} does not point back (its consultation is "
            f"{item.get('consultation')!r})",
        )
    meeting = index.get(obj.get("meeting", ""))
    if meeting is None:
        return
    if item is not None and item.get("id") not in {
        i.get("id") for i in meeting.get("agendaItem", [])
    }:
        yield Problem(at, "/agendaItem", f"{item.get('id')} is not on meeting {meeting['id']}")
    organizations = obj.get("organization", [])
    if organizations and organizations[0] not in meeting.get("organization", []):
        yield Problem(
            at, "/organization", f"{organizations[0]} is not an organization of {meeting['id']}"
        )
