"""Rank fusion: small pure functions over ranked lists of (id, score).

Reciprocal rank fusion (Cormack, Clarke & Buettcher, SIGIR 2009) scores an
item ``sum(1 / (k + rank))`` over the rankings it appears in; it needs no
score calibration, which is why it is the default for mixing BM25 with cosine
similarity. The convex combination (Bruch et al., "An Analysis of Fusion
Functions for Hybrid Retrieval", TOIS 2023) mixes min-max normalised scores
and can beat RRF when tuned, at the cost of a weight to choose.
"""

from __future__ import annotations

from collections.abc import Sequence

Ranked = Sequence[tuple[str, float]]


def rrf(rankings: Sequence[Ranked], k: int = 60) -> list[tuple[str, float]]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, (id_, _) in enumerate(ranking, start=1):
            scores[id_] = scores.get(id_, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def _minmax(ranking: Ranked) -> dict[str, float]:
    if not ranking:
        return {}
    values = [s for _, s in ranking]
    lo, hi = min(values), max(values)
    span = hi - lo
    return {id_: (s - lo) / span if span > 0 else 1.0 for id_, s in ranking}


def convex(lexical: Ranked, dense: Ranked, alpha: float = 0.5) -> list[tuple[str, float]]:
    """``alpha * dense + (1 - alpha) * lexical`` on min-max normalised scores.

    An item missing from one side gets 0 there (it ranked below the cut-off).
    """
    lex, den = _minmax(lexical), _minmax(dense)
    ids = lex.keys() | den.keys()
    fused = {i: alpha * den.get(i, 0.0) + (1 - alpha) * lex.get(i, 0.0) for i in ids}
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
