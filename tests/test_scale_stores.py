"""The scale set-up from endpoints.yml works for real: PostgreSQL tracker store + Redis lock store.

scripts/services.sh installs (Debian packages) and starts both on 127.0.0.1; a real Rasa server
then keeps a conversation in PostgreSQL.
"""

from __future__ import annotations

import json
import subprocess
import uuid

import psycopg2
import pytest

from tests.support.servers import ROOT, start_stack

pytestmark = pytest.mark.e2e
PASSWORD = "rasa-local-only"  # scripts/services.sh default for local runs


@pytest.fixture(scope="module")
def services() -> None:
    result = subprocess.run(["bash", "scripts/services.sh", "start"], cwd=ROOT,
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"scripts/services.sh start failed:\n{result.stdout}\n{result.stderr}")


def test_conversation_is_stored_in_postgresql_with_redis_lock(services, tmp_path) -> None:
    stores = (
        "tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: 127.0.0.1\n  port: 5432\n"
        f"  db: rasa\n  username: rasa\n  password: {PASSWORD}\n"
        "lock_store:\n  type: redis\n  url: 127.0.0.1\n  port: 6379\n  db: 1\n"
        "  key_prefix: test\n"
    )
    stack = start_stack(tmp_path, stores=stores, with_actions=False)
    sender = f"pg-{uuid.uuid4().hex[:8]}"
    try:
        stack.say("xin chào", sender=sender)
    finally:
        stack.stop()
    with psycopg2.connect(host="127.0.0.1", dbname="rasa", user="rasa",
                          password=PASSWORD) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT data FROM events WHERE sender_id = %s AND type_name = 'user'",
                       (f"rest:{sender}",))
        rows = [json.loads(row[0]) for row in cursor.fetchall()]
    assert [row["text"] for row in rows] == ["xin chào"]
