"""Hybrid retrieval: lexical and dense candidates, over-fetched, then fused.

Each side fetches ``overfetch * k`` candidates so that an item ranked low by
one side but high by the other survives into the fusion (the usual practice
in hybrid search, e.g. txtai, Vespa). Both sides filter natively;
dense candidates are checked again after loading, so that a vector backend
without filters stays correct.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from medbrief.retrieve.fusion import convex, rrf
from medbrief.settings import Settings
from medbrief.store import Store
from medbrief.types import Document, Filters, Hit, ItemKind, Reading, Recommendation


class _Lexical(Protocol):
    def search(
        self,
        query: str,
        k: int,
        filters: Filters | None = None,
        *,
        expansions: Sequence[str] = (),
    ) -> list[tuple[str, float]]: ...


class _Dense(Protocol):
    def search(
        self, vector: Any, k: int, filters: Filters | None = None
    ) -> list[tuple[str, float]]: ...


class _Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> Any: ...


RECENT_QUERIES = 64


def expansion_terms(reading: Reading) -> list[str]:
    """What widens a question's lexical search: expanded abbreviations,
    synonyms and spelling variants, and each concept's other names."""
    terms = [e.expansion for e in reading.expansions]
    for concept in reading.concepts:
        terms.extend(concept.terms)
    return list(dict.fromkeys(terms))


def _passes(item: Document | Recommendation, filters: Filters) -> bool:
    kind: ItemKind = "recommendation" if isinstance(item, Recommendation) else item.kind
    if filters.kinds and kind not in filters.kinds:
        return False
    if filters.year_min is not None and (item.year is None or item.year < filters.year_min):
        return False
    if filters.year_max is not None and (item.year is None or item.year > filters.year_max):
        return False
    if filters.publication_types:
        types = item.publication_types if isinstance(item, Document) else ()
        if not set(filters.publication_types) & set(types):
            return False
    return True


@dataclass
class Retriever:
    store: Store
    lexical: _Lexical
    dense: _Dense | None
    embedder: _Embedder | None
    settings: Settings
    _recent: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def search(
        self,
        text: str,
        k: int,
        filters: Filters | None = None,
        *,
        expansions: Sequence[str] = (),
        lexical: bool = True,
        dense: bool = True,
    ) -> list[Hit]:
        """The ``k`` best items for ``text``; ``expansions`` (synonyms, expanded
        abbreviations) widen the lexical side at reduced weight; the dense side
        embeds ``text`` alone, since a vector already captures synonymy."""
        filters = filters or Filters()
        depth = k * self.settings.overfetch
        lexical_hits = (
            self.lexical.search(text, depth, filters, expansions=expansions)
            if lexical and text
            else []
        )
        dense_hits: list[tuple[str, float]] = []
        if dense and self.dense is not None and self.embedder is not None and text:
            vector = self._vector(text)
            dense_hits = self.dense.search(vector, depth, filters)
        items = self._load([i for i, _ in lexical_hits] + [i for i, _ in dense_hits])
        dense_hits = [(i, s) for i, s in dense_hits if i in items and _passes(items[i], filters)][
            :depth
        ]
        lexical_hits = [(i, s) for i, s in lexical_hits if i in items]
        if self.settings.fusion == "convex":
            fused = convex(lexical_hits, dense_hits, self.settings.convex_alpha)
        else:
            fused = rrf([lexical_hits, dense_hits], self.settings.rrf_k)
        lex_rank = {i: (r, s) for r, (i, s) in enumerate(lexical_hits, 1)}
        den_rank = {i: (r, s) for r, (i, s) in enumerate(dense_hits, 1)}
        hits = []
        for rank, (id_, score) in enumerate(fused[:k], 1):
            item = items[id_]
            lr, ls = lex_rank.get(id_, (None, None))
            dr, ds = den_rank.get(id_, (None, None))
            is_rec = isinstance(item, Recommendation)
            hits.append(
                Hit(
                    id=id_,
                    kind="recommendation" if is_rec else item.kind,  # type: ignore[union-attr]
                    score=score,
                    rank=rank,
                    lexical_rank=lr,
                    dense_rank=dr,
                    lexical_score=ls,
                    dense_score=ds,
                    document=None if is_rec else item,  # type: ignore[arg-type]
                    recommendation=item if is_rec else None,  # type: ignore[arg-type]
                )
            )
        return hits

    def _vector(self, text: str) -> Any:
        """The query's embedding; a brief searches the same text for several
        sections, so the last few are kept."""
        with self._lock:
            vector = self._recent.get(text)
        if vector is None:
            vector = self.embedder.embed([text])[0]  # type: ignore[union-attr]
            with self._lock:
                self._recent[text] = vector
                if len(self._recent) > RECENT_QUERIES:
                    self._recent.pop(next(iter(self._recent)))
        return vector

    def _load(self, ids: Sequence[str]) -> dict[str, Document | Recommendation]:
        unique = list(dict.fromkeys(ids))
        items: dict[str, Document | Recommendation] = dict(self.store.get_documents(unique))
        rest = [i for i in unique if i not in items]
        if rest:
            items.update(self.store.get_recommendations(rest))
        return items
