"""The index stage: lexical (BM25) and dense (embedding) indexes over the store.

Open the configured backends with :func:`open_lexical`, :func:`open_vector`
and :func:`open_embedder`; bring them up to the store with
:func:`sync_lexical` / :func:`sync_dense`. Nothing heavy is imported here.
"""

from medbrief.index.base import INDEX_SCHEMA_VERSION, Embedder, LexicalIndex, VectorIndex
from medbrief.index.sync import (
    open_embedder,
    open_lexical,
    open_vector,
    pending,
    remove,
    status,
    sync,
    sync_dense,
    sync_lexical,
)
from medbrief.index.vectors import export_vectors, import_vectors

__all__ = [
    "INDEX_SCHEMA_VERSION",
    "Embedder",
    "LexicalIndex",
    "VectorIndex",
    "export_vectors",
    "import_vectors",
    "open_embedder",
    "open_lexical",
    "open_vector",
    "pending",
    "remove",
    "status",
    "sync",
    "sync_dense",
    "sync_lexical",
]
