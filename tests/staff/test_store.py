"""The internal-document store on both databases it supports: SQLite and PostgreSQL.

PostgreSQL is the real server started by scripts/services.sh; each test gets its own schema.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator

import psycopg2
import pytest

from bot.staff.legal import Passage
from bot.staff.store import StaffStore
from tests.support.servers import ROOT

PG = dict(host="127.0.0.1", dbname="rasa", user="rasa", password="rasa-local-only")


@pytest.fixture(scope="module")
def postgres() -> None:
    result = subprocess.run(["bash", "scripts/services.sh", "start"], cwd=ROOT,
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"scripts/services.sh start failed:\n{result.stdout}\n{result.stderr}")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path) -> Iterator[StaffStore]:
    if request.param == "sqlite":
        opened = StaffStore(tmp_path / "staff.db")
        yield opened
        opened.close()
        return
    request.getfixturevalue("postgres")
    schema = f"staff_{uuid.uuid4().hex[:10]}"
    with psycopg2.connect(**PG) as connection, connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {schema}")
    url = (f"postgresql://{PG['user']}:{PG['password']}@{PG['host']}/{PG['dbname']}"
           f"?options=-csearch_path%3D{schema}")
    opened = StaffStore(url)
    yield opened
    opened.close()
    with psycopg2.connect(**PG) as connection, connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA {schema} CASCADE")


def _save(store: StaffStore, number: str, texts: list[str], replaces: int | None = None,
          department: str = "") -> int:
    passages = [Passage(f"Điều {i + 1}", text, ordinal=i) for i, text in enumerate(texts)]
    return store.save(title="Quy chế mẫu", number=number, issued="2025-08-15",
                      department=department, filename="quy-che.docx", kind="docx",
                      data=b"PK\x03\x04 bytes \x00\xff", passages=passages, uploaded_by="admin",
                      replaces=replaces)


def test_save_read_replace_delete(store: StaffStore) -> None:
    start = store.revision()
    first = _save(store, "25/2025/QĐ-UBND", ["Thời hạn 7 ngày.", "Lệ phí 20.000 đồng."])
    assert store.revision() == start + 1
    assert store.file(first) == b"PK\x03\x04 bytes \x00\xff"  # bytes survive exactly
    assert [p.text for p in store.passages(first)] == ["Thời hạn 7 ngày.", "Lệ phí 20.000 đồng."]
    assert store.find_version_of("25/2025/QĐ-UBND", "").id == first

    again = _save(store, "25/2025/QĐ-UBND", ["Thời hạn 5 ngày."], replaces=first)
    assert again == first
    info = store.document(first)
    assert info.version == 2
    assert [p.text for p in store.passages()] == ["Thời hạn 5 ngày."]  # old passages are gone

    other = _save(store, "78/HD-STP", ["Chứng thực."], department="Tư pháp")
    assert {d.id for d in store.documents()} == {first, other}
    assert store.document(other).department == "Tư pháp"
    assert store.delete(first) is True
    assert store.delete(first) is False
    assert [p.document_id for p in store.passages()] == [other]
    assert store.file(first) is None


def test_a_failed_replacement_keeps_the_old_version(store: StaffStore) -> None:
    first = _save(store, "1/QĐ", ["Bản cũ."])
    revision = store.revision()
    with pytest.raises(KeyError):
        _save(store, "1/QĐ", ["Bản mới."], replaces=first + 999)
    assert [p.text for p in store.passages(first)] == ["Bản cũ."]
    assert store.revision() == revision


def test_the_assistant_answers_from_either_database(store: StaffStore, tmp_path,
                                                    corpus_files) -> None:
    from bot.staff.assistant import StaffAssistant
    from tests.staff.corpus import ONE_STOP

    document, path = corpus_files[ONE_STOP.key]
    staff = StaffAssistant(store.location, tmp_path / "knowledge.db")
    document_id, _ = staff.upload(filename=path.name, data=path.read_bytes(),
                                  title=document.title, number=document.number, issued="15/8/2025",
                                  department="", username="admin")
    hits = staff.search("hẹn lại ngày trả kết quả được mấy lần", {"role": "viewer"})
    assert hits[0].passage.ref == "Điều 9, khoản 2"
    assert staff.store.document(document_id).issued == "2025-08-15"
    staff.delete(document_id)
    assert staff.search("hẹn lại ngày trả kết quả được mấy lần", {"role": "viewer"}) == []
    staff.close()


def test_postgresql_store_reconnects_after_the_server_drops_it(postgres, tmp_path) -> None:
    schema = f"staff_{uuid.uuid4().hex[:10]}"
    with psycopg2.connect(**PG) as connection, connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {schema}")
    store = StaffStore(f"postgresql://{PG['user']}:{PG['password']}@{PG['host']}/{PG['dbname']}"
                       f"?options=-csearch_path%3D{schema}")
    try:
        backend = store._db.get_backend_pid()
        with psycopg2.connect(**PG) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", (backend,))
        with pytest.raises(psycopg2.Error):
            store.revision()  # the dropped connection fails once...
        assert store.revision() == 0  # ...and the next call works again
    finally:
        store.close()
        with psycopg2.connect(**PG) as connection, connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA {schema} CASCADE")
