"""Latency and throughput of the running assistant through its REST webhook.

Starts a real action server + Rasa server on free local ports (the same helper the end-to-end
tests use), sends a fixed mix of citizen messages as 1 user and as 20 concurrent users, measures
p50/p95/p99 and messages per second, the servers' memory, and optionally training time, then
writes docs/performance.md.

    .venv/bin/python bench/latency.py [--messages 300] [--users 20] [--train-time]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.servers import ROOT, RasaStack, start_stack, trained_model  # noqa: E402

# A mix of what citizens send: greetings, general questions, procedure facets and follow-ups.
MESSAGES = [
    "xin chào",
    "đăng ký thường trú cần giấy tờ gì",
    "le phi bao nhieu",
    "kích hoạt định danh điện tử mức 2 như thế nào",
    "quen mat khau vneid",
    "thanh toán tiền điện không dùng tiền mặt",
    "có người gọi tự xưng công an bảo cài app",
    "tra cứu hồ sơ đã nộp",
    "làm hộ chiếu mất mấy ngày",
    "nop o dau",
    "cảm ơn",
    "tạm biệt",
]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def run_user(stack: RasaStack, user: int, count: int) -> list[float]:
    session = requests.Session()
    latencies = []
    for i in range(count):
        text = MESSAGES[(user + i) % len(MESSAGES)]
        started = time.perf_counter()
        response = session.post(
            f"{stack.rasa_url}/webhooks/rest/webhook",
            json={"sender": f"bench-{user}", "message": text}, timeout=60,
        )
        response.raise_for_status()
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def load(stack: RasaStack, users: int, total: int) -> dict[str, float]:
    per_user = max(1, total // users)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=users) as pool:
        results = list(pool.map(lambda u: run_user(stack, u, per_user), range(users)))
    elapsed = time.perf_counter() - started
    latencies = [ms for user in results for ms in user]
    return {
        "users": users, "messages": len(latencies),
        "p50": statistics.median(latencies), "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99), "throughput": len(latencies) / elapsed,
    }


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def training_seconds() -> float:
    """Train from scratch into a temporary folder (no cache) and time it."""
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        subprocess.run(
            [str(Path(sys.executable).parent / "rasa"), "train", "--config", "config.yml",
             "--domain", "domain.yml", "--data", "data/nlu", "data/stories", "data/rules",
             "--out", out],
            cwd=ROOT, check=True, capture_output=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        return time.perf_counter() - started


def knowledge_env(workdir: Path) -> dict[str, str]:
    """Build the curated knowledge base for the action server, if the builder exists."""
    database = workdir / "knowledge.db"
    builder = ROOT / "scripts" / "build_knowledge.sh"
    if builder.exists():
        subprocess.run(["bash", str(builder)], cwd=ROOT, check=True, capture_output=True,
                       env={**os.environ, "KNOWLEDGE_DB": str(database)})
    return {"KNOWLEDGE_DB": str(database)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300, help="messages per scenario")
    parser.add_argument("--users", type=int, default=20, help="concurrent users, 2nd scenario")
    parser.add_argument("--train-time", action="store_true", help="also time a full training")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    args = parser.parse_args()

    model = trained_model()
    workdir = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    print("Starting action server and Rasa server…", file=sys.stderr)
    stack = start_stack(workdir, model=model, env=knowledge_env(workdir))
    try:
        # start_stack starts the action server first, then the Rasa server
        names = ["action server", "Rasa server"]
        pids = dict(zip(names, (p.pid for p in stack.processes), strict=True))
        memory_idle = {name: rss_mib(pid) for name, pid in pids.items()}
        run_user(stack, 999, 2 * len(MESSAGES))  # warm-up: first TensorFlow calls are slow
        print("1 user…", file=sys.stderr)
        single = load(stack, 1, args.messages)
        print(f"{args.users} users…", file=sys.stderr)
        many = load(stack, args.users, args.messages)
        memory_loaded = {name: rss_mib(pid) for name, pid in pids.items()}
    finally:
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    train = training_seconds() if args.train_time else None

    lines = [
        "# Performance",
        "",
        f"Measured by `bench/latency.py` on {date.today().isoformat()}: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, model `{model.name}`. Messages go through the REST "
        "webhook of a real Rasa server (SQLite tracker store) with the real action server; "
        f"the message mix is {len(MESSAGES)} typical citizen messages, cycled.",
        "",
        "| scenario | messages | p50 ms | p95 ms | p99 ms | messages/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in (single, many):
        lines.append(
            f"| {result['users']} user(s) | {result['messages']} | {result['p50']:.1f} | "
            f"{result['p95']:.1f} | {result['p99']:.1f} | {result['throughput']:.1f} |"
        )
    lines += ["", "Targets: p95 ≤ 100 ms at 1 user; ≥ 40 messages/s at 20 users.", "",
              "| process | RSS after start (MiB) | RSS after the load (MiB) |",
              "| --- | ---: | ---: |"]
    for key in memory_idle:
        lines.append(f"| {key} | {memory_idle[key]:.0f} | {memory_loaded[key]:.0f} |")
    if train is not None:
        lines += ["", f"Full training from scratch (NLU + dialogue, no cache): {train:.0f} s."]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
