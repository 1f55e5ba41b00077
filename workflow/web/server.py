"""Serving the app with uvicorn: one process, or ``workers`` processes that each build the
app from the environment (``RATSWEG_DATABASE_URL``, ``RATSWEG_BODY``, ...)."""

from __future__ import annotations

import os

from starlette.applications import Starlette

from workflow.app import Settings, build_service
from workflow.web.app import create_app
from workflow.web.settings import WebSettings

#: The import string uvicorn's worker processes build the app from.
FACTORY = "workflow.web.server:app_from_env"


def app_from_env() -> Starlette:
    """The app as the environment configures it (each worker process calls this)."""
    settings = Settings.from_env()
    return create_app(build_service(settings), WebSettings.from_env(settings.body))


def serve(database: str | None, body: str | None, host: str, port: int, workers: int) -> None:
    """Run uvicorn until stopped. With more than one worker, each builds its own app."""
    import uvicorn

    if database:
        os.environ["RATSWEG_DATABASE_URL"] = database
    if body:
        os.environ["RATSWEG_BODY"] = body
    if workers > 1:
        uvicorn.run(FACTORY, factory=True, host=host, port=port, workers=workers)
        return
    uvicorn.run(app_from_env(), host=host, port=port)
