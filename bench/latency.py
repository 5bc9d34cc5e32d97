"""Latency and throughput of the running assistant through its REST webhook.

Starts a real action server + Rasa server on free local ports (the same helper the end-to-end
tests use), sends a fixed mix of citizen messages as 1 user and as 20 concurrent users, measures
p50/p95/p99 and messages per second, the servers' memory, and optionally training time, then
writes docs/performance.md.

    .venv/bin/python bench/latency.py [--messages 300] [--users 20] [--train-time] [--no-scale]
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
import uuid
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
    run = uuid.uuid4().hex[:6]
    latencies = []
    for i in range(count):
        text = MESSAGES[(user + i) % len(MESSAGES)]
        # A citizen's conversation is the message mix once; then a new citizen starts. (One
        # endless conversation would measure Rasa replaying an ever longer tracker instead.)
        sender = f"bench-{run}-{user}-{i // len(MESSAGES)}"
        started = time.perf_counter()
        response = session.post(
            f"{stack.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text}, timeout=60,
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
    """Resident memory of a process and all its children (Sanic workers are children)."""
    total_kib = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total_kib += int(line.split()[1])
    children = Path(f"/proc/{pid}/task/{pid}/children")
    child_pids = children.read_text().split() if children.exists() else []
    return total_kib / 1024 + sum(rss_mib(int(child)) for child in child_pids)


def training_seconds() -> float:
    """Train from scratch into a temporary folder (no cache) and time it."""
    with tempfile.TemporaryDirectory() as out, tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        subprocess.run(
            [str(Path(sys.executable).parent / "rasa"), "train", "--config", "config.yml",
             "--domain", "domain.yml", "--data", "data/nlu", "data/stories", "data/rules",
             "--out", out],
            cwd=ROOT, check=True, capture_output=True,
            # an empty cache: otherwise Rasa restores unchanged components and trains nothing
            env={**os.environ, "PYTHONPATH": str(ROOT), "RASA_CACHE_DIRECTORY": cache},
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


# The scale set-up of endpoints.yml: PostgreSQL tracker store, Redis lock store, which lets Rasa
# run several Sanic worker processes (one per core here).
SCALE_STORES = (
    "tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: 127.0.0.1\n  port: 5432\n"
    "  db: rasa\n  username: rasa\n  password: rasa-local-only\n"
    "lock_store:\n  type: redis\n  url: 127.0.0.1\n  port: 6379\n  db: 1\n  key_prefix: bench\n"
)


def measure(model: Path, users: int, messages: int, scale: bool) -> dict:
    """Start a stack, warm it up, run 1 user then `users` users; return results and memory."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    env = knowledge_env(workdir)
    stores = None
    if scale:
        subprocess.run(["bash", "scripts/services.sh", "start"], cwd=ROOT, check=True)
        env["SANIC_WORKERS"] = str(os.cpu_count() or 2)
        stores = SCALE_STORES
    stack = start_stack(workdir, model=model, env=env, stores=stores)
    try:
        # start_stack starts the action server first, then the Rasa server
        names = ["action server", "Rasa server"]
        pids = dict(zip(names, (p.pid for p in stack.processes), strict=True))
        memory_idle = {name: rss_mib(pid) for name, pid in pids.items()}
        for user in range(max(2, users // 4)):  # warm-up: first TensorFlow calls are slow
            run_user(stack, user, len(MESSAGES))
        print("  1 user…", file=sys.stderr)
        single = load(stack, 1, messages)
        print(f"  {users} users…", file=sys.stderr)
        many = load(stack, users, messages)
        memory_loaded = {name: rss_mib(pid) for name, pid in pids.items()}
    finally:
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return {"results": (single, many), "idle": memory_idle, "loaded": memory_loaded}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300, help="messages per scenario")
    parser.add_argument("--users", type=int, default=20, help="concurrent users, 2nd scenario")
    parser.add_argument("--train-time", action="store_true", help="also time a full training")
    parser.add_argument("--no-scale", action="store_true",
                        help="skip the PostgreSQL + Redis + worker-per-core deployment")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    args = parser.parse_args()

    model = trained_model()
    deployments = {"embedded default (SQLite, 1 Rasa process)": False}
    if not args.no_scale:
        deployments[f"scale (PostgreSQL + Redis, {os.cpu_count()} Sanic workers)"] = True
    measured = {}
    for name, scale in deployments.items():
        print(f"{name}…", file=sys.stderr)
        measured[name] = measure(model, args.users, args.messages, scale)
    train = training_seconds() if args.train_time else None

    lines = [
        "# Performance",
        "",
        f"Measured by `bench/latency.py` on {date.today().isoformat()}: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, model `{model.name}`. Messages go through the REST "
        "webhook of a real Rasa server with the real action server (all on this machine, "
        "load generator included). "
        f"Each simulated citizen sends a conversation of {len(MESSAGES)} typical messages "
        "(greeting, procedures and follow-ups, e-ID, payments, scams); then the next one starts.",
        "",
        "| deployment | users | messages | p50 ms | p95 ms | p99 ms | messages/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, data in measured.items():
        for result in data["results"]:
            lines.append(
                f"| {name} | {result['users']} | {result['messages']} | {result['p50']:.1f} | "
                f"{result['p95']:.1f} | {result['p99']:.1f} | {result['throughput']:.1f} |"
            )
    lines += ["", "Targets: p95 ≤ 100 ms at 1 user; ≥ 40 messages/s at 20 users.", "",
              "| deployment | process | RSS after start (MiB) | RSS after the load (MiB) |",
              "| --- | --- | ---: | ---: |"]
    for name, data in measured.items():
        for process in data["idle"]:
            lines.append(f"| {name} | {process} | {data['idle'][process]:.0f} | "
                         f"{data['loaded'][process]:.0f} |")
    if train is not None:
        lines += ["", f"Full training from scratch (NLU + dialogue, no cache): {train:.0f} s."]
    # Other benchmarks add their own "## " sections to the same file: keep them.
    previous = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    others = previous[previous.find("\n## ") + 1:] if "\n## " in previous else ""
    args.out.write_text("\n".join(lines) + "\n" + ("\n" + others if others else ""),
                        encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
