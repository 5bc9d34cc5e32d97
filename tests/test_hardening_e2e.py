"""A Rasa server started the way scripts/run.sh starts it, with a broken action server.

Findings 4 and 8 of issue 9: citizens got silence when the action server was down or hung, the
API token was visible in `ps`, and Rasa listened on every interface with CORS for any origin.
The action endpoint here is a port we control: nothing listens (down), or it accepts and never
answers (hung).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bot.content import content
from tests.support.servers import ROOT, free_port, trained_model, wait_until_up

pytestmark = pytest.mark.e2e

TOKEN = "token-for-the-hardening-test"
ACTION_TIMEOUT = 3
# A message the rules answer with a custom action (the procedure search).
ASKS_AN_ACTION = "thủ tục đăng ký khai sinh cần giấy tờ gì"


class HungServer:
    """Accepts connections on `port` and never answers, like a stuck action server."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_server(("127.0.0.1", port))
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        self.sock.close()
        for connection in self.held:
            connection.close()


class Server:
    def __init__(self, url: str, process: subprocess.Popen, actions_port: int,
                 workdir: Path) -> None:
        self.url, self.process, self.actions_port = url, process, actions_port
        self.workdir = workdir

    def say(self, text: str, sender: str) -> tuple[list[dict], float]:
        started = time.monotonic()
        answer = requests.post(f"{self.url}/webhooks/rest/webhook", timeout=60,
                               json={"sender": sender, "message": text})
        answer.raise_for_status()
        return answer.json(), time.monotonic() - started

    def user_texts(self, sender: str) -> list[str]:
        tracker = requests.get(f"{self.url}/conversations/rest:{sender}/tracker",
                               params={"token": TOKEN}, timeout=10).json()
        return [e["text"] for e in tracker["events"] if e["event"] == "user"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("hardening")
    model = trained_model()
    port, actions_port = free_port(), free_port()
    (workdir / "endpoints.yml").write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n'
        f'tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: "{workdir / "tracker.db"}"\n')
    (workdir / "credentials.yml").write_text("bot.channels.rest.RestInput:\n")
    token_file = workdir / "token"
    token_file.write_text(TOKEN)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false",
           "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TOKEN_FILE": str(token_file),
           "ACTION_TIMEOUT_SECONDS": str(ACTION_TIMEOUT)}
    env.pop("RASA_TOKEN", None)
    log = workdir / "rasa.log"
    process = subprocess.Popen(  # as scripts/run.sh does
        [sys.executable, "-m", "bot.rasa_server", "--model", str(model), "--enable-api",
         "--interface", "127.0.0.1", "--port", str(port), "--credentials",
         str(workdir / "credentials.yml"), "--endpoints", str(workdir / "endpoints.yml")],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, log, 240)
        yield Server(url, process, actions_port, workdir)
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_token_is_not_on_the_command_line_but_is_required(server: Server) -> None:
    cmdline = Path(f"/proc/{server.process.pid}/cmdline").read_bytes()
    assert TOKEN.encode() not in cmdline
    assert requests.get(f"{server.url}/status", timeout=10).status_code == 401
    assert requests.get(f"{server.url}/status", params={"token": TOKEN},
                        timeout=10).status_code == 200


def test_listens_on_loopback_only_without_open_cors(server: Server) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    listening = Path("/proc/net/tcp").read_text().splitlines()[1:]
    local = {line.split()[1] for line in listening if line.split()[3] == "0A"}  # LISTEN
    assert f"0100007F:{port:04X}" in local and f"00000000:{port:04X}" not in local
    answer = requests.options(f"{server.url}/webhooks/rest/webhook", timeout=10, headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert answer.headers.get("Access-Control-Allow-Origin") not in ("*", "https://evil.example")


def test_action_server_down_gets_an_apology_and_the_message_is_kept(server: Server) -> None:
    replies, _ = server.say(ASKS_AN_ACTION, "down")
    assert content.text("system.action_failed") in [r.get("text") for r in replies]
    assert server.user_texts("down") == [ASKS_AN_ACTION]
    replies, _ = server.say("xin chào", "down")  # the next message is answered normally
    assert replies and content.text("system.action_failed") not in [r.get("text")
                                                                       for r in replies]
    assert server.user_texts("down") == [ASKS_AN_ACTION, "xin chào"]


def test_hung_action_server_gets_an_apology_within_the_timeout(server: Server) -> None:
    hung = HungServer(server.actions_port)
    try:
        replies, took = server.say(ASKS_AN_ACTION, "hung")
    finally:
        hung.close()
    assert content.text("system.action_failed") in [r.get("text") for r in replies]
    assert took < ACTION_TIMEOUT + 10
    assert server.user_texts("hung") == [ASKS_AN_ACTION]


def test_tracker_database_is_private(server: Server) -> None:
    server.say("xin chào", "private")
    assert (server.workdir / "tracker.db").stat().st_mode & 0o077 == 0


def test_run_script_keeps_the_safe_defaults() -> None:
    script = (ROOT / "scripts" / "run.sh").read_text()
    assert "--auth-token" not in script and "token=$RASA_TOKEN" not in script  # nothing in ps
    assert '--cors "*"' not in script
    for default in ('RASA_HOST="${RASA_HOST:-127.0.0.1}"', '--interface "$RASA_HOST"',
                    'ACTIONS_HOST="${ACTIONS_HOST:-127.0.0.1}"', 'SANIC_HOST="$ACTIONS_HOST"',
                    'ADMIN_HOST="${ADMIN_HOST:-127.0.0.1}"', "umask 077", "-m bot.rasa_server"):
        assert default in script, default
