"""SciFact (BEIR) retrieval quality of each index alone: nDCG@10, Recall@100.

Builds a store of the 5,183 SciFact abstracts (ids ``beir:scifact:<_id>``),
indexes it, runs the 809 train claims and scores the run against the train
qrels with :mod:`medbrief.evaluate.ir`. Published BM25 on SciFact: 0.665
(BEIR, Elasticsearch) to 0.679 (Pyserini flat) nDCG@10.

    .venv/bin/python bench/scifact.py [--home /tmp/medbrief-scifact] [--lexical-only]
        [--cache-from /tmp/medbrief-bench]   # reuse vectors embedded there
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import load_scifact
from medbrief.evaluate.ir import evaluate, read_qrels
from medbrief.index import open_embedder, open_lexical, open_vector, sync
from medbrief.settings import get_settings
from medbrief.store import Store

ROOT = Path(__file__).resolve().parent.parent
SCIFACT = Path(os.environ.get("MEDBRIEF_SHARED", ROOT.parent / "shared")) / "data" / "scifact"
PREFIX = "beir:scifact:"


def load_queries() -> dict[str, str]:
    with (SCIFACT / "beir_queries_train.jsonl").open(encoding="utf-8") as f:
        return {q["_id"]: q["text"] for q in map(json.loads, f)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, default=Path("/tmp/medbrief-scifact"))
    parser.add_argument("--lexical-only", action="store_true")
    parser.add_argument("--lexical-backend", default=None)
    parser.add_argument("--cache-from", type=Path, default=None)
    parser.add_argument("--k", type=int, default=100)
    args = parser.parse_args()
    settings = get_settings(
        home=args.home, load_starter=False, lexical_backend=args.lexical_backend
    )
    if args.cache_from is not None:
        source = args.cache_from / "index" / "vectors"
        target = settings.index_dir / "vectors"
        if source.is_dir() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(source)
    queries = load_queries()
    qrels = read_qrels(SCIFACT / "beir_qrels_train.tsv")
    report: dict[str, object] = {"queries": len(queries)}
    with Store.open(settings.db_path) as store:
        if store.count() == 0:
            load_scifact(store, SCIFACT / "beir_corpus.jsonl")
        lexical = open_lexical(settings)
        t = time.perf_counter()
        sync(lexical, store)
        report["lexical_build_s"] = round(time.perf_counter() - t, 2)
        run = {
            qid: [d.removeprefix(PREFIX) for d, _ in lexical.search(text, args.k)]
            for qid, text in queries.items()
        }
        report[f"bm25 ({lexical.name})"] = evaluate(run, qrels)
        if not args.lexical_only:
            embedder = open_embedder(settings)
            vector = open_vector(settings, embedder)
            assert vector is not None
            t = time.perf_counter()
            sync(vector, store)
            report["dense_build_s"] = round(time.perf_counter() - t, 1)
            ids = list(queries)
            vectors = embedder.embed([queries[q] for q in ids])
            run = {
                qid: [d.removeprefix(PREFIX) for d, _ in vector.search(v, args.k)]
                for qid, v in zip(ids, vectors, strict=True)
            }
            report[f"dense ({vector.name}, {embedder.name})"] = evaluate(run, qrels)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
