"""Yes/no questions answered end to end: the brief's bottom line against gold.

A question file is JSON lines, one question an object with ``question``,
``answer`` (``yes``, ``no``, or ``maybe`` for PubMedQA-style sets) and
optionally ``id`` and ``gold_pmids`` (the documents judged relevant). Each
question is put to :meth:`medbrief.engine.Engine.answer` against the current
store and the bottom line's ``verdict`` compared to ``answer``:

* verdict accuracy: ``verdict == answer``; a ``mixed`` verdict is right only
  for a gold ``maybe`` and ``insufficient`` (or an abstention) is always wrong;
* lean accuracy, over the questions whose gold answer is yes or no: the side
  the evidence's weight favours (``lean``), wrong when there is none;
* gold-document hit and recall at 5 and 10 where ``gold_pmids`` are given:
  the question searched as the brief searches it (``Engine.search``); hit =
  at least one gold document in the top k, recall = the share of the gold
  documents there (of at most k);
* seconds per question, for the brief alone.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medbrief.errors import InputError

if TYPE_CHECKING:
    from medbrief.engine import Engine

ANSWERS = ("yes", "no", "maybe")
#: what a brief may say: the four verdicts, None (the question was not read
#: as asking yes or no) and an abstention
PREDICTED = ("yes", "no", "mixed", "insufficient", "none", "abstained")
DEPTHS = (5, 10)


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    question: str
    answer: str
    gold_pmids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    """One question's result."""

    id: str
    answer: str
    verdict: str
    lean: str | None
    confidence: float
    seconds: float
    #: how many gold documents the question names (0: none given)
    gold_n: int = 0
    #: rank (1-based) of each gold document in the search's top 10
    gold_ranks: tuple[int, ...] = ()
    text: str = ""


def load(path: Path) -> list[Question]:
    """Read a question file; errors name the file and the line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not readable: {exc}") from None
    out = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: line {lineno}: not JSON: {exc}") from None
        if not isinstance(obj, dict):
            raise InputError(f"{path}: line {lineno}: expected an object")
        question, answer = obj.get("question"), obj.get("answer")
        if not isinstance(question, str) or not question.strip():
            raise InputError(f"{path}: line {lineno}: 'question' is missing")
        if not isinstance(answer, str) or answer.lower() not in ANSWERS:
            raise InputError(f"{path}: line {lineno}: 'answer' must be yes, no or maybe")
        gold = obj.get("gold_pmids") or []
        if not isinstance(gold, list):
            raise InputError(f"{path}: line {lineno}: 'gold_pmids' must be a list")
        out.append(
            Question(
                id=str(obj.get("id", lineno)),
                question=question,
                answer=answer.lower(),
                gold_pmids=tuple(str(p) for p in gold),
            )
        )
    if not out:
        raise InputError(f"{path}: no questions")
    return out


def _correct(answer: str, verdict: str) -> bool:
    return verdict == answer or (answer == "maybe" and verdict == "mixed")


@dataclass(frozen=True)
class Report:
    outcomes: tuple[Outcome, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def n(self) -> int:
        return len(self.outcomes)

    @property
    def accuracy(self) -> float:
        return sum(_correct(o.answer, o.verdict) for o in self.outcomes) / max(self.n, 1)

    @property
    def binary(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.answer in ("yes", "no")]

    @property
    def lean_accuracy(self) -> float | None:
        binary = self.binary
        return sum(o.lean == o.answer for o in binary) / len(binary) if binary else None

    @property
    def confusion(self) -> dict[str, dict[str, int]]:
        """confusion[gold][predicted]"""
        golds = [a for a in ANSWERS if any(o.answer == a for o in self.outcomes)]
        table = {g: dict.fromkeys(PREDICTED, 0) for g in golds}
        for o in self.outcomes:
            table[o.answer][o.verdict] += 1
        return table

    def gold_metrics(self) -> dict[str, float] | None:
        judged = [o for o in self.outcomes if o.gold_n]
        if not judged:
            return None
        out = {}
        for k in DEPTHS:
            out[f"hit@{k}"] = sum(any(r <= k for r in o.gold_ranks) for o in judged) / len(judged)
            out[f"recall@{k}"] = sum(
                sum(r <= k for r in o.gold_ranks) / min(k, o.gold_n) for o in judged
            ) / len(judged)
        return out

    @property
    def seconds_per_question(self) -> float:
        return sum(o.seconds for o in self.outcomes) / max(self.n, 1)

    def to_json(self) -> dict[str, Any]:
        gold = self.gold_metrics()
        lean = self.lean_accuracy
        return {
            "n": self.n,
            "verdict_accuracy": round(self.accuracy, 4),
            "lean_accuracy": None if lean is None else round(lean, 4),
            "binary_n": len(self.binary),
            "confusion": self.confusion,
            "gold": None if gold is None else {k: round(v, 4) for k, v in gold.items()},
            "seconds_per_question": round(self.seconds_per_question, 3),
            "notes": list(self.notes),
            "questions": [
                {
                    "id": o.id,
                    "answer": o.answer,
                    "verdict": o.verdict,
                    "lean": o.lean,
                    "confidence": round(o.confidence, 3),
                    "gold_ranks": list(o.gold_ranks),
                    "seconds": round(o.seconds, 3),
                    "bottom_line": o.text,
                }
                for o in self.outcomes
            ],
        }


def _gold_ranks(engine: Engine, q: Question) -> tuple[int, ...]:
    if not q.gold_pmids:
        return ()
    gold = set(q.gold_pmids)
    hits = engine.search(q.question, k=max(DEPTHS)).hits
    return tuple(
        rank
        for rank, hit in enumerate(hits, 1)
        if hit.document is not None and hit.document.pmid in gold
    )


def evaluate(
    engine: Engine,
    questions: Sequence[Question],
    on_item: Callable[[int], None] | None = None,
) -> Report:
    """Ask every question and score the bottom lines."""
    outcomes = []
    for i, q in enumerate(questions, 1):
        start = time.perf_counter()
        brief = engine.answer(q.question)
        seconds = time.perf_counter() - start
        bottom = brief.bottom_line
        if brief.abstained:
            verdict = "abstained"
        elif bottom is None or bottom.verdict is None:
            verdict = "none"
        else:
            verdict = bottom.verdict
        outcomes.append(
            Outcome(
                id=q.id,
                answer=q.answer,
                verdict=verdict,
                lean=bottom.lean if bottom else None,
                confidence=bottom.confidence if bottom else 0.0,
                seconds=seconds,
                gold_n=len(q.gold_pmids),
                gold_ranks=_gold_ranks(engine, q),
                text=bottom.text if bottom else "",
            )
        )
        if on_item:
            on_item(i)
    return Report(tuple(outcomes))
