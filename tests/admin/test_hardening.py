"""Console findings of the outside probe (issue 9): each test replays what the probe did."""

from __future__ import annotations

import json
import sqlite3
import statistics
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot.admin.app import create_app
from bot.admin.auth import MAX_FAILURES_PER_ACCOUNT
from bot.admin.settings import AdminSettings, SettingsError
from tests.admin.conftest import PASSWORD, csrf_of, login


def try_login(client: TestClient, username: str, password: str) -> int:
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_of(page.text)},
                       follow_redirects=False).status_code


def test_sixty_wrong_passwords_then_the_right_one_is_refused(app) -> None:
    client = TestClient(app)
    statuses = [try_login(client, "admin", f"sai-{n}") for n in range(60)]
    assert statuses[:MAX_FAILURES_PER_ACCOUNT] == [401] * MAX_FAILURES_PER_ACCOUNT
    assert set(statuses[MAX_FAILURES_PER_ACCOUNT:]) == {429}
    assert try_login(client, "admin", PASSWORD) == 429
    assert try_login(TestClient(app), "editor", PASSWORD) == 303  # other accounts unaffected


def test_one_address_cannot_try_many_accounts(app) -> None:
    client = TestClient(app)
    statuses = [try_login(client, f"nobody-{n}", "sai") for n in range(25)]
    assert statuses[-1] == 429
    assert try_login(client, "viewer", PASSWORD) == 429


def test_unknown_and_known_usernames_take_the_same_time(app) -> None:
    client = TestClient(app)

    def timed(username: str) -> float:
        started = time.perf_counter()
        try_login(client, username, "sai")
        return time.perf_counter() - started

    app.state.db.execute("DELETE FROM login_failures")
    known = statistics.median(timed("admin") for _ in range(3))
    app.state.db.execute("DELETE FROM login_failures")
    unknown = statistics.median(timed("khong-co-ai") for _ in range(3))
    assert unknown > known * 0.5  # the probe saw 42 ms vs 2 ms


def test_copied_cookie_stops_working_after_logout_and_password_change(app) -> None:
    console = login(TestClient(app), "editor")
    stolen = dict(console.client.cookies)
    assert TestClient(app, cookies=stolen).get("/", follow_redirects=False).status_code == 200
    console.post("/logout")
    assert TestClient(app, cookies=stolen).get("/", follow_redirects=False).status_code == 303

    console = login(TestClient(app), "editor")
    stolen = dict(console.client.cookies)
    new_password = "mat-khau-moi-456"
    answer = console.post("/account", {"current": PASSWORD, "new": new_password})
    assert answer.status_code == 200
    assert console.get("/", follow_redirects=False).status_code == 200  # this session stays
    assert TestClient(app, cookies=stolen).get("/", follow_redirects=False).status_code == 303


def test_default_password_login_must_change_it_first(settings: AdminSettings) -> None:
    app = create_app(settings)  # test env: admin/admin is allowed to start
    client = TestClient(app)
    page = client.get("/login")
    answer = client.post("/login", data={"username": "admin", "password": "admin",
                                          "csrf_token": csrf_of(page.text)},
                         follow_redirects=False)
    assert answer.headers["location"] == "/account"
    for path in ("/", "/users", "/data/intent", "/settings"):
        response = client.get(path, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/account")
    csrf = csrf_of(client.get("/account").text)
    client.post("/account", data={"csrf_token": csrf, "current": "admin", "new": "admin"})
    assert client.get("/", follow_redirects=False).status_code == 303  # "admin" again: refused
    client.post("/account", data={"csrf_token": csrf, "current": "admin",
                                  "new": "mot-mat-khau-manh"})
    assert client.get("/", follow_redirects=False).status_code == 200


def test_missing_admin_env_is_production_unless_on_loopback(tmp_path: Path) -> None:
    environ = {"ASSISTANT_ROOT": str(tmp_path), "ADMIN_SECRET_KEY": "k"}
    assert AdminSettings.from_env(environ, host="127.0.0.1").is_local
    public = AdminSettings.from_env(environ, host="0.0.0.0")
    assert not public.is_local
    with pytest.raises(SettingsError):
        create_app(public)  # would create admin/admin on a public interface
    assert AdminSettings.from_env({**environ, "ADMIN_ENV": "local"}, host="0.0.0.0").is_local


@pytest.mark.parametrize("password", ["12345", "admin", "ngan"])
def test_bootstrap_password_follows_the_same_rule(tmp_path: Path, password: str) -> None:
    settings = AdminSettings(root=tmp_path, env="production", secret_key="k",
                             initial_password=password)
    with pytest.raises(SettingsError, match="ADMIN_PASSWORD"):
        create_app(settings)


def test_admin_database_is_private(app, settings: AdminSettings) -> None:
    assert settings.admin_db.stat().st_mode & 0o077 == 0


def test_rasa_token_only_goes_to_the_configured_url(tmp_path: Path) -> None:
    settings = AdminSettings.from_env({"ASSISTANT_ROOT": str(tmp_path), "RASA_TOKEN": "t",
                                       "RASA_URL": "http://127.0.0.1:5005"}, host="127.0.0.1")
    assert settings.rasa_params() == {"token": "t"}
    settings.rasa_url = "http://attacker.example"  # what an admin typed on the settings page
    assert settings.rasa_params() is None
    token_file = tmp_path / "token"
    token_file.write_text("from-file\n")
    assert AdminSettings.from_env({"ASSISTANT_ROOT": str(tmp_path),
                                   "RASA_TOKEN_FILE": str(token_file)}).rasa_token == "from-file"


def _store(tracker_db: Path, rows: list[tuple[str, float, str]]) -> None:
    tracker_db.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(tracker_db) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id TEXT, "
                     "type_name TEXT, timestamp REAL, intent_name TEXT, action_name TEXT, "
                     "data TEXT)")
        conn.executemany("INSERT INTO events (sender_id, type_name, timestamp, data) "
                         "VALUES (?, 'user', ?, ?)", rows)


def test_console_survives_what_the_tracker_store_holds(as_role, settings: AdminSettings) -> None:
    surrogate = json.dumps({"text": "khai sinh \ud800", "input_channel": "rest",
                            "parse_data": {"intent": {"name": "nlu_fallback",
                                                      "confidence": 0.1}}})
    long_sender = "rest:" + "x" * 5000
    _store(settings.tracker_db, [
        ("rest:probe", time.time(), surrogate),
        (long_sender, time.time(), json.dumps({"text": "y" * 100_000})),
        ("rest:broken", time.time(), "{not json"),
        ("rest:odd", time.time(), json.dumps({"text": 5, "parse_data": {"intent": "x"}})),
        ("rest:list", time.time(), "[1, 2]"),
    ])
    viewer = as_role("viewer")
    for path in ("/conversations", "/conversations/rest:probe", "/inbox", "/",
                 "/conversations/rest:broken", "/conversations/rest:odd"):
        response = viewer.get(path)
        assert response.status_code == 200, path
    listing = viewer.get("/conversations").text
    assert ">rest:" + "x" * 100 not in listing  # sender ids are truncated for display
    assert ">rest:" + "x" * 40 in listing
    assert "khai sinh \ufffd" in viewer.get("/inbox").text
