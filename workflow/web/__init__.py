"""``ratsweg web``: the browser workplace (Starlette, Jinja2 templates, vendored htmx).

A thin client like ``workflow.cli``: every endpoint parses the request, calls one service
method with the logged-in user as ``user=`` and renders the result. Business rules and
permissions are the service's.
"""

from __future__ import annotations
