"""Every error the service raises, as one tree::

    WorkflowError                     base of everything the service raises
    ├── DefinitionError               .problems: list of Problem(file, line, path, message)
    ├── NotFoundError (LookupError)   a paper, body, user, organization ... that does not exist
    ├── PermissionDenied              the actor lacks a role the action needs
    │   └── LoginRefused              wrong user or password, or too many failed logins
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

from workflow.core.i18n import _
from workflow.core.labels import Offer, Offers, action_label, offer_text, state_text


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


class LoginRefused(PermissionDenied):
    """A login failed: the same message for an unknown user and a wrong password."""


class InvalidInput(WorkflowError):
    """``field`` names the input the message is about (``title``, ``participants`` …) where the
    service knows it, so a form can show the message next to that field. The message names
    no command-line flag or command (a form shows it too); it is the service parameter's name,
    and the command line adds the flag of its option for it (``workflow.cli.german``)."""

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class MinutesFileError(InvalidInput):
    """Every problem of a minutes file at once (each a ``Problem`` with its line), as the
    definitions loader reports them; nothing of the file is recorded."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class TransitionNotAllowed(WorkflowError):
    """``action`` (a trigger's id, or the caller's German words for what was refused) is not
    possible on ``paper`` in state ``current``. The message names the state and the actions
    allowed now by their labels (:class:`~workflow.core.labels.Offer` carries the definitions'
    names), each with the id a script uses; ``.allowed`` holds the ids."""

    def __init__(
        self,
        paper: str,
        current: str,
        action: str,
        allowed: Iterable[str],
        detail: str = "",
        *,
        state_label: str = "",
    ) -> None:
        self.paper = paper
        self.current = current
        self.action = action
        offers = list(allowed)
        # The refused action is never "allowed now", even when its trigger exists here and
        # only a guard failed (the detail then says why).
        self.allowed = tuple(a for a in offers if a != action)
        labelled = [a.state_label for a in offers if isinstance(a, Offer) and a.state_label]
        if isinstance(allowed, Offers) and allowed.state_label:
            labelled.insert(0, allowed.state_label)
        state = state_label or (labelled[0] if labelled else state_text(current))
        because = f" ({detail})" if detail else ""
        super().__init__(
            _(
                "{subject}: {action!r} is not possible in the state {state!r}{because}; "
                "allowed now: {allowed}"
            ).format(
                subject=paper,
                action=action_label(action),
                state=state,
                because=because,
                allowed=", ".join(offer_text(a) for a in self.allowed) or _("nothing"),
            )
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
    if not matches:
        return ""
    return " (" + _("did you mean {match!r}?").format(match=matches[0]) + ")"


def close_matches(value: str, choices: Iterable[str]) -> str:
    """A hint naming at most three close matches, ' (meinten Sie 'a', 'b' oder 'c'?)', or '';
    a match far less close than the closest one is left out."""
    matches = difflib.get_close_matches(value, list(choices), n=3, cutoff=0.6)
    if not matches:
        return ""
    best = _likeness(value, matches[0])
    matches = [m for m in matches if _likeness(value, m) >= best - 0.15]
    named = [repr(m) for m in matches]
    listed = (
        named[0]
        if len(named) == 1
        else _("{names} or {last}").format(names=", ".join(named[:-1]), last=named[-1])
    )
    return " (" + _("did you mean {match}?").format(match=listed) + ")"


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
    """'Benutzer 'x' gibt es nicht in den Definitionen von … (meinten Sie 'y'?)': ``kind`` is
    an id of the catalogue (mark it with ``N_``), ``where`` follows the sentence.

    The hint names at most three close matches, never every id of the municipality's
    definitions: without a close match it says where the ids are (``listed_in``, e.g.
    "users.yaml"). Only a short fixed ``vocabulary`` (the shipped municipalities, a
    lifecycle's states) is listed whole.
    """
    options = sorted(choices)
    hint = close_matches(value, options)
    if not hint and vocabulary and options and len(options) <= 8:
        hint = " (" + _("known: {names}").format(names=", ".join(options)) + ")"
    elif not hint and listed_in:
        hint = _("; {place} lists them").format(place=listed_in)
    text = _("{kind} {value!r} does not exist{where}").format(
        kind=_(kind), value=value, where=f" {where}" if where else ""
    )
    return NotFoundError(text + hint)
