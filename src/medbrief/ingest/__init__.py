"""Ingest: read PubMed, guideline, BEIR and article files into the store.

Readers turn a file into a stream of :class:`~medbrief.types.Document`,
:class:`~medbrief.types.Recommendation` and :class:`Deletion` values;
:func:`ingest_records` writes such a stream in atomic batches.

Atomicity: records are committed in batches of ``batch_size``, each in one
SQLite transaction. When a file turns out to be bad part-way (malformed XML,
truncated gzip), every complete record read before the bad one is committed,
then the error is raised: nothing stored is lost and nothing is half-written.
A killed process loses at most the batch in flight (SQLite rolls it back),
and re-running the same command completes the file, because writes are
idempotent (identical records are left alone; a newer PMID version wins).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import msgspec

from medbrief import codec
from medbrief.errors import IngestError, InputError, MedbriefError
from medbrief.ingest.records import Deletion, IngestReport, Record, checked
from medbrief.ingest.sources import RECORD_LIMIT, too_large
from medbrief.store import Store
from medbrief.types import Document, Recommendation

__all__ = [
    "FORMATS",
    "Deletion",
    "IngestReport",
    "expand",
    "ingest_paths",
    "ingest_records",
    "read",
]

Progress = Callable[[int], None]

#: format name -> file name endings picked up when a folder is given
FORMATS: dict[str, tuple[str, ...]] = {
    "pubmed": (".xml", ".xml.gz", ".txt", ".txt.gz", ".nbib", ".medline"),
    "guidelines": (".jsonl", ".jsonl.gz", ".json", ".json.gz"),
    "beir": ("corpus.jsonl", "corpus.jsonl.gz"),
    "articles": (".jsonl", ".jsonl.gz"),
}


def ingest_records(
    store: Store,
    records: Iterable[Record],
    *,
    path: str,
    fmt: str,
    batch_size: int = 2000,
    progress: Progress | None = None,
    max_record_bytes: int | None = None,
) -> IngestReport:
    """Write ``records`` to ``store`` in atomic batches; log to ``ingest_log``.

    ``progress(n)`` is called after each committed batch with the number of
    records it held (from the writer thread). On an error from ``records``,
    or a record the store cannot hold (a number out of SQLite's range, more
    than ``max_record_bytes`` encoded), the complete records read before it
    are committed, the log entry is marked failed, and the error is raised
    with what was committed as its ``partial`` report; on Ctrl-C the batches
    already handed to the writer are committed and the one being filled is
    dropped.
    """
    from medbrief.ingest.writer import BatchWriter

    started = time.perf_counter()
    log = store.log_start(path, fmt)
    writer = BatchWriter(store, progress)
    docs: list[Document] = []
    recs: list[Recommendation] = []
    it = iter(records)
    n = 0
    try:
        while True:
            try:
                record = next(it)
                n += 1
                if not isinstance(record, Deletion):
                    _check(record, path, n, max_record_bytes)
            except StopIteration:
                break
            except Exception:
                writer.write(docs, recs)  # the complete records before the bad one
                writer.finish()
                raise
            if isinstance(record, Document):
                docs.append(record)
            elif isinstance(record, Recommendation):
                recs.append(record)
            elif isinstance(record, Deletion):
                writer.write(docs, recs)  # a deletion applies to what came before it
                docs, recs = [], []
                writer.delete(record.ids)
                continue
            else:
                raise TypeError(f"cannot ingest {type(record).__name__}")
            if len(docs) + len(recs) >= batch_size:
                writer.write(docs, recs)
                docs, recs = [], []
        writer.write(docs, recs)
        writer.finish()
    except KeyboardInterrupt:
        writer.stop()
        _log_finish(store, log, "interrupted", writer)
        raise
    except Exception as exc:
        writer.stop()
        _log_finish(store, log, "failed", writer, str(exc))
        if isinstance(exc, MedbriefError):
            exc.partial = _report(path, fmt, writer, started)
        raise
    store.log_finish(log, "ok", writer.records, writer.counts, writer.deleted)
    return _report(path, fmt, writer, started)


def _check(record: Document | Recommendation, path: str, n: int, limit: int | None) -> None:
    """The store-side checks every record passes, whatever reader made it
    (readers check the same earlier, where they can name the line)."""
    where = f"record {n} ({record.id!s:.80})"
    checked(record, path, where)
    try:
        blob = codec.encode(record)
        # what the store could not read back (a field of the wrong type) never enters it
        decode = (
            codec.decode_document if isinstance(record, Document) else codec.decode_recommendation
        )
        decode(blob)
    except (msgspec.ValidationError, UnicodeEncodeError, TypeError, OverflowError) as exc:
        raise IngestError(path, f"a field cannot be stored: {exc}", where) from None
    if limit is not None and len(blob) > limit:
        raise IngestError(path, too_large(f"the record ({len(blob):,} bytes stored)", limit), where)


def _log_finish(
    store: Store, log: int, status: str, writer: Any, message: str | None = None
) -> None:
    # On a full disk the log cannot be written either: the entry then stays
    # "running", as after a crash, and the error that stopped the job is the
    # one reported rather than this one.
    with contextlib.suppress(MedbriefError, sqlite3.Error):
        store.log_finish(log, status, writer.records, writer.counts, writer.deleted, message)


def _report(path: str, fmt: str, writer: Any, started: float) -> IngestReport:
    c = writer.counts
    return IngestReport(
        path=path,
        format=fmt,
        records=writer.records,
        inserted=c.inserted,
        updated=c.updated,
        unchanged=c.unchanged,
        skipped=c.skipped,
        deleted=writer.deleted,
        seconds=time.perf_counter() - started,
    )


def expand(fmt: str, paths: Sequence[Path | str]) -> list[Path]:
    """The files (or Markdown collection folders) ``paths`` name for ``fmt``."""
    from medbrief.ingest.sources import expand_paths

    suffixes = _suffixes(fmt)
    if fmt != "guidelines":
        return expand_paths(paths, suffixes)
    from medbrief.ingest.guidelines import is_markdown_collection

    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if is_markdown_collection(path):
            found.append(path)
        else:
            found.extend(expand_paths([raw], suffixes))
    return list(dict.fromkeys(found))


def read(fmt: str, path: Path, **options: Any) -> Iterator[Record]:
    """The records of one file (or Markdown collection) in format ``fmt``."""
    _suffixes(fmt)
    if fmt == "pubmed":
        from medbrief.ingest.pubmed import iter_pubmed

        return iter_pubmed(path)
    if fmt == "guidelines":
        from medbrief.ingest.guidelines import iter_guidelines

        return iter_guidelines(path)
    if fmt == "beir":
        from medbrief.ingest.beir import iter_beir

        return iter_beir(path, collection=options.get("collection"))
    from medbrief.ingest.articles import iter_articles

    return iter_articles(path)


def ingest_paths(
    store: Store,
    fmt: str,
    paths: Sequence[Path],
    *,
    progress: Progress | None = None,
    **options: Any,
) -> list[IngestReport]:
    """Ingest every file ``paths`` names (folders and globs expand) in
    format ``fmt``: ``pubmed`` (XML or MEDLINE text, told apart by content),
    ``guidelines`` (schema told apart by content), ``beir`` or ``articles``.

    All paths are checked to exist before anything is written. Options:
    ``collection`` (beir), ``batch_size``, ``max_record_bytes`` (default:
    the setting's default).
    """
    batch_size = int(options.pop("batch_size", 2000))
    limit = int(options.pop("max_record_bytes", None) or RECORD_LIMIT.get())
    reports = []
    token = RECORD_LIMIT.set(limit)  # what the readers refuse to read past
    try:
        for path in expand(fmt, paths):
            records = read(fmt, path, **options)
            reports.append(
                ingest_records(
                    store,
                    records,
                    path=str(path),
                    fmt=fmt,
                    batch_size=batch_size,
                    progress=progress,
                    max_record_bytes=limit,
                )
            )
    finally:
        RECORD_LIMIT.reset(token)
    return reports


def _suffixes(fmt: str) -> tuple[str, ...]:
    try:
        return FORMATS[fmt]
    except KeyError:
        raise InputError(
            f"unknown ingest format {fmt!r}; formats are {', '.join(FORMATS)}"
        ) from None
