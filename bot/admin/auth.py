"""Passwords, roles, sessions and CSRF for the console.

Passwords are hashed with scrypt (stdlib) and a per-user salt; sessions live in a signed cookie
that expires after a period of inactivity; every form carries a per-session CSRF token.
Hardening (issue 9, docs/security.md):
- a cookie names a server-side session version; logout and a password change bump it, so a
  copied cookie stops working;
- failed logins are throttled per account and per client address;
- an unknown user costs one scrypt like a known one, so timing does not reveal usernames;
- logging in with the default password forces a password change before anything else;
- one password rule (MIN_PASSWORD) for bootstrap, the account page and the users page.
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

MIN_PASSWORD = 10
# Failed logins allowed per account and per client address within THROTTLE_WINDOW seconds.
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
THROTTLE_WINDOW = 15 * 60
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


# Verified against when the username is unknown, so both cases take one scrypt.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def password_problem(password: str) -> str:
    """Why a new password is refused ("" when it is fine): the one rule used everywhere."""
    if len(password) < MIN_PASSWORD:
        return f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự."
    if password == DEFAULT_ADMIN_PASSWORD:
        return "Không được dùng mật khẩu mặc định."
    return ""


def has_role(role: str, needed: str) -> bool:
    return ROLES.index(role) >= ROLES.index(needed)


_TABLES = """
CREATE TABLE IF NOT EXISTS session_versions (
    username TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS login_failures (
    key TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures (key, at);
"""


class Users:
    def __init__(self, db: AdminDB) -> None:
        self.db = db
        with db.connect() as conn:
            conn.executescript(_TABLES)
        db.path.chmod(0o600)  # password hashes and the audit log: this user only

    def get(self, username: str) -> dict[str, Any] | None:
        rows = self.db.query("SELECT * FROM users WHERE username = ?", (username,))
        return dict(rows[0]) if rows else None

    def all(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.db.query("SELECT username, role, department, telegram_id,"
                                               " created_at FROM users ORDER BY username")]

    def authenticate(self, username: str, password: str) -> dict[str, Any] | None:
        user = self.get(username)
        valid = verify_password(password, user["password_hash"] if user else _DUMMY_HASH)
        return user if user and valid else None

    # --- throttling -----------------------------------------------------------------------

    def throttled(self, username: str, address: str, now: float | None = None) -> bool:
        """True when the account or the address has failed too often recently."""
        since = (now or time.time()) - THROTTLE_WINDOW
        count = {key: int(self.db.query("SELECT count(*) FROM login_failures WHERE key = ? "
                                        "AND at > ?", (key, since))[0][0])
                 for key in (f"user:{username.lower()}", f"addr:{address}")}
        return (count[f"user:{username.lower()}"] >= MAX_FAILURES_PER_ACCOUNT
                or count[f"addr:{address}"] >= MAX_FAILURES_PER_ADDRESS)

    def record_failure(self, username: str, address: str, now: float | None = None) -> None:
        now = now or time.time()
        with self.db.connect() as conn:
            conn.execute("DELETE FROM login_failures WHERE at < ?", (now - THROTTLE_WINDOW,))
            conn.executemany("INSERT INTO login_failures (key, at) VALUES (?, ?)",
                             [(f"user:{username.lower()}", now), (f"addr:{address}", now)])

    def clear_failures(self, username: str) -> None:
        self.db.execute("DELETE FROM login_failures WHERE key = ?", (f"user:{username.lower()}",))

    # --- session versions -------------------------------------------------------------------

    def session_version(self, username: str) -> int:
        rows = self.db.query("SELECT version FROM session_versions WHERE username = ?",
                             (username,))
        return int(rows[0][0]) if rows else 0

    def revoke_sessions(self, username: str) -> None:
        """Every cookie issued so far for `username` stops working."""
        self.db.execute("INSERT INTO session_versions (username, version) VALUES (?, 1) "
                        "ON CONFLICT(username) DO UPDATE SET version = version + 1", (username,))

    def uses_default_password(self, user: dict[str, Any]) -> bool:
        return verify_password(DEFAULT_ADMIN_PASSWORD, user["password_hash"])

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
        self.revoke_sessions(username)

    def set_role(self, username: str, role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"Vai trò không hợp lệ: {role}")
        self.db.execute("UPDATE users SET role = ? WHERE username = ?", (role, username))

    def delete(self, username: str) -> None:
        self.db.execute("DELETE FROM users WHERE username = ?", (username,))
        self.revoke_sessions(username)  # a user re-created later must not inherit old cookies

    def bootstrap(self, settings: AdminSettings) -> None:
        """Create the first admin, and refuse a default password outside local runs."""
        if settings.initial_password and password_problem(settings.initial_password):
            raise SettingsError(
                f"ADMIN_PASSWORD bị từ chối: {password_problem(settings.initial_password)} / "
                f"ADMIN_PASSWORD refused: at least {MIN_PASSWORD} characters, not 'admin'.")
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
    users: Users = request.app.state.users
    request.session.update({"user": user["username"], "seen": time.time(),
                            "version": users.session_version(user["username"]),
                            "csrf": secrets.token_urlsafe(32)})
    if users.uses_default_password(user):
        request.session["must_change_password"] = True


def current_user(request: Request) -> dict[str, Any] | None:
    """The logged-in user, or None when there is no session or it has been idle too long."""
    username = request.session.get("user")
    if not username:
        return None
    settings: AdminSettings = request.app.state.settings
    if time.time() - float(request.session.get("seen", 0)) > settings.session_minutes * 60:
        request.session.clear()
        return None
    users: Users = request.app.state.users
    user = users.get(username)
    if user is None or request.session.get("version") != users.session_version(username):
        request.session.clear()  # deleted, logged out elsewhere, or password changed
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
            if request.session.get("must_change_password") and request.url.path != "/account":
                return RedirectResponse("/account", status_code=303)
            if not has_role(user["role"], role):
                raise HTTPException(403, "Bạn không có quyền thực hiện thao tác này.")
            request.state.user = user
            return await endpoint(request)

        return wrapper

    return decorator
