"""The console's ASGI app: Starlette routes, Jinja2 pages (autoescaped), signed-cookie sessions."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.admin.analytics import Analytics
from bot.admin.auth import Users, current_user
from bot.admin.content_admin import ContentAdmin
from bot.admin.conversations import TrackerReader
from bot.admin.deploy import ModelRegistry
from bot.admin.procedures import ProcedureAdmin
from bot.admin.settings import AdminSettings
from bot.admin.storage import AdminDB
from bot.admin.tracker_source import TrackerSource
from bot.admin.training_data import ProjectData
from bot.admin.views import account, data, deploy, handover, procedures, review, staff, tickets
from bot.admin.views import analytics as analytics_views
from bot.admin.views import content as content_views
from bot.admin.views import privacy as privacy_views
from bot.admin.web import render
from bot.backoffice.desk import Desk
from bot.backoffice.store import Store, database_url
from bot.channels.push import RasaConversations
from bot.privacy.retention import run_daily
from bot.staff.assistant import StaffAssistant

HERE = Path(__file__).parent
logger = logging.getLogger(__name__)
SECURITY_HEADERS = {
    b"content-security-policy": b"default-src 'self'; script-src 'self'; style-src 'self'; "
                                b"img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; "
                                b"base-uri 'none'; form-action 'self'",
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"same-origin",
    b"x-frame-options": b"DENY",
}


class SecurityHeaders:
    """No inline scripts may run (CSP), so a message containing HTML/JS stays inert."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(SECURITY_HEADERS.items())
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers if scope["type"] == "http" else send)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    request.state.user = current_user(request) if "session" in request.scope else None
    return render(request, "error.html", status_code=exc.status_code, message=exc.detail)


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("Analytics fold at start-up failed: %s", task.exception())


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """While the console serves: the back-office sweeper (queue timeouts); the retention purge,
    at start and then once a day; and a first fold of the tracker store into the analytics
    summary (that of a big store takes a while; a page view would otherwise wait for it)."""
    state = app.state
    sweeper = asyncio.create_task(state.desk.sweep_forever(state.sweep_seconds))
    fold = asyncio.create_task(asyncio.to_thread(state.analytics.refresh))
    fold.add_done_callback(_log_failure)
    purge = asyncio.create_task(run_daily(state.tracker_source, state.analytics, state.db,
                                          state.settings.retention_days))
    try:
        yield
    finally:
        sweeper.cancel()
        purge.cancel()


def create_app(settings: AdminSettings | None = None) -> Starlette:
    settings = settings or AdminSettings.from_env()
    db = AdminDB(settings.admin_db)
    stored_url = db.get_setting("rasa_url")
    if stored_url:
        settings.rasa_url = stored_url
    users = Users(db)
    users.bootstrap(settings)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    routes = [
        *account.routes, *data.routes, *deploy.routes, *review.routes, *procedures.routes,
        *content_views.routes, *analytics_views.routes, *privacy_views.routes,
        *staff.routes,
        *handover.routes, *tickets.routes,
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(SessionMiddleware, secret_key=settings.ensure_secret_key(),
                       session_cookie="admin_session", max_age=settings.session_minutes * 60,
                       same_site="strict", https_only=settings.https_only),
        ],
        exception_handlers={HTTPException: http_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.users = users
    app.state.templates = templates
    app.state.project = ProjectData(settings.root)
    app.state.models = ModelRegistry(settings, db)
    app.state.models.mark_interrupted()
    app.state.tracker = TrackerReader(settings.tracker_db_url)
    app.state.procedures = ProcedureAdmin(settings, db)
    app.state.content = ContentAdmin(settings.root / "data" / "content",
                                     app.state.project.domain_intents)
    app.state.tracker_source = TrackerSource(settings.tracker_db_url)
    app.state.analytics = Analytics(app.state.tracker_source, settings.analytics_db)
    app.state.staff = StaffAssistant(settings.staff_db, settings.knowledge_db)
    app.state.desk = Desk(Store(database_url(settings.var_dir / "backoffice.db")),
                          RasaConversations(settings.rasa_url,
                                            (settings.rasa_params() or {}).get("token", "")))
    app.state.sweep_seconds = float(os.environ.get("BACKOFFICE_SWEEP_SECONDS") or 15)
    return app
