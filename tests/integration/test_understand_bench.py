"""The reading benchmark lists, as a test: accuracy on real misspellings and
no false corrections on correctly spelled questions (bench/reading.py
prints the same figures with details)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medbrief.types import AbstractSection, Document
from medbrief.understand import Reader
from medbrief.understand.vocabulary import build_vocabulary

pytestmark = pytest.mark.integration

BENCH = Path(__file__).resolve().parents[2] / "bench" / "data"


def rows(name: str) -> list[list[str]]:
    lines = (BENCH / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Reader:
    vocab = build_vocabulary()
    vocab.symspell_path = tmp_path_factory.mktemp("vocabulary") / "symspell.pkl"
    return Reader(vocab)


def test_misspellings_are_read_right(reader: Reader) -> None:
    cases = [r for r in rows("misspellings.tsv") if r[0] != "question"]
    assert len(cases) >= 50
    wrong = []
    for question, misspelling, correction, _source in cases:
        got = [(f.original.lower(), f.corrected.lower()) for f in reader.read(question).corrections]
        if got != [(misspelling.lower(), correction.lower())]:
            wrong.append((question, got))
    accuracy = 1 - len(wrong) / len(cases)
    assert accuracy >= 0.9, wrong


def test_correct_questions_are_left_alone(reader: Reader) -> None:
    questions = [r[0] for r in rows("clean_questions.txt")]
    assert len(questions) == 100
    changed = {q: reader.read(q).corrections for q in questions}
    assert {q: c for q, c in changed.items() if c} == {}


def test_rls_corpus_reading(shared: Path) -> None:
    """With the RLS evidence corpus as the store's corpus, the iron question
    reads the same and the corpus words join the vocabulary."""
    docs = []
    for line in (shared / "rls" / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        docs.append(
            Document(
                id=f"pmid:{record['pmid']}",
                source_id=record["pmid"],
                source="rls",
                title=record["title"],
                abstract=(AbstractSection(record.get("abstract") or ""),),
            )
        )
    vocab = build_vocabulary(docs)
    assert vocab.corpus_documents == len(docs) > 30
    assert vocab.corpus_words["ferritin"] >= 10
    reading = Reader(vocab).read(
        "Is there a link between iron, the blood drain barrier and restless legs syndrome,"
        " and should iron be given?"
    )
    assert [(f.original, f.corrected) for f in reading.corrections] == [
        ("blood drain barrier", "blood-brain barrier")
    ]
    assert [c.label for c in reading.concepts] == [
        "iron",
        "blood-brain barrier",
        "restless legs syndrome",
    ]
