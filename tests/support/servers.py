"""Start a real action server and a real Rasa server for end-to-end tests.

Both run as subprocesses on free 127.0.0.1 ports with their own tracker database in a temporary
folder, so tests never touch `var/` and can run beside a developer's running assistant.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


# Rasa keeps its connections to the action server open for reuse; Sanic closes idle ones after
# 5 s, and a request sent on a closing one fails ("Cannot write to closing transport"), so the
# citizen gets no answer. The action server keeps them longer than Rasa's client does (as
# rasa-sdk itself does from 3.8, PR #1047). scripts/run.sh sets the same.
ACTION_SERVER_ENV = {"SANIC_KEEP_ALIVE_TIMEOUT": "120"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def trained_model() -> Path:
    """The model for the current data: $RASA_MODEL (set by scripts/test.sh) or train one now."""
    if os.environ.get("RASA_MODEL"):
        return Path(os.environ["RASA_MODEL"])
    out = subprocess.run(
        ["bash", "-c", "source scripts/lib.sh && ensure_model"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )
    return Path(out.stdout.strip().splitlines()[-1])


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}:\n{_tail(log)}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not start within {timeout:.0f}s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


@dataclass
class RasaStack:
    rasa_url: str
    actions_url: str
    workdir: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    def say(self, text: str, sender: str = "tester") -> list[dict]:
        """Send one message through the REST channel and return the bot's messages.

        The conversation's tracker id is "rest:<sender>" (bot/channels/rest.py).
        """
        response = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text}, timeout=30,
        )
        response.raise_for_status()
        return response.json()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{_tail(p, 80)}" for p in self.workdir.glob("*.log"))

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def start_stack(
    workdir: Path,
    credentials: Path | None = None,
    model: Path | None = None,
    env: dict[str, str] | None = None,
    with_actions: bool = True,
    stores: str | None = None,
) -> RasaStack:
    """Start the action server (optional) and `rasa run` with our REST channel or `credentials`.

    `env` is added to both processes' environment (e.g. KNOWLEDGE_DB, PROVINCE_CONFIG).
    `stores` replaces the default tracker/lock store YAML (SQLite in `workdir`, in-memory lock).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    model = model or trained_model()
    rasa_port, actions_port = free_port(), free_port()
    process_env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false",
                   "TF_CPP_MIN_LOG_LEVEL": "2",
                   # handovers and tickets made by a test stay in its folder, never in var/
                   "BACKOFFICE_DB_URL": f"sqlite:///{workdir / 'backoffice.db'}", **(env or {})}
    stores = stores or (
        f'tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: "{workdir / "tracker.db"}"\n'
        "lock_store:\n  type: in_memory\n"
    )
    (workdir / "endpoints.yml").write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n{stores}'
    )
    if credentials is None:
        credentials = workdir / "credentials.yml"
        credentials.write_text("bot.channels.rest.RestInput:\n")
    stack = RasaStack(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{actions_port}", workdir)
    try:
        if with_actions:
            log = workdir / "actions.log"
            stack.processes.append(subprocess.Popen(
                [str(VENV_BIN / "rasa"), "run", "actions", "--actions", "actions",
                 "--port", str(actions_port)],
                cwd=ROOT, env={**process_env, **ACTION_SERVER_ENV}, stdout=log.open("w"),
                stderr=subprocess.STDOUT,
            ))
            wait_until_up(f"{stack.actions_url}/health", stack.processes[-1], log, 120)
        log = workdir / "rasa.log"
        stack.processes.append(subprocess.Popen(
            [str(VENV_BIN / "rasa"), "run", "--model", str(model), "--enable-api",
             "--port", str(rasa_port), "--credentials", str(credentials),
             "--endpoints", str(workdir / "endpoints.yml")],
            cwd=ROOT, env=process_env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        ))
        wait_until_up(f"{stack.rasa_url}/status", stack.processes[-1], log, 240)
    except Exception:
        stack.stop()
        raise
    return stack
