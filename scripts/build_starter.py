"""Build the starter corpus shipped in src/medbrief/data/starter/ from ../shared.

Reproducible: same inputs, same output. What goes in (all redistributable):
- NLM MEDLINE records on a range of clinical topics, chosen from the two MEDLINE files in
  ../shared/data/pubmed (English, with an abstract; per topic, the strongest designs first,
  then the most recent), plus the RLS/iron PubMed records of ../shared/data/rls;
- the USPSTF recommendations (US Government work, credit USPSTF);
- the RLS guideline recommendations of ../shared/data/rls (statement types kept: verbatim or
  paraphrase);
- the open-medicine guideline summaries (MIT; labelled as summaries, not publishers' text).
SciFact is never included (CC BY-NC).

It ingests everything into a scratch home with medbrief's own readers, builds the dense
vectors with the shipped model, and writes documents.jsonl.gz, recommendations.jsonl.gz,
vectors.npz and MANIFEST.json.

Usage: python scripts/build_starter.py [--shared ../shared] [--per-topic 70]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "src" / "medbrief" / "data" / "starter"

#: topic -> pattern over title + MeSH; chosen to cover the USPSTF topics, the guideline
#: summaries and common primary-care questions
TOPICS: dict[str, str] = {
    "colorectal cancer": (
        r"colorectal (cancer|neoplasm|carcinoma)|colon cancer"
        r"|colonoscop|faecal occult|fecal (occult|immunochemical)"
        r"|sigmoidoscop"
    ),
    "breast cancer": r"breast (cancer|neoplasm|carcinoma)|mammogra",
    "lung cancer": r"lung (cancer|neoplasm|carcinoma)|low-dose (ct|computed)",
    "cervical cancer": (
        r"cervical (cancer|neoplasm|intraepithelial)|papanicolaou"
        r"|\bhpv\b|papillomavirus"
    ),
    "prostate cancer": r"prostat(e|ic) (cancer|neoplasm|carcinoma)|prostate-specific antigen",
    "statins and lipids": (
        r"statin\b|statins|atorvastatin|rosuvastatin|simvastatin"
        r"|hypercholesterol|ldl cholesterol|dyslipid"
    ),
    "aspirin": r"aspirin|acetylsalicylic",
    "hypertension": r"hypertensi|blood pressure",
    "diabetes": r"diabet|metformin|hba1c|glycated|insulin resistance|sglt2|glp-1",
    "atrial fibrillation": (
        r"atrial fibrillation|anticoagula|warfarin|apixaban"
        r"|rivaroxaban|dabigatran|edoxaban"
    ),
    "kidney disease": (
        r"chronic kidney|renal insufficiency|kidney failure"
        r"|albuminuria|glomerular filtration|haemodialysis"
        r"|hemodialysis"
    ),
    "depression and anxiety": r"depressi|anxiety|antidepress|suicid",
    "hiv": r"\bhiv\b|pre-exposure prophylaxis|antiretroviral",
    "hepatitis": r"hepatitis (b|c)\b|\bhcv\b|\bhbv\b",
    "pregnancy": r"pregnan|gestational|preeclampsia|pre-eclampsia|neural tube|folic acid|prenatal",
    "vitamin d and bone": (
        r"vitamin d\b|cholecalciferol|osteoporo|bone mineral density"
        r"|hip fracture|fragility fracture|falls?\b.*older"
    ),
    "smoking": r"smoking|tobacco|nicotine|varenicline|e-cigarette",
    "pneumonia and infections": r"pneumonia|sepsis|urinary tract infection|antibiotic",
    "aortic aneurysm": r"aortic aneurysm",
    "covid-19": r"covid-19|sars-cov-2|coronavirus disease",
    "obesity": r"obesity|overweight|weight loss|bariatric",
    "heart failure": r"heart failure|cardiac failure",
    "coronary disease": (
        r"myocardial infarction|coronary (artery|heart) disease"
        r"|acute coronary|angina"
    ),
    "stroke": r"\bstroke\b|cerebral infarction|transient ischemic|transient ischaemic",
    "asthma and copd": r"asthma|copd|chronic obstructive",
    "iron and anaemia": r"\biron\b|ferritin|an(a)?emia|ferrous|ferric",
    "sleep": r"sleep|insomnia|restless legs",
    "dementia": r"dementia|alzheimer|cognitive impairment",
    "liver disease": r"cirrhosis|fatty liver|nafld|steatohepatitis|pancreatitis",
}
#: 2: documents carry volume, issue and pages
STARTER_VERSION = 2
USPSTF_FILE = "uspstf_prevention_taskforce_api_2024-05-02.json"
STRONG = {
    "meta-analysis": 0,
    "systematic-review": 0,
    "rct": 1,
    "guideline": 1,
    "non-randomised-trial": 2,
    "cohort": 2,
    "case-control": 3,
    "cross-sectional": 3,
}


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def select_medline(shared: Path, per_topic: int) -> list[Path]:
    """Choose records, and write them as PubmedArticleSet XML files to ingest."""
    from lxml import etree

    from medbrief.grade import classify_design
    from medbrief.ingest.pubmed_xml import iter_pubmed_xml
    from medbrief.types import Document

    patterns = {t: re.compile(p, re.IGNORECASE) for t, p in TOPICS.items()}
    files = sorted((shared / "pubmed").glob("pubmed*.xml.gz"))
    candidates: dict[str, list[tuple[tuple[int, int, str], str]]] = {t: [] for t in TOPICS}
    for path in files:
        for rec in iter_pubmed_xml(path):
            if not isinstance(rec, Document) or rec.retracted:
                continue
            if rec.language not in (None, "eng") or len(rec.abstract_text) < 400:
                continue
            text = rec.title + " " + " ".join(m.descriptor for m in rec.mesh)
            design = classify_design(rec)
            if design in ("animal", "in-vitro"):
                continue
            key = (STRONG.get(design, 5), -(rec.year or 0), rec.id)
            for topic, pattern in patterns.items():
                if pattern.search(text):
                    candidates[topic].append((key, rec.source_id))
    chosen: set[str] = set()
    for topic, cands in candidates.items():
        picked = [pmid for _, pmid in sorted(cands)[:per_topic]]
        _say(f"  {topic}: {len(picked)} of {len(cands)}")
        chosen.update(picked)
    # copy the chosen PubmedArticle elements verbatim, so the records go in as NLM wrote them
    out_dir = Path(tempfile.mkdtemp(prefix="starter-xml-"))
    outputs = []
    for path in files:
        out = out_dir / path.name.replace(".xml.gz", ".selected.xml")
        n = 0
        with out.open("wb") as fh:
            fh.write(b'<?xml version="1.0" encoding="utf-8"?>\n<PubmedArticleSet>\n')
            with gzip.open(path, "rb") as src:
                for _, el in etree.iterparse(src, tag="PubmedArticle", huge_tree=True):
                    pmid = el.findtext("MedlineCitation/PMID")
                    if pmid in chosen:
                        fh.write(etree.tostring(el, encoding="utf-8"))
                        fh.write(b"\n")
                        n += 1
                    el.clear()
            fh.write(b"</PubmedArticleSet>\n")
        _say(f"  {path.name}: {n} records")
        outputs.append(out)
    return outputs


#: "Age Ageing. 1994 May;23(3):200-3": year, then volume, (issue) and pages of NLM's
#: citation line, as the RLS records' curation notes quote it from PubMed
_CITATION = re.compile(
    r"\b(?:19|20)\d\d(?: [A-Z][a-z]{2})?(?: \d{1,2})?;\s*(\d+)(?:\((\d+)\))?:\s*"
    r"([A-Za-z]?\d+(?:-[A-Za-z]?\d+)?)"
)


def rls_articles(data: Path) -> Path:
    """The RLS article records with volume, issue and pages added from the NLM
    citation their ``source_notes`` quote (the records have no such fields)."""
    out = Path(tempfile.mkdtemp(prefix="starter-rls-")) / "articles.jsonl"
    lines = []
    for line in (data / "rls" / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        found = _CITATION.search(record.get("source_notes") or "")
        if found:
            volume, issue, pages = found.groups()
            record.update(volume=volume, issue=issue, pages=pages)
        lines.append(json.dumps(record, ensure_ascii=False))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _dump(lines: Iterator[bytes], path: Path) -> int:
    n = 0
    # mtime=0 keeps the gzip output byte-identical from run to run
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        for line in lines:
            gz.write(line + b"\n")
            n += 1
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--per-topic", type=int, default=70)
    args = parser.parse_args()
    data = args.shared / "data"

    from medbrief import codec
    from medbrief.index import export_vectors, sync_dense, sync_lexical
    from medbrief.ingest import ingest_paths
    from medbrief.settings import get_settings
    from medbrief.store import Store

    started = time.time()
    home = Path(tempfile.mkdtemp(prefix="starter-home-"))
    settings = get_settings(home=home, load_starter=False)
    _say("selecting MEDLINE records")
    selected = select_medline(data, args.per_topic)
    articles = rls_articles(data)
    with Store.open(settings.db_path) as store:
        for fmt, paths in (
            ("articles", [articles]),
            ("pubmed", selected),
            ("guidelines", [data / "guidelines" / "uspstf" / USPSTF_FILE]),
            ("guidelines", [data / "rls" / "guideline_recommendations.jsonl"]),
            ("guidelines", [data / "guidelines" / "open_medicine"]),
        ):
            for report in ingest_paths(store, fmt, paths):
                _say(f"  {report.path}: {report.records} records")
        _say("embedding (this takes a few minutes)")
        sync_lexical(store, settings)
        sync_dense(store, settings)
        TARGET.mkdir(parents=True, exist_ok=True)
        n_docs = _dump(
            (codec.encode(d) for d in store.iter_documents()), TARGET / "documents.jsonl.gz"
        )
        n_recs = _dump(
            (codec.encode(r) for r in store.iter_recommendations()),
            TARGET / "recommendations.jsonl.gz",
        )
        n_vec = export_vectors(store, settings, TARGET / "vectors.npz")
        stats = store.stats()
    manifest = {
        "starter_version": STARTER_VERSION,
        "documents": n_docs,
        "recommendations": n_recs,
        "vectors": n_vec,
        "embedder": settings.embedder,
        "by_source": stats["by_source"],
        "recommendations_by_body": stats["recommendations_by_body"],
        "topics": sorted(TOPICS),
        "per_topic": args.per_topic,
        "licences": {
            "pubmed": "NLM MEDLINE/PubMed records (NLM terms and conditions)",
            "uspstf": "US Government work; credit: U.S. Preventive Services Task Force",
            "open_medicine": "MIT (summaries by the collection's author, not publishers' text)",
            "rls": "PubMed records and guideline recommendations as described in NOTICE.md",
        },
    }
    (TARGET / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(home, ignore_errors=True)
    for path in [*selected, articles]:
        shutil.rmtree(path.parent, ignore_errors=True)
    _say(
        f"wrote {n_docs} documents, {n_recs} recommendations, {n_vec} vectors "
        f"to {TARGET} in {time.time() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
