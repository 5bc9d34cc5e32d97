"""Train, evaluate, activate and roll back models."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.admin.auth import checked_form, has_role, requires
from bot.admin.deploy import INTERRUPTED_MESSAGE, DeployError
from bot.admin.web import actor, back, flash, render


@requires("viewer")
async def models_page(request: Request) -> Response:
    registry = request.app.state.models
    models = registry.all()
    status = await run_in_threadpool(registry.server_status)
    return render(request, "models.html", models=models, can_deploy=deploy_allowed(request),
                  pending=registry.pending_changes(),
                  active=next((m for m in models if m["active"]), None), busy=registry.busy(),
                  server=status, activations=registry.activations(),
                  has_heldout=bool(registry.heldout_files()))


@requires("viewer")
async def model_page(request: Request) -> Response:
    registry = request.app.state.models
    try:
        model = registry.get(int(request.path_params["model_id"]))
    except DeployError as error:
        flash(request, str(error), "error")
        return back("/models")
    active = next((m for m in registry.all() if m["active"]), None)
    return render(request, "model.html", model=model, active=active,
                  can_deploy=deploy_allowed(request), interrupted_message=INTERRUPTED_MESSAGE)


@requires("viewer")
async def model_log(request: Request) -> Response:
    registry = request.app.state.models
    model_id = int(request.path_params["model_id"])
    try:
        offset = max(0, int(request.query_params.get("offset", "0")))
        text, offset = registry.read_log(model_id, offset)
        model = registry.get(model_id)
    except (DeployError, ValueError):
        return JSONResponse({"error": "not found"}, status_code=404)
    return JSONResponse({"text": text, "offset": offset, "status": model["status"],
                         "running": registry.busy(), "evaluation": model["evaluation"]})


def deploy_allowed(request: Request) -> bool:
    """Admins always deploy; editors too unless an admin turned that off in the settings."""
    role = request.state.user["role"]
    return has_role(role, "admin") or (
        has_role(role, "editor") and request.app.state.db.get_setting("editors_deploy", "1") == "1")


def _refuse(request: Request, url: str) -> Response:
    flash(request, "Chỉ quản trị viên được huấn luyện/kích hoạt mô hình (theo cài đặt).", "error")
    return back(url)


@requires("editor")
async def train(request: Request) -> Response:
    await checked_form(request)
    if not deploy_allowed(request):
        return _refuse(request, "/models")
    try:
        model_id = request.app.state.models.start_training(actor(request))
    except DeployError as error:
        flash(request, str(error), "error")
        return back("/models")
    return back(f"/models/{model_id}")


@requires("editor")
async def model_action(request: Request) -> Response:
    form = await checked_form(request)
    registry = request.app.state.models
    model_id = int(request.path_params["model_id"])
    if not deploy_allowed(request):
        return _refuse(request, f"/models/{model_id}")
    operation = str(form.get("op", ""))
    try:
        if operation == "evaluate":
            registry.start_evaluation(model_id, actor(request))
            flash(request, "Đang đánh giá trên bộ câu kiểm tra…")
        elif operation == "activate":
            await run_in_threadpool(registry.activate, model_id, actor(request))
            flash(request, "Đã kích hoạt mô hình; trợ lý đang dùng phiên bản này.")
        else:
            flash(request, "Thao tác không hợp lệ.", "error")
    except DeployError as error:
        flash(request, str(error), "error")
    return back(f"/models/{model_id}")


@requires("editor")
async def rollback(request: Request) -> Response:
    await checked_form(request)
    if not deploy_allowed(request):
        return _refuse(request, "/models")
    try:
        model_id = await run_in_threadpool(request.app.state.models.rollback, actor(request))
        flash(request, f"Đã quay lại phiên bản #{model_id}.")
    except DeployError as error:
        flash(request, str(error), "error")
    return back("/models")


routes = [
    Route("/models", models_page, methods=["GET"]),
    Route("/models/train", train, methods=["POST"]),
    Route("/models/rollback", rollback, methods=["POST"]),
    Route("/models/{model_id:int}", model_page, methods=["GET"]),
    Route("/models/{model_id:int}", model_action, methods=["POST"]),
    Route("/models/{model_id:int}/log", model_log, methods=["GET"]),
]
