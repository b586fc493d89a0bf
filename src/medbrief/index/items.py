"""What gets indexed: stored documents and recommendations, as fielded text.

Documents are indexed as title, abstract and terms (MeSH descriptors,
keywords, chemicals), so the lexical index can weight the title above the
abstract and match indexer-assigned vocabulary on its own field.
Recommendations are indexed too, so guideline statements are findable by
the same search: the statement plays the title, the guideline's title,
population, section and key points the abstract, the issuing body the terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from medbrief.store import Change
from medbrief.types import Document, Filters, ItemKind, Recommendation

#: Words per dense chunk. all-MiniLM-L6-v2 reads 256 word pieces; biomedical
#: text averages ~1.6 pieces per whitespace word (measured on SciFact), so
#: 150 words leaves room for the title repeated at the head of later chunks.
CHUNK_WORDS = 150
#: Chunks beyond this are not embedded (abstracts almost never get there).
MAX_CHUNKS = 8

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


@dataclass(frozen=True, slots=True)
class IndexItem:
    id: str
    kind: ItemKind
    title: str
    body: str
    terms: str
    year: int | None
    publication_types: tuple[str, ...]


def from_document(doc: Document) -> IndexItem:
    terms = [h.descriptor for h in doc.mesh] + list(doc.keywords) + list(doc.chemicals)
    return IndexItem(
        id=doc.id,
        kind=doc.kind,
        title=doc.title,
        body=doc.abstract_text,
        terms="; ".join(terms),
        year=doc.year,
        publication_types=doc.publication_types,
    )


def from_recommendation(rec: Recommendation) -> IndexItem:
    context = [rec.guideline_title, rec.population or "", rec.section or "", *rec.key_points]
    return IndexItem(
        id=rec.id,
        kind="recommendation",
        title=rec.statement,
        body="\n".join(c for c in context if c),
        terms=rec.body,
        year=rec.year,
        publication_types=(),
    )


def from_change(change: Change) -> IndexItem | None:
    """The item a change writes, or ``None`` for a deletion."""
    if change.deleted:
        return None
    if change.document is not None:
        return from_document(change.document)
    if change.recommendation is not None:
        return from_recommendation(change.recommendation)
    return None


def dense_chunks(item: IndexItem) -> list[str]:
    """Passages embedded for ``item``: the title, then sentence-aligned
    windows of the body in equal shares of at most ``CHUNK_WORDS`` words,
    each window prefixed with the title for context.

    Windows end at sentence boundaries instead of overlapping: overlap exists
    so that a finding is not cut in half, which sentence alignment already
    avoids, and overlapping text would cost embedding time.
    """
    title = item.title.strip()
    body = item.body.strip()
    whole = f"{title}\n{body}".strip()
    if not body or len(whole.split()) <= CHUNK_WORDS:
        return [whole] if whole else []
    budget = max(CHUNK_WORDS - len(title.split()), CHUNK_WORDS // 3)
    pieces: list[list[str]] = []
    for sentence in _SENTENCE_END.split(body):
        words = sentence.split()
        pieces.extend(words[i : i + budget] for i in range(0, len(words), budget))
    total = sum(len(p) for p in pieces)
    limit = min(budget, 1.1 * total / -(-total // budget))
    windows: list[list[str]] = [[]]
    for words in pieces:
        if windows[-1] and len(windows[-1]) + len(words) > limit:
            windows.append([])
        windows[-1].extend(words)
    texts = (" ".join(w) for w in windows[:MAX_CHUNKS])
    return [f"{title}\n{t}" if title else t for t in texts]


#: joins an item's publication types in the index files ("\x1f" cannot occur in them)
TYPE_SEP = "\x1f"


def filter_sql(filters: Filters | None, table: str, pub_types: str) -> tuple[str, list[Any]]:
    """A SQL condition (and its arguments) for ``filters`` over an index table
    with ``kind``, ``year`` and ``pub_types`` columns; ``pub_types`` is the SQL
    expression giving that column wrapped in TYPE_SEP on both sides."""
    if filters is None:
        return "", []
    clauses: list[str] = []
    args: list[Any] = []
    if filters.kinds:
        clauses.append(f"{table}.kind IN ({','.join('?' * len(filters.kinds))})")
        args += list(filters.kinds)
    if filters.year_min is not None:
        clauses.append(f"{table}.year >= ?")
        args.append(filters.year_min)
    if filters.year_max is not None:
        clauses.append(f"{table}.year <= ?")
        args.append(filters.year_max)
    if filters.publication_types:
        ors = " OR ".join(f"instr({pub_types}, ?) > 0" for _ in filters.publication_types)
        clauses.append(f"({ors})")
        args += [f"{TYPE_SEP}{pt}{TYPE_SEP}" for pt in filters.publication_types]
    return " AND ".join(clauses), args
