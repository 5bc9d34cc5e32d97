"""Content pages: every message of data/content/*.yml, with a chat-like preview and checks.

Changes take effect in the assistant's next reply (bot/content.py re-reads changed files); only
the domain's utter_* responses (the "Câu trả lời" pages) need training.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.admin.auth import checked_form, requires
from bot.admin.content_admin import Message
from bot.admin.training_data import clean_lines
from bot.admin.web import actor, back, flash, render
from bot.admin.yamlio import DataError

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
BLANK_BUTTON_ROWS = 2


def _clean(value: object) -> str:
    return CONTROL.sub("", str(value or "").replace("\r\n", "\n").replace("\r", "\n")).strip()


def _url(file: str, key: str | None = None) -> str:
    return f"/content/{quote(file, safe='')}" + (f"/{quote(key, safe='')}" if key else "")


def _from_form(form, old: Message) -> Message:
    titles, payloads = form.getlist("button_title"), form.getlist("button_payload")
    pairs = zip(titles, payloads, strict=False)
    buttons = [{"title": _clean(t), "payload": _clean(p)} for t, p in pairs
               if _clean(t) or _clean(p)]
    return Message(
        old.file, old.key, _clean(form.get("text")), buttons,
        _clean(form.get("label")) if old.label is not None else None,
        clean_lines(str(form.get("phrases", ""))) if old.phrases is not None else None,
        old.note)


@requires("viewer")
async def content_list(request: Request) -> Response:
    admin = request.app.state.content
    query = request.query_params.get("q", "").strip().lower()
    messages = await run_in_threadpool(admin.all_messages)
    if query:
        messages = [m for m in messages
                    if query in m.address.lower() or query in m.text.lower()
                    or query in (m.label or "").lower()]
    return render(request, "content_list.html", messages=messages, files=admin.files(), q=query,
                  responses=len(request.app.state.project.responses()))


@requires("viewer")
async def content_file(request: Request) -> Response:
    admin = request.app.state.content
    file = request.path_params["file"]
    try:
        messages = await run_in_threadpool(admin.messages, file)
    except DataError as error:
        raise HTTPException(404, str(error)) from error
    return render(request, "content_list.html", messages=messages, files=admin.files(), q="",
                  file=file, responses=len(request.app.state.project.responses()))


@requires("viewer")
async def content_message(request: Request) -> Response:
    file, key = request.path_params["file"], request.path_params["key"]
    try:
        message = await run_in_threadpool(request.app.state.content.get, file, key)
    except DataError as error:
        raise HTTPException(404, str(error)) from error
    return render(request, "content_message.html", message=message, saved=message,
                  blank_rows=BLANK_BUTTON_ROWS, chat=request.app.state.content.chat(message))


@requires("editor")
async def save_message(request: Request) -> Response:
    file, key = request.path_params["file"], request.path_params["key"]
    admin = request.app.state.content
    form = await checked_form(request)
    url = _url(file, key)
    try:
        old = await run_in_threadpool(admin.get, file, key)
    except DataError as error:
        raise HTTPException(404, str(error)) from error
    operation = str(form.get("op", "save"))
    if operation == "delete":
        try:
            before = await run_in_threadpool(admin.delete, file, key)
        except DataError as error:
            flash(request, str(error), "error")
            return back(url)
        request.app.state.db.audit(actor(request), "content.delete", old.address, before, None)
        flash(request, f"Đã xoá '{old.address}'. Có hiệu lực ngay, không cần huấn luyện lại.")
        return back(_url(file))
    new = _from_form(form, old)
    if operation == "preview":
        try:
            admin.check(new, old)
            problem = ""
        except DataError as error:
            problem = str(error)
        return render(request, "content_message.html", message=new, saved=old,
                      blank_rows=BLANK_BUTTON_ROWS, previewing=True, problem=problem,
                      chat=admin.chat(new))
    try:
        before, after = await run_in_threadpool(admin.save, new)
    except DataError as error:
        flash(request, str(error), "error")
        return render(request, "content_message.html", status_code=400, message=new,
                      saved=old, blank_rows=BLANK_BUTTON_ROWS, problem=str(error),
                      chat=admin.chat(new))
    if before != after:
        request.app.state.db.audit(actor(request), "content.save", old.address, before, after)
    flash(request, "Đã lưu. Trợ lý dùng nội dung mới ngay từ câu trả lời tiếp theo, "
                   "không cần huấn luyện lại.")
    return back(url)


@requires("editor")
async def create_message(request: Request) -> Response:
    """A new sub-topic (button label, answer, phrases) or a plain message in one file."""
    file = request.path_params["file"]
    admin = request.app.state.content
    form = await checked_form(request)
    key = _clean(form.get("key"))
    label = _clean(form.get("label"))
    new = Message(file, key, _clean(form.get("text")), [], label or None,
                  clean_lines(str(form.get("phrases", ""))) if label else None)
    if not new.text:
        flash(request, "Hãy nhập nội dung.", "error")
        return back(_url(file))
    try:
        _before, after = await run_in_threadpool(admin.save, new, True)
    except DataError as error:
        flash(request, str(error), "error")
        return back(_url(file))
    request.app.state.db.audit(actor(request), "content.create", new.address, None, after)
    flash(request, f"Đã thêm '{new.address}'. Có hiệu lực ngay, không cần huấn luyện lại.")
    return back(_url(file, key))


routes = [
    Route("/content", content_list, methods=["GET"]),
    Route("/content/{file}", content_file, methods=["GET"]),
    Route("/content/{file}", create_message, methods=["POST"]),
    Route("/content/{file}/{key}", content_message, methods=["GET"]),
    Route("/content/{file}/{key}", save_message, methods=["POST"]),
]
