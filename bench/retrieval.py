"""Retrieval quality of the product's search: BM25, dense and hybrid.

SciFact (BEIR format, 5,183 abstracts, 809 train claims with qrels): nDCG@10 and
Recall@100 of BM25 alone, dense alone, and the hybrid fusions, each through
``medbrief.retrieve`` exactly as ``medbrief search`` runs them. RRF has no
tuned parameter; the convex weights are swept and reported for reference only
(a weight chosen on these train claims would overfit them).

PubMedQA (pqal_dev500.json): the 500 abstracts (contexts and conclusion, no
title: PubMedQA's question *is* the title rephrased, so keeping it would give
the answer away) plus every MEDLINE record of ../shared as distractors; for each
question, Recall@1 and Recall@10 of its own abstract.

    .venv/bin/python bench/retrieval.py [--scifact-home DIR] [--pubmedqa-home DIR]
        [--cache-from /tmp/medbrief-bench] [--only scifact|pubmedqa] [--json]

Homes are built on first use (dense embedding of ~56k records takes long on 2
cores; --cache-from reuses a vector cache embedded by bench/index.py).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDBRIEF_SHARED", ROOT.parent / "shared")) / "data"

from medbrief.engine import Engine  # noqa: E402
from medbrief.evaluate.ir import evaluate, read_qrels  # noqa: E402
from medbrief.index import sync_dense  # noqa: E402
from medbrief.ingest import ingest_paths  # noqa: E402
from medbrief.retrieve.hybrid import expansion_terms  # noqa: E402
from medbrief.settings import Settings, get_settings  # noqa: E402
from medbrief.types import AbstractSection, Document  # noqa: E402


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _link_cache(settings: Settings, cache_from: Path | None) -> None:
    if cache_from is None:
        return
    source = cache_from / "index" / "vectors"
    target = settings.index_dir / "vectors"
    if source.is_dir() and not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(source)


def _engine(home: Path, cache_from: Path | None, **overrides: Any) -> Engine:
    settings = get_settings(home=home, load_starter=False, **overrides)
    _link_cache(settings, cache_from)
    return Engine(settings)


def _runs(
    engine: Engine, queries: dict[str, str], k: int, raw: bool
) -> dict[str, dict[str, list[str]]]:
    """One run per method: lexical, dense, and the fusions, over the same reading."""
    retriever = engine.retriever
    runs: dict[str, dict[str, list[str]]] = {}
    alphas = (0.3, 0.5, 0.7)
    methods = ["bm25", "dense", "hybrid-rrf", *(f"hybrid-convex-{a}" for a in alphas)]
    for m in methods:
        runs[m] = {}
    for qid, text in queries.items():
        reading = engine.search(text, k=1, raw=raw).reading
        extra = [] if raw else expansion_terms(reading)
        for method in methods:
            fusion = "convex" if method.startswith("hybrid-convex") else "rrf"
            alpha = float(method.rsplit("-", 1)[1]) if fusion == "convex" else 0.5
            retriever.settings = replace_settings(engine.settings, fusion, alpha)
            hits = retriever.search(
                reading.corrected,
                k,
                expansions=extra,
                lexical=method != "dense",
                dense=method != "bm25",
            )
            runs[method][qid] = [h.document.source_id if h.document else h.id for h in hits]
    retriever.settings = engine.settings
    return runs


def replace_settings(settings: Settings, fusion: str, alpha: float) -> Settings:
    return settings.model_copy(update={"fusion": fusion, "convex_alpha": alpha})


def scifact(home: Path, cache_from: Path | None) -> dict[str, Any]:
    folder = SHARED / "scifact"
    with _engine(home, cache_from) as engine:
        if engine.store.count() == 0:
            ingest_paths(engine.store, "beir", [folder / "beir_corpus.jsonl"], collection="scifact")
        t = time.perf_counter()
        sync_dense(engine.store, engine.settings)
        _say(f"scifact: dense index ready in {time.perf_counter() - t:.0f} s")
        with (folder / "beir_queries_train.jsonl").open(encoding="utf-8") as fh:
            queries = {q["_id"]: q["text"] for q in map(json.loads, fh)}
        qrels = read_qrels(folder / "beir_qrels_train.tsv")
        report: dict[str, Any] = {"documents": engine.store.count(), "queries": len(queries)}
        for label, raw in (("as given", True), ("with query reading", False)):
            runs = _runs(engine, queries, 100, raw)
            report[label] = {m: _rounded(evaluate(run, qrels)) for m, run in runs.items()}
    return report


def _pubmedqa_docs() -> tuple[list[Document], dict[str, str]]:
    data = json.loads((SHARED / "pubmedqa" / "pqal_dev500.json").read_text(encoding="utf-8"))
    docs, questions = [], {}
    for pmid, rec in data.items():
        contexts, labels = rec["CONTEXTS"], rec["LABELS"]
        if isinstance(contexts, str):
            contexts, labels = ast.literal_eval(contexts), ast.literal_eval(labels)
        sections = [AbstractSection(c, lab) for c, lab in zip(contexts, labels, strict=False)]
        sections.append(AbstractSection(rec["LONG_ANSWER"], "CONCLUSIONS"))
        docs.append(
            Document(
                id=f"pmid:{pmid}",
                source_id=pmid,
                source="pubmedqa",
                pmid=pmid,
                abstract=tuple(sections),
            )
        )
        questions[pmid] = rec["QUESTION"]
    return docs, questions


def pubmedqa(home: Path, cache_from: Path | None) -> dict[str, Any]:
    docs, questions = _pubmedqa_docs()
    with _engine(home, cache_from) as engine:
        store = engine.store
        if store.count() == 0:
            ingest_paths(store, "pubmed", sorted((SHARED / "pubmed").glob("*.xml.gz")))
            # PubMedQA's own copies win over MEDLINE's where a PMID is in both
            store.write_documents(docs)
        t = time.perf_counter()
        sync_dense(store, engine.settings)
        _say(f"pubmedqa: dense index ready in {time.perf_counter() - t:.0f} s")
        report: dict[str, Any] = {"documents": store.count(), "questions": len(questions)}
        runs = _runs(engine, questions, 10, raw=False)
        for method, run in runs.items():
            at1 = sum(run[q][:1] == [q] for q in questions) / len(questions)
            at10 = sum(q in run[q][:10] for q in questions) / len(questions)
            report[method] = {"recall@1": round(at1, 3), "recall@10": round(at10, 3)}
    return report


def _rounded(metrics: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 4) for k, v in metrics.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scifact-home", type=Path, default=Path("/tmp/medbrief-scifact"))
    parser.add_argument("--pubmedqa-home", type=Path, default=Path("/tmp/medbrief-pubmedqa"))
    parser.add_argument("--cache-from", type=Path, default=None)
    parser.add_argument("--only", choices=["scifact", "pubmedqa"])
    args = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"../shared data not found at {SHARED}; set MEDBRIEF_SHARED")
    report: dict[str, Any] = {}
    if args.only in (None, "scifact"):
        report["scifact"] = scifact(args.scifact_home, args.cache_from)
    if args.only in (None, "pubmedqa"):
        report["pubmedqa"] = pubmedqa(args.pubmedqa_home, args.cache_from)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
