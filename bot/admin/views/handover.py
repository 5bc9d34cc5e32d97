"""Handover queue: staff see waiting chats, take one, read its history live, reply, transfer and
close it. A background sweeper offers a callback to citizens nobody took in time."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.admin.auth import checked_form, has_role, requires
from bot.admin.web import actor, back, flash, render
from bot.backoffice.desk import Desk
from bot.backoffice.store import ACTIVE, CLOSED, EXPIRED, QUEUED
from bot.channels.push import PushError, reachability

STATUS_LABELS = {QUEUED: "Đang chờ", ACTIVE: "Đang xử lý", CLOSED: "Đã kết thúc",
                 EXPIRED: "Hết thời gian chờ"}


def _desk(request: Request) -> Desk:
    return request.app.state.desk


def _item(request: Request) -> dict[str, Any]:
    try:
        handover_id = int(request.path_params["handover_id"])
    except ValueError:
        raise HTTPException(404, "Không tìm thấy cuộc trò chuyện.") from None
    item = _desk(request).store.handover(handover_id)
    if item is None:
        raise HTTPException(404, "Không tìm thấy cuộc trò chuyện.")
    return item


def turns(tracker: dict[str, Any]) -> list[dict[str, Any]]:
    """Citizen, bot and staff messages of a tracker, oldest first."""
    out = []
    for event in tracker.get("events") or []:
        if event.get("event") not in ("user", "bot"):
            continue
        text = str(event.get("text") or "")
        if event["event"] == "user" and text.startswith("/"):
            continue  # a button's intent payload, not something the citizen typed
        staff = (event.get("metadata") or {}).get("staff")
        who = "user" if event["event"] == "user" else ("staff" if staff else "bot")
        out.append({"who": who, "staff": staff or "", "text": text,
                    "undelivered": bool((event.get("metadata") or {}).get("undelivered")),
                    "at": _when(float(event.get("timestamp") or 0))})
    return out


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%d/%m/%Y %H:%M:%S")


def _minutes(since: float | None) -> int:
    return int((time.time() - (since or time.time())) // 60)


def _staff(request: Request) -> list[str]:
    return [u["username"] for u in request.app.state.users.all()
            if has_role(u["role"], "editor")]


@requires("viewer")
async def queue_page(request: Request) -> Response:
    store = _desk(request).store
    waiting = await run_in_threadpool(store.handovers, (QUEUED,))
    active = await run_in_threadpool(store.handovers, (ACTIVE,))
    recent = await run_in_threadpool(store.handovers, (CLOSED, EXPIRED), 30)
    for item in waiting:
        item["waited"] = _minutes(item["created_at"])
    for item in active:
        item["waited"] = _minutes(item["taken_at"])
    schedule = _desk(request).schedule()
    return render(request, "handover_queue.html", waiting=waiting, active=active, recent=recent,
                  labels=STATUS_LABELS, open_now=schedule.is_open(), hours=schedule.describe(),
                  timeout=schedule.queue_timeout_minutes)


@requires("viewer")
async def handover_page(request: Request) -> Response:
    item = _item(request)
    desk = _desk(request)
    error = ""
    tracker: dict[str, Any] = {}
    try:
        tracker = await run_in_threadpool(desk.rasa.tracker, item["sender_id"])
    except PushError as exc:
        error = str(exc)
    reach = reachability(tracker, item["sender_id"])
    mine = item["status"] == ACTIVE and item["agent"] == actor(request)
    return render(request, "handover.html", item=item, turns=turns(tracker), error=error,
                  reach=reach, mine=mine, labels=STATUS_LABELS,
                  colleagues=[u for u in _staff(request) if u != actor(request)],
                  log=[{**entry, "when": _when(entry["at"])} for entry in
                       await run_in_threadpool(desk.store.handover_log, item["id"])])


@requires("viewer")
async def handover_messages(request: Request) -> Response:
    """The history as JSON, polled by the page so the citizen's messages appear live."""
    item = _item(request)
    try:
        tracker = await run_in_threadpool(_desk(request).rasa.tracker, item["sender_id"])
    except PushError as exc:
        return JSONResponse({"error": str(exc)}, status_code=502)
    current = _desk(request).store.handover(item["id"]) or item
    return JSONResponse({"status": current["status"], "turns": turns(tracker)})


def _action(name: str):
    @requires("editor")
    async def endpoint(request: Request) -> Response:
        item = _item(request)
        form = await checked_form(request)
        desk, me = _desk(request), actor(request)
        if name == "take":
            outcome = await run_in_threadpool(desk.take, item["id"], me)
        elif name == "reply":
            outcome = await run_in_threadpool(desk.reply, item["id"], me,
                                              str(form.get("text", "")))
        elif name == "transfer":
            to_agent = str(form.get("to", ""))
            if to_agent not in _staff(request):
                raise HTTPException(400, "Người nhận không phải cán bộ xử lý.")
            outcome = await run_in_threadpool(desk.transfer, item["id"], me, to_agent)
        else:
            outcome = await run_in_threadpool(desk.close, item["id"], me)
        if name != "reply" and outcome.ok:
            request.app.state.db.audit(me, f"handover.{name}", item["sender_id"],
                                       {"status": item["status"], "agent": item["agent"]},
                                       desk.store.handover(item["id"]))
        flash(request, outcome.message, "ok" if outcome.ok else "error")
        return back(f"/handover/{item['id']}")

    return endpoint


routes = [
    Route("/handover", queue_page, methods=["GET"]),
    Route("/handover/{handover_id}", handover_page, methods=["GET"]),
    Route("/handover/{handover_id}/messages", handover_messages, methods=["GET"]),
    *[Route(f"/handover/{{handover_id}}/{name}", _action(name), methods=["POST"])
      for name in ("take", "reply", "transfer", "close")],
]
