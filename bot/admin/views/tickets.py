"""Tickets (phản ánh, kiến nghị): filter, read, assign, change status with a note for the
citizen (who is told on their channel), and edit the category list. Every change is audited."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.admin.auth import checked_form, has_role, requires
from bot.admin.web import actor, back, flash, render
from bot.backoffice.config import Category, save_categories
from bot.backoffice.store import TICKET_STATUSES, TRANSITIONS, TicketFilter, TransitionError

STATUS_LABELS = {"new": "Mới", "in_progress": "Đang xử lý", "resolved": "Đã xử lý",
                 "rejected": "Từ chối"}
NOTE_LIMIT = 1000
KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def mask(contact: str) -> str:
    """Enough to recognise a contact, not to use it: 0912***678, t***@example.com."""
    if not contact:
        return ""
    if "@" in contact:
        name, _, domain = contact.partition("@")
        return f"{name[:1]}***@{domain}"
    return contact[:4] + "***" + contact[-3:] if len(contact) > 7 else "***"


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%d/%m/%Y %H:%M")


def _view(ticket: dict[str, Any], full_contact: bool) -> dict[str, Any]:
    return {**ticket, "created": _when(ticket["created_at"]),
            "updated": _when(ticket["updated_at"]),
            "contact_shown": ticket["contact"] if full_contact else mask(ticket["contact"])}


@requires("viewer")
async def ticket_list(request: Request) -> Response:
    params = request.query_params
    filters = TicketFilter(
        status=params.get("status", "") if params.get("status") in TICKET_STATUSES else "",
        category=params.get("category", "")[:64],
        date_from=params.get("date_from", "") if DATE.match(params.get("date_from", "")) else "",
        date_to=params.get("date_to", "") if DATE.match(params.get("date_to", "")) else "",
    )
    rows = await run_in_threadpool(request.app.state.desk.store.tickets, filters)
    categories = request.app.state.desk.categories()
    return render(request, "tickets.html", tickets=[_view(t, False) for t in rows],
                  filters=filters, labels=STATUS_LABELS, categories=categories,
                  titles={c.key: c.title for c in categories})


def _ticket(request: Request) -> dict[str, Any]:
    ticket = request.app.state.desk.store.ticket(request.path_params["code"])
    if ticket is None:
        raise HTTPException(404, "Không tìm thấy phản ánh.")
    return ticket


@requires("viewer")
async def ticket_page(request: Request) -> Response:
    ticket = _ticket(request)
    staff = [u["username"] for u in request.app.state.users.all()
             if has_role(u["role"], "editor")]
    history = [{**e, "when": _when(e["at"])} for e in
               request.app.state.desk.store.ticket_history(ticket["id"])]
    user = request.state.user
    return render(request, "ticket.html", ticket=_view(ticket, has_role(user["role"], "editor")),
                  history=history, labels=STATUS_LABELS, staff=staff,
                  moves=sorted(TRANSITIONS[ticket["status"]]),
                  titles={c.key: c.title for c in request.app.state.desk.categories()})


@requires("editor")
async def ticket_update(request: Request) -> Response:
    ticket = _ticket(request)
    form = await checked_form(request)
    status = str(form.get("status", "")).strip()
    note = " ".join(str(form.get("note", "")).split())[:NOTE_LIMIT]
    assignee = str(form.get("assignee", "")).strip()
    staff = {u["username"] for u in request.app.state.users.all()
             if has_role(u["role"], "editor")}
    if assignee and assignee not in staff:
        raise HTTPException(400, "Người được giao không phải cán bộ xử lý.")
    if status and status not in TICKET_STATUSES:
        raise HTTPException(400, "Trạng thái không hợp lệ.")
    try:
        after, outcome = await run_in_threadpool(request.app.state.desk.update_ticket,
                                                 ticket["code"], actor(request), status, note,
                                                 assignee)
    except TransitionError as error:
        flash(request, str(error), "error")
        return back(f"/tickets/{ticket['code']}")
    keys = ("status", "note", "assignee")
    request.app.state.db.audit(actor(request), "ticket.update", ticket["code"],
                               {k: ticket[k] for k in keys}, {k: after[k] for k in keys})
    flash(request, outcome.message, "ok" if outcome.ok else "error")
    return back(f"/tickets/{ticket['code']}")


@requires("viewer")
async def categories_page(request: Request) -> Response:
    return render(request, "ticket_categories.html", categories=request.app.state.desk.categories())


@requires("admin")
async def categories_save(request: Request) -> Response:
    """One category per line: `key | title`, with `| callback` on the callback category."""
    form = await checked_form(request)
    before = request.app.state.desk.categories()
    categories: list[Category] = []
    for number, line in enumerate(str(form.get("categories", "")).splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        key, title = parts[0], " ".join(parts[1:2]).strip() if len(parts) > 1 else ""
        if not KEY.match(key) or not title or len(title) > 100:
            flash(request, f"Dòng {number}: cần dạng 'ma-loai | Tên loại' (mã chữ thường, số, "
                           "gạch ngang; tên tối đa 100 ký tự).", "error")
            return back("/tickets/categories")
        categories.append(Category(key, title, len(parts) > 2 and parts[2] == "callback"))
    keys = [c.key for c in categories]
    used = {t["category"] for t in request.app.state.desk.store.tickets(limit=100_000)}
    missing = sorted(used - set(keys))
    if len(set(keys)) != len(keys) or not categories or missing:
        flash(request, "Danh sách trống, trùng mã, hoặc bỏ mất mã đang có phản ánh dùng: "
                       + ", ".join(missing), "error")
        return back("/tickets/categories")
    await run_in_threadpool(save_categories, categories,
                            request.app.state.desk.categories_file)
    request.app.state.db.audit(actor(request), "ticket.categories", "ticket_categories.yml",
                               [c.__dict__ for c in before], [c.__dict__ for c in categories])
    flash(request, "Đã lưu danh mục phản ánh.")
    return back("/tickets/categories")


routes = [
    Route("/tickets", ticket_list, methods=["GET"]),
    Route("/tickets/categories", categories_page, methods=["GET"]),
    Route("/tickets/categories", categories_save, methods=["POST"]),
    Route("/tickets/{code}", ticket_page, methods=["GET"]),
    Route("/tickets/{code}", ticket_update, methods=["POST"]),
]
