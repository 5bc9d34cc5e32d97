"""Train, evaluate, activate and roll back models, with who/when/what kept in var/admin.db.

Training runs `rasa train` as a subprocess with the same arguments as `ensure_model` in
scripts/lib.sh; its output goes to a log file the page polls. Activation swaps the running Rasa
server's model through its HTTP API (`PUT /model`), so conversations go on without a restart.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from bot.admin.settings import REPO_ROOT, AdminSettings
from bot.admin.storage import AdminDB, now_iso
from bot.admin.yamlio import dump, load

RASA = str(Path(sys.executable).parent / "rasa")
DATA_DIRS = ("data/nlu", "data/stories", "data/rules")
EPOCH_COMPONENTS = ("DIETClassifier", "TEDPolicy", "ResponseSelector")
INTERRUPTED_MESSAGE = ("Huấn luyện bị gián đoạn vì trang quản trị đã khởi động lại giữa chừng. "
                       "Phiên bản này không dùng được; hãy bấm “Huấn luyện mô hình mới”.")


class DeployError(RuntimeError):
    """A step failed; the message is for the admin."""


def rasa_env(settings: AdminSettings) -> dict[str, str]:
    """Environment for Rasa subprocesses: our custom NLU components importable, no telemetry."""
    paths = [str(REPO_ROOT), str(settings.root), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p),
            "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}


class ModelRegistry:
    def __init__(self, settings: AdminSettings, db: AdminDB) -> None:
        self.settings = settings
        self.db = db
        self.work_dir = settings.var_dir / "admin"
        self._lock = threading.Lock()
        self._threads: dict[int, threading.Thread] = {}

    # --- queries -----------------------------------------------------------------------------

    def all(self) -> list[dict[str, Any]]:
        active = self.active_id()
        rows = [dict(r) for r in self.db.query("SELECT * FROM models ORDER BY id DESC")]
        for row in rows:
            row["active"] = row["id"] == active
            row["evaluation"] = json.loads(row["evaluation"]) if row["evaluation"] else None
        return rows

    def get(self, model_id: int) -> dict[str, Any]:
        rows = [m for m in self.all() if m["id"] == model_id]
        if not rows:
            raise DeployError(f"Không có phiên bản mô hình #{model_id}.")
        return rows[0]

    def active_id(self) -> int | None:
        rows = self.db.query("SELECT model_id FROM activations ORDER BY id DESC LIMIT 1")
        return int(rows[0]["model_id"]) if rows else None

    def activations(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.db.query(
            "SELECT a.*, m.name FROM activations a JOIN models m ON m.id = a.model_id "
            "ORDER BY a.id DESC LIMIT 50")]

    def mark_interrupted(self) -> list[int]:
        """Versions left "training" by a console that stopped mid-run: their thread died with it.

        Called once at start-up (one console per var/), so the page never waits forever.
        """
        stale = [dict(r) for r in self.db.query("SELECT * FROM models WHERE status = 'training'")]
        for model in stale:
            self.db.execute("UPDATE models SET status = 'interrupted' WHERE id = ?",
                            (model["id"],))
            log_path = Path(model["log_path"]) if model["log_path"] else None
            if log_path and log_path.parent.is_dir():
                with log_path.open("a", encoding="utf-8") as log:
                    log.write(f"\n{INTERRUPTED_MESSAGE}\n")
        return [model["id"] for model in stale]

    def busy(self) -> bool:
        return any(t.is_alive() for t in self._threads.values())

    def read_log(self, model_id: int, offset: int = 0) -> tuple[str, int]:
        path = Path(self.get(model_id)["log_path"])
        if not path.exists():
            return "", offset
        with path.open("rb") as handle:
            handle.seek(offset)
            chunk = handle.read(64_000)
        return chunk.decode("utf-8", errors="replace"), offset + len(chunk)

    def pending_changes(self) -> list[dict[str, Any]]:
        """Audit entries on training data since the last model was trained."""
        rows = self.db.query("SELECT MAX(last_audit_id) AS last FROM models")
        last = rows[0]["last"] or 0
        return [dict(r) for r in self.db.query(
            "SELECT * FROM audit WHERE id > ? AND action LIKE 'data.%' ORDER BY id", (last,))]

    # --- training ----------------------------------------------------------------------------

    def train_config(self) -> Path:
        """config.yml, or a copy with fewer epochs when ADMIN_TRAIN_EPOCHS is set (tests only)."""
        config = self.settings.root / "config.yml"
        if self.settings.train_epochs is None:
            return config
        document = load(config)
        for part in ("pipeline", "policies"):
            for component in document.get(part) or []:
                if component.get("name") in EPOCH_COMPONENTS:
                    component["epochs"] = self.settings.train_epochs
        self.work_dir.mkdir(parents=True, exist_ok=True)
        quick = self.work_dir / "config.quick.yml"
        quick.write_text(dump(document), encoding="utf-8")
        return quick

    def train_command(self, name: str) -> list[str]:
        data = [d for d in DATA_DIRS if (self.settings.root / d).exists()]
        return [RASA, "train", "--config", str(self.train_config()), "--domain", "domain.yml",
                "--data", *data, "--out", "models", "--fixed-model-name", name]

    def start_training(self, username: str) -> int:
        with self._lock:
            if self.busy():
                raise DeployError("Đang có một việc huấn luyện/đánh giá chạy; hãy đợi nó xong.")
            changes = self.pending_changes()
            summary = "\n".join(f"{c['action']} {c['target']}" for c in changes) or "(không đổi)"
            name = "model-" + datetime.now().strftime("%Y%m%d-%H%M%S")
            self.work_dir.mkdir(parents=True, exist_ok=True)
            log_path = self.work_dir / f"{name}.log"
            model_id = self.db.execute(
                "INSERT INTO models (name, path, created_at, created_by, changes, status, log_path,"
                " last_audit_id) VALUES (?,?,?,?,?,?,?,?)",
                (name, str(self.settings.models_dir / f"{name}.tar.gz"), now_iso(), username,
                 summary, "training", str(log_path), max((c["id"] for c in changes), default=0)),
            )
            self.db.audit(username, "model.train", name)
            command = self.train_command(name)
            self._spawn(model_id, self._train, model_id, command, log_path)
            return model_id

    def _spawn(self, model_id: int, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name=f"admin-{model_id}")
        self._threads[model_id] = thread
        thread.start()

    def _train(self, model_id: int, command: list[str], log_path: Path) -> None:
        with log_path.open("w", encoding="utf-8") as log:
            log.write("$ " + " ".join(command) + "\n")
            log.flush()
            try:
                code = subprocess.call(command, cwd=self.settings.root, env=rasa_env(self.settings),
                                       stdout=log, stderr=subprocess.STDOUT)
            except OSError as error:
                log.write(f"Không chạy được rasa: {error}\n")
                code = -1
            model = Path(self.get(model_id)["path"])
            ok = code == 0 and model.exists()
            log.write("\n" + ("Huấn luyện xong." if ok else f"Huấn luyện thất bại (mã {code}).")
                      + "\n")
        self.db.execute("UPDATE models SET status = ? WHERE id = ?",
                        ("ready" if ok else "failed", model_id))

    # --- evaluation --------------------------------------------------------------------------

    def heldout_files(self) -> list[Path]:
        return sorted((self.settings.root / "tests" / "nlu").glob("heldout*.yml"))

    def start_evaluation(self, model_id: int, username: str) -> None:
        model = self.get(model_id)
        if model["status"] not in ("ready", "evaluated"):
            raise DeployError("Chỉ đánh giá được mô hình đã huấn luyện xong.")
        files = self.heldout_files()
        if not files:
            raise DeployError("Chưa có bộ câu kiểm tra (tests/nlu/heldout*.yml).")
        with self._lock:
            if self.busy():
                raise DeployError("Đang có một việc huấn luyện/đánh giá chạy; hãy đợi nó xong.")
            self.db.audit(username, "model.evaluate", model["name"])
            self._spawn(model_id, self._evaluate, model_id, files)

    def _evaluate(self, model_id: int, files: list[Path]) -> None:
        model = self.get(model_id)
        out = self.work_dir / f"eval-{model['name']}"
        heldout = out / "heldout"
        shutil.rmtree(out, ignore_errors=True)
        heldout.mkdir(parents=True)
        for path in files:
            shutil.copy(path, heldout / path.name)
        command = [RASA, "test", "nlu", "--model", model["path"], "--nlu", str(heldout),
                   "--out", str(out), "--no-plot"]
        with Path(model["log_path"]).open("a", encoding="utf-8") as log:
            log.write("\n$ " + " ".join(command) + "\n")
            log.flush()
            code = subprocess.call(command, cwd=self.settings.root, env=rasa_env(self.settings),
                                   stdout=log, stderr=subprocess.STDOUT)
        report_path = out / "intent_report.json"
        if code != 0 or not report_path.exists():
            result: dict[str, Any] = {"error": f"Đánh giá thất bại (mã {code}); xem nhật ký."}
        else:
            result = summarize_report(json.loads(report_path.read_text(encoding="utf-8")))
        result["at"] = now_iso()
        self.db.execute("UPDATE models SET evaluation = ? WHERE id = ?",
                        (json.dumps(result, ensure_ascii=False), model_id))

    # --- activation --------------------------------------------------------------------------

    def activate(self, model_id: int, username: str, action: str = "model.activate") -> None:
        model = self.get(model_id)
        if model["status"] != "ready" or not Path(model["path"]).exists():
            raise DeployError("Mô hình này chưa sẵn sàng (chưa huấn luyện xong hoặc tệp đã mất).")
        before = self.active_id()
        self.load_into_server(model["path"])
        self.db.execute("INSERT INTO activations (model_id, at, username) VALUES (?,?,?)",
                        (model_id, now_iso(), username))
        self.db.audit(username, action, model["name"], {"active_model_id": before},
                      {"active_model_id": model_id})

    def rollback(self, username: str) -> int:
        """Go back to the model that was active before the current one."""
        history = [a["model_id"] for a in self.activations()]
        current = history[0] if history else None
        previous = next((m for m in history if m != current), None)
        if previous is None:
            raise DeployError("Chưa có phiên bản trước đó để quay lại.")
        self.activate(previous, username, action="model.rollback")
        return previous

    def load_into_server(self, model_path: str) -> None:
        params = self.settings.rasa_params()
        try:
            response = requests.put(f"{self.settings.rasa_url}/model", params=params,
                                    json={"model_file": str(Path(model_path).resolve())},
                                    timeout=300)
        except requests.RequestException as error:
            raise DeployError(f"Không kết nối được máy chủ Rasa ({self.settings.rasa_url}): "
                              f"{error}") from error
        if response.status_code >= 300:
            raise DeployError(f"Máy chủ Rasa từ chối nạp mô hình (HTTP {response.status_code}): "
                              f"{response.text[:300]}")

    def server_status(self) -> dict[str, Any]:
        params = self.settings.rasa_params()
        try:
            return requests.get(f"{self.settings.rasa_url}/status", params=params,
                                timeout=3).json()
        except (requests.RequestException, ValueError) as error:
            return {"error": str(error)}


def summarize_report(report: dict[str, Any]) -> dict[str, Any]:
    """Accuracy, F1 and the weakest intents from Rasa's intent_report.json."""
    intents = {k: v for k, v in report.items() if isinstance(v, dict) and "f1-score" in v
               and k not in ("macro avg", "weighted avg", "micro avg")}
    weakest = sorted(intents.items(), key=lambda kv: kv[1]["f1-score"])[:5]
    return {
        "accuracy": round(float(report.get("accuracy", 0.0)), 4),
        "macro_f1": round(float(report.get("macro avg", {}).get("f1-score", 0.0)), 4),
        "weighted_f1": round(float(report.get("weighted avg", {}).get("f1-score", 0.0)), 4),
        "weakest": [{"intent": k, "f1": round(float(v["f1-score"]), 3),
                     "support": v.get("support", 0)} for k, v in weakest],
    }
