"""Login, dashboard, users, settings and the audit log."""

from __future__ import annotations

import sqlite3

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.admin.auth import (
    ROLES,
    checked_form,
    current_user,
    login_session,
    password_problem,
    requires,
)
from bot.admin.web import actor, back, flash, render


async def login_page(request: Request) -> Response:
    request.state.user = current_user(request)
    if request.state.user:
        return back("/")
    return render(request, "login.html", next=request.query_params.get("next", "/"))


async def login(request: Request) -> Response:
    form = await checked_form(request)
    username = str(form.get("username", "")).strip()[:100]
    users = request.app.state.users
    address = request.client.host if request.client else "?"
    target = str(form.get("next", "/"))
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    request.state.user = None
    if await run_in_threadpool(users.throttled, username, address):
        return render(request, "login.html", status_code=429, next=target,
                      error="Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.")
    user = await run_in_threadpool(users.authenticate, username, str(form.get("password", "")))
    if user is None:
        await run_in_threadpool(users.record_failure, username, address)
        return render(request, "login.html", status_code=401, next=target,
                      error="Sai tên đăng nhập hoặc mật khẩu.")
    await run_in_threadpool(users.clear_failures, username)
    login_session(request, user)
    if request.session.get("must_change_password"):
        flash(request, "Bạn đang dùng mật khẩu mặc định: hãy đổi mật khẩu trước khi tiếp tục.",
              "error")
        return back("/account")
    return back(target)


async def logout(request: Request) -> Response:
    await checked_form(request)
    user = current_user(request)
    if user is not None:  # copies of this cookie stop working too
        await run_in_threadpool(request.app.state.users.revoke_sessions, user["username"])
    request.session.clear()
    return back("/login")


@requires("viewer")
async def dashboard(request: Request) -> Response:
    state = request.app.state
    models = state.models.all()
    active = next((m for m in models if m["active"]), None)
    known = {e.lower() for entry in state.project.entries("intent").values()
             for e in entry.examples}
    return render(request, "dashboard.html",
                  intents=len(state.project.entries("intent")),
                  responses=len(state.project.responses()),
                  active=active, latest=models[0] if models else None,
                  pending=state.models.pending_changes(),
                  inbox=len(state.tracker.inbox(known)),
                  procedures=state.procedures.count())


@requires("viewer")
async def account_page(request: Request) -> Response:
    return render(request, "account.html")


@requires("viewer")
async def change_own_password(request: Request) -> Response:
    form = await checked_form(request)
    users = request.app.state.users
    if not await run_in_threadpool(users.authenticate, actor(request),
                                   str(form.get("current", ""))):
        flash(request, "Mật khẩu hiện tại không đúng.", "error")
        return back("/account")
    new = str(form.get("new", ""))
    problem = password_problem(new)
    if problem:
        flash(request, problem, "error")
        return back("/account")
    await run_in_threadpool(users.set_password, actor(request), new)  # revokes all sessions
    request.app.state.db.audit(actor(request), "user.password", actor(request))
    login_session(request, users.get(actor(request)))  # ... except this one
    flash(request, "Đã đổi mật khẩu.")
    return back("/")


@requires("admin")
async def users_page(request: Request) -> Response:
    return render(request, "users.html", users=request.app.state.users.all(), roles=ROLES)


@requires("admin")
async def create_user(request: Request) -> Response:
    form = await checked_form(request)
    username = str(form.get("username", "")).strip()
    password, role = str(form.get("password", "")), str(form.get("role", "viewer"))
    problem = password_problem(password) or ("" if username else "Thiếu tên đăng nhập.")
    if not problem:
        try:
            await run_in_threadpool(request.app.state.users.create, username, password, role)
        except sqlite3.IntegrityError:
            problem = f"Tài khoản '{username}' đã tồn tại."
        except ValueError as error:
            problem = str(error)
    if problem:
        flash(request, problem, "error")
    else:
        department = str(form.get("department", "")).strip()
        if department:
            request.app.state.users.set_department(username, department)
        request.app.state.db.audit(actor(request), "user.create", username, None,
                                   {"role": role, "department": department})
        flash(request, f"Đã tạo tài khoản {username}.")
    return back("/users")


@requires("admin")
async def update_user(request: Request) -> Response:
    form = await checked_form(request)
    username = request.path_params["username"]
    users, db = request.app.state.users, request.app.state.db
    user = users.get(username)
    if user is None:
        flash(request, "Không có tài khoản này.", "error")
        return back("/users")
    operation = str(form.get("op", ""))
    if username == actor(request) and operation in ("role", "delete"):
        flash(request, "Không thể tự đổi vai trò hoặc xoá tài khoản của chính mình.", "error")
        return back("/users")
    if operation == "role":
        role = str(form.get("role", ""))
        try:
            users.set_role(username, role)
        except ValueError as error:
            flash(request, str(error), "error")
            return back("/users")
        db.audit(actor(request), "user.role", username, {"role": user["role"]}, {"role": role})
        flash(request, f"Đã đổi vai trò của {username}.")
    elif operation == "department":
        department = str(form.get("department", "")).strip()
        users.set_department(username, department)
        db.audit(actor(request), "user.department", username,
                 {"department": user.get("department", "")}, {"department": department})
        flash(request, f"Đã đổi phòng ban của {username}.")
    elif operation == "telegram":
        telegram_id = str(form.get("telegram_id", "")).strip()
        owner = users.by_telegram(telegram_id)
        if owner and owner["username"] != username:
            flash(request, f"Mã Telegram này đã liên kết với {owner['username']}.", "error")
            return back("/users")
        try:
            users.set_telegram(username, telegram_id)
        except ValueError as error:
            flash(request, str(error), "error")
            return back("/users")
        db.audit(actor(request), "user.telegram", username,
                 {"telegram_id": user.get("telegram_id", "")}, {"telegram_id": telegram_id})
        flash(request, f"Đã cập nhật liên kết Telegram của {username}.")
    elif operation == "password":
        password = str(form.get("password", ""))
        problem = password_problem(password)
        if problem:
            flash(request, problem, "error")
            return back("/users")
        await run_in_threadpool(users.set_password, username, password)
        db.audit(actor(request), "user.password", username)
        flash(request, f"Đã đặt lại mật khẩu cho {username}.")
    elif operation == "delete":
        users.delete(username)
        db.audit(actor(request), "user.delete", username, {"role": user["role"]}, None)
        flash(request, f"Đã xoá tài khoản {username}.")
    return back("/users")


@requires("admin")
async def settings_page(request: Request) -> Response:
    return render(request, "settings.html", settings=request.app.state.settings,
                  editors_deploy=request.app.state.db.get_setting("editors_deploy", "1") == "1")


@requires("admin")
async def save_settings(request: Request) -> Response:
    form = await checked_form(request)
    url = str(form.get("rasa_url", "")).strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        flash(request, "Địa chỉ máy chủ Rasa phải bắt đầu bằng http:// hoặc https://.", "error")
        return back("/settings")
    settings, db = request.app.state.settings, request.app.state.db
    if url != settings.rasa_url:
        db.audit(actor(request), "settings.change", "rasa_url", settings.rasa_url, url)
        db.set_setting("rasa_url", url)
        settings.rasa_url = url
    editors_deploy = "1" if form.get("editors_deploy") == "1" else "0"
    if editors_deploy != db.get_setting("editors_deploy", "1"):
        db.audit(actor(request), "settings.change", "editors_deploy",
                 db.get_setting("editors_deploy", "1"), editors_deploy)
        db.set_setting("editors_deploy", editors_deploy)
    flash(request, "Đã lưu cài đặt.")
    return back("/settings")


@requires("viewer")
async def audit_page(request: Request) -> Response:
    rows = request.app.state.db.query("SELECT * FROM audit ORDER BY id DESC LIMIT 300")
    return render(request, "audit.html", rows=rows)


routes = [
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/", dashboard),
    Route("/account", account_page, methods=["GET"]),
    Route("/account", change_own_password, methods=["POST"]),
    Route("/users", users_page, methods=["GET"]),
    Route("/users", create_user, methods=["POST"]),
    Route("/users/{username}", update_user, methods=["POST"]),
    Route("/settings", settings_page, methods=["GET"]),
    Route("/settings", save_settings, methods=["POST"]),
    Route("/audit", audit_page),
]
