"""Helpers shared by the page handlers: rendering, flash messages, redirects."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.admin.auth import ROLE_LABELS, csrf_token, has_role


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    user = getattr(request.state, "user", None)
    context.update(
        user=user,
        csrf=csrf_token(request),
        flashes=request.session.pop("flash", []),
        can_edit=bool(user and has_role(user["role"], "editor")),
        is_admin=bool(user and has_role(user["role"], "admin")),
        role_labels=ROLE_LABELS,
    )
    return request.app.state.templates.TemplateResponse(request, template, context,
                                                        status_code=status_code)


def flash(request: Request, message: str, kind: str = "ok") -> None:
    request.session.setdefault("flash", [])
    request.session["flash"] = [*request.session["flash"], {"kind": kind, "text": message}]


def back(url: str) -> RedirectResponse:
    """Post/redirect/get: after a form, go to a page with 303 so reloads do not resubmit."""
    return RedirectResponse(url, status_code=303)


def actor(request: Request) -> str:
    return str(request.state.user["username"])
