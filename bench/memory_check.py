"""Memory check: 20 concurrent 100 KB messages must not take the server down (issue 9).

Before the input gate, one 40 KB REST message took 28 s and left Rasa at 8.6 GB, and 100 KB
ones ran TensorFlow out of memory while every other citizen waited ~18 s. This starts a real
action server + Rasa server (the helper the end-to-end tests use, our REST channel), sends 20
messages of ~100 KB at once from 20 senders while one ordinary citizen keeps asking short
questions, and records the Rasa process's peak resident memory and the citizen's latencies.
Targets: Rasa RSS < 2 GB; every ordinary message answered within 1 s.
The result is written as a section of docs/performance.md (replaced on each run).

    .venv/bin/python bench/memory_check.py [--huge 20] [--kib 100]
"""

from __future__ import annotations

import argparse
import platform
import re
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.latency import knowledge_env, rss_mib  # noqa: E402
from tests.support.servers import ROOT, RasaStack, start_stack, trained_model  # noqa: E402

HEADING = "## Oversized messages (bench/memory_check.py)"
CITIZEN_MESSAGES = ["xin chào", "làm hộ chiếu mất mấy ngày", "lệ phí bao nhiêu",
                    "kích hoạt định danh điện tử", "cảm ơn"]
RSS_LIMIT_MIB = 2048
LATENCY_LIMIT_S = 1.0


class PeakMemory:
    """Samples a process's RSS every 0.1 s in a thread; `peak` is the highest seen."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, rss_mib(pid), threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, rss_mib(self.pid))

    def stop(self) -> float:
        self._stop.set()
        self.thread.join()
        return self.peak


def post(stack: RasaStack, sender: str, text: str) -> tuple[int, float, list]:
    started = time.perf_counter()
    response = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", timeout=300,
                             json={"sender": sender, "message": text})
    took = time.perf_counter() - started
    return response.status_code, took, response.json() if response.ok else []


def huge_message(kib: int, n: int) -> str:
    """About `kib` KiB of UTF-8: a procedure question repeated, different per sender."""
    unit = f"thủ tục đăng ký khai sinh cần giấy tờ gì {n} "
    return unit * (kib * 1024 // len(unit.encode()) + 1)


def citizen(stack: RasaStack, stop: threading.Event, latencies: list[float]) -> None:
    sender, i = f"citizen-{uuid.uuid4().hex[:6]}", 0
    while not stop.is_set():
        status, took, _ = post(stack, sender, CITIZEN_MESSAGES[i % len(CITIZEN_MESSAGES)])
        assert status == 200
        latencies.append(took)
        i += 1
        time.sleep(0.2)


def measure(stack: RasaStack, huge: int, kib: int) -> dict:
    rasa_pid = stack.processes[-1].pid
    post(stack, "warm-up", "xin chào")
    before = rss_mib(rasa_pid)
    memory = PeakMemory(rasa_pid)
    stop, latencies = threading.Event(), []
    watcher = threading.Thread(target=citizen, args=(stack, stop, latencies))
    watcher.start()
    time.sleep(1)  # the citizen is talking when the storm starts
    run = uuid.uuid4().hex[:6]
    calm = len(latencies)
    started = time.perf_counter()
    bodies = [huge_message(kib, n) for n in range(huge)]  # built before the clock starts
    with ThreadPoolExecutor(max_workers=huge) as pool:
        results = list(pool.map(lambda n: post(stack, f"huge-{run}-{n}", bodies[n]),
                                range(huge)))
    storm = time.perf_counter() - started
    time.sleep(1)
    stop.set()
    watcher.join()
    peak = memory.stop()
    during = latencies[calm:]
    tracker = requests.get(f"{stack.rasa_url}/conversations/rest:huge-{run}-0/tracker",
                           timeout=10).json()
    stored = [e["text"] for e in tracker.get("events", []) if e.get("event") == "user"]
    return {
        "statuses": sorted({status for status, _, _ in results}),
        "answered": sum(bool(replies) for _, _, replies in results),
        "huge_max_s": max(took for _, took, _ in results), "storm_s": storm,
        "citizen_count": len(during), "citizen_max_s": max(during),
        "citizen_median_s": sorted(during)[len(during) // 2],
        "calm_median_s": sorted(latencies[:calm])[calm // 2] if calm else 0.0,
        "rss_before": before, "rss_peak": peak, "rss_after": rss_mib(rasa_pid),
        "stored_chars": len(stored[0]) if stored else 0,
    }


def section(result: dict, huge: int, kib: int, model: Path) -> str:
    ok_memory = result["rss_peak"] < RSS_LIMIT_MIB
    ok_latency = result["citizen_max_s"] < LATENCY_LIMIT_S
    return f"""{HEADING}

Measured by `bench/memory_check.py` on {date.today().isoformat()}: {platform.machine()}, \
Python {platform.python_version()}, model `{model.name}`, embedded default (SQLite, 1 Rasa \
process), our REST channel. {huge} messages of {kib} KB were sent at once from {huge} senders \
while one ordinary citizen kept asking short questions (one every 0.2 s after each answer).

| measure | value | target |
| --- | ---: | --- |
| Rasa RSS before (MiB) | {result['rss_before']:.0f} | |
| Rasa RSS peak during the burst (MiB) | {result['rss_peak']:.0f} | < {RSS_LIMIT_MIB} \
({'met' if ok_memory else 'NOT met'}) |
| Rasa RSS after (MiB) | {result['rss_after']:.0f} | |
| ordinary citizen: slowest answer during the burst (s) | {result['citizen_max_s']:.2f} \
| < {LATENCY_LIMIT_S:.0f} ({'met' if ok_latency else 'NOT met'}) |
| ordinary citizen: median answer (s) | {result['citizen_median_s']:.2f} | |
| ordinary citizen: median answer before the burst (s) | {result['calm_median_s']:.2f} | |
| ordinary messages answered from the burst's start to 1 s after | {result['citizen_count']} | |
| oversized messages: HTTP status | {', '.join(map(str, result['statuses']))} | |
| oversized messages answered (notice + reply) | {result['answered']} of {huge} | |
| oversized messages: slowest answer (s) | {result['huge_max_s']:.2f} | |
| whole burst (s) | {result['storm_s']:.2f} | |
| characters stored of one oversized message | {result['stored_chars']} | cut at the gate |

The gate (bot/channels/gate.py) cuts each message to 2,000 characters before the NLU and tells
the citizen so; bodies over 1 MB are refused with 413 before they are read.
"""


def write(out: Path, text: str) -> None:
    current = out.read_text(encoding="utf-8") if out.exists() else "# Performance\n"
    pattern = re.compile(re.escape(HEADING) + r".*?(?=\n## |\Z)", re.S)
    updated = pattern.sub(text.rstrip("\n"), current) if HEADING in current else \
        current.rstrip("\n") + "\n\n" + text
    out.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--huge", type=int, default=20, help="concurrent oversized messages")
    parser.add_argument("--kib", type=int, default=100, help="size of each, in KiB")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    args = parser.parse_args()
    model = trained_model()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        stack = start_stack(workdir / "stack", model=model, env=knowledge_env(workdir))
        try:
            result = measure(stack, args.huge, args.kib)
        finally:
            stack.stop()
    text = section(result, args.huge, args.kib, model)
    print(text)
    write(args.out, text)
    return 0 if result["rss_peak"] < RSS_LIMIT_MIB and \
        result["citizen_max_s"] < LATENCY_LIMIT_S else 1


if __name__ == "__main__":
    sys.exit(main())
