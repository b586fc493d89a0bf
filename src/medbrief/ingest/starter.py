"""The bundled starter corpus, loaded into an empty store on first use.

Built by scripts/build_starter.py (see data/starter/MANIFEST.json and
NOTICE.md). It ships its dense vectors, so a fresh install answers offline
without embedding anything: the vectors go into the vector cache and the
first dense sync builds the index from them.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from medbrief import codec
from medbrief.settings import Settings
from medbrief.store import Store

BATCH = 2000


def _folder() -> Path:
    return Path(str(resources.files("medbrief.data").joinpath("starter")))


def manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((_folder() / "MANIFEST.json").read_text("utf-8"))
    return data


def _lines(name: str) -> Iterator[bytes]:
    with gzip.open(_folder() / name, "rb") as fh:
        for line in fh:
            if line.strip():
                yield line


def load_starter(store: Store, settings: Settings) -> int:
    """Load the starter corpus and its vectors; returns items written."""
    written = 0
    batch = []
    for line in _lines("documents.jsonl.gz"):
        batch.append(codec.decode_document(line))
        if len(batch) == BATCH:
            written += store.write_documents(batch).inserted
            batch = []
    written += store.write_documents(batch).inserted
    recs = [codec.decode_recommendation(line) for line in _lines("recommendations.jsonl.gz")]
    written += store.write_recommendations(recs).inserted
    vectors = _folder() / "vectors.npz"
    if settings.vector_backend != "none" and vectors.exists():
        from medbrief.index import import_vectors, sync_dense

        import_vectors(settings, vectors)
        # every passage is in the cache now: this builds the index, embeds nothing
        sync_dense(store, settings)
    store.meta_set("starter.loaded", str(manifest()["starter_version"]))
    return written
