"""Load and validate one municipality's definitions (a folder of YAML files) into a ``Catalog``.

Stages: discover the files (``files``), parse them keeping line numbers and rejecting duplicate
keys (``yaml_reader``), check every section (``checks`` and one module per group of sections:
``sections``, ``lifecycles``, ``deadline_rules``, ``decision_rules``, ``oparl_mapping``),
cross-check references, and only then build the frozen catalog (``catalog_builder``). Every
problem is collected and reported at once in a ``DefinitionError``; see docs/definitions.md for
the format.
"""

from __future__ import annotations

from workflow.definitions.catalog_builder import catalog_from_files, content_version
from workflow.definitions.files import (
    LIFECYCLES_FILE,
    STANDARD_FOLDER,
    check_definitions,
    list_shipped_municipalities,
    load_catalog,
    read_definition_files,
    resolve_definitions_dir,
    shipped_definitions_root,
)

__all__ = [
    "LIFECYCLES_FILE",
    "STANDARD_FOLDER",
    "catalog_from_files",
    "check_definitions",
    "content_version",
    "list_shipped_municipalities",
    "load_catalog",
    "read_definition_files",
    "resolve_definitions_dir",
    "shipped_definitions_root",
]
