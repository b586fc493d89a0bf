"""Memory stays bounded with a million vectors: IVF-PQ, memory-mapped.

Builds an ``ivf-pq`` dense index over N synthetic 384-d unit vectors
(a mixture of 2,000 Gaussian clusters, so that inverted lists mean
something), going through the real path: store changes -> members ->
vector cache -> faiss; the vectors are put in the cache first, so nothing
is embedded. Then a separate search process opens the index (inverted
lists memory-mapped), runs queries and reports latency and peak RSS, split
into private (anonymous) memory and file-backed pages the kernel can drop.

    .venv/bin/python bench/vectors_1m.py [--n 1000000] [--home /tmp/medbrief-1m]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from medbrief.index.cache import VectorCache, cache_path, passage_hash
from medbrief.index.dense import FaissIndex
from medbrief.index.state import dir_size
from medbrief.settings import get_settings
from medbrief.store import Change
from medbrief.types import Document

DIM = 384
CLUSTERS = 2000


class SyntheticEmbedder:
    """Stands in for the model: every vector is already in the cache."""

    name = "synthetic-384"
    dim = DIM

    def embed(self, texts: Any) -> Any:
        raise AssertionError(f"{len(texts)} passages were not in the cache")


def vectors(n: int, seed: int = 0, batch: int = 50_000) -> Iterator[np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = np.random.default_rng(42).standard_normal((CLUSTERS, DIM)).astype(np.float32)
    for start in range(0, n, batch):
        m = min(batch, n - start)
        x = centres[rng.integers(0, CLUSTERS, m)] + 0.6 * rng.standard_normal((m, DIM))
        x = x.astype(np.float32)
        yield x / np.linalg.norm(x, axis=1, keepdims=True)


def doc(i: int) -> Document:
    return Document(id=f"syn:{i}", source_id=str(i), source="synthetic", title=f"passage {i}")


def build(home: Path, n: int) -> dict[str, Any]:
    settings = get_settings(home=home, load_starter=False, vector_backend="ivf-pq")
    embedder = SyntheticEmbedder()
    cache = VectorCache(cache_path(settings.index_dir, embedder.name), embedder.name, DIM)
    t = time.perf_counter()
    i = 0 if cache.count() < n else n  # filled by an earlier run
    for x in islice(vectors(n), i // 50_000, None):
        hashes = [passage_hash(embedder.name, f"passage {j}") for j in range(i, i + len(x))]
        cache.put(hashes, x)
        i += len(x)
    cache_s = time.perf_counter() - t
    index = FaissIndex(settings, embedder, kind="ivf-pq")
    changes = (Change(j, f"syn:{j}", "research", 1, False, document=doc(j)) for j in range(n))
    t = time.perf_counter()
    cpu = time.process_time()
    index.apply(changes, 1)
    build_s = time.perf_counter() - t
    build_cpu = time.process_time() - cpu
    import resource

    return {
        "vectors": n,
        "cache_fill_s": round(cache_s, 1),
        "index_build_s": round(build_s, 1),
        "index_build_cpu_s": round(build_cpu, 1),
        "faiss_bytes": (settings.index_dir / "dense" / "faiss.index").stat().st_size,
        "members_bytes": dir_size(settings.index_dir / "dense")
        - (settings.index_dir / "dense" / "faiss.index").stat().st_size,
        "cache_bytes": dir_size(cache.path.parent),
        "build_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def peak_rss_mb() -> float:
    """VmHWM: this process's own peak. (getrusage's ru_maxrss would include
    the parent's peak, which Linux copies into a forked child.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def search(home: Path, queries: int) -> dict[str, Any]:
    import psutil  # type: ignore[import-untyped]

    settings = get_settings(home=home, load_starter=False, vector_backend="ivf-pq")
    index = FaissIndex(settings, SyntheticEmbedder(), kind="ivf-pq")
    qs = next(vectors(queries, seed=7, batch=queries))
    index.search(qs[0], 10)
    ms = []
    for q in qs:
        t = time.perf_counter()
        hits = index.search(q, 10)
        ms.append((time.perf_counter() - t) * 1000)
        assert len(hits) == 10
    mem = psutil.Process().memory_full_info()
    return {
        "queries": queries,
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "peak_rss_mb": peak_rss_mb(),
        "rss_mb": round(mem.rss / 2**20),
        "private_uss_mb": round(mem.uss / 2**20),
        "file_backed_shared_mb": round(mem.shared / 2**20),
    }


def recall(home: Path, n: int, queries: int = 50) -> dict[str, Any]:
    """Recall@10 of the index against exact search over the same vectors."""
    settings = get_settings(home=home, load_starter=False, vector_backend="ivf-pq")
    index = FaissIndex(settings, SyntheticEmbedder(), kind="ivf-pq")
    qs = next(vectors(queries, seed=7, batch=queries))
    best = np.full((queries, 10), -np.inf, dtype=np.float32)
    best_ids = np.zeros((queries, 10), dtype=np.int64)
    start = 0
    for x in vectors(n):  # the same deterministic stream the index was built from
        scores = qs @ x.T
        ids = np.broadcast_to(np.arange(start, start + len(x)), scores.shape)
        all_scores = np.concatenate([best, scores], axis=1)
        all_ids = np.concatenate([best_ids, ids], axis=1)
        top = np.argsort(-all_scores, axis=1)[:, :10]
        best = np.take_along_axis(all_scores, top, axis=1)
        best_ids = np.take_along_axis(all_ids, top, axis=1)
        start += len(x)
    found = 0
    for q, exact in zip(qs, best_ids, strict=True):
        got = {int(i.split(":")[1]) for i, _ in index.search(q, 10)}
        found += len(got & set(exact.tolist()))
    return {"queries": queries, "recall@10": round(found / (10 * queries), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--home", type=Path, default=Path("/tmp/medbrief-1m"))
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--search-only", action="store_true")
    parser.add_argument("--recall", action="store_true", help="also measure recall@10")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(search(args.home, args.queries)))
        return
    report: dict[str, Any] = {}
    if not args.search_only:
        report["build"] = build(args.home, args.n)
    out = subprocess.run(
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
        check=True,
    )
    report["search_process"] = json.loads(out.stdout)
    if args.recall:
        report["recall"] = recall(args.home, args.n)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
