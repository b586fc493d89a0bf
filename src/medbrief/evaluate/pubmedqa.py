"""PubMedQA evaluation of :func:`medbrief.stance` (Jin et al., EMNLP 2019).

A PubMedQA file maps a PMID to ``{QUESTION, CONTEXTS, LABELS,
final_decision, LONG_ANSWER, ...}``: the abstract's sections without its
conclusion, their labels, the expert answer (yes / no / maybe) and the
conclusion itself. Two settings from the paper:

* ``reasoning-free``: question + the whole abstract, conclusion included
  (CONTEXTS, then LONG_ANSWER as the "CONCLUSIONS" section);
* ``reasoning-required``: question + CONTEXTS only.

``stance`` may answer ``not_addressed`` (too few of the question's concepts
occur in the abstract). PubMedQA has no such label; its nearest is
``maybe``, which the annotators gave when the abstract does not settle the
question, so ``not_addressed`` is scored as ``maybe``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from medbrief.errors import InputError
from medbrief.types import Stance

Setting = Literal["reasoning-free", "reasoning-required"]
SETTINGS: tuple[Setting, ...] = ("reasoning-free", "reasoning-required")
LABELS: tuple[str, ...] = ("yes", "no", "maybe")


@dataclass(frozen=True, slots=True)
class Item:
    pmid: str
    question: str
    contexts: tuple[str, ...]
    labels: tuple[str, ...]
    answer: str
    long_answer: str

    def abstract(self, setting: Setting) -> str:
        """The abstract as ``LABEL: text`` lines, as ``stance`` reads it."""
        lines = [
            f"{label}: {text}" if label else text
            for label, text in zip(self.labels, self.contexts, strict=False)
        ]
        lines.extend(self.contexts[len(self.labels) :])
        if setting == "reasoning-free" and self.long_answer:
            lines.append(f"CONCLUSIONS: {self.long_answer}")
        return "\n".join(lines)


def load(path: Path) -> list[Item]:
    """Read a PubMedQA-format JSON file; errors name the file and the PMID."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a readable PubMedQA JSON file: {exc}") from None
    if not isinstance(data, dict) or not data:
        raise InputError(f"{path}: expected a JSON object mapping PMIDs to questions")
    return [_item(path, str(pmid), rec) for pmid, rec in data.items()]


def _item(path: Path, pmid: str, rec: Any) -> Item:
    if not isinstance(rec, dict):
        raise InputError(f"{path}: PMID {pmid}: expected an object")
    answer = rec.get("final_decision")
    question = rec.get("QUESTION")
    contexts = rec.get("CONTEXTS")
    if answer not in LABELS:
        raise InputError(f"{path}: PMID {pmid}: final_decision must be yes, no or maybe")
    if not isinstance(question, str) or not question.strip():
        raise InputError(f"{path}: PMID {pmid}: QUESTION is missing")
    if not isinstance(contexts, list) or not all(isinstance(c, str) for c in contexts):
        raise InputError(f"{path}: PMID {pmid}: CONTEXTS must be a list of strings")
    labels = rec.get("LABELS") or []
    return Item(
        pmid=pmid,
        question=question,
        contexts=tuple(contexts),
        labels=tuple(str(label) for label in labels),
        answer=answer,
        long_answer=str(rec.get("LONG_ANSWER") or ""),
    )


def to_pubmedqa(label: str) -> str:
    return "maybe" if label == "not_addressed" else label


@dataclass(frozen=True)
class Report:
    setting: Setting
    n: int
    accuracy: float
    macro_f1: float
    per_class: dict[str, dict[str, float]]
    #: confusion[gold][predicted]
    confusion: dict[str, dict[str, int]]
    not_addressed: int
    seconds: float
    training_overlap: int = 0
    notes: tuple[str, ...] = field(default=())
    #: who labelled: "offline", or "llm:<model>" (the offline reader as fallback)
    reader: str = "offline"

    def to_json(self) -> dict[str, Any]:
        return {
            "setting": self.setting,
            "n": self.n,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "per_class": self.per_class,
            "confusion": self.confusion,
            "not_addressed_as_maybe": self.not_addressed,
            "abstracts_per_second": round(self.n / self.seconds, 1) if self.seconds else None,
            "training_overlap": self.training_overlap,
            "reader": self.reader,
            "notes": list(self.notes),
        }


def score(gold: Sequence[str], predicted: Sequence[str]) -> tuple[float, float, dict[str, Any]]:
    """Accuracy, macro-F1 over yes/no/maybe, and per-class precision/recall/F1."""
    n = len(gold)
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / n if n else 0.0
    per_class: dict[str, dict[str, float]] = {}
    for label in LABELS:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        n_pred = sum(p == label for p in predicted)
        n_gold = sum(g == label for g in gold)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": n_gold,
        }
    macro = sum(c["f1"] for c in per_class.values()) / len(LABELS)
    return accuracy, macro, per_class


def confusion(gold: Iterable[str], predicted: Iterable[str]) -> dict[str, dict[str, int]]:
    table = {g: dict.fromkeys(LABELS, 0) for g in LABELS}
    for g, p in zip(gold, predicted, strict=True):
        table[g][p] += 1
    return table


def evaluate(
    items: Sequence[Item],
    setting: Setting = "reasoning-free",
    on_item: Callable[[int], None] | None = None,
    reader: Callable[[str, str], Stance] | None = None,
    reader_name: str = "offline",
) -> Report:
    """Run ``stance`` (or ``reader``, e.g. the model's) on every item and score
    it against ``final_decision``."""
    import time

    from medbrief.grade.stance import stance, training_pmids

    read = reader or stance
    predicted: list[str] = []
    raw_na = 0
    start = time.perf_counter()
    for i, item in enumerate(items, 1):
        label = read(item.question, item.abstract(setting)).label
        raw_na += label == "not_addressed"
        predicted.append(to_pubmedqa(label))
        if on_item:
            on_item(i)
    seconds = time.perf_counter() - start
    gold = [item.answer for item in items]
    accuracy, macro, per_class = score(gold, predicted)
    overlap = len({item.pmid for item in items} & training_pmids())
    notes: list[str] = []
    if overlap:
        notes.append(
            f"{overlap} of these {len(items)} questions are in the stance model's training "
            "data (PubMedQA PQA-L): these figures measure fit, not accuracy on unseen "
            "questions; see bench/stance.py for 10-fold cross-validated figures"
        )
    return Report(
        setting=setting,
        n=len(items),
        accuracy=accuracy,
        macro_f1=macro,
        per_class=per_class,
        confusion=confusion(gold, predicted),
        not_addressed=raw_na,
        seconds=seconds,
        training_overlap=overlap,
        notes=tuple(notes),
        reader=reader_name,
    )
