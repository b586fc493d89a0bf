from __future__ import annotations

import math
from pathlib import Path

import pytest

from medbrief.evaluate.ir import evaluate, ndcg_at_k, read_qrels, read_run, recall_at_k


def test_ndcg_graded_by_hand() -> None:
    rel = {"a": 2, "b": 1, "c": 0}
    # ranking b, x, a: DCG = 1/log2(2) + 0 + 2/log2(4) = 1 + 1 = 2
    # ideal a, b:      IDCG = 2/log2(2) + 1/log2(3) = 2 + 0.6309 = 2.6309
    assert ndcg_at_k(["b", "x", "a"], rel, 10) == pytest.approx(2 / (2 + 1 / math.log2(3)))
    assert ndcg_at_k(["a", "b"], rel, 10) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "y"], rel, 10) == 0.0


def test_ndcg_cuts_at_k_and_ignores_repeats() -> None:
    rel = {"a": 1}
    assert ndcg_at_k(["x", "a"], rel, 1) == 0.0
    assert ndcg_at_k(["x", "a"], rel, 2) == pytest.approx(1 / math.log2(3))
    assert ndcg_at_k(["a", "a"], {"a": 1, "b": 1}, 2) == pytest.approx(1 / (1 + 1 / math.log2(3)))


def test_recall() -> None:
    rel = {"a": 1, "b": 1, "c": 0}
    assert recall_at_k(["a", "c", "x"], rel, 100) == 0.5
    assert recall_at_k(["x", "a", "b"], rel, 2) == 0.5
    assert recall_at_k([], {"c": 0}, 10) == 0.0


def test_evaluate_means_over_judged_queries(tmp_path: Path) -> None:
    qrels_path = tmp_path / "qrels.tsv"
    qrels_path.write_text("query-id\tcorpus-id\tscore\nq1\ta\t1\nq2\tb\t1\nq3\tc\t0\n")
    qrels = read_qrels(qrels_path)
    assert qrels == {"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 0}}
    run_path = tmp_path / "run.txt"
    run_path.write_text("q1 Q0 x 1 2.0 t\nq1 Q0 a 2 3.0 t\n")
    run = read_run(run_path)
    assert run == {"q1": ["a", "x"]}
    scores = evaluate(run, qrels, ndcg_k=(1,), recall_k=(10,))
    # q3 has no relevant document: skipped; q2 is missing from the run: 0
    assert scores == {"ndcg@1": 0.5, "recall@10": 0.5, "queries": 2.0}
