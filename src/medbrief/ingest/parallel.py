"""Ingest with many parsers and one writer.

Parsing is most of an ingest's CPU time (libxml2 and field extraction, ~150
µs a PubMed record); the writer's share is small (~25 µs). So files are
parsed by a :class:`~medbrief.workers.Pool` (processes on this machine or a
Ray cluster), each into a *shard*: its records, in file order, encoded with
msgpack in runs of ``SHARD_BATCH``. This process takes the shards back in
file order and writes them with :func:`~medbrief.ingest.ingest_records`, in
the same batches as a single-process ingest, so the store ends up the same:
same records, same versions kept, deletions applied at the same points,
same ``ingest_log``. A file that turns out to be bad part-way behaves as it
does in one process: its complete records are committed, the error names
the file, and the files after it are not ingested.

Memory: at most ``workers + 1`` shards wait for the writer; a shard of an
NLM baseline file (30,000 records) is about 80 MB.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from medbrief.errors import IngestError
from medbrief.ingest.records import Deletion, IngestReport, Record
from medbrief.store import Store
from medbrief.types import Document, Recommendation
from medbrief.workers import Pool

#: records per msgpack blob in a shard
SHARD_BATCH = 2000

_DOCS = msgspec.msgpack.Decoder(list[Document])
_RECS = msgspec.msgpack.Decoder(list[Recommendation])
_ENCODER = msgspec.msgpack.Encoder()


@dataclass(frozen=True, slots=True)
class ParseTask:
    """One file to parse: its path here, and its bytes where the worker
    cannot read this machine's files (a Ray node)."""

    fmt: str
    path: str
    data: bytes | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Shard:
    """A parsed file: ``ops`` in file order, each ``("docs", msgpack)``,
    ``("recs", msgpack)`` or ``("delete", ids)``; ``error`` is the
    :class:`IngestError` that stopped the parse, as (path, message, location)."""

    path: str
    ops: tuple[tuple[str, Any], ...]
    error: tuple[str, str, str | None] | None = None

    def records(self) -> Iterator[Record]:
        """The file's records as the reader yielded them; then its error, if any."""
        for kind, payload in self.ops:
            if kind == "docs":
                yield from _DOCS.decode(payload)
            elif kind == "recs":
                yield from _RECS.decode(payload)
            else:
                yield Deletion(tuple(payload))
        if self.error is not None:
            raise IngestError(*self.error)


def parse_file(task: ParseTask) -> Shard:
    """Read one file into a :class:`Shard` (runs in a worker)."""
    if task.data is None:
        return _parse(task, Path(task.path))
    # a file sent over the network: the readers take paths, and some tell
    # formats by the name, so it is written under its own name
    with tempfile.TemporaryDirectory(prefix="medbrief-shard-") as tmp:
        local = Path(tmp) / Path(task.path).name
        local.write_bytes(task.data)
        return _parse(task, local)


def _parse(task: ParseTask, path: Path) -> Shard:
    from medbrief.ingest import read
    from medbrief.ingest.sources import RECORD_LIMIT

    options = dict(task.options)
    # the record size limit travels with the task: a worker's readers refuse
    # to read past it as the single-process readers do
    RECORD_LIMIT.set(int(options.pop("max_record_bytes", None) or RECORD_LIMIT.get()))
    ops: list[tuple[str, Any]] = []
    run: list[Document | Recommendation] = []

    def flush() -> None:
        if run:
            ops.append(("docs" if isinstance(run[0], Document) else "recs", _ENCODER.encode(run)))
            run.clear()

    try:
        for record in read(task.fmt, path, **options):
            if isinstance(record, Deletion):
                flush()
                ops.append(("delete", record.ids))
                continue
            if run and (type(record) is not type(run[0]) or len(run) >= SHARD_BATCH):
                flush()
            run.append(record)
    except IngestError as exc:
        flush()
        # named as the file the user gave, not the worker's copy
        return Shard(task.path, tuple(ops), (task.path, exc.detail, exc.location))
    flush()
    return Shard(task.path, tuple(ops))


def ingest_parallel(
    store: Store,
    fmt: str,
    files: Iterable[Path],
    pool: Pool,
    *,
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
    on_file: Callable[[IngestReport], None] | None = None,
    **options: Any,
) -> list[IngestReport]:
    """Ingest ``files`` (already expanded, in order) parsed on ``pool``.

    ``progress(n)`` is called after each committed batch, ``on_file(report)``
    after each file. ``files`` may be a lazy iterable (files still arriving).
    """
    from medbrief.ingest import ingest_records
    from medbrief.ingest.sources import RECORD_LIMIT

    limit = int(options.pop("max_record_bytes", None) or RECORD_LIMIT.get())
    options = {**options, "max_record_bytes": limit}
    tasks = (_task(fmt, path, pool.ships_files, options) for path in files)
    reports: list[IngestReport] = []
    for shard in pool.imap(parse_file, tasks, ahead=pool.workers + 1):
        report = ingest_records(
            store,
            shard.records(),
            path=shard.path,
            fmt=fmt,
            batch_size=batch_size,
            progress=progress,
            max_record_bytes=limit,
        )
        reports.append(report)
        if on_file is not None:
            on_file(report)
    return reports


def _task(fmt: str, path: Path, ship: bool, options: dict[str, Any]) -> ParseTask:
    if ship and path.is_file():
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise IngestError(str(path), f"cannot read: {exc.strerror or exc}") from None
        return ParseTask(fmt, str(path), data, options)
    return ParseTask(fmt, str(path), None, options)


def worth_parallel(files: Sequence[Path], workers: int) -> bool:
    """Worker processes pay off from two files on (a file is one task)."""
    return workers > 1 and len(files) > 1
