"""Login, roles, CSRF, session expiry and the default-password guard."""

from __future__ import annotations

import time

import pytest
from starlette.testclient import TestClient

from bot.admin.app import create_app
from bot.admin.auth import hash_password, verify_password
from bot.admin.settings import AdminSettings, SettingsError
from tests.admin.conftest import csrf_of, login


def test_password_hash_is_salted_and_verifies() -> None:
    first, second = hash_password("bí mật"), hash_password("bí mật")
    assert first != second and "bí mật" not in first
    assert verify_password("bí mật", first)
    assert not verify_password("bi mat", first)


def test_pages_need_login(app) -> None:
    client = TestClient(app)
    response = client.get("/data/intent", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_wrong_password_is_refused(app) -> None:
    client = TestClient(app)
    page = client.get("/login")
    response = client.post("/login", data={"username": "admin", "password": "sai",
                                           "csrf_token": csrf_of(page.text)})
    assert response.status_code == 401
    assert "Sai tên đăng nhập" in response.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_viewer_reads_but_cannot_change_anything(as_role, project) -> None:
    viewer = as_role("viewer")
    assert viewer.get("/data/intent").status_code == 200
    before = (project / "domain.yml").read_text()
    attempts = [
        ("/data/intent", {"name": "hoi_moi", "examples": "câu mới"}),
        ("/data/intent/chao_hoi_mau", {"op": "add", "examples": "chào"}),
        ("/responses", {"name": "utter_moi", "text": "xin chào"}),
        ("/models/train", {}),
        ("/inbox", {"text": "alo", "intent": "chao_hoi_mau"}),
        ("/users", {"username": "x", "password": "1234567890", "role": "admin"}),
        ("/settings", {"rasa_url": "http://evil"}),
        ("/procedures/1.000001", {"name": "x"}),
        ("/procedures-import", {}),
    ]
    for url, data in attempts:
        assert viewer.post(url, data).status_code == 403, url
    assert (project / "domain.yml").read_text() == before
    assert "hoi_moi" not in (project / "data/nlu/zz_console_sample.yml").read_text()
    assert viewer.get("/users").status_code == 403


def test_editor_cannot_manage_users(as_role) -> None:
    editor = as_role("editor")
    assert editor.post("/users", {"username": "x", "password": "1234567890",
                                  "role": "admin"}).status_code == 403
    assert editor.get("/settings").status_code == 403


def test_forms_without_the_csrf_token_are_refused(as_role, project) -> None:
    editor = as_role("editor")
    response = editor.client.post("/data/intent", data={"name": "hoi_moi", "examples": "a b"})
    assert response.status_code == 403
    response = editor.client.post("/data/intent", data={"name": "hoi_moi", "examples": "a b",
                                                        "csrf_token": "forged"})
    assert response.status_code == 403
    assert "hoi_moi" not in (project / "domain.yml").read_text()


def test_session_expires_after_inactivity(as_role, monkeypatch) -> None:
    editor = as_role("editor")
    assert editor.get("/", follow_redirects=False).status_code == 200
    later = time.time() + 61 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert editor.get("/", follow_redirects=False).status_code == 303


def test_admin_creates_user_and_it_is_audited(as_role, app) -> None:
    admin = as_role("admin")
    admin.post("/users", {"username": "lan", "password": "mat-khau-cua-lan", "role": "editor"})
    assert app.state.users.get("lan")["role"] == "editor"
    rows = app.state.db.query("SELECT * FROM audit WHERE action = 'user.create' "
                              "AND target = 'lan'")
    assert rows and rows[0]["username"] == "admin"
    login(TestClient(app), "lan", "mat-khau-cua-lan")


def test_default_password_is_refused_outside_local_runs(tmp_path) -> None:
    local = AdminSettings(root=tmp_path, env="local", secret_key="k")
    create_app(local)  # creates admin/admin: fine on a developer's machine
    production = AdminSettings(root=tmp_path, env="production", secret_key="k")
    with pytest.raises(SettingsError, match="mật khẩu mặc định"):
        create_app(production)


def test_production_starts_with_a_chosen_password(tmp_path) -> None:
    settings = AdminSettings(root=tmp_path, env="production", secret_key="k",
                             initial_password="mot-mat-khau-manh")
    app = create_app(settings)
    assert app.state.users.authenticate("admin", "mot-mat-khau-manh")


def test_security_headers_forbid_inline_scripts(as_role) -> None:
    response = as_role("viewer").get("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
