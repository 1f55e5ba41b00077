"""Every error the service raises, as one tree::

    WorkflowError                     base of everything the service raises
    ├── DefinitionError               .problems: list of Problem(file, line, path, message)
    ├── NotFoundError (LookupError)   a paper, body, user, organization ... that does not exist
    ├── PermissionDenied              the actor lacks a role the action needs
    ├── InvalidInput                  a value the user gave is wrong (date, count, position ...)
    │   └── MinutesFileError          .problems: every problem of a minutes file, with its line
    ├── TransitionNotAllowed          .paper, .current, .action, .allowed
    ├── ConflictError                 another writer changed the same data first; safe to retry
    └── StorageError                  unexpected database failure (raised from the driver error)

Each message is one sentence that names the offending value and, where it can, how to fix it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


class WorkflowError(Exception):
    """Base class of every error ratsweg reports to its users."""


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        at = f" ({self.path})" if self.path else ""
        return f"{where}{at}: {self.message}"


class DefinitionError(WorkflowError):
    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class NotFoundError(WorkflowError, LookupError):
    pass


class PermissionDenied(WorkflowError):
    pass


class InvalidInput(WorkflowError):
    pass


class MinutesFileError(InvalidInput):
    """Every problem of a minutes file at once (each a ``Problem`` with its line), as the
    definitions loader reports them; nothing of the file is recorded."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class TransitionNotAllowed(WorkflowError):
    def __init__(
        self, paper: str, current: str, action: str, allowed: Iterable[str], detail: str = ""
    ) -> None:
        self.paper = paper
        self.current = current
        self.action = action
        # The refused action is never "allowed now", even when its trigger exists here and
        # only a guard failed (the detail then says why).
        self.allowed = tuple(a for a in allowed if a != action)
        allowed_text = ", ".join(self.allowed) if self.allowed else "none"
        because = f" ({detail})" if detail else ""
        super().__init__(
            f"cannot {action} {paper}: it is {current!r}{because}; allowed now: {allowed_text}"
        )


class ConflictError(WorkflowError):
    pass


class StorageError(WorkflowError):
    pass


class DeliveryError(WorkflowError):
    """A notifier could not deliver a message; ``permanent`` ones are not retried. ``setup``
    ones are a problem of the mail setup (connection, TLS, login, sender), not of the message:
    they are retried without counting as one of the message's attempts."""

    def __init__(self, message: str, *, permanent: bool = False, setup: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.setup = setup


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """A hint such as ' (did you mean 'stadtrat'?)', or '' when nothing is close."""
    matches = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def close_matches(value: str, choices: Iterable[str]) -> str:
    """A hint naming at most three close matches, ' (did you mean 'a', 'b' or 'c'?)', or '';
    a match far less close than the closest one is left out."""
    matches = difflib.get_close_matches(value, list(choices), n=3, cutoff=0.6)
    if not matches:
        return ""
    best = _likeness(value, matches[0])
    matches = [m for m in matches if _likeness(value, m) >= best - 0.15]
    named = [repr(m) for m in matches]
    listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} or {named[-1]}"
    return f" (did you mean {listed}?)"


def _likeness(value: str, match: str) -> float:
    return difflib.SequenceMatcher(None, match, value).ratio()


def not_found(
    kind: str,
    value: str,
    choices: Iterable[str],
    where: str = "",
    *,
    listed_in: str = "",
    vocabulary: bool = False,
) -> NotFoundError:
    """'no user 'x' in the definitions of … (did you mean 'y'?)': ``where`` follows the value.

    The hint names at most three close matches, never every id of the municipality's
    definitions: without a close match it says where the ids are (``listed_in``, e.g.
    "users.yaml"). Only a short fixed ``vocabulary`` (the shipped municipalities, a
    lifecycle's states) is listed whole.
    """
    options = sorted(choices)
    hint = close_matches(value, options)
    if not hint and vocabulary and options and len(options) <= 8:
        hint = f" (known: {', '.join(options)})"
    elif not hint and listed_in:
        hint = f"; {listed_in} lists them"
    return NotFoundError(f"no {kind} {value!r}{f' {where}' if where else ''}{hint}")
