"""``medbrief pubmed sync``: all of PubMed, kept current from NLM's own files.

One run: list NLM's baseline and update files (:mod:`medbrief.sync.nlm`),
download what is new (:mod:`medbrief.sync.download`: at most
``pubmed_connections`` at once, each verified against its ``.md5``,
resumed and retried), ingest in the order the files apply while later ones
still download (parsed on worker processes or Ray, one writer), then bring
the indexes up to date. A re-run does only what is new: each ingested file
is recorded in the store (``meta`` key ``pubmed.sync:<folder>/<name>`` =
its MD5), and a file downloaded but not yet ingested is kept until it is.

A file that cannot be fetched or does not match its checksum is not
stored; the others are still downloaded, and those that can be applied
without it are ingested: the other baseline files of its year (each PMID is
in one baseline file), but no update file after it, because an update
applied before the records it revises would later be undone by them. The
run then ends with an error naming the file, and the next run picks up
from there. Ingested files are deleted unless ``keep_files`` (their
checksums stay); the baseline alone is ~40 GB compressed.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import httpx

from medbrief.errors import ChecksumError, IngestError, MedbriefError, RemoteError
from medbrief.ingest.records import IngestReport
from medbrief.settings import Settings
from medbrief.store import Store
from medbrief.sync.download import Downloader
from medbrief.sync.nlm import RemoteFile, list_files
from medbrief.workers import Pool

__all__ = ["FileResult", "Plan", "RemoteFile", "SyncReport", "plan", "sync_pubmed"]

META_PREFIX = "pubmed.sync:"

Index = Literal["all", "lexical", "none"]


@dataclass(frozen=True, slots=True)
class Plan:
    """What a run would do: files to ingest (in order), and which of them
    must be downloaded first."""

    listed: int
    done: int
    todo: tuple[RemoteFile, ...]
    downloaded: tuple[str, ...]

    @property
    def to_fetch(self) -> tuple[RemoteFile, ...]:
        return tuple(f for f in self.todo if f.key not in self.downloaded)


@dataclass(slots=True)
class FileResult:
    key: str
    status: str  # ingested | failed | held
    bytes: int = 0
    records: int = 0
    deleted: int = 0
    message: str | None = None


@dataclass(slots=True)
class SyncReport:
    base_url: str
    listed: int = 0
    already: int = 0
    fetched: int = 0
    bytes: int = 0
    records: int = 0
    seconds: float = 0.0
    files: list[FileResult] = field(default_factory=list)
    indexed: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]


@dataclass(slots=True)
class Callbacks:
    """Progress: bytes downloaded, records committed, a file done."""

    on_bytes: Callable[[int], None] = lambda n: None
    on_records: Callable[[int], None] = lambda n: None
    on_file: Callable[[FileResult], None] = lambda r: None


def client(settings: Settings) -> httpx.Client:
    from medbrief.index.state import medbrief_version

    n = settings.pubmed_connections
    return httpx.Client(
        timeout=httpx.Timeout(settings.pubmed_timeout, connect=min(30.0, settings.pubmed_timeout)),
        limits=httpx.Limits(max_connections=n, max_keepalive_connections=n),
        follow_redirects=True,
        headers={"User-Agent": f"medbrief/{medbrief_version()}"},
    )


def ingested_files(store: Store) -> dict[str, str]:
    """Files recorded as ingested by earlier runs: ``folder/name`` -> MD5."""
    rows = store.conn.execute(
        "SELECT key, value FROM meta WHERE key >= ? AND key < ?",
        (META_PREFIX, META_PREFIX + "\x7f"),
    )
    return {key.removeprefix(META_PREFIX): value for key, value in rows}


def plan(store: Store, settings: Settings, http: httpx.Client, limit: int = 0) -> Plan:
    """Compare NLM's listing with the store's record of ingested files."""
    listed = list_files(http, settings.pubmed_base_url)
    done = ingested_files(store)
    todo = [f for f in listed if f.key not in done]
    folder = settings.pubmed_dir
    # a candidate only: checked against NLM's checksum again before use
    downloaded = tuple(f.key for f in todo if (folder / f.folder / (f.name + ".md5")).exists())
    return Plan(len(listed), len(listed) - len(todo), tuple(todo[: limit or None]), downloaded)


def sync_pubmed(
    store: Store,
    settings: Settings,
    *,
    pool: Pool | None = None,
    limit: int = 0,
    keep_files: bool = False,
    index: Index = "all",
    callbacks: Callbacks | None = None,
    http: httpx.Client | None = None,
) -> SyncReport:
    """Fetch, verify, ingest and index what is new. Raises (after doing all
    it can) :class:`ChecksumError`, :class:`RemoteError` or
    :class:`IngestError` naming the first file that failed."""
    cb = callbacks or Callbacks()
    started = time.perf_counter()
    own_client = http is None
    http = http or client(settings)
    report = SyncReport(settings.pubmed_base_url)
    try:
        todo = plan(store, settings, http, limit)
        report.listed, report.already = todo.listed, todo.done
        downloader = Downloader(
            http,
            settings.pubmed_dir,
            retries=settings.pubmed_retries,
            wait=settings.pubmed_retry_wait,
            progress=lambda n: _count_bytes(report, cb, n),
        )
        with ThreadPoolExecutor(settings.pubmed_connections, "medbrief-download") as downloads:
            arriving = {f.key: downloads.submit(_obtain, downloader, f, report) for f in todo.todo}
            try:
                _ingest(store, todo.todo, arriving, pool, keep_files, report, cb)
            except IngestError:
                # a verified file the reader refuses: what came before it is in
                # the store, and is indexed below before the error is raised
                stopped = sys.exc_info()[1]
            else:
                stopped = None
            finally:
                # the files after a failure still download: synced for the next run
                for future in arriving.values():
                    future.exception()
    finally:
        if own_client:
            http.close()
    _index(store, settings, pool, index, report)
    report.seconds = time.perf_counter() - started
    if stopped is not None:
        raise stopped
    _raise_first_failure(report)
    return report


def _count_bytes(report: SyncReport, cb: Callbacks, n: int) -> None:
    report.bytes += n
    cb.on_bytes(n)


def _obtain(downloader: Downloader, remote: RemoteFile, report: SyncReport) -> Path:
    md5 = downloader.checksum(remote)
    found = downloader.verified(remote, md5)
    if found is None:
        found = downloader.fetch(remote, md5)
        report.fetched += 1
    return found


def _ingest(
    store: Store,
    todo: tuple[RemoteFile, ...],
    arriving: dict[str, Future[Path]],
    pool: Pool | None,
    keep_files: bool,
    report: SyncReport,
    cb: Callbacks,
) -> None:
    """Ingest the files in order as they arrive; skip what cannot apply."""
    from medbrief.ingest import ingest_records, read
    from medbrief.ingest.parallel import ingest_parallel

    by_path: dict[str, RemoteFile] = {}
    missing: list[RemoteFile] = []

    def ready() -> Iterator[Path]:
        for remote in todo:
            try:
                path = arriving[remote.key].result()
            except MedbriefError as exc:
                missing.append(remote)
                result = FileResult(remote.key, "failed", message=str(exc))
            else:
                blocking = [m for m in missing if not remote.may_skip(m)]
                if not blocking:
                    by_path[str(path)] = remote
                    yield path
                    continue
                missing.append(remote)
                result = FileResult(remote.key, "held", message=f"waits for {blocking[0].key}")
            report.files.append(result)
            cb.on_file(result)

    def done(ingested: IngestReport) -> None:
        remote = by_path[ingested.path]
        path = Path(ingested.path)
        receipt = path.with_name(path.name + ".md5")
        store.meta_set(META_PREFIX + remote.key, receipt.read_text(encoding="ascii").strip())
        size = path.stat().st_size
        if not keep_files:
            path.unlink()
        result = FileResult(
            remote.key, "ingested", size, records=ingested.records, deleted=ingested.deleted
        )
        report.records += ingested.records
        report.files.append(result)
        cb.on_file(result)

    try:
        if pool is not None:
            ingest_parallel(store, "pubmed", ready(), pool, progress=cb.on_records, on_file=done)
        else:
            for path in ready():
                records = read("pubmed", path)
                done(
                    ingest_records(
                        store, records, path=str(path), fmt="pubmed", progress=cb.on_records
                    )
                )
    except IngestError as exc:
        # a verified file the reader cannot read: stop here, keep the file
        remote = by_path.get(exc.path)
        report.files.append(
            FileResult(remote.key if remote else exc.path, "failed", message=str(exc))
        )
        raise


def _index(
    store: Store, settings: Settings, pool: Pool | None, index: Index, report: SyncReport
) -> None:
    if index == "none" or not any(f.status == "ingested" for f in report.files):
        return
    from medbrief.index import open_lexical, open_vector, sync
    from medbrief.index.build import build_embedder
    from medbrief.index.lock import index_lock

    lexical = open_lexical(settings)
    report.indexed["lexical"] = sync(lexical, store, lock=index_lock(settings, "lexical"))
    if index == "all":
        vector = open_vector(settings, build_embedder(settings, pool))
        if vector is not None:
            report.indexed["dense"] = sync(vector, store, lock=index_lock(settings, "dense"))
    # the speller's word counts, now rather than at the first question
    from medbrief.understand import load_vocabulary

    load_vocabulary(settings, store)


def _raise_first_failure(report: SyncReport) -> None:
    failed = report.failed
    if not failed:
        return
    names = ", ".join(f.key for f in failed)
    held = sum(1 for f in report.files if f.status == "held")
    detail = f"; {held} later files wait for it (kept, ingested by the next run)" if held else ""
    first = failed[0].message or ""
    kind: type[MedbriefError] = ChecksumError if "checksum mismatch" in first else RemoteError
    raise kind(f"{len(failed)} file(s) not synced: {names}{detail}. First: {first}")
