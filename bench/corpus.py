"""Loading the ../shared corpora into a store for the benchmarks.

Uses ``medbrief.ingest.ingest_paths`` when the ingestion stage provides it;
otherwise a small lxml reader of MEDLINE XML that keeps what the index
reads (title, abstract sections, MeSH, keywords, year, publication types)
and applies DeleteCitation blocks. SciFact and PubMedQA come from their
JSON files (SciFact ids as ``beir:scifact:<_id>``, as the BEIR ingester
names them).
"""

from __future__ import annotations

import ast
import gzip
import json
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from medbrief.store import Store
from medbrief.types import AbstractSection, Document, MeshHeading, Recommendation

BATCH = 2000


def _text(el: etree._Element | None) -> str:
    return "".join(el.itertext()).strip() if el is not None else ""


def pubmed_records(path: Path) -> Iterator[Document | list[str]]:
    """Documents, and lists of PMIDs to delete, in file order."""
    with gzip.open(path, "rb") as f:
        for _, el in etree.iterparse(f, events=("end",), tag=("PubmedArticle", "DeleteCitation")):
            if el.tag == "DeleteCitation":
                yield [f"pmid:{p.text}" for p in el.findall("PMID")]
            else:
                cit = el.find("MedlineCitation")
                pmid_el = cit.find("PMID")
                pmid = pmid_el.text or ""
                art = cit.find("Article")
                sections = tuple(
                    AbstractSection(_text(a), a.get("Label"), a.get("NlmCategory"))
                    for a in art.findall("Abstract/AbstractText")
                    if _text(a)
                )
                year_el = art.find("Journal/JournalIssue/PubDate/Year")
                year = int(year_el.text) if year_el is not None and year_el.text else None
                yield Document(
                    id=f"pmid:{pmid}",
                    source_id=pmid,
                    source="pubmed",
                    pmid=pmid,
                    version=int(pmid_el.get("Version", "1")),
                    title=_text(art.find("ArticleTitle")),
                    abstract=sections,
                    year=year,
                    journal=_text(art.find("Journal/Title")) or None,
                    publication_types=tuple(
                        _text(p) for p in art.findall("PublicationTypeList/PublicationType")
                    ),
                    mesh=tuple(
                        MeshHeading(_text(m.find("DescriptorName")))
                        for m in cit.findall("MeshHeadingList/MeshHeading")
                    ),
                    keywords=tuple(_text(k) for k in cit.findall("KeywordList/Keyword")),
                )
            el.clear()


def load_pubmed(store: Store, path: Path) -> int:
    batch: list[Document] = []
    n = 0
    for rec in pubmed_records(path):
        if isinstance(rec, list):
            store.write_documents(batch)
            batch = []
            store.delete_documents(rec)
            continue
        batch.append(rec)
        n += 1
        if len(batch) >= BATCH:
            store.write_documents(batch)
            batch = []
    store.write_documents(batch)
    return n


def load_scifact(store: Store, corpus: Path) -> int:
    docs = []
    with corpus.open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            docs.append(
                Document(
                    id=f"beir:scifact:{d['_id']}",
                    source_id=d["_id"],
                    source="beir:scifact",
                    title=d.get("title", ""),
                    abstract=(AbstractSection(d.get("text", "")),),
                )
            )
    for i in range(0, len(docs), BATCH):
        store.write_documents(docs[i : i + BATCH])
    return len(docs)


def load_pubmedqa(store: Store, path: Path) -> int:
    data = json.loads(path.read_text(encoding="utf-8"))
    docs = []
    for pmid, rec in data.items():
        contexts = rec["CONTEXTS"]
        labels = rec["LABELS"]
        if isinstance(contexts, str):
            contexts, labels = ast.literal_eval(contexts), ast.literal_eval(labels)
        meshes = rec.get("MESHES", [])
        if isinstance(meshes, str):
            meshes = ast.literal_eval(meshes)
        docs.append(
            Document(
                id=f"pmid:{pmid}",
                source_id=pmid,
                source="pubmedqa",
                pmid=pmid,
                # PubMedQA gives no title; its question is the article's title
                # turned into a question, which is what a reader would see.
                title=rec["QUESTION"],
                abstract=tuple(
                    AbstractSection(c, lab) for c, lab in zip(contexts, labels, strict=False)
                ),
                year=int(rec["YEAR"]) if str(rec.get("YEAR", "")).isdigit() else None,
                mesh=tuple(MeshHeading(m) for m in meshes),
            )
        )
    store.write_documents(docs)
    return len(docs)


def load_rls(store: Store, folder: Path) -> int:
    recs = []
    with (folder / "guideline_recommendations.jsonl").open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            recs.append(
                Recommendation(
                    id=r["id"],
                    guideline_title=r.get("title", ""),
                    body=r.get("issuing_body", ""),
                    statement=r.get("recommendation_statement", ""),
                    year=r.get("year"),
                )
            )
    store.write_recommendations(recs)
    return len(recs)


def load_all(store: Store, shared: Path) -> dict[str, int]:
    """~70k items: both MEDLINE files, SciFact, PubMedQA dev, RLS guidelines."""
    counts = {}
    for path in sorted((shared / "pubmed").glob("*.xml.gz")):
        counts[path.name] = load_pubmed(store, path)
    counts["scifact"] = load_scifact(store, shared / "scifact" / "beir_corpus.jsonl")
    counts["pubmedqa"] = load_pubmedqa(store, shared / "pubmedqa" / "pqal_dev500.json")
    counts["rls_recommendations"] = load_rls(store, shared / "rls")
    return counts
