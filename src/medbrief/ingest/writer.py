"""A background thread that commits batches while the reader parses on.

SQLite releases the GIL while it works (statement execution, commits and
WAL checkpoints), so committing batch N while batch N+1 is parsed overlaps
the two on a multi-core machine. The thread uses its own connection (the
store keeps one per thread) and applies jobs strictly in order, so a
``DeleteCitation`` still applies after the records before it.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Sequence

from medbrief.store import Store, WriteCounts
from medbrief.types import Document, Recommendation

_DEPTH = 2  # batches parsed ahead of the writer: bounds memory
_STOP = None


class BatchWriter:
    def __init__(self, store: Store, progress: Callable[[int], None] | None) -> None:
        self.store = store
        self.progress = progress
        self.counts = WriteCounts()
        self.records = 0
        self.deleted = 0
        self.error: BaseException | None = None
        self._jobs: queue.Queue[tuple[str, Sequence[object]] | None] = queue.Queue(_DEPTH)
        self._thread = threading.Thread(target=self._run, name="medbrief-ingest", daemon=True)
        self._thread.start()

    def write(self, docs: list[Document], recs: list[Recommendation]) -> None:
        if docs or recs:
            self._put(("write", (docs, recs)))

    def delete(self, ids: Sequence[str]) -> None:
        self._put(("delete", ids))

    def finish(self) -> None:
        """Wait until every queued batch is committed; re-raise a write error."""
        self._put(_STOP)
        self._thread.join()
        self._raise()

    def stop(self) -> None:
        """On Ctrl-C: commit the batches already handed over (at most
        ``_DEPTH`` + 1), then stop; the caller drops the batch it was filling.
        A write error at this point is left for the caller's own error."""
        with contextlib.suppress(BaseException):
            self._put(_STOP)
        self._thread.join()

    def _put(self, job: tuple[str, Sequence[object]] | None) -> None:
        while True:
            self._raise()
            try:
                self._jobs.put(job, timeout=0.2)
                return
            except queue.Full:
                continue

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        try:
            while True:
                job = self._jobs.get()
                if job is None:
                    return
                kind, payload = job
                if kind == "delete":
                    self.deleted += self.store.delete_documents(payload)  # type: ignore[arg-type]
                    continue
                docs, recs = payload
                with self.store.transaction():
                    counts = self.store.write_documents(docs)  # type: ignore[arg-type]
                    counts += self.store.write_recommendations(recs)  # type: ignore[arg-type]
                self.counts += counts
                n = len(docs) + len(recs)  # type: ignore[arg-type]
                self.records += n
                if self.progress is not None:
                    self.progress(n)
        except BaseException as exc:  # handed to the reading thread
            self.error = exc
