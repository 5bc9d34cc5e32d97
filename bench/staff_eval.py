"""Staff assistant evaluation: passage hit@1 / hit@3 and latency, with >= 2,000 passages indexed.

What it does, all in a temporary folder:
1. writes the test corpus (tests/staff/corpus.py) as real DOCX, PDF and TXT files and uploads
   them through :class:`bot.staff.assistant.StaffAssistant` (real extraction and splitting);
2. fills the index to at least 2,000 passages with internal guidance notes built from the
   national detail pages (one note per procedure: steps, conditions, legal basis, result);
3. imports the national catalog, so "chi tiết <mã>" questions get the full procedure;
4. asks every question, checks the cited passage (document + article/clause) and times it.

    .venv/bin/python bench/staff_eval.py [--data ../shared/data/national-procedures]

Writes docs/staff-evaluation.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.knowledge.importer import import_national  # noqa: E402
from bot.knowledge.national import parse_detail  # noqa: E402
from bot.knowledge.store import SQLiteProcedureStore  # noqa: E402
from bot.staff.assistant import StaffAssistant  # noqa: E402
from tests.staff.corpus import DOCUMENTS, QUESTIONS, UNANSWERABLE, Question, write  # noqa: E402

TARGET_PASSAGES = 2000
ADMIN = {"role": "admin", "department": ""}
DETAIL_QUESTIONS = 15
CODE_QUESTIONS = 10


@dataclass
class Result:
    question: str
    expected: str
    got: list[str]
    rank: int | None  # 1-based rank of the right passage, None when missing
    seconds: float
    group: str


def guidance_note(detail) -> tuple[str, str] | None:
    """(title, text) of an internal note about one procedure, in articles, or None if thin."""
    procedure = detail.procedure
    if not (procedure.name and procedure.steps and procedure.requirements):
        return None
    lines = [f"Điều 1. Trình tự thực hiện thủ tục {procedure.name}", *procedure.steps,
             f"Điều 2. Yêu cầu, điều kiện thực hiện thủ tục {procedure.name}",
             procedure.requirements]
    if procedure.legal_basis:
        lines += [f"Điều 3. Căn cứ pháp lý của thủ tục {procedure.name}",
                  "; ".join(procedure.legal_basis)]
    if procedure.result:
        lines += [f"Điều 4. Kết quả thực hiện thủ tục {procedure.name}", procedure.result]
    return f"Hướng dẫn nội bộ thủ tục {procedure.name}", "\n".join(lines)


def build(data: Path, folder: Path) -> tuple[StaffAssistant, list[Question], list[str], dict]:
    staff = StaffAssistant(folder / "staff.db", folder / "knowledge.db")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    for document in DOCUMENTS:
        path = write(document, folder)
        staff.upload(filename=path.name, data=path.read_bytes(), title=document.title,
                     number=document.number, issued=document.issued,
                     department=document.department, username="bench")
    timings["upload corpus (4 files)"] = time.perf_counter() - started

    detail_questions: list[Question] = []
    codes: list[str] = []
    started = time.perf_counter()
    indexed = len(staff.store.passages())
    for page in sorted((data / "details").glob("*.md")):
        if indexed >= TARGET_PASSAGES:
            break
        detail = parse_detail(page.read_text(encoding="utf-8"), expected_code=page.stem)
        note = guidance_note(detail)
        if note is None:
            continue
        title, text = note
        document_id, _ = staff.upload(filename=f"{page.stem}.txt", data=text.encode(),
                                      title=title, number=f"HDNB-{page.stem}", issued="",
                                      department="", username="bench")
        indexed += len(staff.store.passages(document_id))
        name = detail.procedure.name
        if len(detail_questions) < DETAIL_QUESTIONS and len(name) < 90 and len(codes) % 7 == 0:
            detail_questions.append(Question(
                f"điều kiện để làm thủ tục {name.lower()} là gì", title, "Điều 2"))
        codes.append(page.stem)
    timings["upload national guidance notes"] = time.perf_counter() - started

    started = time.perf_counter()
    with SQLiteProcedureStore(folder / "knowledge.db") as store:
        import_national(store, data / "catalog.csv", data / "details")
    timings["national import (+ snapshot)"] = time.perf_counter() - started
    started = time.perf_counter()
    staff.search("khởi động chỉ mục", ADMIN)
    timings["index build"] = time.perf_counter() - started
    step = max(len(codes) // CODE_QUESTIONS, 1)
    return staff, detail_questions, codes[::step][:CODE_QUESTIONS], timings


def _right(question: Question, hit) -> bool:
    if hit.document.number != question.number and hit.document.title != question.number:
        return False
    if question.ref:  # the article itself, or one of its clauses when it has several
        return hit.passage.ref == question.ref or hit.passage.ref.startswith(question.ref + ",")
    return question.phrase in hit.passage.text


def run(staff: StaffAssistant, detail_questions: list[Question], codes: list[str]):
    results: list[Result] = []
    for group, questions in (("corpus", QUESTIONS), ("national notes", detail_questions)):
        for question in questions:
            started = time.perf_counter()
            answer = staff.ask(question.text, ADMIN)
            seconds = time.perf_counter() - started
            ranks = [i for i, hit in enumerate(answer.hits, 1) if _right(question, hit)]
            results.append(Result(question.text, f"{question.number} {question.ref}".strip(),
                                  [f"{h.document.number} {h.passage.ref}" for h in answer.hits],
                                  ranks[0] if ranks else None, seconds, group))
    for code in codes:
        started = time.perf_counter()
        answer = staff.ask(f"chi tiết {code}", ADMIN)
        seconds = time.perf_counter() - started
        got = answer.detail.procedure.code if answer.detail else answer.kind
        results.append(Result(f"chi tiết {code}", code, [got], 1 if got == code else None,
                              seconds, "chi tiết"))
    refusals = []
    for text in UNANSWERABLE:
        started = time.perf_counter()
        answer = staff.ask(text, ADMIN)
        refusals.append((text, answer.kind == "none", time.perf_counter() - started))
    return results, refusals


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def report(results: list[Result], refusals, passages: int, documents: int,
           timings: dict) -> str:
    passage_results = [r for r in results if r.group != "chi tiết"]
    hit1 = sum(r.rank == 1 for r in passage_results) / len(passage_results)
    hit3 = sum(r.rank is not None for r in passage_results) / len(passage_results)
    latencies = [r.seconds * 1000 for r in results]
    passage_latencies = [r.seconds * 1000 for r in passage_results]
    lines = [
        "# Staff assistant evaluation",
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {_machine()} "
        "(shared with other jobs). Command: `.venv/bin/python bench/staff_eval.py`.",
        "",
        f"Index: **{passages} passages** from {documents} documents — the test corpus "
        "(tests/staff/corpus.py: the one-stop regulation as DOCX, the fee resolution as PDF, "
        "an internal guidance note as TXT, a department-only note as DOCX) plus internal notes "
        "generated from the national detail pages to reach the 2,000-passage target.",
        "",
        "| Measure | Value | Target |",
        "| --- | --- | --- |",
        f"| Passage questions | {len(passage_results)} | ≥ 60 |",
        f"| hit@1 (right document and article/clause first) | {hit1:.1%} | |",
        f"| hit@3 | {hit3:.1%} | ≥ 90% |",
        f"| p50 latency, passage questions | {_percentile(passage_latencies, 0.5):.1f} ms | |",
        f"| p95 latency, passage questions | {_percentile(passage_latencies, 0.95):.1f} ms "
        "| ≤ 300 ms |",
        f"| p95 latency, all questions (incl. \"chi tiết\") | "
        f"{_percentile(latencies, 0.95):.1f} ms | |",
        f"| \"chi tiết <mã>\" answered with that procedure | "
        f"{sum(r.rank == 1 for r in results if r.group == 'chi tiết')}/"
        f"{sum(r.group == 'chi tiết' for r in results)} | |",
        f"| Unanswerable questions refused (no quote) | "
        f"{sum(ok for _, ok, _ in refusals)}/{len(refusals)} | all |",
        "",
        "By group:",
        "",
        "| Group | Questions | hit@1 | hit@3 |",
        "| --- | --- | --- | --- |",
    ]
    for group in ("corpus", "national notes"):
        rows = [r for r in passage_results if r.group == group]
        if rows:
            first = sum(r.rank == 1 for r in rows) / len(rows)
            top3 = sum(r.rank is not None for r in rows) / len(rows)
            lines.append(f"| {group} | {len(rows)} | {first:.1%} | {top3:.1%} |")
    lines += ["", "Set-up times (one-off):", ""]
    lines += [f"- {name}: {seconds:.1f} s" for name, seconds in timings.items()]
    misses = [r for r in results if r.rank != 1]
    lines += ["", "## Questions not answered first with the right passage", ""]
    lines += [f"- “{r.question}” — expected {r.expected}; got {', '.join(r.got) or 'nothing'}"
              for r in misses] or ["- none"]
    lines += ["", "## How to read this", "",
              "A hit is the passage of the expected document with the expected citation "
              "(“Điều 9, khoản 2”; for the guidance note without articles, the paragraph "
              "containing the expected phrase). For the generated notes, a document with the "
              "same procedure name also counts (provincial variants share their text). Latency "
              "is the whole `StaffAssistant.ask` call: routing, BM25 over the sparse matrix, "
              "department filtering, and reading the passages; the index is rebuilt only when "
              "a document is uploaded or deleted.", "",
              "Why hit@1 is lower on the generated notes: every article of a note carries the "
              "procedure's long name in its heading, so the name outweighs the one word that "
              "tells the articles apart (\"điều kiện\"); the right article is still in the top "
              "three. Corpus misses are paraphrases sharing few words with the text (\"không "
              "đến nhận\" vs \"chưa được nhận\"): the assistant then quotes a neighbour or says "
              "nothing fits, it never makes an answer up. Index build is a one-off per upload "
              "or deletion; pyvi segmentation runs at upload time, once per passage.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path,
                        default=ROOT.parent / "shared" / "data" / "national-procedures")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "staff-evaluation.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        staff, detail_questions, codes, timings = build(args.data, Path(tmp))
        staff.ask("warm up", ADMIN)
        results, refusals = run(staff, detail_questions, codes)
        text = report(results, refusals, len(staff.store.passages()),
                      len(staff.store.documents()), timings)
        staff.close()
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
