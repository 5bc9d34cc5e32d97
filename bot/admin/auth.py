"""Passwords, roles, sessions and CSRF for the console.

Passwords are hashed with scrypt (stdlib) and a per-user salt; sessions live in a signed cookie
that expires after a period of inactivity; every form carries a per-session CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.admin.settings import (
    DEFAULT_ADMIN_PASSWORD,
    DEFAULT_ADMIN_USER,
    AdminSettings,
    SettingsError,
)
from bot.admin.storage import AdminDB, now_iso

ROLES = ("viewer", "editor", "admin")
ROLE_LABELS = {"viewer": "Người xem", "editor": "Biên tập viên", "admin": "Quản trị viên"}
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), dklen=32,
                               n=int(n), r=_SCRYPT["r"], p=_SCRYPT["p"])
    return hmac.compare_digest(candidate.hex(), digest)


def has_role(role: str, needed: str) -> bool:
    return ROLES.index(role) >= ROLES.index(needed)


class Users:
    def __init__(self, db: AdminDB) -> None:
        self.db = db

    def get(self, username: str) -> dict[str, Any] | None:
        rows = self.db.query("SELECT * FROM users WHERE username = ?", (username,))
        return dict(rows[0]) if rows else None

    def all(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.db.query("SELECT username, role, department, telegram_id,"
                                               " created_at FROM users ORDER BY username")]

    def authenticate(self, username: str, password: str) -> dict[str, Any] | None:
        user = self.get(username)
        if user and verify_password(password, user["password_hash"]):
            return user
        return None

    def create(self, username: str, password: str, role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"Vai trò không hợp lệ: {role}")
        self.db.execute("INSERT INTO users (username, password_hash, role, created_at) "
                        "VALUES (?, ?, ?, ?)", (username, hash_password(password), role, now_iso()))

    def set_department(self, username: str, department: str) -> None:
        """The department whose internal documents the user may read ("" = only shared ones)."""
        self.db.execute("UPDATE users SET department = ? WHERE username = ?",
                        (department.strip(), username))

    def set_telegram(self, username: str, telegram_id: str) -> None:
        """Link a Telegram user id for the staff assistant bot ("" unlinks)."""
        if telegram_id and not telegram_id.isdigit():
            raise ValueError("Mã Telegram chỉ gồm chữ số.")
        self.db.execute("UPDATE users SET telegram_id = ? WHERE username = ?",
                        (telegram_id, username))

    def by_telegram(self, telegram_id: str) -> dict[str, Any] | None:
        if not telegram_id:
            return None
        rows = self.db.query("SELECT * FROM users WHERE telegram_id = ?", (telegram_id,))
        return dict(rows[0]) if rows else None

    def set_password(self, username: str, password: str) -> None:
        self.db.execute("UPDATE users SET password_hash = ? WHERE username = ?",
                        (hash_password(password), username))

    def set_role(self, username: str, role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"Vai trò không hợp lệ: {role}")
        self.db.execute("UPDATE users SET role = ? WHERE username = ?", (role, username))

    def delete(self, username: str) -> None:
        self.db.execute("DELETE FROM users WHERE username = ?", (username,))

    def bootstrap(self, settings: AdminSettings) -> None:
        """Create the first admin, and refuse a default password outside local runs."""
        if not self.all():
            password = settings.initial_password or DEFAULT_ADMIN_PASSWORD
            self.create(DEFAULT_ADMIN_USER, password, "admin")
            self.db.audit("system", "user.create", DEFAULT_ADMIN_USER, None, {"role": "admin"})
        if settings.is_local:
            return
        weak = [u["username"] for u in self.db.query("SELECT * FROM users")
                if verify_password(DEFAULT_ADMIN_PASSWORD, u["password_hash"])]
        if weak:
            raise SettingsError(
                f"Từ chối khởi động: tài khoản {', '.join(weak)} vẫn dùng mật khẩu mặc định "
                f"trong môi trường '{settings.env}'. Đặt ADMIN_PASSWORD=<mật khẩu mạnh> cho lần "
                "chạy đầu, hoặc đổi mật khẩu khi chạy với ADMIN_ENV=local. / Refusing to start: "
                "default admin password outside a local run."
            )


# --- sessions -------------------------------------------------------------------------------

def login_session(request: Request, user: dict[str, Any]) -> None:
    request.session.clear()
    request.session.update({"user": user["username"], "seen": time.time(),
                            "csrf": secrets.token_urlsafe(32)})


def current_user(request: Request) -> dict[str, Any] | None:
    """The logged-in user, or None when there is no session or it has been idle too long."""
    username = request.session.get("user")
    if not username:
        return None
    settings: AdminSettings = request.app.state.settings
    if time.time() - float(request.session.get("seen", 0)) > settings.session_minutes * 60:
        request.session.clear()
        return None
    user = request.app.state.users.get(username)
    if user is None:
        request.session.clear()
        return None
    request.session["seen"] = time.time()
    return user


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def checked_form(request: Request) -> FormData:
    """The POSTed form, after checking its CSRF token against the session's."""
    form = await request.form()
    sent = str(form.get("csrf_token", "")) or request.headers.get("x-csrf-token", "")
    expected = request.session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent, expected):
        raise HTTPException(403, "Phiên làm việc không hợp lệ (CSRF). Hãy tải lại trang.")
    return form


Endpoint = Callable[[Request], Awaitable[Response]]


def requires(role: str) -> Callable[[Endpoint], Endpoint]:
    """Route decorator: log in first, and have at least `role`."""

    def decorator(endpoint: Endpoint) -> Endpoint:
        @wraps(endpoint)
        async def wrapper(request: Request) -> Response:
            user = current_user(request)
            if user is None:
                return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
            if not has_role(user["role"], role):
                raise HTTPException(403, "Bạn không có quyền thực hiện thao tác này.")
            request.state.user = user
            return await endpoint(request)

        return wrapper

    return decorator
