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
from medbrief.types import Brief, Document, Filters, Recommendation, SearchResult

if TYPE_CHECKING:
    from medbrief.understand import Reader

StageCallback = Callable[[str, Any], None]


class Engine:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self._lock = threading.RLock()

    @cached_property
    def store(self) -> Store:
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

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
            del self.__dict__["store"]

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def after_ingest(self) -> None:
        """Called once an ingest has finished writing to the store."""
        from medbrief.index import sync_lexical

        sync_lexical(self.store, self.settings)

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
        ``("research", tuple[Facet, ...])``, then ``("brief", Brief)``.
        """
        from medbrief.pipeline import answer

        return answer(self, question, filters=filters, live=live, on_stage=on_stage)

    def search(self, query: str, *, k: int = 10, filters: Filters | None = None) -> SearchResult:
        from medbrief.pipeline import search

        return search(self, query, k=k, filters=filters)

    def item(self, ref: str) -> Document | Recommendation:
        """A stored document or recommendation by id, PMID, DOI or source id."""
        kind, id_ = self.store.resolve(ref)
        if kind == "recommendation":
            return self.store.get_recommendation(id_)
        return self.store.get_document(id_)
