"""Latency of `ask`: warm on a large store, and the first answer of a fresh install.

Warm: a store of every MEDLINE record in ../shared (50,783), the SciFact corpus
(5,183), the PubMedQA abstracts (500) and the bundled starter corpus (guidelines
and studies), padded to --pad-to documents (default 70,000, the size the goal is
stated for) with copies of MEDLINE records under PMIDs offset by 100,000,000
(synthetic: same text, so their vectors come from the cache; they load the
indexes and the brief writer like real records); fully indexed; the golden
questions asked in rounds after one warm-up; p50/p95 of `Engine.answer` in one
process, and that process's peak RSS.

Search: `Engine.search` (reading + hybrid retrieval, k=10) over the golden
questions and 300 SciFact claims, warm.

Fresh: `medbrief ask` in a new process on an empty MEDBRIEF_HOME, offline, timed
end to end (starter corpus load, index build from shipped vectors, model load).

    .venv/bin/python bench/ask.py [--home /tmp/medbrief-askbench]
        [--cache-from /tmp/medbrief-bench] [--rounds 3] [--pad-to 70000]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDBRIEF_SHARED", ROOT.parent / "shared")) / "data"
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "integration"))

from test_golden_answers import GOLDEN  # noqa: E402

from medbrief.engine import Engine  # noqa: E402
from medbrief.index import sync_dense  # noqa: E402
from medbrief.ingest import ingest_paths  # noqa: E402
from medbrief.ingest.starter import load_starter  # noqa: E402
from medbrief.settings import get_settings  # noqa: E402
from retrieval import _link_cache, _pubmedqa_docs  # noqa: E402


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


PAD_OFFSET = 100_000_000


def _pad(store: Any, target: int) -> None:
    """Copies of MEDLINE records until the store holds ``target`` documents."""
    missing = target - store.count()
    copies = []
    for doc in store.iter_documents():
        if len(copies) >= missing:
            break
        if doc.source != "pubmed" or doc.pmid is None or int(doc.pmid) >= PAD_OFFSET:
            continue
        pmid = str(PAD_OFFSET + int(doc.pmid))
        copies.append(
            dataclasses.replace(
                doc, id=f"pmid:{pmid}", source_id=pmid, pmid=pmid, doi=None, pmcid=None
            )
        )
    if copies:
        store.write_documents(copies)
        _say(f"padded with {len(copies)} copies: {store.count()} documents")


def build(home: Path, cache_from: Path | None, pad_to: int) -> None:
    settings = get_settings(home=home, load_starter=False)
    _link_cache(settings, cache_from)
    with Engine(settings) as engine:
        store = engine.store
        if store.count() == 0:
            t = time.perf_counter()
            ingest_paths(store, "pubmed", sorted((SHARED / "pubmed").glob("*.xml.gz")))
            ingest_paths(
                store, "beir", [SHARED / "scifact" / "beir_corpus.jsonl"], collection="scifact"
            )
            store.write_documents(_pubmedqa_docs()[0])
            load_starter(store, settings)
            _say(f"store built in {time.perf_counter() - t:.0f} s: {store.count()} documents")
        _pad(store, pad_to)
        engine.after_ingest()
        t = time.perf_counter()
        sync_dense(store, settings)
        _say(f"dense index ready in {time.perf_counter() - t:.0f} s")


def warm(home: Path, rounds: int) -> dict[str, Any]:
    questions = [g.question for g in GOLDEN]
    with Engine(get_settings(home=home, load_starter=False)) as engine:
        t = time.perf_counter()
        engine.answer(questions[0])
        first = time.perf_counter() - t
        times = []
        for _ in range(rounds):
            for q in questions:
                t = time.perf_counter()
                engine.answer(q)
                times.append((time.perf_counter() - t) * 1000)
        stats = engine.store.stats()
        claims = [
            json.loads(line)["text"]
            for line in (SHARED / "scifact" / "beir_queries_train.jsonl").read_text().splitlines()
        ][:300]
        search_ms = []
        for q in questions + claims:
            t = time.perf_counter()
            engine.search(q, k=10)
            search_ms.append((time.perf_counter() - t) * 1000)
    return {
        "search_queries": len(search_ms),
        "search_p50_ms": round(float(np.percentile(search_ms, 50)), 1),
        "search_p95_ms": round(float(np.percentile(search_ms, 95)), 1),
        "documents": stats["documents"],
        "recommendations": stats["recommendations"],
        "first_answer_s": round(first, 2),
        "answers": len(times),
        "p50_ms": round(float(np.percentile(times, 50)), 1),
        "p95_ms": round(float(np.percentile(times, 95)), 1),
        "max_ms": round(max(times), 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def fresh() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "MEDBRIEF_HOME": str(Path(tmp) / "home")}
        cmd = [
            str(ROOT / ".venv" / "bin" / "medbrief"),
            "ask",
            "iron, blood drain barrier and restless legs syndrome",
        ]
        t = time.perf_counter()
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
        seconds = time.perf_counter() - t
    return {"seconds": round(seconds, 1), "brief_lines": len(done.stdout.splitlines())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, default=Path("/tmp/medbrief-askbench"))
    parser.add_argument("--cache-from", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pad-to", type=int, default=70_000, help="store size to pad to")
    args = parser.parse_args()
    report = {"fresh_install_first_answer": fresh()}
    build(args.home, args.cache_from, args.pad_to)
    report["warm"] = warm(args.home, args.rounds)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
