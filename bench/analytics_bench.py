"""How fast the console's analytics page is on a big tracker store.

Generates a tracker database in Rasa's SQL layout (table `events`) with N conversations (default
100,000) spread over 90 days and four channels: greetings, procedure questions with a procedure
slot, VNeID / payment answers rated 👍/👎, "not sure" messages, out-of-scope messages and
handovers. Then it folds the events into the analytics summary once (timed: the first page view
after a deployment pays this), and requests the page through the real console app (login,
routing, Jinja, SVG charts) for the last 30 days and the whole 90 days, reporting p50 / p95.
The result is appended to docs/performance.md. Target: p95 ≤ 1 s.

    .venv/bin/python bench/analytics_bench.py [--conversations 100000] [--requests 40]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from starlette.testclient import TestClient  # noqa: E402

from bot.admin.app import create_app  # noqa: E402
from bot.admin.settings import AdminSettings  # noqa: E402
from tests.admin.conftest import PASSWORD, copy_project, login  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DAYS = 90
CHANNELS = ("zalo", "telegram", "socketio", "rest")
PROCEDURES = ("1.001193", "1.004222", "2.002154", "1.010005", "1.000894", "3.000228")
UNANSWERED = ("con mèo nhà tôi bị lạc", "giá vàng hôm nay", "xin số điện thoại 0912345678",
              "tôi muốn hỏi về cái đó", "app bị lỗi gì đó", "cccd 001203004567 bị sai")
SCHEMA = ("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
          "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
          "action_name VARCHAR(255), data TEXT); "
          "CREATE INDEX ix_events_sender_id ON events (sender_id);")


def _user(text: str, intent: str, confidence: float, channel: str, ts: float,
          entities: list | None = None) -> tuple:
    data = {"event": "user", "timestamp": ts, "text": text, "input_channel": channel,
            "parse_data": {"intent": {"name": intent, "confidence": confidence},
                           "entities": entities or [], "text": text}}
    return ("user", ts, intent, None, json.dumps(data, ensure_ascii=False))


def _action(name: str, ts: float) -> tuple:
    return ("action", ts, None, name, json.dumps({"event": "action", "timestamp": ts,
                                                   "name": name}))


def _bot(text: str, ts: float) -> tuple:
    return ("bot", ts, None, None, json.dumps({"event": "bot", "timestamp": ts, "text": text},
                                              ensure_ascii=False))


def conversation(rng: random.Random, start: float, channel: str) -> list[tuple]:
    events = [_action("action_session_start", start), _action("action_listen", start)]
    ts = start
    for _ in range(rng.randint(1, 4)):
        ts += rng.uniform(5, 120)
        kind = rng.random()
        if kind < 0.35:
            events += [_user("lệ phí làm căn cước bao nhiêu", "ask_fee", rng.uniform(.6, 1),
                             channel, ts), _action("action_answer_procedure", ts + .1),
                       ("slot", ts + .2, None, "current_procedure", json.dumps(
                           {"event": "slot", "name": "current_procedure",
                            "value": rng.choice(PROCEDURES)})),
                       _bot("Lệ phí ...", ts + .3)]
        elif kind < 0.6:
            intent = rng.choice(("eid_troubleshoot", "cashless_payment", "eid_activate"))
            events += [_user("quên mật khẩu vneid", intent, rng.uniform(.5, 1), channel, ts),
                       _action(f"action_{intent}", ts + .1), _bot("Trên màn hình ...", ts + .2)]
            if rng.random() < 0.3:
                useful = "yes" if rng.random() < 0.7 else "no"
                events += [_user(f'/rate_answer{{"useful":"{useful}"}}', "rate_answer", 1.0,
                                 channel, ts + 20, [{"entity": "useful", "value": useful}]),
                           _action("action_rate_answer", ts + 20.1)]
        elif kind < 0.75:
            # Mostly one-off texts (the realistic, costly case for grouping), some repeated.
            text = (rng.choice(UNANSWERED) if rng.random() < 0.2 else
                    f"{rng.choice(UNANSWERED)} {rng.randint(1, 10**6)}")
            events += [_user(text, "nlu_fallback", rng.uniform(.1, .4), channel, ts),
                       _action("action_default_ask_affirmation", ts + .1)]
        elif kind < 0.82:
            events += [_user("thời tiết thế nào", "out_of_scope", .9, channel, ts),
                       _action("utter_default", ts + .1)]
        elif kind < 0.86:
            events += [_user("gặp nhân viên", "request_human", .95, channel, ts),
                       _action("action_request_human", ts + .1)]
        else:
            events += [_user("xin chào", "greet", .99, channel, ts), _action("utter_greet", ts)]
        events.append(_action("action_listen", ts + .5))
    return events


def generate(path: Path, conversations: int, seed: int = 12) -> int:
    rng = random.Random(seed)
    end = datetime.combine(date.today(), datetime.min.time()).timestamp()
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    rows: list[tuple] = []
    total = 0
    for number in range(conversations):
        start = end - rng.uniform(0, DAYS * 86400)
        sender = f"{rng.choice(CHANNELS)}:{number}"
        for event in conversation(rng, start, sender.split(":")[0]):
            rows.append((sender, *event))
        if len(rows) > 50_000:
            conn.executemany("INSERT INTO events (sender_id, type_name, timestamp, intent_name, "
                             "action_name, data) VALUES (?,?,?,?,?,?)", rows)
            total += len(rows)
            rows = []
    conn.executemany("INSERT INTO events (sender_id, type_name, timestamp, intent_name, "
                     "action_name, data) VALUES (?,?,?,?,?,?)", rows)
    conn.commit()
    conn.close()
    return total + len(rows)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="analytics-bench-"))
    root = copy_project(work / "project", sample=False)
    (root / "var").mkdir()
    began = time.perf_counter()
    events = generate(root / "var" / "tracker.db", args.conversations)
    generated = time.perf_counter() - began
    print(f"generated {args.conversations} conversations, {events} events in {generated:.1f}s")

    app = create_app(AdminSettings(root=root, env="test", secret_key="bench",
                                   national_data=work / "national"))
    app.state.users.set_password("admin", PASSWORD)
    began = time.perf_counter()
    folded = app.state.analytics.refresh()
    fold_seconds = time.perf_counter() - began
    print(f"folded {folded} events into the summary in {fold_seconds:.1f}s")

    console = login(TestClient(app), "admin")
    today = date.today()
    results = []
    for label, first in (("last 30 days", today - timedelta(days=29)),
                         ("whole 90 days", today - timedelta(days=DAYS))):
        url = f"/analytics?date_from={first}&date_to={today}"
        assert console.get(url).status_code == 200  # warm-up
        times = []
        for _ in range(args.requests):
            began = time.perf_counter()
            response = console.get(url)
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200 and "<svg" in response.text
        results.append((label, statistics.median(times), percentile(times, 0.95), max(times)))
        print(f"{label}: p50 {results[-1][1]:.0f} ms, p95 {results[-1][2]:.0f} ms")

    lines = [
        "",
        f"## Analytics page (bench/analytics_bench.py, {today.isoformat()})",
        "",
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}. Generated SQLite tracker store: {args.conversations:,} "
        f"conversations over {DAYS} days, {events:,} events. The page is requested "
        f"{args.requests} times per range through the console app (login, Jinja, SVG charts); "
        "the one-time fold of all events into the summary (var/analytics.db) is timed apart.",
        "",
        "| range | p50 ms | p95 ms | max ms |",
        "| --- | ---: | ---: | ---: |",
        *[f"| {label} | {p50:.0f} | {p95:.0f} | {worst:.0f} |"
          for label, p50, p95, worst in results],
        "",
        f"First fold of {folded:,} events: {fold_seconds:.1f} s (then only new events are "
        "folded on each page view). Target: p95 ≤ 1 s.",
        "",
    ]
    if not args.no_write:
        with (ROOT / "docs" / "performance.md").open("a", encoding="utf-8") as doc:
            doc.write("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
