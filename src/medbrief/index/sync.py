"""Opening the configured indexes and bringing them up to the store.

``sync_lexical`` is cheap (tantivy absorbs thousands of documents a second)
and runs after every ingest; ``sync_dense`` embeds, and runs from
``medbrief index``. Both read the store's ``max_seq()`` *before* reading
changes and record it as the watermark once the index is durable, as
:mod:`medbrief.store.schema` prescribes.

Writers hold the index's write lock (:mod:`medbrief.index.lock`), waiting
their turn; a reader only :func:`refresh`-es, which absorbs pending changes
when no other process is writing and otherwise serves what was committed.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Iterator
from typing import Any, cast

from medbrief import registry
from medbrief.errors import IndexStateError
from medbrief.index.base import Embedder, LexicalIndex, VectorIndex
from medbrief.index.lock import WriteLock, index_lock
from medbrief.index.state import REBUILD_HINT
from medbrief.settings import Settings
from medbrief.store import Change, Store

Progress = Callable[[int], None]


def open_embedder(settings: Settings) -> Embedder:
    return cast(Embedder, registry.create("embedder", settings.embedder, settings))


def open_lexical(settings: Settings) -> LexicalIndex:
    return cast(LexicalIndex, registry.create("lexical", settings.lexical_backend, settings))


def open_vector(settings: Settings, embedder: Embedder | None = None) -> VectorIndex | None:
    """The configured vector index, or ``None`` when ``vector_backend`` is ``none``."""
    if settings.vector_backend == "none":
        return None
    embedder = embedder or open_embedder(settings)
    index = registry.create("vector", settings.vector_backend, settings, embedder=embedder)
    return cast(VectorIndex, index)


def pending(index: LexicalIndex | VectorIndex, store: Store) -> int:
    """Store changes ``index`` has not absorbed yet."""
    return store.count_changes(_since(index, store))


def sync(
    index: LexicalIndex | VectorIndex,
    store: Store,
    progress: Progress | None = None,
    *,
    lock: WriteLock | None = None,
) -> int:
    """Absorb every store change above ``index``'s watermark; returns items
    touched. With ``lock``, first wait for it (another writer's turn)."""
    if lock is not None:
        with lock:
            return sync(index, store, progress)
    target = store.max_seq()
    since = _since(index, store)
    if since >= target:
        return 0
    changes: Iterable[Change] = store.changes(since)
    if progress is not None:
        changes = _counted(changes, progress)
    return index.apply(changes, target)


def refresh(index: LexicalIndex | VectorIndex, store: Store, lock: WriteLock) -> bool:
    """For readers: absorb pending changes unless another process is writing
    ``index`` (then it will); never waits. True when the index is current."""
    if not lock.try_acquire():
        return False
    try:
        sync(index, store)
    finally:
        lock.release()
    return True


def sync_lexical(store: Store, settings: Settings, progress: Progress | None = None) -> int:
    """Bring the lexical index up to the store (called after every ingest)."""
    return sync(open_lexical(settings), store, progress, lock=index_lock(settings, "lexical"))


def sync_dense(store: Store, settings: Settings, progress: Progress | None = None) -> int:
    index = open_vector(settings)
    if index is None:
        return 0
    return sync(index, store, progress, lock=index_lock(settings, "dense"))


def remove(settings: Settings, *, lexical: bool = True, dense: bool = True) -> None:
    """Delete index files so the next sync rebuilds them; the vector cache is
    kept, so a dense rebuild re-reads vectors instead of re-embedding."""
    names = (["tantivy", "fts5"] if lexical else []) + (["dense"] if dense else [])
    for name in names:
        shutil.rmtree(settings.index_dir / name, ignore_errors=True)


def status(store: Store, settings: Settings) -> dict[str, Any]:
    """Each index's watermark, size and model against the store."""
    out: dict[str, Any] = {
        "store_seq": store.max_seq(),
        "documents": store.count(),
        "recommendations": store.count("recommendations"),
    }
    indexes: list[tuple[str, LexicalIndex | VectorIndex | None]] = [
        ("lexical", open_lexical(settings)),
        ("dense", open_vector(settings)),
    ]
    for label, index in indexes:
        if index is None:
            out[label] = {"backend": "none"}
            continue
        try:
            info = index.status()
            info["pending"] = pending(index, store)
        except IndexStateError as exc:
            info = {"backend": index.name, "error": str(exc)}
        out[label] = info
    return out


def _since(index: LexicalIndex | VectorIndex, store: Store) -> int:
    since = index.watermark
    if since > store.max_seq():
        raise IndexStateError(
            f"the {index.name} index has absorbed changes up to {since}, but the store"
            f" only has {store.max_seq()}: it was built from another store; {REBUILD_HINT}"
        )
    return since


def _counted(changes: Iterable[Change], progress: Progress) -> Iterator[Change]:
    for change in changes:
        yield change
        progress(1)
