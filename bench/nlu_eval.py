"""Intent accuracy and macro-F1 on the held-out NLU set, ours versus Rasa's default pipeline.

The evaluation examples (tests/nlu/heldout_*.yml, tests/nlu/fresh_*.yml) are never trained on.
Each example is counted as "accented" when it carries Vietnamese diacritics and "unaccented"
otherwise. The default pipeline is the config `rasa init` writes (Rasa's suggested pipeline),
trained on the same data/nlu.

    .venv/bin/python bench/nlu_eval.py          # writes docs/nlu-evaluation.md + PNG
    .venv/bin/python bench/nlu_eval.py --config config.yml --config other.yml  # compare pipelines
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


# Two evaluation sets, reported apart. The first was written with the training data, and its
# errors were looked at while training examples were added; the second was written blind
# afterwards and never looked at before its first evaluation.
EVAL_SETS = {
    "held-out (`tests/nlu/heldout_*.yml`)": "heldout_*.yml",
    "fresh, written blind (`tests/nlu/fresh_*.yml`)": "fresh_*.yml",
}


def load_examples(pattern: str) -> list[Example]:
    examples = []
    for path in sorted((ROOT / "tests" / "nlu").glob(pattern)):
        data = RasaYAMLReader().read(path)
        examples += [Example(m.get("text"), m.get("intent")) for m in data.intent_examples]
    return examples


def nlu_model(config: Path, prefix: str) -> Path:
    """Train an NLU-only model of `config` on data/nlu, cached by config, data and NLU code."""
    digest = subprocess.run(
        ["bash", "-c", "cat data/nlu/*.yml bot/nlu/*.py \"$0\" | sha256sum | cut -c1-12",
         str(config.resolve())],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.strip()
    model = OUT_DIR / f"{prefix}-{digest}.tar.gz"
    if not model.exists():
        print(f"Training {config} on data/nlu…", file=sys.stderr)
        subprocess.run(
            [str(Path(sys.executable).parent / "rasa"), "train", "nlu", "--config",
             str(config.resolve()), "--nlu", "data/nlu", "--out", str(OUT_DIR),
             "--fixed-model-name", model.name.removesuffix(".tar.gz")],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
        )
    return model


async def predict(model: Path, examples: list[Example]) -> tuple[list[str], int, float]:
    """Top intent per example (ignoring the fallback override), how often fallback fired, and
    the mean parse time in ms once the model is warm (first TensorFlow calls compile graphs)."""
    agent = Agent.load(str(model))
    for example in examples[:5]:
        await agent.parse_message(example.text)
    started = time.perf_counter()
    predictions, fallbacks = [], 0
    for example in examples:
        parsed = await agent.parse_message(example.text)
        ranking = [r["name"] for r in parsed.get("intent_ranking", [])
                   if r["name"] != "nlu_fallback"]
        fallbacks += parsed["intent"]["name"] == "nlu_fallback"
        predictions.append(ranking[0] if ranking else parsed["intent"]["name"])
    return predictions, fallbacks, (time.perf_counter() - started) * 1000 / len(examples)


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
    parser.add_argument("--config", type=Path, action="append", default=[],
                        help="compare these pipeline configs instead (NLU-only models, the first "
                        "one's errors are listed); writes bench/out/nlu-compare.md by default")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    args.out = args.out or (OUT_DIR / "nlu-compare.md" if args.config
                            else ROOT / "docs" / "nlu-evaluation.md")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    sets = {name: load_examples(pattern) for name, pattern in EVAL_SETS.items()}
    sets = {name: examples for name, examples in sets.items() if examples}
    if not sets:
        sys.exit("No evaluation examples found in tests/nlu/")
    if args.config:
        models = {f"`{config}`": nlu_model(config, f"nlu-{config.stem}") for config in args.config}
    else:
        models = {"ours (config.yml)": trained_model(),
                  "Rasa default (`rasa init`)": nlu_model(DEFAULT_CONFIG, "default")}
    primary = next(iter(models))
    results = {(model_name, set_name): asyncio.run(predict(model, examples))
               for model_name, model in models.items() for set_name, examples in sets.items()}

    first_set, first_examples = next(iter(sets.items()))
    png = args.out.with_name("nlu-confusion.png")
    plot_confusion(first_examples, results[primary, first_set][0], png)
    lines = [
        "# NLU evaluation",
        "",
        f"Measured by `bench/nlu_eval.py` on {date.today().isoformat()}. No model is trained on "
        "the evaluation sets; every pipeline is trained on the same `data/nlu`. Cells show intent "
        "accuracy / macro-F1; the intent is the classifier's top intent (the fallback column "
        "counts how often the FallbackClassifier would have asked again instead). Each message "
        "is in both sets twice, with and without diacritics.",
        "",
        "The held-out set was written with the training data, and its errors were looked at while "
        "examples were added to `data/nlu` (not copied), so its figures are optimistic. The fresh "
        "set was written blind afterwards, before any evaluation: it is the honest estimate.",
        "",
        "| set | pipeline | accented | unaccented | all | fallback | ms/message |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for set_name, examples in sets.items():
        counts = Counter(e.accented for e in examples)
        label = f"{set_name}: {counts[True]} + {counts[False]}"
        for model_name in models:
            predictions, fallbacks, ms = results[model_name, set_name]
            lines.append(
                f"| {label} | {model_name} | {scores(examples, predictions, True)} | "
                f"{scores(examples, predictions, False)} | "
                f"{scores(examples, predictions, None)} | "
                f"{fallbacks / len(examples):.1%} | {ms:.1f} |"
            )
    lines += ["", "Targets: ≥ 95% accented and ≥ 92% unaccented, above the default pipeline.",
              "", f"Confusion matrix of our pipeline on the {first_set} set:", "",
              f"![Confusion matrix of our pipeline]({png.name})", "",
              "## Errors of our pipeline", "", "| set | text | expected | predicted |",
              "| --- | --- | --- | --- |"]
    for set_name, examples in sets.items():
        predictions = results[primary, set_name][0]
        lines += [f"| {set_name.split(' ')[0]} | {e.text} | {e.intent} | {p} |"
                  for e, p in zip(examples, predictions, strict=True) if e.intent != p]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines[:18]))


if __name__ == "__main__":
    main()
