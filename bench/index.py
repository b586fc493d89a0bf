"""Index benchmark on a ~56k-document store built from ../shared.

Measures: lexical build time, dense build rate (docs/s and passages/s,
cold vector cache), index sizes on disk, single-query latency p50/p95 for
lexical alone and dense alone (model loaded: embed + search), and the peak
RSS of a separate search process. Prints a JSON report.

    .venv/bin/python bench/index.py [--home /tmp/medbrief-bench] [--skip-dense]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import load_all
from medbrief.index import open_embedder, open_lexical, open_vector, remove
from medbrief.index.cache import VectorCache, cache_path
from medbrief.index.state import dir_size
from medbrief.index.sync import sync
from medbrief.settings import Settings, get_settings
from medbrief.store import Store

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDBRIEF_SHARED", ROOT.parent / "shared")) / "data"


def queries(n: int = 300) -> list[str]:
    path = SHARED / "scifact" / "beir_queries_train.jsonl"
    with path.open(encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f][:n]


def percentiles(ms: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
    }


def build(settings: Settings, skip_dense: bool, cold: bool) -> dict[str, object]:
    out: dict[str, object] = {}
    t = time.perf_counter()
    with Store.open(settings.db_path) as store:
        if store.count() == 0:
            out["loaded"] = load_all(store, SHARED)
            out["load_seconds"] = round(time.perf_counter() - t, 1)
        out["documents"] = store.count()
        out["recommendations"] = store.count("recommendations")
        remove(settings, lexical=True, dense=not skip_dense)
        lexical = open_lexical(settings)
        t = time.perf_counter()
        cpu = time.process_time()
        n = sync(lexical, store)
        out["lexical"] = {
            "items": n,
            "seconds": round(time.perf_counter() - t, 1),
            "cpu_s": round(time.process_time() - cpu, 1),
            "bytes": dir_size(settings.index_dir / settings.lexical_backend),
        }
        if skip_dense:
            return out
        embedder = open_embedder(settings)
        if cold:
            shutil.rmtree(cache_path(settings.index_dir, embedder.name).parent, ignore_errors=True)
        vector = open_vector(settings, embedder)
        assert vector is not None
        done = [0]
        t = time.perf_counter()

        def tick(k: int) -> None:
            done[0] += k
            if done[0] % 5000 == 0:
                rate = done[0] / (time.perf_counter() - t)
                print(f"  dense {done[0]} items, {rate:.1f}/s", file=sys.stderr, flush=True)

        cpu = time.process_time()
        n = sync(vector, store, tick)
        seconds = time.perf_counter() - t
        cpu_s = time.process_time() - cpu
        st = vector.status()
        out["dense"] = {
            "items": n,
            "passages": st["passages"],
            "seconds": round(seconds, 1),
            # CPU seconds of all threads: wall time depends on what else runs
            "cpu_s": round(cpu_s, 1),
            "docs_per_s": round(n / seconds, 1),
            "docs_per_cpu_s": round(n / cpu_s, 1),
            "passages_per_s": round(st["passages"] / seconds, 1),
            "index_bytes": st["bytes"],
            "cache_bytes": st["cache_bytes"],
        }
    return out


def peak_rss_mb() -> float:
    """VmHWM: this process's own peak. (getrusage's ru_maxrss would include
    the parent's peak, which Linux copies into a forked child.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def search_process(home: Path, n: int) -> dict[str, object]:
    """Run in a child process: load everything, time queries, report peak RSS."""
    settings = get_settings(home=home, load_starter=False)
    lexical = open_lexical(settings)
    embedder = open_embedder(settings)
    vector = open_vector(settings, embedder)
    qs = queries(n)
    for q in qs[:10]:  # warm-up: load model, open indexes, touch pages
        lexical.search(q, 10)
        if vector is not None:
            vector.search(embedder.embed([q])[0], 10)
    lex_ms, dense_ms, embed_ms = [], [], []
    for q in qs:
        t = time.perf_counter()
        lexical.search(q, 100)
        lex_ms.append((time.perf_counter() - t) * 1000)
        if vector is not None:
            t = time.perf_counter()
            v = embedder.embed([q])[0]
            t2 = time.perf_counter()
            vector.search(v, 100)
            dense_ms.append((time.perf_counter() - t) * 1000)
            embed_ms.append((t2 - t) * 1000)
    out: dict[str, object] = {"queries": len(qs), "k": 100, "lexical": percentiles(lex_ms)}
    if dense_ms:
        out["dense_embed_plus_search"] = percentiles(dense_ms)
        out["embed_only"] = percentiles(embed_ms)
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def build_rate(n: int) -> dict[str, object]:
    """Dense build rate on the first ``n`` records of the 2021 MEDLINE update
    file (~90% with abstracts), cold cache, with CPU time: on a shared
    machine wall time says little, CPU seconds per document do not change."""
    import tempfile
    from itertools import islice

    from corpus import pubmed_records

    with tempfile.TemporaryDirectory() as tmp:
        settings = get_settings(home=Path(tmp), load_starter=False)
        with Store.open(settings.db_path) as store:
            records = pubmed_records(SHARED / "pubmed" / "pubmed21n1298.xml.gz")
            docs = [d for d in islice(records, n) if not isinstance(d, list)]
            store.write_documents(docs)
            vector = open_vector(settings)
            assert vector is not None
            t, cpu = time.perf_counter(), time.process_time()
            items = sync(vector, store)
            seconds, cpu_s = time.perf_counter() - t, time.process_time() - cpu
            passages = vector.status()["passages"]
    return {
        "documents": items,
        "passages": passages,
        "with_abstract": sum(1 for d in docs if d.abstract),
        "seconds": round(seconds, 1),
        "cpu_s": round(cpu_s, 1),
        "docs_per_s": round(items / seconds, 1),
        "docs_per_cpu_s": round(items / cpu_s, 1),
        "passages_per_cpu_s": round(passages / cpu_s, 1),
    }


def dense_recall(settings: Settings, n: int = 100) -> dict[str, object]:
    """Recall@10 of the vector index against exact best-chunk search."""
    import sqlite3

    embedder = open_embedder(settings)
    vector = open_vector(settings, embedder)
    assert vector is not None
    conn = sqlite3.connect(settings.index_dir / "dense" / "members.sqlite3")
    rows = conn.execute("SELECT item_id, hash FROM members").fetchall()
    conn.close()
    cache = VectorCache(cache_path(settings.index_dir, embedder.name), embedder.name, embedder.dim)
    found = cache.get([h for _, h in rows])
    items = np.array([i for i, _ in rows])
    matrix = np.stack([found[h] for _, h in rows])
    hits = 0
    qs = embedder.embed(queries(n))
    for q in qs:
        scores = matrix @ q
        best: dict[str, float] = {}
        for j in np.argsort(-scores)[:200]:
            best.setdefault(str(items[j]), float(scores[j]))
        exact = sorted(best, key=lambda i: -best[i])[:10]
        hits += len(set(exact) & {i for i, _ in vector.search(q, 10)})
    return {"queries": n, "passages": len(rows), "recall@10": round(hits / (10 * n), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, default=Path("/tmp/medbrief-bench"))
    parser.add_argument(
        "--skip-dense", action="store_true", help="rebuild the lexical index only; keep dense"
    )
    parser.add_argument("--warm-cache", action="store_true", help="keep cached vectors")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--search-only", action="store_true")
    parser.add_argument("--recall", action="store_true", help="dense recall@10 vs exact")
    parser.add_argument(
        "--rate", type=int, default=0, metavar="N", help="only: dense build rate on N records"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(search_process(args.home, args.queries)))
        return
    if args.rate:
        print(json.dumps({"build_rate": build_rate(args.rate)}, indent=1))
        return
    settings = get_settings(home=args.home, load_starter=False)
    report: dict[str, object] = {"cpus": os.cpu_count()}
    if not args.search_only:
        report["build"] = build(settings, args.skip_dense, cold=not args.warm_cache)
    env = dict(os.environ)
    child = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            "--home",
            str(args.home),
            "--queries",
            str(args.queries),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    report["search"] = json.loads(child.stdout)
    if args.recall:
        report["dense_recall"] = dense_recall(settings)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
