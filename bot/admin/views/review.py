"""Conversation review: browse and filter conversations, the "not understood" inbox, and
turning a user message into a training example in one click."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.admin.auth import checked_form, requires
from bot.admin.conversations import Filters
from bot.admin.training_data import DataError
from bot.admin.web import actor, back, flash, render
from bot.knowledge.store import StoreError


def _intents(request: Request) -> list[str]:
    return list(request.app.state.project.entries("intent"))


@requires("viewer")
async def conversation_list(request: Request) -> Response:
    tracker = request.app.state.tracker
    try:
        filters = Filters.from_query(request.query_params)
    except ValueError:
        filters = Filters()
        flash(request, "Độ tin cậy phải là số từ 0 đến 1.", "error")
    conversations = await run_in_threadpool(tracker.conversations, filters)
    messages = await run_in_threadpool(tracker.user_messages, filters, 200)
    return render(request, "conversations.html", conversations=conversations, messages=messages,
                  filters=filters, channels=tracker.channels(), intents=_intents(request))


@requires("viewer")
async def conversation_page(request: Request) -> Response:
    sender_id = request.path_params["sender_id"]
    turns = await run_in_threadpool(request.app.state.tracker.conversation, sender_id)
    return render(request, "conversation.html", sender_id=sender_id, turns=turns,
                  intents=_intents(request))


@requires("viewer")
async def inbox_page(request: Request) -> Response:
    project = request.app.state.project
    known = {e.lower() for entry in project.entries("intent").values() for e in entry.examples}
    items = await run_in_threadpool(request.app.state.tracker.inbox, known)
    return render(request, "inbox.html", items=items, intents=_intents(request),
                  total=sum(i["count"] for i in items))


@requires("editor")
async def add_example(request: Request) -> Response:
    """One click: a user's message becomes an example of the chosen intent."""
    form = await checked_form(request)
    text = " ".join(str(form.get("text", "")).split())
    intent = str(form.get("intent", "")).strip()
    target = str(form.get("back", "/inbox"))
    if not target.startswith("/") or target.startswith("//"):
        target = "/inbox"
    if not text or not intent:
        flash(request, "Hãy chọn ý định cho câu này.", "error")
        return back(target)
    try:
        await run_in_threadpool(request.app.state.project.add_examples, "intent", intent, [text])
    except DataError as error:
        flash(request, str(error), "error")
        return back(target)
    request.app.state.db.audit(actor(request), "data.intent.add_examples", intent, None, [text])
    flash(request, f"Đã thêm câu vào ý định {intent}. Nhớ huấn luyện lại để trợ lý học câu này.")
    return back(target)


@requires("editor")
async def add_alias(request: Request) -> Response:
    """One click: words citizens used become a name of a procedure the search knows."""
    form = await checked_form(request)
    code, text = str(form.get("code", "")).strip(), str(form.get("text", ""))
    try:
        procedure = await run_in_threadpool(request.app.state.procedures.add_alias, code, text,
                                            actor(request))
    except StoreError as error:
        flash(request, str(error), "error")
    else:
        flash(request, f"Đã thêm \"{' '.join(text.split())}\" làm tên gọi của thủ tục "
                       f"{procedure.name} (mã {procedure.code}). Trợ lý dùng ngay, không cần "
                       "huấn luyện lại.")
    return back("/inbox")


routes = [
    Route("/conversations", conversation_list, methods=["GET"]),
    Route("/conversations/{sender_id:path}", conversation_page, methods=["GET"]),
    Route("/inbox", inbox_page, methods=["GET"]),
    Route("/inbox", add_example, methods=["POST"]),
    Route("/inbox/alias", add_alias, methods=["POST"]),
]
