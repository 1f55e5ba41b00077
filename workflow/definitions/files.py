"""The definition folders on disk: read one, load and check its catalog, find the shipped ones."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import replace
from pathlib import Path

from workflow.core.catalog import Catalog
from workflow.core.errors import (
    DefinitionError,
    InvalidInput,
    NotFoundError,
    Problem,
    not_found,
)
from workflow.core.inputs import env_int, read_file_bytes
from workflow.definitions.catalog_builder import catalog_from_files

LIFECYCLES_FILE = "lifecycles.yaml"
STANDARD_FOLDER = "_standard"
#: Default of ``RATSWEG_MAX_DEFINITIONS_BYTES``: the largest definitions file read (the
#: shipped ones have a few KiB; a larger one is a mistake and would take minutes to check).
DEFAULT_MAX_DEFINITIONS_BYTES = 1024 * 1024


def max_definitions_bytes() -> int:
    """The largest definitions file read: ``RATSWEG_MAX_DEFINITIONS_BYTES``."""
    return env_int("RATSWEG_MAX_DEFINITIONS_BYTES", DEFAULT_MAX_DEFINITIONS_BYTES)


def _read_definition_file(path: Path, name: str, problems: list[Problem]) -> str | None:
    """A definitions file's text: a regular UTF-8 file of at most the size limit."""
    try:
        data = read_file_bytes(
            path, limit=max_definitions_bytes(), limit_name="RATSWEG_MAX_DEFINITIONS_BYTES"
        )
        return data.decode("utf-8")
    except InvalidInput as exc:
        problems.append(Problem(name, None, "", str(exc)))
    except UnicodeDecodeError as exc:
        problems.append(Problem(name, None, "", f"not valid UTF-8: {exc.reason}"))
    return None


def read_definition_files(directory: str | os.PathLike[str]) -> dict[str, str]:
    """The folder's ``*.yaml`` files by name, falling back to ``../_standard/lifecycles.yaml``."""
    folder = Path(directory)
    if not folder.is_dir():
        raise _folder_error(folder, "is not a folder; pass a municipality folder such as landau")
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        raise _folder_error(folder, "contains no *.yaml definition files")
    files: dict[str, str] = {}
    problems: list[Problem] = []
    for path in paths:
        text = _read_definition_file(path, path.name, problems)
        if text is not None:
            files[path.name] = text
    for path in sorted(folder.glob("*.yml")):
        problems.append(Problem(path.name, None, "", "ignored: rename it to end in .yaml"))
    if LIFECYCLES_FILE not in files:
        standard = folder.parent / STANDARD_FOLDER / LIFECYCLES_FILE
        if standard.exists():
            shared = f"{STANDARD_FOLDER}/{LIFECYCLES_FILE}"
            text = _read_definition_file(standard, shared, problems)
            if text is not None:
                files[LIFECYCLES_FILE] = text
        else:
            message = (
                f"no {LIFECYCLES_FILE} here and no {standard}; "
                f"copy definitions/{STANDARD_FOLDER}/{LIFECYCLES_FILE} into {folder}"
            )
            problems.append(Problem(LIFECYCLES_FILE, None, "", message))
    if problems:
        raise DefinitionError(problems)
    return dict(sorted(files.items()))


def _folder_error(folder: Path, what: str) -> DefinitionError:
    return DefinitionError([Problem(str(folder), None, "", f"{str(folder)!r} {what}")])


def load_catalog(directory: str | os.PathLike[str]) -> Catalog:
    """Read, validate and build the catalog of one municipality folder."""
    folder = Path(directory)
    files = read_definition_files(folder)
    try:
        return catalog_from_files(files, str(folder))
    except DefinitionError as exc:
        if (folder / LIFECYCLES_FILE).exists():
            raise
        shared = f"{STANDARD_FOLDER}/{LIFECYCLES_FILE}"  # name the file the author must edit
        problems = [
            replace(p, file=shared) if p.file == LIFECYCLES_FILE else p for p in exc.problems
        ]
        raise DefinitionError(problems) from None


def check_definitions(directory: str | os.PathLike[str]) -> list[Problem]:
    """Every problem in the folder's definitions; [] when they are valid."""
    try:
        load_catalog(directory)
    except DefinitionError as exc:
        return exc.problems
    return []


def shipped_definitions_root() -> Path:
    """The ``definitions`` folder shipped with ratsweg.

    It sits beside the ``workflow`` package, both in a source checkout and in site-packages
    (it is installed as package data); the import system's search path is the fallback.
    """
    # this file is <root>/workflow/definitions/files.py; definitions/ sits in <root>
    candidates = [Path(__file__).resolve().parents[2] / "definitions"]
    spec = importlib.util.find_spec("definitions")
    if spec is not None and spec.submodule_search_locations:
        candidates += [Path(p) for p in spec.submodule_search_locations]
    for candidate in candidates:
        if (candidate / STANDARD_FOLDER).is_dir():
            return candidate
    raise NotFoundError("the shipped definitions folder is not installed; reinstall ratsweg")


def list_shipped_municipalities() -> list[str]:
    """Names of the municipality folders shipped with ratsweg."""
    root = shipped_definitions_root()
    return sorted(
        p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))
    )


def resolve_definitions_dir(name_or_path: str) -> Path:
    """An existing folder as given, else the shipped municipality of that name."""
    given = Path(name_or_path)
    if given.is_dir():
        return given
    shipped = shipped_definitions_root() / name_or_path
    if name_or_path and not name_or_path.startswith("_") and shipped.is_dir():
        return shipped
    choices = list_shipped_municipalities()
    raise not_found(
        "definitions folder or shipped municipality", name_or_path, choices, vocabulary=True
    )
