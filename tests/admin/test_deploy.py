"""Model versions: the training command, activation through Rasa's HTTP API, rollback, reports."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot.admin.app import create_app
from bot.admin.deploy import DeployError, ModelRegistry, summarize_report
from bot.admin.yamlio import load
from tests.admin.conftest import login


class FakeRasa(BaseHTTPRequestHandler):
    """Records `PUT /model` bodies like a Rasa server started with --enable-api."""

    loaded: list[str] = []

    def do_PUT(self) -> None:  # noqa: N802 (http.server naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeRasa.loaded.append(body["model_file"])
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        return


@pytest.fixture
def fake_rasa(settings) -> list[str]:
    server = HTTPServer(("127.0.0.1", 0), FakeRasa)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.rasa_url = f"http://127.0.0.1:{server.server_port}"
    FakeRasa.loaded = []
    yield FakeRasa.loaded
    server.shutdown()


def _ready_model(registry: ModelRegistry, name: str) -> int:
    path = registry.settings.models_dir / f"{name}.tar.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"model")
    return registry.db.execute(
        "INSERT INTO models (name, path, created_at, created_by, status) VALUES (?,?,?,?,?)",
        (name, str(path), "2026-01-01", "editor", "ready"))


def test_train_command_matches_ensure_model(app, settings) -> None:
    command = app.state.models.train_command("model-x")
    assert command[1:] == ["train", "--config", str(settings.root / "config.yml"), "--domain",
                           "domain.yml", "--data", "data/nlu", "data/stories", "data/rules",
                           "--out", "models", "--fixed-model-name", "model-x"]


def test_quick_training_lowers_epochs_only_in_a_copy(app, settings) -> None:
    settings.train_epochs = 3
    config = app.state.models.train_config()
    assert config != settings.root / "config.yml"
    epochs = {c["name"]: c.get("epochs") for part in ("pipeline", "policies")
              for c in load(config)[part]}
    assert epochs["DIETClassifier"] == 3
    assert all(epochs[name] == 3 for name in ("TEDPolicy", "ResponseSelector") if name in epochs)
    assert "epochs: 3" not in (settings.root / "config.yml").read_text()


def test_activate_and_roll_back(app, fake_rasa) -> None:
    registry = app.state.models
    first, second = _ready_model(registry, "model-a"), _ready_model(registry, "model-b")
    registry.activate(first, "admin")
    registry.activate(second, "editor")
    assert registry.active_id() == second
    assert registry.rollback("admin") == first
    assert registry.active_id() == first
    assert [Path(p).name for p in fake_rasa] == ["model-a.tar.gz", "model-b.tar.gz",
                                                "model-a.tar.gz"]
    actions = [r["action"] for r in app.state.db.query("SELECT action FROM audit")]
    assert actions[-3:] == ["model.activate", "model.activate", "model.rollback"]


def test_activation_error_is_reported_and_not_recorded(app, settings) -> None:
    registry = app.state.models
    model = _ready_model(registry, "model-a")
    settings.rasa_url = "http://127.0.0.1:9"  # nothing listens there
    with pytest.raises(DeployError, match="Không kết nối được"):
        registry.activate(model, "admin")
    assert registry.active_id() is None


def test_unfinished_model_cannot_be_activated(app, fake_rasa) -> None:
    registry = app.state.models
    model = _ready_model(registry, "model-a")
    registry.db.execute("UPDATE models SET status = 'failed' WHERE id = ?", (model,))
    with pytest.raises(DeployError):
        registry.activate(model, "admin")
    assert fake_rasa == []


def test_pending_changes_are_recorded_with_the_model(app, monkeypatch) -> None:
    registry = app.state.models
    app.state.db.audit("editor", "data.intent.add_examples", "greet", None, ["chào"])
    monkeypatch.setattr(registry, "_spawn", lambda *args: None)  # do not run rasa here
    model_id = registry.start_training("editor")
    model = registry.get(model_id)
    assert model["created_by"] == "editor" and model["status"] == "training"
    assert "data.intent.add_examples greet" in model["changes"]
    assert registry.pending_changes() == []


def test_summarize_report() -> None:
    report = {"greet": {"precision": 1, "recall": 1, "f1-score": 1.0, "support": 3},
              "ask_fee": {"precision": 0.5, "recall": 0.5, "f1-score": 0.5, "support": 2},
              "accuracy": 0.8, "macro avg": {"f1-score": 0.75},
              "weighted avg": {"f1-score": 0.8}}
    summary = summarize_report(report)
    assert summary["accuracy"] == 0.8 and summary["weighted_f1"] == 0.8
    assert summary["weakest"][0] == {"intent": "ask_fee", "f1": 0.5, "support": 2}


def test_models_page_and_roles(as_role, app, fake_rasa) -> None:
    registry = app.state.models
    model = _ready_model(registry, "model-a")
    viewer = as_role("viewer")
    assert "model-a" in viewer.get("/models").text
    assert viewer.post(f"/models/{model}", {"op": "activate"}).status_code == 403
    editor = as_role("editor")
    response = editor.post(f"/models/{model}", {"op": "activate"})
    assert "Đã kích hoạt" in response.text and registry.active_id() == model
    app.state.db.set_setting("editors_deploy", "0")
    response = editor.post(f"/models/{model}", {"op": "activate"})
    assert "Chỉ quản trị viên" in response.text


def test_restart_marks_unfinished_training_as_interrupted(app, settings, as_role) -> None:
    registry = app.state.models
    log_path = registry.work_dir / "model-x.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text("$ rasa train\nEpochs: 10%\n", encoding="utf-8")
    stale = registry.db.execute(
        "INSERT INTO models (name, path, created_at, created_by, status, log_path)"
        " VALUES (?,?,?,?,?,?)",
        ("model-x", str(settings.models_dir / "model-x.tar.gz"), "2026-01-01", "editor",
         "training", str(log_path)))
    ready = _ready_model(registry, "model-a")

    restarted = create_app(settings)  # the console process started again

    models = restarted.state.models
    assert models.get(stale)["status"] == "interrupted"
    assert models.get(ready)["status"] == "ready"
    assert not models.busy()
    assert "bị gián đoạn" in log_path.read_text(encoding="utf-8")
    page = login(TestClient(restarted), "editor").get(f"/models/{stale}")
    assert "Huấn luyện bị gián đoạn vì trang quản trị đã khởi động lại" in page.text
    assert 'value="activate" disabled' in page.text
    assert not models.mark_interrupted()  # nothing left to mark on the next start
