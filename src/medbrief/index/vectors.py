"""Shipping vectors: export the cached passage vectors of stored items to a
file, and import such a file into another home's cache, so a corpus (the
starter corpus) can come with its embeddings and index without a model run.
"""

from __future__ import annotations

from pathlib import Path

from medbrief.index.cache import VectorCache, cache_path, passage_hash
from medbrief.index.items import dense_chunks, from_document, from_recommendation
from medbrief.index.sync import open_embedder
from medbrief.settings import Settings
from medbrief.store import Store


def export_vectors(store: Store, settings: Settings, path: Path) -> int:
    """Write the cached vectors of every stored item's passages to ``path`` (.npz).

    Passages not in the cache are skipped: run ``medbrief index`` first."""
    embedder = open_embedder(settings)
    hashes = []
    items = [from_document(d) for d in store.iter_documents()]
    items += [from_recommendation(r) for r in store.iter_recommendations()]
    for item in items:
        hashes += [passage_hash(embedder.name, c) for c in dense_chunks(item)]
    cache = VectorCache(cache_path(settings.index_dir, embedder.name), embedder.name, embedder.dim)
    try:
        return cache.export(Path(path), hashes)
    finally:
        cache.close()


def import_vectors(settings: Settings, path: Path) -> int:
    """Add the vectors in ``path`` to the cache; the next dense sync uses them.

    Raises :class:`~medbrief.errors.IndexStateError` if they come from
    another model than the configured embedder."""
    embedder = open_embedder(settings)
    cache = VectorCache(cache_path(settings.index_dir, embedder.name), embedder.name, embedder.dim)
    try:
        return cache.import_(Path(path))
    finally:
        cache.close()
