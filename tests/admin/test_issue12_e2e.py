"""End to end with a real Rasa server and action server, the stores endpoints.yml configures,
and the console on the same project: an edited answer shows up in the next reply; a CCCD typed
in chat never appears unmasked in the tracker store, the console or an export; 👍/👎 counts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from starlette.testclient import TestClient

from bot.admin.app import create_app
from bot.admin.settings import AdminSettings
from tests.admin.conftest import PASSWORD, Console, copy_project, login
from tests.support.servers import ROOT, RasaStack, start_stack

pytestmark = pytest.mark.e2e
CCCD, PHONE = "001203004567", "0912345678"
NEW_TEXT = "Bản sửa trong trang quản trị: mở VNeID, chọn Quên mật khẩu, nhập mã OTP."


@pytest.fixture(scope="module")
def setup(tmp_path_factory, curated_knowledge_db: Path) -> Iterator[tuple[RasaStack, Console]]:
    project = copy_project(tmp_path_factory.mktemp("issue12") / "project", sample=False)
    (project / "var").mkdir()
    tracker = yaml.safe_load((ROOT / "endpoints.yml").read_text("utf-8"))["tracker_store"]
    assert tracker["type"] == "bot.privacy.store.MaskingSQLTrackerStore"
    stores = (f"tracker_store:\n  type: {tracker['type']}\n  dialect: sqlite\n"
              f'  db: "{project / "var" / "tracker.db"}"\nlock_store:\n  type: in_memory\n')
    stack = start_stack(project / "stack", stores=stores,
                        env={"KNOWLEDGE_DB": str(curated_knowledge_db),
                             "CONTENT_DIR": str(project / "data" / "content")})
    app = create_app(AdminSettings(root=project, env="test", secret_key="k",
                                   national_data=project / "national"))
    app.state.users.set_password("admin", PASSWORD)
    try:
        yield stack, login(TestClient(app), "admin")
    finally:
        stack.stop()


def texts(replies: list[dict]) -> list[str]:
    return [r.get("text", "") for r in replies]


def test_console_edit_shows_up_in_the_next_reply(setup) -> None:
    stack, console = setup
    payload = '/eid_troubleshoot{"vneid_problem":"forgot_passcode"}'
    before = stack.say(payload, sender="web:edit")
    assert texts(before)[0].startswith("Trên màn hình đăng nhập VNeID")
    response = console.post("/content/vneid/forgot_passcode",
                            {"op": "save", "text": NEW_TEXT, "label": "Quên mật khẩu/passcode",
                             "phrases": "quen mat khau"})
    assert response.status_code == 200
    after = stack.say("tôi quên mật khẩu vneid", sender="web:edit2")
    assert texts(after)[0] == NEW_TEXT
    # The 👍/👎 question follows the answer; tapping 👎 is thanked and counted per topic.
    assert after[1]["buttons"][1]["payload"] == '/rate_answer{"useful":"no"}'
    thanks = stack.say(after[1]["buttons"][1]["payload"], sender="web:edit2")
    assert texts(thanks)[0].startswith("Cảm ơn bạn đã cho biết")
    page = console.get("/analytics").text
    assert "Sửa lỗi ứng dụng VNeID (eid_troubleshoot)" in page and ">0%<" in page


def test_a_cccd_typed_in_chat_never_appears_unmasked(setup) -> None:
    stack, console = setup
    stack.say(f"CCCD của tôi là {CCCD}, số điện thoại {PHONE}, hồ sơ 000.00.31.H12-251103-0042",
              sender="cccd")
    sender = "rest:cccd"  # our REST channel scopes ids (bot/channels/rest.py)
    database = Path(console.client.app.state.settings.tracker_db)
    rows = sqlite3.connect(database).execute("SELECT data FROM events").fetchall()
    assert rows and not any(CCCD in r[0] or PHONE in r[0] for r in rows)
    assert any("000.00.31.H12-251103-0042" in r[0] for r in rows)
    pages = ["/conversations", f"/conversations/{sender}", "/inbox", "/analytics",
             *(f"/analytics.csv?part={p}" for p in ("daily", "intents", "unanswered"))]
    for url in pages:
        response = console.get(url)
        assert response.status_code == 200, url
        assert CCCD not in response.text and PHONE not in response.text, url
    assert "[số CCCD/CMND]" in console.get(f"/conversations/{sender}").text
