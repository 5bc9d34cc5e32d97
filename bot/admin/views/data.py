"""Training data pages: intents and their examples, synonyms, lookup tables, responses."""

from __future__ import annotations

from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.admin.auth import checked_form, requires
from bot.admin.training_data import KIND_LABELS, KINDS, DataError, clean_lines
from bot.admin.web import actor, back, flash, render


def _kind(request: Request) -> str:
    kind = request.path_params["kind"]
    if kind not in KINDS:
        raise HTTPException(404, "Không có loại dữ liệu này.")
    return kind


def _entry_url(kind: str, name: str) -> str:
    return f"/data/{kind}/{quote(name, safe='')}"


@requires("viewer")
async def entry_list(request: Request) -> Response:
    kind = _kind(request)
    query = request.query_params.get("q", "")
    project = request.app.state.project
    entries = await run_in_threadpool(project.search, kind, query)
    return render(request, "entries.html", kind=kind, label=KIND_LABELS[kind], entries=entries,
                  q=query, kinds=KIND_LABELS)


@requires("viewer")
async def entry_page(request: Request) -> Response:
    kind = _kind(request)
    name = request.path_params["name"]
    project = request.app.state.project
    entry = project.entries(kind).get(name)
    if entry is None:
        raise HTTPException(404, f"Không tìm thấy '{name}'.")
    answer_name = project.direct_answer(name) if kind == "intent" else None
    answer = project.responses().get(answer_name or "", [])
    return render(request, "entry.html", kind=kind, label=KIND_LABELS[kind], entry=entry,
                  answer_name=answer_name, answer=answer[0].get("text", "") if answer else "")


async def _apply(request: Request, work, audit: tuple[str, str, object, object],
                 success: str, target: str, failure: str) -> Response:
    try:
        await run_in_threadpool(work)
    except DataError as error:
        flash(request, str(error), "error")
        return back(failure)
    request.app.state.db.audit(actor(request), *audit)
    flash(request, success)
    return back(target)


@requires("editor")
async def create_entry(request: Request) -> Response:
    kind = _kind(request)
    form = await checked_form(request)
    name = str(form.get("name", "")).strip()
    examples = clean_lines(str(form.get("examples", "")))
    answer = str(form.get("answer", "")).strip()
    project = request.app.state.project

    def work() -> None:
        if name in project.entries(kind):
            raise DataError(f"'{name}' đã có; hãy mở nó để thêm câu.")
        project.add_examples(kind, name, examples)
        if kind == "intent" and answer:
            project.set_direct_answer(name, answer)

    return await _apply(request, work, (f"data.{kind}.create", name, None,
                                        {"examples": examples, "answer": answer or None}),
                        f"Đã tạo '{name}'.", _entry_url(kind, name), f"/data/{kind}")


@requires("editor")
async def entry_action(request: Request) -> Response:
    kind = _kind(request)
    name = request.path_params["name"]
    form = await checked_form(request)
    project = request.app.state.project
    operation = str(form.get("op", ""))
    url = _entry_url(kind, name)
    file, old = str(form.get("file", "")), str(form.get("old", ""))
    if operation == "add":
        examples = clean_lines(str(form.get("examples", "")))
        return await _apply(request, lambda: project.add_examples(kind, name, examples),
                            (f"data.{kind}.add_examples", name, None, examples),
                            f"Đã thêm {len(examples)} câu.", url, url)
    if operation == "edit":
        new = str(form.get("new", "")).strip()
        return await _apply(request, lambda: project.replace_example(kind, name, file, old, new),
                            (f"data.{kind}.edit_example", f"{name} ({file})", old, new),
                            "Đã lưu câu ví dụ.", url, url)
    if operation == "remove":
        return await _apply(request, lambda: project.replace_example(kind, name, file, old, None),
                            (f"data.{kind}.remove_example", f"{name} ({file})", old, None),
                            "Đã xoá câu ví dụ.", url, url)
    if operation == "delete":
        entry = project.entries(kind).get(name)
        before = entry.files if entry else None
        return await _apply(request, lambda: project.delete_entry(kind, name),
                            (f"data.{kind}.delete", name, before, None),
                            f"Đã xoá '{name}'.", f"/data/{kind}", url)
    if operation == "answer" and kind == "intent":
        text = str(form.get("answer", "")).strip()
        if not text:
            flash(request, "Hãy nhập nội dung câu trả lời.", "error")
            return back(url)
        before = project.direct_answer(name)
        return await _apply(request, lambda: project.set_direct_answer(name, text),
                            ("data.answer.set", name, before, text),
                            "Đã lưu câu trả lời.", url, url)
    raise HTTPException(400, "Thao tác không hợp lệ.")


@requires("viewer")
async def response_list(request: Request) -> Response:
    query = request.query_params.get("q", "").lower()
    responses = request.app.state.project.responses()
    if query:
        responses = {k: v for k, v in responses.items()
                     if query in k.lower() or any(query in str(x.get("text", "")).lower()
                                                  for x in v)}
    return render(request, "responses.html", responses=responses, q=query)


@requires("viewer")
async def response_page(request: Request) -> Response:
    name = request.path_params["name"]
    variants = request.app.state.project.responses().get(name)
    if variants is None:
        raise HTTPException(404, f"Không tìm thấy câu trả lời '{name}'.")
    return render(request, "response.html", name=name, variants=variants)


@requires("editor")
async def save_response(request: Request) -> Response:
    form = await checked_form(request)
    name = str(form.get("name") or request.path_params.get("name", "")).strip()
    project = request.app.state.project
    url = f"/responses/{quote(name, safe='')}"
    if form.get("op") == "delete":
        try:
            before = await run_in_threadpool(project.delete_response, name)
        except DataError as error:
            flash(request, str(error), "error")
            return back(url)
        request.app.state.db.audit(actor(request), "data.response.delete", name, before, None)
        flash(request, f"Đã xoá '{name}'.")
        return back("/responses")
    texts = [str(v) for v in form.getlist("text")]
    is_new = "name" in form
    if is_new and name in project.responses():
        flash(request, f"'{name}' đã có; hãy mở nó để sửa.", "error")
        return back("/responses")
    try:
        change = await run_in_threadpool(project.save_response, name, texts)
    except DataError as error:
        flash(request, str(error), "error")
        return back("/responses" if is_new else url)
    request.app.state.db.audit(actor(request), "data.response.save", name, change["before"],
                               change["after"])
    flash(request, "Đã lưu câu trả lời.")
    return back(url)


routes = [
    Route("/data/{kind}", entry_list, methods=["GET"]),
    Route("/data/{kind}", create_entry, methods=["POST"]),
    Route("/data/{kind}/{name}", entry_page, methods=["GET"]),
    Route("/data/{kind}/{name}", entry_action, methods=["POST"]),
    Route("/responses", response_list, methods=["GET"]),
    Route("/responses", save_response, methods=["POST"]),
    Route("/responses/{name}", response_page, methods=["GET"]),
    Route("/responses/{name}", save_response, methods=["POST"]),
]
