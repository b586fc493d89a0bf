"""Ingest speed and memory: medbrief vs pubmed_parser on a MEDLINE file.

    .venv/bin/python bench/ingest.py [FILE] [--repeat N]

1. Ingests FILE (default ../shared/data/pubmed/pubmed21n1298.xml.gz) into a
   fresh store in a subprocess and reports records/s end to end (parse +
   store) and the subprocess's peak RSS.
2. Times ``pubmed_parser.parse_medline_xml`` (PyPI pubmed-parser, the
   ``bench`` extra) on the same file, parse only, also in a subprocess.
3. Ingests a stream of FILE repeated N times (default 3; one gzip file made
   of N concatenated members of ``<PubmedArticleSet>`` bodies) to show peak
   RSS does not grow with input size.

Wall-clock rates depend on what else the machine runs; records per
CPU-second (all threads of the process) are printed too.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "pubmed" / "pubmed21n1298.xml.gz"

MEDBRIEF = """
import json, sys, time
from pathlib import Path
from medbrief.ingest import ingest_paths
from medbrief.store import Store
store = Store.open(Path(sys.argv[2]))
t, c = time.perf_counter(), time.process_time()
(report,) = ingest_paths(store, "pubmed", [Path(sys.argv[1])])
seconds, cpu = time.perf_counter() - t, time.process_time() - c
print(json.dumps({"records": report.records, "stored": store.count(), "seconds": seconds,
                  "cpu": cpu}))
"""

PUBMED_PARSER = """
import json, sys, time
import pubmed_parser
t, c = time.perf_counter(), time.process_time()
n = sum(1 for _ in pubmed_parser.parse_medline_xml(sys.argv[1]))
seconds, cpu = time.perf_counter() - t, time.process_time() - c
print(json.dumps({"records": n, "seconds": seconds, "cpu": cpu}))
"""


def run(script: str, *args: str) -> dict[str, float]:
    """Run ``script`` in a fresh interpreter; sample its RSS with psutil.

    (``ru_maxrss`` of a child counts memory its parent had when it forked,
    so the peak is sampled from outside instead.)
    """
    import psutil

    proc = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0
    watched = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            peak = max(peak, watched.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.05)
    out, err = proc.communicate()
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, "bench", out, err)
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_mb"] = peak / 2**20
    return result


def repeated(source: Path, times: int, folder: Path) -> Path:
    """One PubmedArticleSet holding the records of ``source`` ``times`` over."""
    with gzip.open(source, "rb") as f:
        data = f.read()
    start = data.index(b"<PubmedArticleSet>") + len(b"<PubmedArticleSet>")
    end = data.rindex(b"</PubmedArticleSet>")
    head, body, tail = data[:start], data[start:end], data[end:]
    target = folder / f"repeated{times}.xml.gz"
    with gzip.open(target, "wb", compresslevel=1) as out:
        out.write(head)
        for _ in range(times):
            out.write(body)
        out.write(tail)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.file.exists():
        sys.exit(f"{args.file} not found")

    with tempfile.TemporaryDirectory() as tmp:
        ours = run(MEDBRIEF, str(args.file), str(Path(tmp) / "a.sqlite3"))
        rate = ours["records"] / ours["seconds"]
        print(f"file                {args.file.name}")
        print(
            f"medbrief ingest     {ours['records']:,.0f} records ({ours['stored']:,.0f} stored) "
            f"in {ours['seconds']:.2f} s = {rate:,.0f} records/s end to end "
            f"({ours['records'] / ours['cpu']:,.0f} per CPU-second), "
            f"peak RSS {ours['peak_rss_mb']:.0f} MB"
        )
        try:
            theirs = run(PUBMED_PARSER, str(args.file))
        except subprocess.CalledProcessError as exc:
            print(f"pubmed_parser       unavailable: {exc.stderr.strip().splitlines()[-1]}")
            theirs = None
        if theirs:
            their_rate = theirs["records"] / theirs["seconds"]
            print(
                f"pubmed_parser       {theirs['records']:,.0f} records in "
                f"{theirs['seconds']:.2f} s "
                f"= {their_rate:,.0f} records/s (parse only; "
                f"{theirs['records'] / theirs['cpu']:,.0f} per CPU-second), peak RSS "
                f"{theirs['peak_rss_mb']:.0f} MB"
            )
            cpu_ratio = (ours["records"] / ours["cpu"]) / (theirs["records"] / theirs["cpu"])
            print(
                f"speed-up            {rate / their_rate:.2f}x wall clock, {cpu_ratio:.2f}x per "
                "CPU-second (goal >= 2x; the CPU figure is steadier on a busy machine)"
            )
        print(f"goal >= 3,000/s     {'met' if rate >= 3000 else 'NOT met'}")
        if args.repeat > 1:
            big = repeated(args.file, args.repeat, Path(tmp))
            many = run(MEDBRIEF, str(big), str(Path(tmp) / "b.sqlite3"))
            print(
                f"{args.repeat}x stream         {many['records']:,.0f} records in "
                f"{many['seconds']:.2f} s = {many['records'] / many['seconds']:,.0f} records/s, "
                f"peak RSS {many['peak_rss_mb']:.0f} MB (goal < 500 MB)"
            )


if __name__ == "__main__":
    main()
