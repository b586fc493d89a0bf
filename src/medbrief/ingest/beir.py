"""BEIR corpora: ``corpus.jsonl`` lines ``{"_id", "title", "text", "metadata"}``
(Thakur et al., NeurIPS Datasets and Benchmarks 2021). Ids are kept as given
so that qrels and run files match: stored as ``beir:<collection>:<_id>``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medbrief.errors import IngestError
from medbrief.ingest.sources import iter_json_lines, require_json_lines
from medbrief.types import AbstractSection, Document


def iter_beir(path: Path, *, collection: str | None = None) -> Iterator[Document]:
    name = str(path)
    coll = collection or path.resolve().parent.name or "corpus"
    if ":" in coll:
        raise IngestError(name, f"collection name may not contain ':' ({coll!r})")
    require_json_lines(path, name, "a BEIR corpus (JSON lines)")
    for lineno, obj in iter_json_lines(path, name):
        if "_id" not in obj or not isinstance(obj.get("text", ""), str):
            raise IngestError(
                name, 'expected a BEIR corpus line {"_id", "title", "text"}', f"line {lineno}"
            )
        doc_id = str(obj["_id"]).strip()
        if not doc_id:
            raise IngestError(name, "empty _id", f"line {lineno}")
        meta: dict[str, Any] = obj.get("metadata") or {}
        pmid = meta.get("pubmed_id") or meta.get("pmid")
        doi = meta.get("doi")
        text = str(obj.get("text") or "").strip()
        yield Document(
            id=f"beir:{coll}:{doc_id}",
            source_id=doc_id,
            source=f"beir:{coll}",
            title=str(obj.get("title") or "").strip(),
            abstract=(AbstractSection(text),) if text else (),
            pmid=str(pmid) if pmid else None,
            doi=str(doi).lower() if doi else None,
            url=str(meta["url"]) if meta.get("url") else None,
        )
