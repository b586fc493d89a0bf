from __future__ import annotations

import pytest

from medbrief.retrieve.fusion import convex, rrf


def test_rrf_rewards_agreement() -> None:
    lexical = [("a", 9.0), ("b", 5.0), ("c", 1.0)]
    dense = [("b", 0.9), ("d", 0.8), ("a", 0.1)]
    fused = rrf([lexical, dense], k=60)
    assert [i for i, _ in fused] == ["b", "a", "d", "c"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)


def test_rrf_of_one_ranking_keeps_its_order() -> None:
    assert [i for i, _ in rrf([[("x", 1.0), ("y", 0.5)]])] == ["x", "y"]


def test_convex_normalises_each_side() -> None:
    lexical = [("a", 20.0), ("b", 10.0)]
    dense = [("b", 0.9), ("a", 0.3)]
    assert convex(lexical, dense, alpha=0.5) == [("a", 0.5), ("b", 0.5)]
    assert [i for i, _ in convex(lexical, dense, alpha=0.8)] == ["b", "a"]


def test_convex_with_missing_side() -> None:
    assert convex([("a", 3.0)], [], alpha=0.5) == [("a", 0.5)]
    assert convex([], []) == []
