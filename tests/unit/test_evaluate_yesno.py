"""``medbrief eval yesno``: the question file and the scoring, with a scripted engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from medbrief.errors import InputError
from medbrief.evaluate.yesno import Question, evaluate, load
from medbrief.types import (
    AbstractSection,
    BottomLine,
    Brief,
    Document,
    Hit,
    Reading,
    SearchResult,
)


def _doc(pmid: str) -> Document:
    return Document(
        id=f"pmid:{pmid}",
        source_id=pmid,
        source="t",
        pmid=pmid,
        title="t",
        abstract=(AbstractSection("x"),),
    )


class ScriptedEngine:
    """Answers each question with a set verdict; searches return set PMIDs."""

    def __init__(self, verdicts: dict[str, tuple[str | None, str | None]], hits: list[str]):
        self.verdicts = verdicts
        self.hits = hits

    def answer(self, question: str) -> Brief:
        verdict, lean = self.verdicts[question]
        reading = Reading(question, question)
        if verdict == "abstained":
            return Brief(question, reading, BottomLine("none", "insufficient"), abstained=True)
        return Brief(question, reading, BottomLine("t", verdict, lean, 0.5))  # type: ignore[arg-type]

    def search(self, question: str, k: int = 10) -> SearchResult:
        hits = tuple(
            Hit(f"pmid:{p}", "research", 1.0, r, document=_doc(p))
            for r, p in enumerate(self.hits[:k], 1)
        )
        return SearchResult(Reading(question, question), hits)


def test_verdicts_leans_confusion_and_gold_recall() -> None:
    questions = [
        Question("1", "q1", "yes", ("10", "11")),
        Question("2", "q2", "no", ("12",)),
        Question("3", "q3", "no"),
        Question("4", "q4", "maybe"),
        Question("5", "q5", "yes"),
    ]
    engine = ScriptedEngine(
        {
            "q1": ("yes", "yes"),
            "q2": ("mixed", "no"),  # mixed is wrong for a gold "no"; its lean is right
            "q3": ("yes", "yes"),
            "q4": ("mixed", "yes"),  # ... and right for a gold "maybe"
            "q5": ("abstained", None),
        },
        hits=["99", "10", "98", "97", "96", "12", "11"],
    )
    report = evaluate(engine, questions)  # type: ignore[arg-type]
    assert report.accuracy == pytest.approx(2 / 5)
    assert report.lean_accuracy == pytest.approx(2 / 4)  # q1, q2 of the four yes/no
    assert report.confusion["no"]["mixed"] == 1 and report.confusion["yes"]["abstained"] == 1
    assert report.confusion["maybe"]["mixed"] == 1
    gold = report.gold_metrics()
    assert gold is not None
    # q1: gold at ranks 2 and 7; q2: at rank 6
    assert gold["hit@5"] == pytest.approx(1 / 2)
    assert gold["hit@10"] == pytest.approx(1.0)
    assert gold["recall@5"] == pytest.approx((1 / 2 + 0) / 2)
    assert gold["recall@10"] == pytest.approx((2 / 2 + 1 / 1) / 2)
    data = report.to_json()
    assert data["n"] == 5 and data["binary_n"] == 4
    assert [q["verdict"] for q in data["questions"]] == [
        "yes",
        "mixed",
        "yes",
        "mixed",
        "abstained",
    ]


def test_question_files_are_checked_line_by_line(tmp_path: Path) -> None:
    good = tmp_path / "q.jsonl"
    good.write_text(
        json.dumps({"id": "a", "question": "Is X Y?", "answer": "Yes", "gold_pmids": [1]})
        + "\n\n"
        + json.dumps({"question": "Is Z?", "answer": "no"})
        + "\n"
    )
    assert load(good) == [
        Question("a", "Is X Y?", "yes", ("1",)),
        Question("3", "Is Z?", "no", ()),
    ]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"question": "Is X?", "answer": "perhaps"}) + "\n")
    with pytest.raises(InputError, match="line 1: 'answer' must be yes, no or maybe"):
        load(bad)
    bad.write_text("{not json\n")
    with pytest.raises(InputError, match="line 1: not JSON"):
        load(bad)
    bad.write_text("")
    with pytest.raises(InputError, match="no questions"):
        load(bad)


def test_the_command_reports_as_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from medbrief.interfaces.cli import main

    engine = ScriptedEngine({"Is X Y?": ("no", "no")}, hits=["1"])

    class _Engine:
        def __init__(self, settings: Any) -> None:
            pass

        def __enter__(self) -> ScriptedEngine:
            return engine

        def __exit__(self, *exc: object) -> None:
            pass

    monkeypatch.setattr("medbrief.engine.Engine", _Engine)
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"question": "Is X Y?", "answer": "no", "gold_pmids": ["1"]}))
    result = CliRunner().invoke(
        main, ["--home", str(tmp_path), "eval", "yesno", str(path), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["verdict_accuracy"] == 1.0 and data["gold"]["hit@5"] == 1.0
    text = CliRunner().invoke(main, ["--home", str(tmp_path), "eval", "yesno", str(path)])
    assert text.exit_code == 0, text.output
    assert "verdict accuracy  1.000" in text.output
