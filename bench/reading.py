"""Benchmark of the question reader (medbrief.understand).

Figures printed:

* vocabulary build time and size, and load time from the on-disk cache;
* accuracy on real misspellings (bench/data/misspellings.tsv): a reading is
  right when its corrections are exactly {misspelling -> correction};
* false corrections on 100 correctly spelled questions
  (bench/data/clean_questions.txt), goal 0;
* reading latency per question, warm (p50, p95, max).

Usage::

    python bench/reading.py                     # installed vocabularies only
    python bench/reading.py --medline ../shared/data/pubmed/pubmed21n1298.xml.gz
    python bench/reading.py --home ~/.local/share/medbrief   # a medbrief store's corpus
    python bench/reading.py --json

``--medline`` adds a corpus read from a MEDLINE XML file (titles, abstracts,
MeSH headings); ``--home`` reads the corpus of the store in that medbrief
home, as ``load_reader`` does (its vocabulary cache there is left alone).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medbrief.store import Store
from medbrief.types import AbstractSection, Document, MeshHeading
from medbrief.understand import Reader
from medbrief.understand.vocabulary import Vocabulary, build_vocabulary

DATA = Path(__file__).resolve().parent / "data"


def misspellings(path: Path = DATA / "misspellings.tsv") -> list[tuple[str, str, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("question\t"):
            continue
        question, wrong, right, source = line.split("\t")
        rows.append((question, wrong, right, source))
    return rows


def clean_questions(path: Path = DATA / "clean_questions.txt") -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [q for q in lines if q.strip() and not q.startswith("#")]


def is_right(reader: Reader, question: str, wrong: str, right: str) -> tuple[bool, list[str]]:
    reading = reader.read(question)
    got = [f"{f.original} -> {f.corrected}" for f in reading.corrections]
    ok = [(f.original.lower(), f.corrected.lower()) for f in reading.corrections] == [
        (wrong.lower(), right.lower())
    ]
    return ok, got


def medline_documents(path: Path) -> Iterator[Document]:
    """Titles, abstracts and MeSH descriptors of a MEDLINE/PubMed XML file."""
    from lxml import etree

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        for _, el in etree.iterparse(f, tag="PubmedArticle"):
            pmid = el.findtext(".//PMID") or ""
            title = (
                "".join(el.find(".//ArticleTitle").itertext())
                if el.find(".//ArticleTitle") is not None
                else ""
            )
            sections = tuple(
                AbstractSection("".join(a.itertext())) for a in el.iterfind(".//AbstractText")
            )
            mesh = tuple(
                MeshHeading(d.text or "") for d in el.iterfind(".//MeshHeading/DescriptorName")
            )
            yield Document(
                id=f"pmid:{pmid}", source_id=pmid, source="medline", title=title,
                abstract=sections, mesh=mesh,
            )  # fmt: skip
            el.clear()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(medline: Path | None, home: Path | None = None) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    started = time.perf_counter()
    if home is not None:
        with Store.open(home / "medbrief.sqlite3") as store:
            vocab = build_vocabulary(store.iter_documents(), store.iter_recommendations())
        figures["corpus"] = f"store in {home}"
    else:
        vocab = build_vocabulary(medline_documents(medline) if medline else ())
        figures["corpus"] = str(medline) if medline else "none"
    figures["build_seconds"] = round(time.perf_counter() - started, 2)
    figures["vocabulary"] = vocab.stats()

    with tempfile.TemporaryDirectory() as tmp:
        path, spell = Path(tmp) / "vocabulary.msgpack", Path(tmp) / "symspell.pkl"
        vocab.save(path)
        vocab.symspell_path = spell
        started = time.perf_counter()
        _ = vocab.symspell  # built and saved on first use
        figures["symspell_build_seconds"] = round(time.perf_counter() - started, 2)
        figures["cache_bytes"] = path.stat().st_size + spell.stat().st_size
        loads, spells = [], []
        for _ in range(3):  # best of three: the machine may be busy
            started = time.perf_counter()
            loaded = Vocabulary.load(path, spell)
            loads.append(time.perf_counter() - started)
            started = time.perf_counter()
            _ = loaded.symspell
            spells.append(time.perf_counter() - started)
        figures["load_seconds"] = round(min(loads), 3)
        figures["symspell_load_seconds"] = round(min(spells), 3)
    reader = Reader(loaded)

    rows = misspellings()
    failures = []
    for question, wrong, right, _source in rows:
        ok, got = is_right(reader, question, wrong, right)
        if not ok:
            failures.append({"question": question, "expected": f"{wrong} -> {right}", "got": got})
    figures["misspellings"] = len(rows)
    figures["misspelling_accuracy"] = round(1 - len(failures) / len(rows), 3)
    figures["misspelling_failures"] = failures

    questions = clean_questions()
    false = []
    for q in questions:
        reading = reader.read(q)
        if reading.corrections:
            false.append(
                {
                    "question": q,
                    "got": [f"{f.original} -> {f.corrected}" for f in reading.corrections],
                }
            )
    figures["clean_questions"] = len(questions)
    figures["false_corrections"] = len(false)
    figures["false_correction_details"] = false

    every = [r[0] for r in rows] + questions
    timings = []
    for q in every:
        started = time.perf_counter()
        reader.read(q)
        timings.append(1000 * (time.perf_counter() - started))
    figures["latency_ms"] = {
        "p50": round(statistics.median(timings), 2),
        "p95": round(percentile(timings, 0.95), 2),
        "max": round(max(timings), 2),
        "questions": len(timings),
    }
    return figures


def report(f: dict[str, Any]) -> str:
    lat, vocab = f["latency_ms"], f["vocabulary"]
    lines = [
        f"corpus: {f['corpus']}",
        f"vocabulary build: {f['build_seconds']} s, SymSpell index {f['symspell_build_seconds']} s,"
        f" cache {f['cache_bytes'] / 1e6:.1f} MB",
        "  " + ", ".join(f"{k}={v:,}" for k, v in vocab.items()),
        f"load from cache (best of 3): {f['load_seconds']} s, SymSpell index"
        f" {f['symspell_load_seconds']} s (loaded on the first unknown word)",
        f"misspellings: accuracy {f['misspelling_accuracy']:.3f} on {f['misspellings']}",
    ]
    lines += [
        f"  MISS {x['expected']:<40} got {x['got']}  | {x['question']}"
        for x in f["misspelling_failures"]
    ]
    lines.append(
        f"clean questions: {f['false_corrections']} false corrections on {f['clean_questions']}"
    )
    lines += [f"  FALSE {x['got']}  | {x['question']}" for x in f["false_correction_details"]]
    lines.append(
        f"reading latency (warm, {lat['questions']} questions): p50 {lat['p50']} ms,"
        f" p95 {lat['p95']} ms, max {lat['max']} ms"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--medline", type=Path, help="MEDLINE XML(.gz) file to use as corpus")
    parser.add_argument("--home", type=Path, help="medbrief home whose store is the corpus")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    figures = run(args.medline, args.home)
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(report(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
