"""``/anmelden/oidc`` and ``/anmelden/oidc/rueckkehr``: the login through the city's OpenID
Connect provider (Keycloak, ADFS, ...), when ``WebSettings.oidc`` configures one.

Authlib's Starlette client does the protocol: discovery from the issuer's
``.well-known/openid-configuration``, the authorization code flow with PKCE (S256), ``state``
and ``nonce``, and the ID token's signature checked against the provider's JWKS (with its
issuer, audience, expiry and nonce). Every request to the provider has a timeout.

Between the redirect to the provider and its return, ``state``, ``nonce`` and the PKCE
verifier live in a signed cookie (``ratsweg_oidc``: Starlette's ``SessionMiddleware`` on these
two routes only, path ``/anmelden/oidc``, HttpOnly, SameSite=Lax, ten minutes), signed with a
key derived from the client secret: it binds the return to the browser that set out (a link
with someone else's code fails the state check), works with any number of processes and needs
no table. The ID token's claim ``OidcSettings.claim`` names the ratsweg user; the session is
then opened by the service as at a password login (``accounts.log_in_verified``, audited).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
from typing import Any

import anyio.from_thread
import httpx2
from authlib.integrations.base_client.errors import MismatchingStateError
from authlib.integrations.starlette_client import OAuth, OAuthError
from joserfc.errors import JoseError
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from workflow.core.errors import LoginRefused
from workflow.core.i18n import _
from workflow.web.auth import current_session, local_path, set_session_cookie, web_of
from workflow.web.security import SESSION_COOKIE
from workflow.web.settings import OidcSettings

logger = logging.getLogger(__name__)

#: The cookie that carries state, nonce and PKCE verifier from the redirect to the return.
STATE_COOKIE, STATE_PATH, STATE_MAX_AGE = "ratsweg_oidc", "/anmelden/oidc", 600
#: The name of the provider in Authlib's registry (and in the cookie's keys).
CLIENT = "city"


class OidcClient:
    """Authlib's client for the configured provider (its metadata and keys are cached)."""

    def __init__(self, settings: OidcSettings) -> None:
        self.settings = settings
        oauth = OAuth()
        oauth.register(
            CLIENT,
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            server_metadata_url=settings.discovery_url,
            client_kwargs={
                "scope": settings.scope,
                "code_challenge_method": "S256",
                "timeout": settings.timeout,
            },
        )
        self.remote: Any = oauth.create_client(CLIENT)

    async def redirect(self, request: Request, redirect_uri: str) -> Response:
        """The redirect to the provider's authorization endpoint (state, nonce and verifier
        go into ``request.session``)."""
        await self.checked_metadata()
        response: Response = await self.remote.authorize_redirect(request, redirect_uri)
        return response

    async def claims(self, request: Request) -> dict[str, Any]:
        """The verified ID token claims of the provider's return to ``request``.

        :raises OAuthError: the provider refused, or the state is not this browser's.
        :raises JoseError: the ID token is missing or not valid (signature, issuer, audience,
            expiry, nonce).
        :raises httpx2.HTTPError: the provider did not answer (in time).
        """
        await self.checked_metadata()
        issuer = {"iss": {"essential": True, "values": [self.settings.issuer.rstrip("/")]}}
        token = await self.remote.authorize_access_token(request, claims_options=issuer)
        claims = token.get("userinfo")
        if not isinstance(claims, dict):
            raise JoseError("the token response has no ID token")
        return claims

    async def checked_metadata(self) -> None:
        """Discovery; its issuer must be the configured one (OpenID Connect Discovery 4.3)."""
        metadata = await self.remote.load_server_metadata()
        found = str(metadata.get("issuer") or "").rstrip("/")
        if found != self.settings.issuer.rstrip("/"):
            raise ValueError(f"discovery names issuer {found!r}")


def oidc_start(request: Request) -> Response:
    """On to the provider; ``next`` is kept for the return."""
    client = client_of(request)
    target = local_path(request.query_params.get("next"))
    if current_session(request) is not None:
        return RedirectResponse(target, status_code=303)
    redirect_uri = client.settings.redirect_uri or str(request.url_for("oidc_return"))
    try:
        response = anyio.from_thread.run(client.redirect, request, redirect_uri)
    except (httpx2.HTTPError, ValueError, KeyError, RuntimeError) as exc:
        logger.warning("OpenID Connect: the provider's discovery failed: %r", exc)
        return failed(request, target, 502, unreachable(client))
    request.session["next"] = target
    return response


def oidc_return(request: Request) -> Response:
    """The provider's return: the verified claim names the user, whose session opens."""
    web, client = web_of(request), client_of(request)
    target = local_path(str(request.session.get("next") or ""))
    try:
        claims = anyio.from_thread.run(functools.partial(client.claims, request))
    except MismatchingStateError:
        message = _("The login has expired or was started in another browser; please try again.")
        return failed(request, target, 400, message)
    except OAuthError as exc:
        logger.warning("OpenID Connect: the provider refused: %s", exc)
        message = _("{provider} refused the login ({error}).").format(
            provider=client.settings.label, error=str(exc.error or "error")[:64]
        )
        return failed(request, target, 400, message)
    except JoseError as exc:
        logger.warning("OpenID Connect: the ID token is not valid: %r", exc)
        web.service.accounts.record_refused_login(
            via="oidc", reason="invalid_token", address=address_of(request), body=web.settings.body
        )
        message = _("The answer of {provider} could not be verified; please try again.").format(
            provider=client.settings.label
        )
        return failed(request, target, 400, message)
    except (httpx2.HTTPError, ValueError, KeyError, RuntimeError) as exc:
        logger.warning("OpenID Connect: the provider failed: %r", exc)
        return failed(request, target, 502, unreachable(client))
    claimed = claims.get(client.settings.claim)
    try:
        login = web.service.accounts.log_in_verified(
            claimed if isinstance(claimed, str) else None,
            via="oidc",
            address=address_of(request),
            previous=request.cookies.get(SESSION_COOKIE),
            body=web.settings.body,
        )
    except LoginRefused as exc:
        return failed(request, target, 403, str(exc))
    request.session.clear()
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, login.session_id)
    return response


def address_of(request: Request) -> str:
    return request.client.host if request.client else ""


def unreachable(client: OidcClient) -> str:
    message = _("{provider} cannot be reached at the moment; please try again later.")
    return message.format(provider=client.settings.label)


def failed(request: Request, target: str, status: int, message: str) -> Response:
    """The login page again with ``message``; the flow's cookie is dropped."""
    request.session.clear()
    client = client_of(request)
    return web_of(request).pages.render(
        request, "login.html", None, status, next=target, error=message, oidc=client.settings.label
    )


def client_of(request: Request) -> OidcClient:
    client: OidcClient = request.app.state.oidc
    return client


def state_key(settings: OidcSettings) -> str:
    """The key that signs the flow's cookie, derived from the client secret (shared by all
    processes of the app, known to nobody else)."""
    secret = settings.client_secret.encode()
    return hmac.new(secret, b"ratsweg oidc state cookie", hashlib.sha256).hexdigest()


def routes_of(settings: OidcSettings | None, secure_cookie: bool | None) -> list[Route]:
    """The two routes with their cookie (none without a provider)."""
    if settings is None:
        return []
    state = Middleware(
        SessionMiddleware,
        secret_key=state_key(settings),
        session_cookie=STATE_COOKIE,
        max_age=STATE_MAX_AGE,
        path=STATE_PATH,
        same_site="lax",
        https_only=bool(secure_cookie),
    )
    return [
        Route("/anmelden/oidc", oidc_start, methods=["GET"], middleware=[state]),
        Route(
            "/anmelden/oidc/rueckkehr",
            oidc_return,
            methods=["GET"],
            name="oidc_return",
            middleware=[state],
        ),
    ]
