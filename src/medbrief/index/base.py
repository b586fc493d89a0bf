"""The seams of the index stage: one Protocol per swappable part.

Backends are created by name through :mod:`medbrief.registry` (entry-point
groups ``medbrief.lexical``, ``medbrief.vector``, ``medbrief.embedder``), the
built-in ones exactly like plugins. Factories are called as
``lexical(settings)``, ``vector(settings, embedder=...)`` and
``embedder(settings)``; ``memory`` (lexical and vector) and ``hash``
(embedder) are in-memory fakes for tests. Item ids are the store's ids
(``pmid:123``, a recommendation id), so every index answers in the same
currency and the retrieval stage can fuse them.

Indexes are derived data. Each keeps a *watermark*, the highest store
``seq`` it has absorbed (see :mod:`medbrief.store.schema`), and only
advances it once the data it covers is durable; absorbing a change twice is
harmless, so an interrupted run just starts again from the watermark.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from medbrief.store import Change
from medbrief.types import Filters

#: Bumped whenever what an index stores, or how text is analysed or
#: chunked, changes: an index with another version must be rebuilt.
INDEX_SCHEMA_VERSION = 1

Vector = npt.NDArray[np.float32]
Scored = list[tuple[str, float]]


@runtime_checkable
class Embedder(Protocol):
    """Text -> vectors. ``name`` identifies the model *and* its numerics: two
    embedders with the same name must give interchangeable vectors."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> Vector:
        """Float32 array of shape ``(len(texts), dim)``, rows L2-normalised."""
        ...


@runtime_checkable
class LexicalIndex(Protocol):
    name: str

    @property
    def watermark(self) -> int: ...

    def search(
        self,
        query: str,
        k: int,
        filters: Filters | None = None,
        *,
        expansions: Sequence[str] = (),
    ) -> Scored:
        """Best ``k`` items for free text ``query`` as ``(id, score)``, best first.

        ``expansions`` (synonyms, expanded abbreviations) are searched too, with
        less weight than the query's own words where the backend can weigh.
        Never raises on odd user text: syntax characters are plain text."""
        ...

    def apply(self, changes: Iterable[Change], watermark: int) -> int:
        """Absorb ``changes``; once durable, record ``watermark``. Returns items touched."""
        ...

    def status(self) -> dict[str, Any]: ...


@runtime_checkable
class VectorIndex(Protocol):
    name: str

    @property
    def watermark(self) -> int: ...

    def search(self, vector: Vector, k: int, filters: Filters | None = None) -> Scored:
        """Best ``k`` items by inner product with ``vector`` (a unit query
        vector); an item's score is its best chunk's."""
        ...

    def apply(self, changes: Iterable[Change], watermark: int) -> int: ...

    def status(self) -> dict[str, Any]: ...
