"""The ``ratsweg`` command line: parse, one service call, render. The only package that prints.

``workflow.cli.root`` builds the root group from one module per group (``papers``,
``consultations``, ``meetings``, ``decisions``, ``reminders``, ``audit``, ``calendar``,
``oparl``, ``setup``); ``workflow.cli.options`` holds what they share, ``workflow.cli.output``
renders. The group modules import those, never this package.
"""

from __future__ import annotations

from workflow.cli.root import cli, main

__all__ = ["cli", "main"]
