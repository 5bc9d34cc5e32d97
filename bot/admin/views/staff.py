"""The staff assistant pages: "Trợ lý cán bộ" (ask), internal documents, catalog changes.

Every signed-in user may ask (also on the staff Telegram bot, once an admin links their
Telegram id); only admins upload or delete documents. A document limited to a
department is invisible (404, not 403: its existence is not revealed) to everyone else but admins.
"""

from __future__ import annotations

import hmac
import json
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.admin.auth import checked_form, requires
from bot.admin.web import actor, back, flash, render
from bot.content import content
from bot.knowledge.changes import FIELD_LABELS
from bot.staff.assistant import StaffAssistant, can_see
from bot.staff.documents import MAX_BYTES, DocumentError
from bot.staff.store import DocumentInfo
from bot.staff.telegram import StaffTelegram
from bot.staff.telegram import render as render_telegram

_MEDIA = {"pdf": "application/pdf",
          "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          "txt": "text/plain; charset=utf-8"}
_CHANGES_LISTED = 300


def _assistant(request: Request) -> StaffAssistant:
    return request.app.state.staff


def _visible(request: Request, document_id: int) -> DocumentInfo:
    document = _assistant(request).store.document(document_id)
    if document is None or not can_see(request.state.user, document):
        raise HTTPException(404, "Không có văn bản này, hoặc bạn không được xem văn bản này.")
    return document


@requires("viewer")
async def ask_page(request: Request) -> Response:
    question = request.query_params.get("q", "").strip()
    answer = None
    if "q" in request.query_params:
        answer = await run_in_threadpool(_assistant(request).ask, question, request.state.user)
    return render(request, "staff.html", question=question, answer=answer,
                  field_labels=FIELD_LABELS)


@requires("viewer")
async def documents_page(request: Request) -> Response:
    user = request.state.user
    documents = [d for d in await run_in_threadpool(_assistant(request).store.documents)
                 if can_see(user, d)]
    return render(request, "staff_documents.html", documents=documents,
                  limit_mb=MAX_BYTES // 2**20)


@requires("admin")
async def upload(request: Request) -> Response:
    form = await checked_form(request)
    upload_file = form.get("file")
    filename, data = "", b""
    if isinstance(upload_file, UploadFile):
        filename = upload_file.filename or ""
        data = await upload_file.read(MAX_BYTES + 1)  # enough to know it is too big
    try:
        document_id, message = await run_in_threadpool(
            _assistant(request).upload, filename=filename, data=data,
            title=str(form.get("title", "")), number=str(form.get("number", "")),
            issued=str(form.get("issued", "")), department=str(form.get("department", "")),
            username=actor(request))
    except DocumentError as error:
        flash(request, error.message, "error")
        return back("/staff/documents")
    request.app.state.db.audit(actor(request), "staff.upload", f"{document_id}", None,
                               {"title": str(form.get("title", "")), "filename": filename,
                                "department": str(form.get("department", ""))})
    flash(request, message)
    return back("/staff/documents")


@requires("admin")
async def delete(request: Request) -> Response:
    await checked_form(request)
    document = await run_in_threadpool(_assistant(request).delete,
                                       int(request.path_params["document_id"]))
    if document is None:
        flash(request, "Không có văn bản này.", "error")
    else:
        request.app.state.db.audit(actor(request), "staff.delete", str(document.id),
                                   {"title": document.title, "number": document.number}, None)
        flash(request, content.text("staff.deleted", title=document.title))
    return back("/staff/documents")


@requires("viewer")
async def document_page(request: Request) -> Response:
    document = _visible(request, int(request.path_params["document_id"]))
    passages = await run_in_threadpool(_assistant(request).store.passages, document.id)
    return render(request, "staff_document.html", document=document, passages=passages)


@requires("viewer")
async def document_file(request: Request) -> Response:
    document = _visible(request, int(request.path_params["document_id"]))
    data = await run_in_threadpool(_assistant(request).store.file, document.id)
    # PDFs open in the browser (so "#page=N" lands on the page); others download.
    disposition = "inline" if document.kind == "pdf" else "attachment"
    return Response(data, media_type=_MEDIA[document.kind], headers={
        "content-disposition": f"{disposition}; filename*=UTF-8''{quote(document.filename)}"})


@requires("viewer")
async def changes_page(request: Request) -> Response:
    assistant = _assistant(request)
    params = request.query_params
    older = int(params["older"]) if params.get("older", "").isdigit() else None
    newer = int(params["newer"]) if params.get("newer", "").isdigit() else None
    snapshots = await run_in_threadpool(assistant.snapshots)
    try:
        diff = await run_in_threadpool(assistant.changes, older, newer)
    except KeyError:
        diff = None
    return render(request, "staff_changes.html", snapshots=snapshots, diff=diff,
                  listed=_CHANGES_LISTED, field_labels=FIELD_LABELS,
                  need_two=content.text("staff.changes_need_two", count=len(snapshots)))


async def telegram_webhook(request: Request) -> Response:
    """Updates of the staff Telegram bot: linked staff get the same answers as on /staff."""
    bot = StaffTelegram.from_env()
    if not bot.enabled:
        raise HTTPException(404)
    sent = request.headers.get("x-telegram-bot-api-secret-token", "")
    if not hmac.compare_digest(sent, bot.secret):
        raise HTTPException(403, "Sai mã bí mật của webhook.")
    try:
        update = json.loads(await request.body())
        message = update.get("message") or {}
        sender, chat = message["from"]["id"], message["chat"]["id"]
    except (ValueError, KeyError, TypeError, AttributeError):
        return JSONResponse({"ok": True})  # not a text message from a person: nothing to do
    text = str(message.get("text") or "")
    user = request.app.state.users.by_telegram(str(sender))
    if user is None:
        reply = content.text("staff.telegram_not_linked", telegram_id=sender)
    else:
        answer = await run_in_threadpool(_assistant(request).ask, text, user)
        reply = render_telegram(answer, bot.console_url)
    await run_in_threadpool(bot.send, chat, reply)
    return JSONResponse({"ok": True})


routes = [
    Route("/staff", ask_page),
    Route("/staff/documents", documents_page, methods=["GET"]),
    Route("/staff/documents", upload, methods=["POST"]),
    Route("/staff/documents/{document_id:int}", document_page),
    Route("/staff/documents/{document_id:int}/file", document_file),
    Route("/staff/documents/{document_id:int}/delete", delete, methods=["POST"]),
    Route("/staff/changes", changes_page),
    Route("/staff/telegram/webhook", telegram_webhook, methods=["POST"]),
]
