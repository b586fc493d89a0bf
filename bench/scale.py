"""All of PubMed on one machine: build, serve and project at 70k, 500k and 2M documents.

One command per figure, each printing JSON and appending it (with the
machine's load, from ``uptime``, and CPU-seconds) to ``ROOT/results.jsonl``:

    B=".venv/bin/python bench/scale.py"
    $B seed                       # the real records (~57k: MEDLINE, SciFact, PubMedQA,
                                  # starter), embedded once: the vector cache every size reuses
    $B dense-rate --workers 1     # dense build docs/s, one worker process (cold cache)
    $B dense-rate --workers 2     # ... two: the scaling figure (needs a quiet machine)
    $B ingest-rate --workers 1    # ingest records/s of the two MEDLINE files, 1 parser
    $B ingest-rate --workers 2    # ... 2 parsers
    $B lexical-rate               # tantivy build docs/s (single writer)
    $B build --size 2000000       # a store of that size, indexed from scratch: timings, disk
    $B serve --size 2000000       # a fresh serving process: search/ask p50/p95, RSS
    $B project                    # 36M projections from the figures in results.jsonl
    $B clean                      # delete the big stores (keeps seed and results)

A store of N documents holds the real records, plus copies of the MEDLINE
records under PMIDs offset by k * 100,000,000 up to N (their text is real, so
the indexes and the brief writer carry the full load; their passages are the
seed's, so the vector cache already holds them and a build of the dense
index is timed without the embedding, which ``dense-rate`` measures).
Default ROOT: /work/scratch/issue13/scale (``--root``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDBRIEF_SHARED", ROOT.parent / "shared")) / "data"
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "integration"))

from medbrief.engine import Engine  # noqa: E402
from medbrief.index import open_lexical, open_vector, remove, sync  # noqa: E402
from medbrief.index.build import build_embedder  # noqa: E402
from medbrief.index.state import dir_size  # noqa: E402
from medbrief.ingest import ingest_paths  # noqa: E402
from medbrief.ingest.parallel import ingest_parallel  # noqa: E402
from medbrief.settings import Settings, get_settings  # noqa: E402
from medbrief.store import Store  # noqa: E402
from medbrief.types import Document  # noqa: E402
from medbrief.workers import LocalPool  # noqa: E402

MEDLINE = sorted((SHARED / "pubmed").glob("pubmed2*.xml.gz"))
PAD_OFFSET = 100_000_000
PUBMED_RECORDS = 36_000_000


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def load() -> str:
    """The 1, 5 and 15 minute load averages (what `uptime` prints)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class Timer:
    """Wall and CPU seconds: this process, and its worker processes (live
    ones read with psutil, finished ones from the kernel's child accounting)."""

    def __enter__(self) -> Timer:
        self.wall = time.perf_counter()
        self.cpu, self.self_cpu = _cpu()
        self.load_before = load()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.wall
        cpu, self_cpu = _cpu()
        self.cpu_s = cpu - self.cpu
        self.self_cpu_s = self_cpu - self.self_cpu
        self.load_after = load()

    def figures(self, n: int, unit: str) -> dict[str, Any]:
        return {
            unit: n,
            "seconds": round(self.seconds, 1),
            "cpu_s": round(self.cpu_s, 1),
            "main_process_cpu_s": round(self.self_cpu_s, 1),
            f"{unit}_per_s": round(n / self.seconds, 1) if self.seconds else None,
            f"{unit}_per_cpu_s": round(n / self.cpu_s, 1) if self.cpu_s else None,
            "load_before": self.load_before,
            "load_after": self.load_after,
        }


def _cpu() -> tuple[float, float]:
    """(CPU seconds of this process and all its children, of this process alone)."""
    import psutil

    me = resource.getrusage(resource.RUSAGE_SELF)
    gone = resource.getrusage(resource.RUSAGE_CHILDREN)
    alive = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.NoSuchProcess:
            continue
        alive += times.user + times.system
    own = me.ru_utime + me.ru_stime
    return own + gone.ru_utime + gone.ru_stime + alive, own


def record(root: Path, kind: str, result: dict[str, Any]) -> None:
    result = {
        "figure": kind,
        "at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "cpus": os.cpu_count(),
        **result,
    }
    print(json.dumps(result, indent=1))
    root.mkdir(parents=True, exist_ok=True)
    with (root / "results.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(result) + "\n")


def settings_for(home: Path, **extra: Any) -> Settings:
    return get_settings(home=home, load_starter=False, **extra)


# ------------------------------------------------------------------ seed


def seed(root: Path, workers: int) -> None:
    """The real records, indexed, with every passage embedded (cold)."""
    from ask import _pubmedqa_docs  # type: ignore[import-not-found]
    from medbrief.ingest.starter import load_starter

    home = root / "seed"
    settings = settings_for(home)
    out: dict[str, Any] = {}
    with Store.open(settings.db_path) as store:
        if store.count() == 0:
            ingest_paths(store, "pubmed", MEDLINE)
            ingest_paths(
                store, "beir", [SHARED / "scifact" / "beir_corpus.jsonl"], collection="scifact"
            )
            store.write_documents(_pubmedqa_docs()[0])
            load_starter(store, settings)  # with its shipped vectors
        out["documents"] = store.count()
        out["recommendations"] = store.count("recommendations")
        sync(open_lexical(settings), store)
        with LocalPool(workers) as pool:
            vector = open_vector(settings, build_embedder(settings, pool))
            assert vector is not None
            todo = store.count_changes(vector.watermark)
            with Timer() as t:
                n = sync(vector, store, _ticker(todo))
        status = vector.status()
    out["dense"] = {**t.figures(n, "items"), "workers": workers, "passages": status["passages"]}
    out["cache_bytes"] = status["cache_bytes"]
    record(root, "seed", out)


def _ticker(total: int) -> Any:
    done = [0]
    started = time.perf_counter()

    def tick(k: int) -> None:
        done[0] += k
        if done[0] % 2000 == 0:
            rate = done[0] / (time.perf_counter() - started)
            say(f"  {done[0]:,}/{total:,} items, {rate:.1f}/s, load {load()}")

    return tick


# ----------------------------------------------------------- rate figures


def dense_rate(root: Path, workers: int, docs: int) -> None:
    """Dense build docs/s on the first ``docs`` MEDLINE records with an
    abstract, cold cache, ``workers`` worker processes (CPU of all of them)."""
    import tempfile

    from medbrief.ingest import read

    source = [d for d in read("pubmed", MEDLINE[-1]) if isinstance(d, Document) and d.abstract]
    chosen = source[:docs]
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        settings = settings_for(Path(tmp))
        with Store.open(settings.db_path) as store, LocalPool(workers) as pool:
            store.write_documents(chosen)
            vector = open_vector(settings, build_embedder(settings, pool))
            assert vector is not None
            vector.embedder.embed(["warm up every worker: load the model"] * workers * 8)  # type: ignore[attr-defined]
            with Timer() as t:
                n = sync(vector, store)
            passages = vector.status()["passages"]
    out = t.figures(n, "docs")
    out.update(workers=workers, passages=passages, passages_per_s=round(passages / t.seconds, 1))
    out["passages_per_cpu_s"] = round(passages / t.cpu_s, 1)
    record(root, "dense-rate", out)


def ingest_rate(root: Path, workers: int) -> None:
    """Ingest records/s of the MEDLINE files into an empty store, ``workers``
    parser processes and this one writing (CPU of all of them)."""
    import tempfile

    with (
        tempfile.TemporaryDirectory(dir=root) as tmp,
        Store.open(Path(tmp) / "s.sqlite3") as store,
        LocalPool(workers) as pool,
        Timer() as t,
    ):
        reports = ingest_parallel(store, "pubmed", MEDLINE, pool)
    n = sum(r.records for r in reports)
    out = t.figures(n, "records")
    out["workers"] = workers
    record(root, "ingest-rate", out)


def lexical_rate(root: Path) -> None:
    home = root / "seed"
    settings = settings_for(home)
    import tempfile

    with tempfile.TemporaryDirectory(dir=root) as tmp, Store.open(settings.db_path) as store:
        other = settings.model_copy(update={"home": Path(tmp)})
        with Timer() as t:
            n = sync(open_lexical(other), store)
    record(root, "lexical-rate", t.figures(n, "docs"))


# ------------------------------------------------------------------ build


def padded(source: Store, needed: int) -> Iterator[list[Document]]:
    """Batches of copies of the MEDLINE records under offset PMIDs."""
    originals = [d for d in source.iter_documents() if d.source == "pubmed" and d.pmid]
    made = 0
    copy = 1
    while made < needed:
        batch = []
        for doc in originals:
            if made >= needed:
                break
            pmid = str(copy * PAD_OFFSET + int(doc.pmid or 0))
            batch.append(
                dataclasses.replace(
                    doc, id=f"pmid:{pmid}", source_id=pmid, pmid=pmid, doi=None, pmcid=None
                )
            )
            made += 1
            if len(batch) == 5000:
                yield batch
                batch = []
        if batch:
            yield batch
        copy += 1


def build(root: Path, size: int, workers: int) -> None:
    """A store of ``size`` documents from scratch, indexed; timings and disk."""
    seed_settings = settings_for(root / "seed")
    home = root / f"store-{size}"
    if home.exists():
        shutil.rmtree(home)
    settings = settings_for(home)
    settings.index_dir.mkdir(parents=True)
    (settings.index_dir / "vectors").symlink_to(seed_settings.index_dir / "vectors")
    out: dict[str, Any] = {"size": size, "workers": workers}
    with Store.open(seed_settings.db_path) as source, Store.open(settings.db_path) as store:
        others = [d for d in source.iter_documents() if d.source != "pubmed"]
        real = source.count()
        with Timer() as t:
            n = 0
            for batch in padded(source, size - real):
                store.write_documents(batch)
                n += len(batch)
                if n % 200_000 < 5000:
                    say(f"  padded {n:,}, load {load()}")
        out["pad_write"] = t.figures(n, "records")
        with Timer() as t, LocalPool(workers) as pool:
            reports = ingest_parallel(store, "pubmed", MEDLINE, pool)
        out["ingest_medline_into_store"] = t.figures(sum(r.records for r in reports), "records")
        store.write_documents(others)
        store.write_recommendations(list(source.iter_recommendations()))
        out["documents"] = store.count()
        say(f"store: {out['documents']:,} documents; lexical build, load {load()}")
        remove(settings, lexical=True, dense=True)
        with Timer() as t:
            n = sync(open_lexical(settings), store)
        out["lexical_build"] = t.figures(n, "docs")
        say(f"lexical done; dense build, load {load()}")
        with Timer() as t, LocalPool(workers) as pool:
            vector = open_vector(settings, build_embedder(settings, pool))
            assert vector is not None
            n = sync(vector, store)
        status = vector.status()
        out["dense_build_from_cache"] = {
            **t.figures(n, "docs"),
            "structure": status["structure"],
            "passages": status["passages"],
        }
        from medbrief.understand import load_vocabulary

        with Timer() as t:
            load_vocabulary(settings, store)
        out["vocabulary_build"] = t.figures(store.count(), "docs")
        out["disk"] = disk(settings, status["passages"], seed_settings)
    record(root, "build", out)


def disk(settings: Settings, passages: int, seed_settings: Settings) -> dict[str, Any]:
    """Bytes on disk; the vector cache projected to one vector per passage
    (here copies share their original's cached vectors)."""
    from medbrief.index.cache import VectorCache, cache_path
    from medbrief.index.embed import MiniLMEmbedder

    name = MiniLMEmbedder().name
    cache = VectorCache(cache_path(seed_settings.index_dir, name), name, 384)
    cached = cache.count()
    cache.close()
    cache_bytes = dir_size(seed_settings.index_dir / "vectors")
    store_bytes = sum(dir_size(p) for p in settings.home.glob("medbrief.sqlite3*"))
    lexical = dir_size(settings.index_dir / "tantivy")
    dense = dir_size(settings.index_dir / "dense")
    projected_cache = int(cache_bytes / max(cached, 1) * passages)
    with Store.open(settings.db_path) as store:
        docs = store.count()
    total = store_bytes + lexical + dense + projected_cache
    return {
        "store_bytes": store_bytes,
        "lexical_bytes": lexical,
        "dense_bytes": dense,
        "vector_cache_bytes_projected": projected_cache,
        "total_bytes": total,
        "gb_per_million_docs": round(total / docs * 1e6 / 1e9, 2),
    }


# ------------------------------------------------------------------ serve


def serve(root: Path, size: int, rounds: int) -> None:
    """Latency and memory of a fresh serving process on the store of ``size``."""
    home = root / f"store-{size}"
    child = subprocess.run(
        [
            sys.executable,
            __file__,
            "--root",
            str(root),
            "_serve",
            "--size",
            str(size),
            "--rounds",
            str(rounds),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode:
        sys.exit(child.stderr)
    out = json.loads(child.stdout.strip().splitlines()[-1])
    out["size"] = size
    out["home"] = str(home)
    record(root, "serve", out)


def _serve_child(root: Path, size: int, rounds: int) -> None:
    import psutil
    from test_golden_answers import GOLDEN  # type: ignore[import-not-found]

    settings = settings_for(root / f"store-{size}")
    questions = [g.question for g in GOLDEN]
    claims = [
        json.loads(line)["text"]
        for line in (SHARED / "scifact" / "beir_queries_train.jsonl").read_text().splitlines()
    ][:300]
    load_before = load()
    with Engine(settings) as engine:
        t = time.perf_counter()
        engine.answer(questions[0])
        first = time.perf_counter() - t
        search_ms = []
        for q in questions + claims:
            t = time.perf_counter()
            engine.search(q, k=10)
            search_ms.append((time.perf_counter() - t) * 1000)
        ask_ms = []
        for _ in range(rounds):
            for q in questions:
                t = time.perf_counter()
                engine.answer(q)
                ask_ms.append((time.perf_counter() - t) * 1000)
        mem = psutil.Process().memory_full_info()
    status = Path("/proc/self/status").read_text()
    peak = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))

    def pct(ms: list[float], p: int) -> float:
        return round(float(np.percentile(ms, p)), 1)

    print(
        json.dumps(
            {
                "first_answer_s": round(first, 2),
                "search_queries": len(search_ms),
                "search_p50_ms": pct(search_ms, 50),
                "search_p95_ms": pct(search_ms, 95),
                "asks": len(ask_ms),
                "ask_p50_ms": pct(ask_ms, 50),
                "ask_p95_ms": pct(ask_ms, 95),
                "ask_max_ms": round(max(ask_ms), 1),
                "peak_rss_mb": round(peak / 1024),
                "rss_mb": round(mem.rss / 2**20),
                "private_uss_mb": round(mem.uss / 2**20),
                "file_backed_mb": round((mem.rss - mem.uss) / 2**20),
                "load_before": load_before,
                "load_after": load(),
            }
        )
    )


# ---------------------------------------------------------------- project


def project(root: Path, cores: int, machines: int) -> None:
    """36M documents from the per-core rates in results.jsonl (latest of each)."""
    latest: dict[str, dict[str, Any]] = {}
    builds: dict[int, dict[str, Any]] = {}
    serves: dict[int, dict[str, Any]] = {}
    for line in (root / "results.jsonl").read_text().splitlines():
        r = json.loads(line)
        key = r["figure"] + (
            f":{r['workers']}" if "workers" in r and r["figure"].endswith("rate") else ""
        )
        latest[key] = r
        if r["figure"] == "build":
            builds[r["size"]] = r
        if r["figure"] == "serve":
            serves[r["size"]] = r
    n = PUBMED_RECORDS
    # the embedding: passages per CPU-second of a worker, times the cores
    dense1 = latest.get("dense-rate:1") or {}
    dense2 = latest.get("dense-rate:2") or {}
    per_doc = dense1["passages"] / dense1["docs"]
    passages_per_cpu_s = dense1["passages_per_cpu_s"]
    scaling = dense2["docs_per_s"] / dense1["docs_per_s"] if dense2 else 1.0
    # two efficiencies: from the wall-clock 1->2 ratio (what the goal names,
    # but on a shared machine other work takes cores from the 2-worker run),
    # and from passages per CPU-second (the overhead parallel work adds when
    # it has its cores; unaffected by other processes' load)
    efficiencies = {
        "wall": min(1.0, scaling / 2),
        "cpu": min(1.0, dense2["passages_per_cpu_s"] / passages_per_cpu_s) if dense2 else 1.0,
    }
    embed_cpu_s = n * per_doc / passages_per_cpu_s
    # ingest: parsing CPU in workers, writing in one process
    ing = latest.get("ingest-rate:2") or latest.get("ingest-rate:1") or {}
    writer_s_per_record = ing["main_process_cpu_s"] / ing["records"]
    parse_s_per_record = (ing["cpu_s"] - ing["main_process_cpu_s"]) / ing["records"]
    biggest = builds[max(builds)]
    lex_rate = biggest["lexical_build"]["docs_per_s"]
    structure_s_per_doc = biggest["dense_build_from_cache"]["seconds"] / biggest["documents"]

    def plan(total_cores: int, efficiency: float) -> dict[str, float]:
        parse = n * parse_s_per_record / max(1, total_cores - 1)
        write = n * writer_s_per_record
        ingest = max(parse, write)  # parsing and writing overlap
        embed = embed_cpu_s / (total_cores * efficiency)
        lexical = n / lex_rate  # one writer; overlaps the embedding
        structure = n * structure_s_per_doc
        hours = (ingest + max(embed, lexical) + structure) / 3600
        return {
            "ingest_h": round(ingest / 3600, 2),
            "embed_h": round(embed / 3600, 2),
            "lexical_h": round(lexical / 3600, 2),
            "dense_structure_h": round(structure / 3600, 2),
            "total_h": round(hours, 2),
        }

    gb = biggest["disk"]["gb_per_million_docs"]
    sizes = sorted(serves)
    rss = [serves[s]["peak_rss_mb"] for s in sizes]
    slope = (rss[-1] - rss[0]) / (sizes[-1] - sizes[0]) if len(sizes) > 1 else 0.0
    out = {
        "documents": n,
        "passages_per_doc": round(per_doc, 3),
        "passages_per_cpu_s": passages_per_cpu_s,
        "dense_scaling_1_to_2": round(scaling, 2),
        "efficiency": {k: round(v, 2) for k, v in efficiencies.items()},
        **{
            f"{where}_{k}_efficiency": {"cores": n, **plan(n, e)}
            for where, n in (("one_machine", cores), ("ray_cluster", cores * machines))
            for k, e in efficiencies.items()
        },
        "machines": machines,
        "disk_gb": round(gb * n / 1e6),
        "serving_rss_gb_projected": round((rss[-1] + slope * (n - sizes[-1])) / 1024, 1)
        if rss
        else None,
        "from": {"dense": dense1.get("at"), "ingest": ing.get("at"), "build": biggest.get("at")},
    }
    record(root, "project", out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path("/work/scratch/issue13/scale"))
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("seed")
    s.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    s = sub.add_parser("dense-rate")
    s.add_argument("--workers", type=int, default=1)
    s.add_argument("--docs", type=int, default=2000)
    s = sub.add_parser("ingest-rate")
    s.add_argument("--workers", type=int, default=1)
    sub.add_parser("lexical-rate")
    s = sub.add_parser("build")
    s.add_argument("--size", type=int, required=True)
    s.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    for name in ("serve", "_serve"):
        s = sub.add_parser(name)
        s.add_argument("--size", type=int, required=True)
        s.add_argument("--rounds", type=int, default=2)
    s = sub.add_parser("project")
    s.add_argument("--cores", type=int, default=32)
    s.add_argument("--machines", type=int, default=8)
    sub.add_parser("clean")
    args = parser.parse_args()
    root: Path = args.root
    root.mkdir(parents=True, exist_ok=True)
    if args.cmd == "seed":
        seed(root, args.workers)
    elif args.cmd == "dense-rate":
        dense_rate(root, args.workers, args.docs)
    elif args.cmd == "ingest-rate":
        ingest_rate(root, args.workers)
    elif args.cmd == "lexical-rate":
        lexical_rate(root)
    elif args.cmd == "build":
        build(root, args.size, args.workers)
    elif args.cmd == "serve":
        serve(root, args.size, args.rounds)
    elif args.cmd == "_serve":
        _serve_child(root, args.size, args.rounds)
    elif args.cmd == "project":
        project(root, args.cores, args.machines)
    elif args.cmd == "clean":
        for home in root.glob("store-*"):
            shutil.rmtree(home)


if __name__ == "__main__":
    main()
