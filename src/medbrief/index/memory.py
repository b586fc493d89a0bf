"""In-memory indexes: fakes for tests of the stages above the index.

``MemoryLexical`` scores by the number of distinct query words an item
contains; ``MemoryVector`` is exact inner-product search over the
embedder's vectors of each item's passages. Both implement the Protocols,
absorb store changes like the real backends, keep nothing on disk, and are
registered as backend ``memory`` (lexical and vector).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from medbrief.index.base import Embedder, Scored, Vector
from medbrief.index.items import IndexItem, dense_chunks, from_change
from medbrief.settings import Settings
from medbrief.store import Change
from medbrief.types import Filters

_WORD = re.compile(r"\w+")


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def _allowed(item: IndexItem, filters: Filters | None) -> bool:
    if filters is None:
        return True
    if filters.kinds and item.kind not in filters.kinds:
        return False
    if filters.year_min is not None and (item.year is None or item.year < filters.year_min):
        return False
    if filters.year_max is not None and (item.year is None or item.year > filters.year_max):
        return False
    return not filters.publication_types or bool(
        set(filters.publication_types) & set(item.publication_types)
    )


class _Memory:
    def __init__(self) -> None:
        self.items: dict[str, IndexItem] = {}
        self._watermark = 0

    @property
    def watermark(self) -> int:
        return self._watermark

    def apply(self, changes: Iterable[Change], watermark: int) -> int:
        n = 0
        for change in changes:
            self.items.pop(change.id, None)
            self._forget(change.id)
            item = from_change(change)
            if item is not None:
                self.items[item.id] = item
                self._learn(item)
            n += 1
        self._watermark = watermark
        return n

    def status(self) -> dict[str, Any]:
        return {"backend": "memory", "watermark": self._watermark, "items": len(self.items)}

    def _forget(self, id_: str) -> None: ...

    def _learn(self, item: IndexItem) -> None: ...


class MemoryLexical(_Memory):
    name = "memory"

    def __init__(self, settings: Settings | None = None, **_: Any) -> None:
        super().__init__()
        self._words: dict[str, set[str]] = {}

    def _forget(self, id_: str) -> None:
        self._words.pop(id_, None)

    def _learn(self, item: IndexItem) -> None:
        self._words[item.id] = _words(f"{item.title} {item.body} {item.terms}")

    def search(
        self,
        query: str,
        k: int,
        filters: Filters | None = None,
        *,
        expansions: Sequence[str] = (),
    ) -> Scored:
        wanted = _words(" ".join([query, *expansions]))
        scored = [
            (id_, float(len(wanted & words)))
            for id_, words in self._words.items()
            if wanted & words and _allowed(self.items[id_], filters)
        ]
        return sorted(scored, key=lambda s: (-s[1], s[0]))[: max(k, 0)]


class MemoryVector(_Memory):
    name = "memory"

    def __init__(self, settings: Settings | None = None, *, embedder: Embedder, **_: Any) -> None:
        super().__init__()
        self.embedder = embedder
        self._vectors: dict[str, Vector] = {}

    def _forget(self, id_: str) -> None:
        self._vectors.pop(id_, None)

    def _learn(self, item: IndexItem) -> None:
        chunks = dense_chunks(item)
        if chunks:
            self._vectors[item.id] = self.embedder.embed(chunks)

    def search(self, vector: Vector, k: int, filters: Filters | None = None) -> Scored:
        q = np.asarray(vector, dtype=np.float32)
        scored = [
            (id_, float((vectors @ q).max()))
            for id_, vectors in self._vectors.items()
            if _allowed(self.items[id_], filters)
        ]
        return sorted(scored, key=lambda s: (-s[1], s[0]))[: max(k, 0)]
