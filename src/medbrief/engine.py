"""The engine: one object that owns the store and the loaded models and
indexes, so that each is opened once per process and shared by every
interface (CLI, Python API, HTTP). Everything loads lazily on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from medbrief.settings import Settings, get_settings
from medbrief.store import Store
from medbrief.types import Brief, Document, Filters, Provenance, Recommendation, SearchResult

if TYPE_CHECKING:
    from medbrief.cite.check import SimilarityFn
    from medbrief.index import Embedder, LexicalIndex, VectorIndex
    from medbrief.retrieve.hybrid import Retriever
    from medbrief.understand import Reader

StageCallback = Callable[[str, Any], None]

#: pending items a query may embed on the fly to keep the dense index whole
#: (a live fetch adds ~50); more than this waits for 'medbrief index'
AUTO_EMBED_LIMIT = 500


class Engine:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self._lock = threading.RLock()
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        store = self._store
        if store is None:
            with self._lock:  # two threads asking first must not open (and seed) it twice
                if self._store is None:
                    self._store = self._open_store()
                store = self._store
        return store

    def _open_store(self) -> Store:
        store = Store.open(self.settings.db_path)
        empty = store.count() == 0 and store.count("recommendations") == 0
        if self.settings.load_starter and empty and store.meta_get("starter.loaded") is None:
            from medbrief.ingest.starter import load_starter

            load_starter(store, self.settings)
        return store

    @cached_property
    def reader(self) -> Reader:
        """The question reader, over the store's vocabulary (cached on disk)."""
        from medbrief.understand import load_reader

        with self._lock:
            return load_reader(self.settings, self.store)

    @cached_property
    def embedder(self) -> Embedder | None:
        if self.settings.vector_backend == "none":
            return None
        from medbrief.index import open_embedder

        return open_embedder(self.settings)

    @cached_property
    def lexical(self) -> LexicalIndex:
        """The lexical index, brought up to the store (cheap) when first opened,
        unless another process is writing it (then as last committed)."""
        from medbrief.index import open_lexical
        from medbrief.index.lock import index_lock
        from medbrief.index.sync import refresh

        with self._lock:
            index = open_lexical(self.settings)
            refresh(index, self.store, index_lock(self.settings, "lexical"))
            return index

    @cached_property
    def dense(self) -> VectorIndex | None:
        """The vector index as built by ``medbrief index``; never embeds here
        except for a few pending items (see :meth:`index_notes`)."""
        from medbrief.index import open_vector, pending
        from medbrief.index.lock import index_lock
        from medbrief.index.sync import refresh

        with self._lock:
            index = open_vector(self.settings, self.embedder)
            if index is not None and 0 < pending(index, self.store) <= AUTO_EMBED_LIMIT:
                refresh(index, self.store, index_lock(self.settings, "dense"))
            return index

    @cached_property
    def retriever(self) -> Retriever:
        from medbrief.retrieve.hybrid import Retriever

        return Retriever(self.store, self.lexical, self.dense, self.embedder, self.settings)

    def similarity(self) -> SimilarityFn:
        """A fresh per-brief sentence similarity: embeddings when an embedder is
        configured, shared content words otherwise."""
        from medbrief.cite.check import lexical_similarity
        from medbrief.cite.similarity import CachedSimilarity

        return CachedSimilarity(self.embedder) if self.embedder is not None else lexical_similarity

    def index_notes(self) -> tuple[str, ...]:
        """What the user should know about index coverage (stale dense index)."""
        from medbrief.index import pending

        notes = []
        lexical_behind = pending(self.lexical, self.store)
        if lexical_behind:
            notes.append(
                f"the lexical index is {lexical_behind:,} store changes behind (another process "
                "is writing it): results are from what it had committed"
            )
        if self.dense is None:
            notes.append("dense search is off (vector_backend = none): lexical search only")
            return tuple(notes)
        behind = pending(self.dense, self.store)
        if behind:
            notes.append(
                f"the dense index is {behind:,} store changes behind: results use lexical "
                "search for those items; run 'medbrief index' to embed them"
            )
        return tuple(notes)

    def close(self) -> None:
        for name in ("dense", "lexical", "retriever", "reader"):
            index = self.__dict__.pop(name, None)
            closer = getattr(index, "close", None)
            if callable(closer):
                closer()
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def after_ingest(self) -> None:
        """Called once an ingest has finished writing to the store: the lexical
        index absorbs the new records at once (dense waits for 'medbrief index').
        Another process writing the lexical index is waited for (up to
        ``settings.lock_timeout``): its turn first, then ours."""
        from medbrief.index import sync
        from medbrief.index.lock import index_lock

        sync(self.lexical, self.store, lock=index_lock(self.settings, "lexical"))

    def prepare(self, on_stage: StageCallback | None = None) -> None:
        """Open the store, the reader and the indexes now, saying what each step
        is: on a fresh install the first one loads the starter corpus and builds
        the indexes, which takes a while, and a page should not just spin.

        ``on_stage("preparing", {"step", "message"})`` is called before each
        step that is not done yet; nothing is called once all are loaded.
        """
        emit = on_stage or (lambda name, value: None)

        def step(name: str, message: str) -> None:
            emit("preparing", {"step": name, "message": message})

        if self._store is None:
            if self.settings.load_starter and not self.settings.db_path.exists():
                from medbrief.ingest.starter import manifest

                m = manifest()
                step(
                    "starter",
                    f"First run: loading the starter corpus ({m['documents']:,} documents, "
                    f"{m['recommendations']:,} recommendations and their vectors)…",
                )
            else:
                step("store", "Opening the store…")
            _ = self.store
        if "reader" not in self.__dict__:
            step("reader", "Loading the question reader (its vocabulary of the store)…")
            _ = self.reader
        if "lexical" not in self.__dict__:
            step("lexical", "Bringing the lexical index up to date with the store…")
            _ = self.lexical
        if self.settings.vector_backend != "none" and "dense" not in self.__dict__:
            step("dense", "Loading the embedding model and the dense index…")
            _ = self.embedder, self.dense

    def provenance(self, filters: Filters | None = None) -> Provenance:
        """What a brief written now comes from: version, corpus, filters, time."""
        from medbrief import __version__
        from medbrief.render.provenance import now

        summary = self.store.summary()
        return Provenance(version=__version__, generated=now(), filters=filters, **summary)

    # -- the operations every interface calls (implemented in pipeline.py)

    def answer(
        self,
        question: str,
        *,
        filters: Filters | None = None,
        live: bool = False,
        on_stage: StageCallback | None = None,
    ) -> Brief:
        """The evidence brief for ``question``.

        ``on_stage(name, value)`` is called as stages finish, for streaming:
        ``("reading", Reading)``, ``("guidelines", tuple[GuidelineItem, ...])``,
        ``("research", tuple[Facet, ...])``, then ``("brief", Brief)``. With a
        language model configured (``llm_model``, docs/llm-writer.md),
        ``("extractive", Brief)`` and ``("writer", medbrief.write.WriterEvent)``
        come before ``"brief"``.
        """
        from medbrief.pipeline import answer

        return answer(self, question, filters=filters, live=live, on_stage=on_stage)

    def search(
        self, query: str, *, k: int = 10, filters: Filters | None = None, raw: bool = False
    ) -> SearchResult:
        """Hybrid search; ``raw`` searches the text as given (no spelling or expansion)."""
        from medbrief.pipeline import search

        return search(self, query, k=k, filters=filters, raw=raw)

    def item(self, ref: str) -> Document | Recommendation:
        """A stored document or recommendation by id, PMID, DOI or source id."""
        kind, id_ = self.store.resolve(ref)
        if kind == "recommendation":
            return self.store.get_recommendation(id_)
        return self.store.get_document(id_)
