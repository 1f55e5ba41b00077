"""What ratsweg accepts from outside, checked in one place.

- **Texts**: one-line texts (titles, reasons, comments, labels, notes, names) refuse every
  control character; multi-line texts (a paper's text, an answer, an amended wording, the
  notes of minutes) allow line feeds and tabs only. Escape sequences such as ``\\x1b]0;…\\x07``
  would otherwise reach every terminal and document that shows the text.
- **Media types**: ``type/subtype`` of RFC 6838 tokens, bounded, so a stored one can go into a
  ``Content-Type`` header as it is.
- **Files** a user names (votes, minutes, text files, Anlagen, OParl files, seals): regular
  files only (a FIFO or ``/dev/zero`` would hang or never end) and at most
  ``RATSWEG_MAX_FILE_BYTES`` bytes (default 50 MiB).
- **JSON** from outside: a nesting too deep for the parser is a clear error, not a
  ``RecursionError``.
"""

from __future__ import annotations

import json
import os
import re
import stat
import unicodedata
from pathlib import Path
from typing import Any

from workflow.core.errors import InvalidInput
from workflow.core.i18n import N_, _

#: Default of ``RATSWEG_MAX_FILE_BYTES``: the largest file or fetched document read.
DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_MEDIA_TYPE = 127
_TOKEN = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
_MEDIA_TYPE = re.compile(rf"^{_TOKEN}/{_TOKEN}$")
_MULTILINE_ALLOWED = frozenset("\n\t")
#: The names callers give the texts and files they check (``what``), shown translated.
FIELD_NAMES = (
    N_("reason"),
    N_("title"),
    N_("text"),
    N_("report"),
    N_("answer"),
    N_("note"),
    N_("amended text"),
    N_("participant or member"),
    N_("vote's text"),
    N_("reference"),
    N_("file name"),
    N_("result label"),
    N_("faction"),
    N_("name of who decided"),
    N_("comment"),
    N_("member name"),
    N_("name"),
    N_("location"),
    N_("file"),
    N_("text file"),
)


def env_int(name: str, default: int, *, minimum: int = 1) -> int:
    """A positive whole number from the environment, ``default`` when unset.

    :raises InvalidInput: the variable is set to something else.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise InvalidInput(
            _("{name}={raw!r} is not a whole number of at least {minimum}").format(
                name=name, raw=raw, minimum=minimum
            )
        )
    return value


def env_seconds(name: str, default: float) -> float:
    """A positive number of seconds from the environment, ``default`` when unset.

    :raises InvalidInput: the variable is set to something else.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 0 < value < 1e6:
        raise InvalidInput(
            _("{name}={raw!r} is not a positive number of seconds").format(name=name, raw=raw)
        )
    return value


def max_file_bytes() -> int:
    """The largest file (or fetched document) read: ``RATSWEG_MAX_FILE_BYTES``."""
    return env_int("RATSWEG_MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES)


def _control(value: str, allowed: frozenset[str]) -> str | None:
    for char in value:
        if char not in allowed and (unicodedata.category(char) == "Cc" or char in "\u2028\u2029"):
            return char
    return None


def check_line(value: str | None, what: str) -> str | None:
    """``value`` unchanged if it holds no control character (``None`` passes).

    :raises InvalidInput: it holds one (tab and line breaks included).
    """
    if value is None:
        return None
    found = _control(value, frozenset())
    if found is not None:
        raise InvalidInput(
            _(
                "the {what} contains the control character {char!r}; "
                "give it as one line of plain text"
            ).format(what=_(what), char=found)
        )
    return value


def check_text(value: str | None, what: str) -> str | None:
    """``value`` unchanged if it holds no control character but line feeds and tabs.

    :raises InvalidInput: it holds another one (a carriage return, an escape, …).
    """
    if value is None:
        return None
    found = _control(value, _MULTILINE_ALLOWED)
    if found is not None:
        raise InvalidInput(
            _(
                "the {what} contains the control character {char!r}; "
                "only line breaks and tabs are allowed in it"
            ).format(what=_(what), char=found)
        )
    return value


def check_lines(values: Any, what: str) -> None:
    """:func:`check_line` for each text in ``values``."""
    for value in values:
        if isinstance(value, str):
            check_line(value, what)


def is_media_type(value: str) -> bool:
    """``type/subtype`` of RFC 6838 tokens, nothing else (no parameters, no spaces)."""
    return len(value) <= MAX_MEDIA_TYPE and _MEDIA_TYPE.fullmatch(value) is not None


def check_media_type(value: str) -> str:
    """The media type, lowercased.

    :raises InvalidInput: it is not ``type/subtype`` (RFC 6838) or longer than 127 characters.
    """
    if len(value) > MAX_MEDIA_TYPE:
        raise InvalidInput(
            _(
                "the media type has {length} characters, {limit} are stored; give a shorter one"
            ).format(length=len(value), limit=MAX_MEDIA_TYPE),
            field="media_type",
        )
    if not is_media_type(value):
        raise InvalidInput(
            _(
                "{value!r} is not a media type (type/subtype of letters, digits and !#$&^_.+-); "
                "e.g. text/plain"
            ).format(value=value),
            field="media_type",
        )
    return value.lower()


def read_file_bytes(
    path: str | os.PathLike[str],
    what: str = "",
    *,
    limit: int | None = None,
    limit_name: str = "RATSWEG_MAX_FILE_BYTES",
) -> bytes:
    """The content of a regular file of at most ``limit`` bytes (default
    :func:`max_file_bytes`; ``limit_name`` is the setting the message names).

    The file is opened without blocking and checked on the open handle, so a FIFO, a device
    such as ``/dev/zero`` or a directory is refused before anything is read.

    :raises InvalidInput: it does not exist, is no regular file, is too large or unreadable.
    """
    name = str(path)
    limit = max_file_bytes() if limit is None else limit
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        missing = (
            _("{what} {name!r} does not exist").format(what=_(what), name=name)
            if what
            else _("cannot read {name!r}: no such file").format(name=name)
        )
        raise InvalidInput(missing) from None
    except OSError as exc:
        raise _unreadable(name, exc) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
        os.close(fd)
    if stat.S_ISDIR(info.st_mode):
        raise InvalidInput(_("{name!r} is a directory; pass a file").format(name=name))
    if not stat.S_ISREG(info.st_mode):
        raise InvalidInput(
            _("{name!r} is not a regular file (a pipe or device); pass a file").format(name=name)
        )
    if info.st_size > limit:
        raise _too_large(name, limit, limit_name)
    with os.fdopen(fd, "rb", buffering=0) as handle:
        try:
            content = _read_at_most(handle, limit + 1)
        except OSError as exc:
            raise _unreadable(name, exc) from None
    if len(content) > limit:
        raise _too_large(name, limit, limit_name)
    return content


def _read_at_most(handle: Any, count: int) -> bytes:
    parts: list[bytes] = []
    left = count
    while left > 0:
        chunk = handle.read(min(left, 1024 * 1024))
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def _too_large(name: str, limit: int, limit_name: str) -> InvalidInput:
    return InvalidInput(
        _(
            "{name!r} is larger than {limit} bytes ({setting}); "
            "pass a smaller file or raise the limit"
        ).format(name=name, limit=limit, setting=limit_name)
    )


def _unreadable(name: str, exc: OSError) -> InvalidInput:
    reason = exc.strerror or str(exc)
    return InvalidInput(_("cannot read {name!r}: {reason}").format(name=name, reason=reason))


def read_text(path: str | Path, what: str = "file") -> str:
    """A UTF-8 text file (see :func:`read_file_bytes`) with its line ends made ``\\n``.

    :raises InvalidInput: as :func:`read_file_bytes`, or it is not UTF-8.
    """
    try:
        text = read_file_bytes(path, what).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(
            _("{what} {name!r} is not UTF-8; save it as UTF-8").format(what=_(what), name=str(path))
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def loads_json(data: str | bytes) -> Any:
    """``json.loads`` that reports too deep a nesting as broken JSON, not ``RecursionError``.

    :raises json.JSONDecodeError: the text is no JSON, or nested deeper than can be followed.
    :raises UnicodeDecodeError: the bytes are not UTF-8.
    """
    try:
        return json.loads(data)
    except RecursionError:
        raise json.JSONDecodeError(_("arrays or objects nested too deeply"), "", 0) from None
