"""Information-retrieval metrics, as trec_eval / pytrec_eval compute them
(the numbers BEIR publishes): nDCG@k with graded relevance and linear gains
(Jarvelin & Kekalainen 2002; trec_eval's ``ndcg_cut``), and Recall@k.

A run is, per query, a ranked list of document ids (best first); qrels map
query -> document -> grade (0 = not relevant). Queries with no relevant
document are skipped, as trec_eval does; queries missing from the run score 0.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

Qrels = Mapping[str, Mapping[str, int]]
Run = Mapping[str, Sequence[str]]


def dcg(gains: Iterable[float]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    ideal = dcg(sorted((g for g in relevant.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    seen: set[str] = set()
    gains = []
    for doc in ranked[:k]:
        gains.append(0 if doc in seen else max(relevant.get(doc, 0), 0))
        seen.add(doc)
    return dcg(gains) / ideal


def recall_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 100) -> float:
    wanted = {d for d, g in relevant.items() if g > 0}
    if not wanted:
        return 0.0
    return len(wanted & set(ranked[:k])) / len(wanted)


def evaluate(
    run: Run, qrels: Qrels, ndcg_k: Sequence[int] = (10,), recall_k: Sequence[int] = (100,)
) -> dict[str, float]:
    """Mean metrics over the judged queries, e.g. ``{"ndcg@10": .., "recall@100": ..}``."""
    judged = [q for q, rel in qrels.items() if any(g > 0 for g in rel.values())]
    out: dict[str, float] = {}
    for k in ndcg_k:
        scores = [ndcg_at_k(run.get(q, ()), qrels[q], k) for q in judged]
        out[f"ndcg@{k}"] = sum(scores) / len(scores) if scores else 0.0
    for k in recall_k:
        scores = [recall_at_k(run.get(q, ()), qrels[q], k) for q in judged]
        out[f"recall@{k}"] = sum(scores) / len(scores) if scores else 0.0
    out["queries"] = float(len(judged))
    return out


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """BEIR qrels TSV (``query-id corpus-id score`` with a header) or TREC
    qrels (``qid 0 docid grade``)."""
    qrels: dict[str, dict[str, int]] = {}
    with Path(path).open(encoding="utf-8", newline="") as f:
        for row in csv.reader(f, delimiter="\t" if path.suffix == ".tsv" else " "):
            fields = [c for c in row if c != ""]
            if len(fields) == 4:
                fields = [fields[0], fields[2], fields[3]]
            if len(fields) != 3 or not fields[2].lstrip("-").isdigit():
                continue  # header
            qrels.setdefault(fields[0], {})[fields[1]] = int(fields[2])
    return qrels


def read_run(path: Path) -> dict[str, list[str]]:
    """A TREC run file (``qid Q0 docid rank score tag``), ranked by score."""
    scored: dict[str, list[tuple[float, str]]] = {}
    with Path(path).open(encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 5:
                scored.setdefault(parts[0], []).append((float(parts[4]), parts[2]))
    return {q: [d for _, d in sorted(rows, key=lambda r: -r[0])] for q, rows in scored.items()}
