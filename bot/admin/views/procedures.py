"""Knowledge base pages: browse, search, edit procedures; import the national catalog."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.admin.auth import checked_form, requires
from bot.admin.procedures import LINE_FIELDS, TEXT_FIELDS, documents_text, methods_text
from bot.admin.web import actor, back, flash, render
from bot.knowledge.store import StoreError


@requires("viewer")
async def procedure_list(request: Request) -> Response:
    query = request.query_params.get("q", "")
    rows, total = await run_in_threadpool(request.app.state.procedures.search, query)
    return render(request, "procedures.html", rows=rows, total=total, q=query)


@requires("viewer")
async def procedure_page(request: Request) -> Response:
    code = request.path_params["code"]
    procedure, national = await run_in_threadpool(request.app.state.procedures.get, code)
    if procedure is None:
        raise HTTPException(404, f"Không có thủ tục mã {code}.")
    return render(request, "procedure.html", p=procedure, national=national,
                  methods=methods_text(procedure.methods),
                  documents=documents_text(procedure.documents))


@requires("editor")
async def save_procedure(request: Request) -> Response:
    code = request.path_params["code"]
    form = await checked_form(request)
    values = {k: str(form[k]) for k in (*TEXT_FIELDS, *LINE_FIELDS, "methods", "documents")
              if k in form}
    try:
        await run_in_threadpool(request.app.state.procedures.save, code, values, actor(request))
    except StoreError as error:
        flash(request, str(error), "error")
    else:
        flash(request, "Đã lưu thủ tục. Lần nhập danh mục sau sẽ không ghi đè nội dung này.")
    return back(f"/procedures/{code}")


@requires("viewer")
async def import_page(request: Request) -> Response:
    state = request.app.state
    return render(request, "import.html", job=state.procedures.job_status(),
                  catalog=state.settings.national_data / "catalog.csv")


@requires("admin")
async def start_import(request: Request) -> Response:
    await checked_form(request)
    try:
        request.app.state.procedures.start_import(actor(request))
    except StoreError as error:
        flash(request, str(error), "error")
    return back("/procedures-import")


@requires("viewer")
async def import_status(request: Request) -> Response:
    return JSONResponse(request.app.state.procedures.job_status())


routes = [
    Route("/procedures", procedure_list, methods=["GET"]),
    Route("/procedures-import", import_page, methods=["GET"]),
    Route("/procedures-import", start_import, methods=["POST"]),
    Route("/procedures-import/status", import_status, methods=["GET"]),
    Route("/procedures/{code}", procedure_page, methods=["GET"]),
    Route("/procedures/{code}", save_procedure, methods=["POST"]),
]
