"""Erasing one citizen's conversation on request: one admin action, counted in the audit log."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.admin.auth import checked_form, requires
from bot.admin.web import actor, back, flash
from bot.privacy.retention import erase_and_record


@requires("admin")
async def erase_conversation(request: Request) -> Response:
    form = await checked_form(request)
    sender_id = str(form.get("sender_id", "")).strip()
    if not sender_id:
        flash(request, "Thiếu mã cuộc hội thoại.", "error")
        return back("/conversations")
    state = request.app.state
    events = await run_in_threadpool(erase_and_record, state.tracker_source, state.analytics,
                                     state.db, sender_id, actor(request))
    flash(request, f"Đã xoá cuộc hội thoại {sender_id} ({events} sự kiện). Việc xoá đã được ghi "
                   "vào nhật ký.")
    return back("/conversations")


routes = [Route("/privacy/erase", erase_conversation, methods=["POST"])]
