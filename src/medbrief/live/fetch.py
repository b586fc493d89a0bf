"""Fetch a PubMed search into the store, resumably.

The workflow (NCBI, "The E-utilities In-Depth", ESearch -> EFetch with the
history server):

1. ESearch with ``usehistory=y`` lists the first ``target`` PMIDs and leaves a
   WebEnv + query_key on NCBI's history server.
2. EFetch pages through the history, 200 records a request; each page is
   parsed by the PubMed XML reader and committed as one transaction.
3. After each commit, progress (WebEnv, offset, PMIDs done) is written to a
   small JSON file under ``settings.home/live/``. An interrupted fetch run
   again resumes from there; a WebEnv that expired in between (they last
   hours) is replaced by a fresh ESearch, and the PMIDs already done are left
   out of the rest, so nothing is fetched or stored twice.

A page is stored only once it parsed completely (the client re-asks for
truncated or non-XML bodies), so a record is never stored in part. Records
already stored are fetched again and handed to the store, which keeps the
newer version and leaves identical records alone ("unchanged"): that is how
MeSH indexing added after a first fetch arrives.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from medbrief.errors import IngestError, QueryError, RemoteError
from medbrief.live.eutils import EFETCH_BATCH, MAX_RETRIEVABLE, EUtilsClient, HistoryExpiredError
from medbrief.store import Store
from medbrief.types import Document

#: NCBI keeps a WebEnv for "about 8 hours" (NCBI support, quoted in
#: ropensci/rentrez#110); an older one is not even tried.
HISTORY_TTL = 8 * 3600
STATE_VERSION = 1
MAX_QUERY_CHARS = 4000

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class FetchReport:
    """What a fetch did. Counts cover the whole fetch, resumed runs included."""

    query: str
    found: int
    target: int
    records: int
    inserted: int
    updated: int
    unchanged: int
    skipped: int
    #: PMIDs ESearch listed that EFetch did not return (deleted since)
    missing: int
    #: store ids inserted or updated ("pmid:...")
    written: tuple[str, ...]
    resumed: bool
    requests: int
    seconds: float
    note: str | None = None
    #: NCBI's ErrorList/WarningList entries, e.g. "phrase not found: abcXYZ"
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["written"] = list(self.written)
        return out


@dataclass(slots=True)
class _State:
    """Progress of one fetch, persisted after every committed page."""

    key: str
    query: str
    since: int | None
    cap: int | None
    sort: str | None
    count: int = 0
    target: int = 0
    ids: list[str] = field(default_factory=list)
    webenv: str | None = None
    query_key: str | None = None
    searched_at: float = 0.0
    offset: int = 0
    done: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("records", "inserted", "updated", "unchanged", "skipped"), 0
        )
    )

    def pending(self) -> list[str]:
        done = set(self.done)
        return [i for i in self.ids if i not in done]

    def history_usable(self) -> bool:
        return (
            self.webenv is not None
            and self.query_key is not None
            and time.time() - self.searched_at < HISTORY_TTL
        )


class _StateFile:
    def __init__(self, folder: Path | None, key: str) -> None:
        self.path = None if folder is None else folder / f"fetch-{key}.json"

    def load(self, key: str) -> _State | None:
        if self.path is None or not self.path.exists():
            return None
        try:
            data = json.loads(self.path.read_text("utf-8"))
            if data.pop("version", None) != STATE_VERSION or data.get("key") != key:
                return None
            return _State(**data)
        except (OSError, ValueError, TypeError):
            # A damaged progress file costs a fresh search, never a wrong resume.
            return None

    def save(self, state: _State) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"version": STATE_VERSION, **asdict(state)}), "utf-8")
        tmp.replace(self.path)

    def remove(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)


def check_query(query: str) -> str:
    query = " ".join(query.split())
    if not query:
        raise QueryError("empty PubMed query: give search terms, e.g. 'restless legs AND iron'")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(
            f"PubMed query too long: {len(query)} characters (at most {MAX_QUERY_CHARS})"
        )
    return query


def state_key(
    base_url: str, query: str, since: int | None, cap: int | None, sort: str | None
) -> str:
    blob = json.dumps([base_url, query, since, cap, sort])
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def cap_note(target: int, found: int, cap: int | None) -> str | None:
    """``"capped at 50 of 12,345 hits"`` when fewer records are fetched than found."""
    if found <= target:
        return None
    why = "" if cap is not None and cap <= MAX_RETRIEVABLE else " (PubMed serves the first 9,999)"
    return f"capped at {target:,} of {found:,} hits{why}"


def fetch_pubmed(
    store: Store,
    client: EUtilsClient,
    query: str,
    *,
    max_records: int | None = None,
    since: int | None = None,
    sort: str | None = None,
    state_dir: Path | None = None,
    progress: Progress | None = None,
) -> FetchReport:
    """Search PubMed for ``query`` and store up to ``max_records`` records.

    With ``state_dir`` the fetch is resumable (see the module docstring).
    Raises :class:`QueryError` for an empty query and :class:`RemoteError`
    when NCBI cannot be reached or keeps failing; pages committed before the
    failure stay stored, and running the same fetch again completes it.
    """
    started = time.monotonic()
    requests_before = client.requests
    query = check_query(query)
    if max_records is not None and max_records < 1:
        raise QueryError(f"--max must be at least 1, got {max_records}")
    key = state_key(client.base_url, query, since, max_records, sort)
    file = _StateFile(state_dir, key)
    state = file.load(key)
    resumed = state is not None
    if state is None:
        state = _State(key=key, query=query, since=since, cap=max_records, sort=sort)
        _search(client, state)
        file.save(state)
    if progress:
        progress(len(state.done), state.target)
    while True:
        use_history = state.history_usable() and state.offset < state.target
        batch = state.ids[state.offset : state.offset + EFETCH_BATCH] if use_history else []
        if not use_history:
            batch = state.pending()[:EFETCH_BATCH]
        if not batch:
            break
        try:
            if use_history:
                assert state.webenv is not None and state.query_key is not None
                body = client.efetch_history(
                    state.webenv, state.query_key, retstart=state.offset, retmax=len(batch)
                )
            else:
                body = client.efetch(batch)
        except HistoryExpiredError:
            _search(client, state, again=True)
            file.save(state)
            continue
        first = len(state.done) + 1
        docs, deleted = _parse(body, f"efetch {query!r} records {first}-{first + len(batch) - 1}")
        _store(store, state, docs, deleted, requested=batch)
        if use_history:
            state.offset += len(batch)
        file.save(state)
        if progress:
            progress(len(state.done), state.target)
    file.remove()
    return _report(
        state,
        resumed=resumed,
        requests=client.requests - requests_before,
        seconds=time.monotonic() - started,
        note=cap_note(state.target, state.count, max_records),
    )


def fetch_pmids(store: Store, client: EUtilsClient, pmids: Sequence[str]) -> FetchReport:
    """EFetch and store these PMIDs (no history, no progress file)."""
    started = time.monotonic()
    state = _State(key="", query="", since=None, cap=None, sort=None)
    state.ids = list(dict.fromkeys(pmids))
    state.count = state.target = len(state.ids)
    requests_before = client.requests
    while batch := state.pending()[:EFETCH_BATCH]:
        docs, deleted = _parse(client.efetch(batch), "efetch")
        _store(store, state, docs, deleted, requested=batch)
    return _report(
        state,
        resumed=False,
        requests=client.requests - requests_before,
        seconds=time.monotonic() - started,
    )


def _report(
    state: _State, *, resumed: bool, requests: int, seconds: float, note: str | None = None
) -> FetchReport:
    c = state.counts
    return FetchReport(
        query=state.query,
        found=state.count,
        target=state.target,
        records=c["records"],
        inserted=c["inserted"],
        updated=c["updated"],
        unchanged=c["unchanged"],
        skipped=c["skipped"],
        missing=len(state.missing),
        written=tuple(state.written),
        resumed=resumed,
        requests=requests,
        seconds=seconds,
        note=note,
        warnings=tuple(state.warnings),
    )


# ---------------------------------------------------------------- steps


def _search(client: EUtilsClient, state: _State, *, again: bool = False) -> None:
    """ESearch (again, after the WebEnv expired): the PMIDs to fetch, in order."""
    want = MAX_RETRIEVABLE if state.cap is None else min(state.cap, MAX_RETRIEVABLE)
    result = client.esearch(
        state.query,
        retmax=want,
        usehistory=True,
        sort=state.sort,
        mindate=None if state.since is None else str(state.since),
        maxdate=None if state.since is None else "3000",
    )
    state.count = result.count
    state.warnings = list(result.warnings)
    ids = list(dict.fromkeys(result.ids))[:want]
    state.searched_at = time.time()
    if again:
        # The history is gone: from now on fetch by PMID what is not done yet.
        # The target stays; the new search's first PMIDs fill the places left.
        done = set(state.done)
        fresh = [i for i in ids if i not in done]
        state.ids = [*state.done, *fresh][: max(state.target, len(state.done))]
        state.webenv = state.query_key = None
        return
    state.ids = ids
    state.target = len(ids)
    state.webenv = result.webenv
    state.query_key = result.query_key
    state.offset = 0


def _parse(body: bytes, label: str) -> tuple[list[Document], list[str]]:
    from medbrief.ingest.pubmed_xml import iter_pubmed_xml
    from medbrief.ingest.records import Deletion

    docs: list[Document] = []
    deleted: list[str] = []
    try:
        for item in iter_pubmed_xml(io.BytesIO(body), name=label):
            if isinstance(item, Deletion):
                deleted.extend(item.ids)
            else:
                docs.append(item)
    except IngestError as exc:
        # The client only hands on well-formed XML, so this is a record NCBI
        # sent broken; nothing of this page is stored.
        raise RemoteError(f"NCBI sent a record medbrief cannot read: {exc}") from None
    return docs, deleted


def _store(
    store: Store, state: _State, docs: list[Document], deleted: list[str], requested: list[str]
) -> None:
    """Commit one page and account for it in ``state``."""
    from medbrief.ingest import ingest_records

    seq = store.max_seq()
    records: list[Any] = list(docs)
    if deleted:
        from medbrief.ingest.records import Deletion

        records.append(Deletion(tuple(deleted)))
    report = ingest_records(
        store,
        records,
        path=f"pubmed efetch: {state.query}" if state.query else "pubmed efetch",
        fmt="pubmed-efetch",
        batch_size=max(len(records), 1),
    )
    for name in ("records", "inserted", "updated", "unchanged", "skipped"):
        state.counts[name] += int(getattr(report, name))
    state.written.extend(_written_since(store, [d.id for d in docs], seq))
    returned = {d.pmid for d in docs if d.pmid}
    done = set(state.done)
    for pmid in [*requested, *sorted(returned - set(requested))]:
        if pmid not in done:
            state.done.append(pmid)
            done.add(pmid)
            if pmid not in returned:
                state.missing.append(pmid)


def _written_since(store: Store, ids: Iterable[str], seq: int) -> list[str]:
    ids = list(dict.fromkeys(ids))
    found: set[str] = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        found.update(
            row[0]
            for row in store.conn.execute(
                f"SELECT id FROM documents WHERE seq > ? AND id IN ({marks})", (seq, *chunk)
            )
        )
    return [i for i in ids if i in found]
