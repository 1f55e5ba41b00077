"""What ``ratsweg web`` is configured with: flags, else the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass

from workflow.core.errors import InvalidInput
from workflow.core.i18n import _

_YES, _NO = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


@dataclass(frozen=True, slots=True, kw_only=True)
class WebSettings:
    """``body``: the municipality served (None: the only one). ``secure_cookie``: send the
    session cookie only over https (None: when the request came over https). ``origins``:
    the public origins of the app (``https://rat.example.de``) accepted on form posts besides
    the request's own, for a reverse proxy that rewrites the host."""

    body: str | None = None
    secure_cookie: bool | None = None
    origins: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, body: str | None = None) -> WebSettings:
        """RATSWEG_BODY, RATSWEG_WEB_SECURE_COOKIE (1/0; default: by the request's scheme),
        RATSWEG_WEB_ORIGINS (comma-separated)."""
        secure = os.environ.get("RATSWEG_WEB_SECURE_COOKIE", "").strip().lower()
        if secure not in _YES + _NO:
            raise InvalidInput(
                _("RATSWEG_WEB_SECURE_COOKIE must be one of {yes} or {no}, got {value!r}").format(
                    yes=", ".join(_YES), no=", ".join(_NO[1:]), value=secure
                )
            )
        origins = os.environ.get("RATSWEG_WEB_ORIGINS", "")
        return cls(
            body=body or os.environ.get("RATSWEG_BODY") or None,
            secure_cookie=None if not secure else secure in _YES,
            origins=tuple(o.strip().rstrip("/") for o in origins.split(",") if o.strip()),
        )
