"""Intent accuracy and macro-F1 on the held-out NLU set, ours versus Rasa's default pipeline.

The held-out examples (tests/nlu/heldout*.yml) are never trained on. Each example is counted as
"accented" when it carries Vietnamese diacritics and "unaccented" otherwise. The default pipeline
is the config `rasa init` writes (Rasa's suggested pipeline), trained on the same data/nlu.

    .venv/bin/python bench/nlu_eval.py          # writes docs/nlu-evaluation.md + PNG
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import logging  # noqa: E402

import matplotlib  # noqa: E402
import structlog  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import rasa  # noqa: E402
from rasa.core.agent import Agent  # noqa: E402
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader  # noqa: E402
from sklearn.metrics import confusion_matrix, f1_score  # noqa: E402

from bot.nlu.normalization import fold_diacritics  # noqa: E402
from tests.support.servers import ROOT, trained_model  # noqa: E402

# Rasa logs every parse at debug level through structlog; that would be timed as NLU work.
logging.disable(logging.INFO)
structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

DEFAULT_CONFIG = Path(rasa.__file__).parent / "cli" / "initial_project" / "config.yml"
OUT_DIR = ROOT / "bench" / "out"


@dataclass
class Example:
    text: str
    intent: str

    @property
    def accented(self) -> bool:
        return fold_diacritics(self.text) != self.text


def heldout_examples() -> list[Example]:
    examples = []
    for path in sorted((ROOT / "tests" / "nlu").glob("heldout*.yml")):
        data = RasaYAMLReader().read(path)
        examples += [Example(m.get("text"), m.get("intent")) for m in data.intent_examples]
    if not examples:
        sys.exit("No held-out examples found in tests/nlu/heldout*.yml")
    return examples


def default_pipeline_model() -> Path:
    """Train Rasa's default NLU pipeline on our data/nlu (cached by data fingerprint)."""
    digest = subprocess.run(
        ["bash", "-c", "cat data/nlu/*.yml \"$0\" | sha256sum | cut -c1-12", str(DEFAULT_CONFIG)],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.strip()
    model = OUT_DIR / f"default-{digest}.tar.gz"
    if not model.exists():
        print("Training Rasa's default pipeline on data/nlu…", file=sys.stderr)
        subprocess.run(
            [str(Path(sys.executable).parent / "rasa"), "train", "nlu", "--config",
             str(DEFAULT_CONFIG), "--nlu", "data/nlu", "--out", str(OUT_DIR),
             "--fixed-model-name", model.name.removesuffix(".tar.gz")],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
        )
    return model


async def predict(model: Path, examples: list[Example]) -> tuple[list[str], int]:
    """Top intent per example (ignoring the fallback override) and how often fallback fired."""
    agent = Agent.load(str(model))
    predictions, fallbacks = [], 0
    for example in examples:
        parsed = await agent.parse_message(example.text)
        ranking = [r["name"] for r in parsed.get("intent_ranking", [])
                   if r["name"] != "nlu_fallback"]
        fallbacks += parsed["intent"]["name"] == "nlu_fallback"
        predictions.append(ranking[0] if ranking else parsed["intent"]["name"])
    return predictions, fallbacks


def scores(examples: list[Example], predictions: list[str], accented: bool | None) -> str:
    pairs = [(e.intent, p) for e, p in zip(examples, predictions, strict=True)
             if accented is None or e.accented == accented]
    gold, pred = [g for g, _ in pairs], [p for _, p in pairs]
    accuracy = sum(g == p for g, p in pairs) / len(pairs)
    macro_f1 = f1_score(gold, pred, labels=sorted(set(gold)), average="macro", zero_division=0)
    return f"{accuracy:.1%} / {macro_f1:.3f}"


def plot_confusion(examples: list[Example], predictions: list[str], path: Path) -> None:
    labels = sorted({e.intent for e in examples} | set(predictions))
    matrix = confusion_matrix([e.intent for e in examples], predictions, labels=labels)
    figure, axes = plt.subplots(figsize=(12, 10))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=90, fontsize=8)
    axes.set_yticks(range(len(labels)), labels, fontsize=8)
    axes.set_xlabel("predicted")
    axes.set_ylabel("expected")
    for i in range(len(labels)):
        for j in range(len(labels)):
            if matrix[i, j]:
                colour = "white" if matrix[i, j] > matrix.max() / 2 else "black"
                axes.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=7,
                          color=colour)
    axes.set_title("Held-out intents — our pipeline")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "nlu-evaluation.md")
    args = parser.parse_args()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    examples = heldout_examples()
    models = {"ours (config.yml)": trained_model(), "Rasa default (`rasa init`)":
              default_pipeline_model()}
    results = {}
    for name, model in models.items():
        started = time.perf_counter()
        predictions, fallbacks = asyncio.run(predict(model, examples))
        per_message_ms = (time.perf_counter() - started) * 1000 / len(examples)
        results[name] = (predictions, fallbacks, per_message_ms)

    counts = Counter(e.accented for e in examples)
    png = args.out.with_name("nlu-confusion.png")
    ours = results["ours (config.yml)"][0]
    plot_confusion(examples, ours, png)
    lines = [
        "# NLU evaluation",
        "",
        f"Measured by `bench/nlu_eval.py` on {date.today().isoformat()} on the held-out set "
        f"`tests/nlu/heldout*.yml` ({len(examples)} examples, {len({e.intent for e in examples})} "
        f"intents: {counts[True]} with diacritics, {counts[False]} without), which no model is "
        "trained on. Both pipelines are trained on the same `data/nlu`. Cells show intent "
        "accuracy / macro-F1; the intent is the classifier's top intent (the fallback column "
        "counts how often the FallbackClassifier would have asked again instead).",
        "",
        "| pipeline | accented | unaccented | all | fallback | ms/message |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, (predictions, fallbacks, ms) in results.items():
        lines.append(
            f"| {name} | {scores(examples, predictions, True)} | "
            f"{scores(examples, predictions, False)} | {scores(examples, predictions, None)} | "
            f"{fallbacks / len(examples):.1%} | {ms:.1f} |"
        )
    lines += ["", "Targets: ≥ 95% accented and ≥ 92% unaccented, above the default pipeline.",
              "", f"![Confusion matrix of our pipeline]({png.name})", "",
              "## Errors of our pipeline", "", "| text | expected | predicted |",
              "| --- | --- | --- |"]
    errors = [(e, p) for e, p in zip(examples, ours, strict=True) if e.intent != p]
    lines += [f"| {e.text} | {e.intent} | {p} |" for e, p in errors] or ["| (none) | | |"]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines[:12]))


if __name__ == "__main__":
    main()
