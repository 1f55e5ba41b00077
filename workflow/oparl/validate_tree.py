"""Checks of a whole OParl tree: every link resolves to an object of the type it names, and
AgendaItem and Consultation point at each other. ``workflow.oparl.validate`` describes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from workflow.core.i18n import _
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
        for _key, item in [("", obj), *embedded(obj)]:
            if not isinstance(item.get("id"), str):
                continue
            occurrences.append((where, item))
            if index.setdefault(item["id"], item) != item:
                problems.append(
                    Problem(
                        where,
                        "",
                        _("{item_id} differs from the object at its URL").format(
                            item_id=item["id"]
                        ),
                    )
                )
    pages = dict(lists)
    problems.extend(
        Problem(
            url,
            "/links/next",
            _("{page_links_next!r} does not resolve to a list page").format(
                page_links_next=page["links"]["next"]
            ),
        )
        for url, page in pages.items()
        if isinstance(page.get("links"), dict)
        and "next" in page["links"]
        and page["links"]["next"] not in pages
    )
    files = set(contents)
    for where, obj in occurrences:
        problems.extend(_links(obj, where, index, pages, files))
    return sorted(set(problems), key=lambda p: (p.where, p.path, p.message))


def _link_problem(
    obj: dict[str, Any],
    value: Any,
    target: str,
    index: Mapping[str, dict[str, Any]],
    pages: Mapping[str, Any],
) -> str | None:
    """What is wrong with one link of ``obj`` to a ``target`` (a type or a list page)."""
    if target == "externalList":
        if value in pages:
            return None
        return _("{value!r} does not resolve to a list page").format(value=value)
    linked = index.get(value) if isinstance(value, str) else None
    if linked is None:
        return _("{value!r} does not resolve to an object").format(value=value)
    if type_of(linked) != ("1.1", target):
        return _("{value!r} is a {kind}, not {target}").format(
            value=value, kind=linked.get("type"), target=target
        )
    if linked.get("deleted") is True and obj.get("deleted") is not True:
        return _("{value!r} is deleted; leave the link out").format(value=value)
    return None


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
            text = _link_problem(obj, value, target, index, pages)
            if text:
                yield Problem(at, f"/{prop}", text)
    if name == "File":
        for prop in ("accessUrl", "downloadUrl"):
            if prop in obj and obj[prop] not in files:
                yield Problem(
                    at,
                    f"/{prop}",
                    _("{obj_prop!r} does not resolve to a file").format(obj_prop=obj[prop]),
                )
    if name == "Consultation":
        yield from _consultation_links(obj, at, index)
    if name == "AgendaItem" and "consultation" in obj:
        consultation = index.get(obj["consultation"], {})
        if consultation and consultation.get("agendaItem") != obj.get("id"):
            yield Problem(
                at,
                "/consultation",
                _(
                    "{consultation_id} does not point back (its agendaItem is {agenda_item!r})"
                ).format(
                    consultation_id=obj["consultation"],
                    agenda_item=consultation.get("agendaItem"),
                ),
            )


def _consultation_links(
    obj: dict[str, Any], at: str, index: Mapping[str, dict[str, Any]]
) -> Iterator[Problem]:
    item = index.get(obj.get("agendaItem", ""))
    if item is not None and item.get("consultation") != obj.get("id"):
        yield Problem(
            at,
            "/agendaItem",
            _("{obj_agendaitem} does not point back (its consultation is {consultation!r})").format(
                obj_agendaitem=obj["agendaItem"], consultation=item.get("consultation")
            ),
        )
    meeting = index.get(obj.get("meeting", ""))
    if meeting is None:
        return
    if item is not None and item.get("id") not in {
        i.get("id") for i in meeting.get("agendaItem", [])
    }:
        yield Problem(
            at,
            "/agendaItem",
            _("{item_get_id} is not on meeting {meeting_id}").format(
                item_get_id=item.get("id"), meeting_id=meeting["id"]
            ),
        )
    organizations = obj.get("organization", [])
    if organizations and organizations[0] not in meeting.get("organization", []):
        yield Problem(
            at,
            "/organization",
            _("{organizations_0} is not an organization of {meeting_id}").format(
                organizations_0=organizations[0], meeting_id=meeting["id"]
            ),
        )
