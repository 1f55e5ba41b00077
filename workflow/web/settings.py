"""What ``ratsweg web`` is configured with: flags, else the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from workflow.core.errors import InvalidInput
from workflow.core.i18n import _

_YES, _NO = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


#: Hosts whose issuer may be plain http (a provider on the same machine, e.g. in tests).
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True, slots=True, kw_only=True)
class OidcSettings:
    """A city's OpenID Connect provider (Keycloak, ADFS, ...): ``issuer`` (its
    ``.well-known/openid-configuration`` lies below it), the client registered there,
    ``claim``: the ID token claim that holds the ratsweg user id, ``label``: the provider's
    name on the login button, ``scope``: what is asked for (must include ``openid``),
    ``redirect_uri``: the callback registered at the provider (None: from the request's URL),
    ``timeout``: seconds for each request to the provider."""

    issuer: str
    client_id: str
    client_secret: str
    claim: str = "preferred_username"
    label: str = "Single Sign-On"
    scope: str = "openid profile"
    redirect_uri: str | None = None
    timeout: float = 10.0

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    @classmethod
    def from_env(cls) -> OidcSettings | None:
        """RATSWEG_OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET (all three, or none: then no
        OpenID Connect login), _CLAIM, _LABEL, _SCOPE, _REDIRECT_URI, _TIMEOUT."""
        env = {
            key: os.environ.get(f"RATSWEG_OIDC_{key}", "").strip()
            for key in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET", "CLAIM", "LABEL", "SCOPE")
            + ("REDIRECT_URI", "TIMEOUT")
        }
        required = ("ISSUER", "CLIENT_ID", "CLIENT_SECRET")
        if not any(env[key] for key in required):
            return None
        missing = [f"RATSWEG_OIDC_{key}" for key in required if not env[key]]
        if missing:
            raise InvalidInput(
                _("OpenID Connect needs {names} as well").format(names=", ".join(missing))
            )
        try:
            timeout = float(env["TIMEOUT"] or 10)
        except ValueError:
            timeout = -1.0
        if not 0 < timeout <= 60:
            raise InvalidInput(
                _(
                    "RATSWEG_OIDC_TIMEOUT must be a number of seconds above 0 and at most 60, got {value!r}"
                ).format(value=env["TIMEOUT"])
            )
        optional = {key.lower(): env[key] for key in ("CLAIM", "LABEL", "SCOPE") if env[key]}
        settings = cls(
            issuer=env["ISSUER"],
            client_id=env["CLIENT_ID"],
            client_secret=env["CLIENT_SECRET"],
            redirect_uri=env["REDIRECT_URI"] or None,
            timeout=timeout,
            **optional,
        )
        settings.check()
        return settings

    def check(self) -> None:
        """:raises InvalidInput: the issuer is not https (plain http only on this machine),
        the redirect URI is no http(s) URL, or the scope lacks ``openid``."""
        issuer = urlsplit(self.issuer)
        local = issuer.scheme == "http" and issuer.hostname in _LOOPBACK
        if not (issuer.scheme == "https" or local) or not issuer.hostname:
            raise InvalidInput(
                _("RATSWEG_OIDC_ISSUER must be an https URL, got {value!r}").format(
                    value=self.issuer
                )
            )
        redirect = urlsplit(self.redirect_uri or "https://x")
        if redirect.scheme not in ("http", "https") or not redirect.hostname:
            raise InvalidInput(
                _("RATSWEG_OIDC_REDIRECT_URI must be an http(s) URL, got {value!r}").format(
                    value=self.redirect_uri
                )
            )
        if "openid" not in self.scope.split():
            raise InvalidInput(
                _("RATSWEG_OIDC_SCOPE must include openid, got {value!r}").format(value=self.scope)
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class WebSettings:
    """``body``: the municipality served (None: the only one). ``secure_cookie``: send the
    session cookie only over https (None: when the request came over https). ``origins``:
    the public origins of the app (``https://rat.example.de``) accepted on form posts besides
    the request's own, for a reverse proxy that rewrites the host. ``oidc``: the city's
    OpenID Connect provider (None: password logins only)."""

    body: str | None = None
    secure_cookie: bool | None = None
    origins: tuple[str, ...] = ()
    oidc: OidcSettings | None = None

    @classmethod
    def from_env(cls, body: str | None = None) -> WebSettings:
        """RATSWEG_BODY, RATSWEG_WEB_SECURE_COOKIE (1/0; default: by the request's scheme),
        RATSWEG_WEB_ORIGINS (comma-separated), RATSWEG_OIDC_* (see ``OidcSettings``)."""
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
            oidc=OidcSettings.from_env(),
        )
