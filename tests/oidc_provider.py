"""A small real OpenID Connect provider for the tests: a Starlette app served by uvicorn on a
free port of 127.0.0.1 in a thread. It serves discovery, its JWKS (an RSA key made here),
``/authorize`` (approves ``claims`` at once and redirects back with code and state) and
``/token`` (checks the code, the redirect URI, the PKCE verifier and the client's secret, and
answers with an RS256-signed ID token carrying the nonce). Knobs make it misbehave: a wrong
nonce, a token signed with another key, an error instead of a code, a slow answer."""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import anyio
import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID, CLIENT_SECRET = "ratsweg", "ratsweg-client-secret"
KID = "test-key-1"


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str | None


@dataclass
class Provider:
    """The provider's state and its knobs (``reset`` between tests)."""

    issuer: str = ""
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": KID}))
    claims: dict[str, Any] = field(default_factory=dict)
    #: Sign the ID token with this key instead (same kid): a bad signature.
    sign_with: RSAKey | None = None
    #: Put this nonce into the ID token instead of the one asked for.
    nonce: str | None = None
    #: Answer /authorize with this error instead of a code.
    error: str | None = None
    #: Seconds /token waits before it answers.
    delay: float = 0.0
    grants: dict[str, Grant] = field(default_factory=dict)
    #: What /token was asked, for the assertions.
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def reset(self) -> None:
        self.claims = {"preferred_username": "clerk"}
        self.sign_with = self.nonce = self.error = None
        self.delay = 0.0
        self.grants.clear()
        self.token_requests.clear()

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
            ]
        )

    async def discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            }
        )

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        if (
            q.get("client_id") != CLIENT_ID
            or q.get("response_type") != "code"
            or "openid" not in str(q.get("scope", "")).split()
            or q.get("code_challenge_method") != "S256"
            or not q.get("code_challenge")
            or not q.get("redirect_uri")
            or not q.get("state")
        ):
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        back = {"state": q["state"]}
        if self.error:
            back["error"] = self.error
        else:
            code = secrets.token_urlsafe(16)
            self.grants[code] = Grant(
                CLIENT_ID, q["redirect_uri"], q["code_challenge"], q.get("nonce")
            )
            back["code"] = code
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode(back)}", status_code=302)

    async def token(self, request: Request) -> Response:
        if self.delay:
            await anyio.sleep(self.delay)
        form = {k: str(v) for k, v in (await request.form()).items()}
        self.token_requests.append(
            form | {"authorization": request.headers.get("authorization", "")}
        )
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.grants.pop(form.get("code", ""), None)
        if grant is None or form.get("grant_type") != "authorization_code":
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        verifier = form.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        if challenge.decode() != grant.challenge or form.get("redirect_uri") != grant.redirect_uri:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": "subject-1",
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce or grant.nonce,
        } | self.claims
        id_token = jwt.encode({"alg": "RS256", "kid": KID}, claims, self.sign_with or self.key)
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            }
        )


class Running:
    """``provider`` served on 127.0.0.1 until ``stop``."""

    def __init__(self, provider: Provider) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        port = self.sock.getsockname()[1]
        provider.issuer = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(provider.app(), log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test OpenID Connect provider did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


def free_port() -> int:
    """A port of 127.0.0.1 where nothing listens (a provider that is down)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
