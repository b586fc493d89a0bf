"""Dense retrieval over faiss: HNSW with int8 scalar quantisation, or IVF-PQ
(millions of passages, memory-mapped), or ``auto`` (default): HNSW while the
index holds fewer than ``settings.ivf_threshold`` passages, IVF-PQ from
there on, switched by a rebuild (from the vector cache, no re-embedding)
when a sync takes the index past the threshold. HNSW keeps its graph and
int8 codes in RAM (~650 bytes a passage); IVF-PQ's 48-byte codes are read
memory-mapped, and the exact rerank reads a few hundred cached vectors per
query from disk, so a serving process stays small at any size.

Layout under ``index_dir/dense/``: ``faiss.index`` (the ANN structure),
``members.sqlite3`` (faiss label -> item id, chunk, passage hash, and the
kind/year/publication types that filters need) and ``meta.json``. Vectors
themselves live in the vector cache (:mod:`medbrief.index.cache`).

Labels come from an AUTOINCREMENT column and are never reused. An item
that changes gets new rows (new labels) and loses its old ones; a deleted
item loses its rows. faiss HNSW cannot remove vectors, so old labels stay
in the structure as dead entries: a search resolves labels through
``members``, where dead labels are simply absent, and over-fetches to make
up for them. When dead entries pass a quarter of the structure, or the
index has grown far past what its quantiser was trained on, it is rebuilt
from the cache (no re-embedding). The structure is always reproducible from
``members`` + cache, so it is saved once per ``apply``; a crash before that
only means the next ``apply`` adds the labels above the saved maximum.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from itertools import islice
from typing import Any

import numpy as np

from medbrief.index import ann
from medbrief.index.base import Scored, Vector
from medbrief.index.cache import VectorCache, cache_path, passage_hash
from medbrief.index.items import TYPE_SEP, IndexItem, dense_chunks, filter_sql, from_change
from medbrief.index.state import IndexMeta, check_meta, dir_size, read_meta, write_meta
from medbrief.settings import Settings
from medbrief.store import Change
from medbrief.types import Filters

BATCH_ITEMS = 256
#: Filters leaving at most this many passages are answered exactly (brute
#: force over cached vectors): an ANN graph walk finds too few of them.
EXACT_LIMIT = 4096
#: small filtered sets kept in memory for exact search (at most ~6 MB each)
EXACT_SETS = 8
REBUILD_DEAD_FRACTION = 0.25
#: IVF-PQ candidates reranked exactly, at least: 48-byte PQ codes order
#: close neighbours poorly. On 1M synthetic vectors, recall@10 is 0.37
#: reranking 40 candidates, 0.91 with 256 and 1.0 with 500.
RERANK_MIN = 512
#: A filter estimated to pass at least this share of the passages is applied
#: to the candidates of an unfiltered search (fetching more as needed, up to
#: POSTFILTER_FETCH), rather than by listing every passage it passes: at 2M
#: documents "research only" passes ~2.6M labels, which faiss would put in a
#: hash set for every query.
POSTFILTER_SHARE = 0.05
POSTFILTER_FETCH = 8192
TRAIN_SAMPLE = 100_000
_SQL_VARS = 500
_SEP = TYPE_SEP


def batched(it: Iterable[Any], n: int) -> Iterator[list[Any]]:
    iterator = iter(it)
    while batch := list(islice(iterator, n)):
        yield batch


class FaissIndex:
    """A :class:`~medbrief.index.base.VectorIndex` over faiss."""

    def __init__(self, settings: Settings, embedder: Any, *, kind: str = "hnsw-sq8") -> None:
        self.name = kind
        self.settings = settings
        self.embedder = embedder
        self.dir = settings.index_dir / "dense"
        self.meta_path = self.dir / "meta.json"
        self.faiss_path = self.dir / "faiss.index"
        self.cache = VectorCache(
            cache_path(settings.index_dir, embedder.name), embedder.name, embedder.dim
        )
        self._lock = threading.RLock()
        self._local = threading.local()
        self._index: Any = None
        #: the faiss structure in use: ``kind``, or for ``auto`` the one it built
        self._structure = kind if kind != "auto" else "hnsw-sq8"
        self._meta: IndexMeta | None = None
        self._loaded_mtime: float | None = None
        #: (watermark, filter) -> (item ids, passage matrix) of small filtered
        #: sets, searched exactly; the same filter (e.g. "recommendations
        #: only") comes back with every brief
        self._exact_sets: dict[tuple[Any, ...], tuple[list[str], Vector]] = {}

    # ------------------------------------------------------------- state

    @property
    def members(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            self.dir.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.dir / "members.sqlite3", isolation_level=None, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS members (label INTEGER PRIMARY KEY AUTOINCREMENT,"
                " item_id TEXT NOT NULL, chunk INTEGER NOT NULL, hash BLOB NOT NULL,"
                " kind TEXT NOT NULL, year INTEGER, pub_types TEXT NOT NULL)"
            )
            conn.execute("CREATE INDEX IF NOT EXISTS members_item ON members(item_id)")
            self._local.conn = conn
        return conn

    def _load(self) -> None:
        """Read meta and the faiss structure, again if another process saved."""
        mtime = self.meta_path.stat().st_mtime if self.meta_path.exists() else None
        if self._meta is not None and mtime == self._loaded_mtime:
            return
        with self._lock:
            meta = read_meta(self.meta_path)
            if meta is not None:
                # ``auto`` takes over an index built by either structure's own backend
                built_as = meta.backend if meta.backend in ("hnsw-sq8", "ivf-pq") else self.name
                backend = built_as if self.name == "auto" else self.name
                check_meta(self.meta_path, meta, backend, self.embedder.name, self.embedder.dim)
                if self.name == "auto":
                    self._structure = str((meta.extra or {}).get("structure", built_as))
                    meta = replace(meta, backend=self.name)
            self._meta = meta or IndexMeta(
                backend=self.name, model=self.embedder.name, dim=self.embedder.dim
            )
            self._index = None
            if meta is not None and self.faiss_path.exists():
                self._index = ann.read(self.faiss_path, mmap=self._is_ivf)
            self._loaded_mtime = mtime

    @property
    def _is_ivf(self) -> bool:
        return self._structure == "ivf-pq"

    def _structure_for(self, live: int) -> str:
        """The structure a build for ``live`` passages uses."""
        if self.name != "auto":
            return self.name
        return "ivf-pq" if live >= self.settings.ivf_threshold else "hnsw-sq8"

    @property
    def _extra(self) -> dict[str, Any]:
        assert self._meta is not None
        return self._meta.extra or {}

    @property
    def watermark(self) -> int:
        self._load()
        assert self._meta is not None
        return self._meta.watermark

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        self.cache.close()

    # ------------------------------------------------------------- writes

    def apply(self, changes: Iterable[Change], watermark: int) -> int:
        self._load()
        # for selective filters (created by the writer: a reader never writes)
        self.members.execute("CREATE INDEX IF NOT EXISTS members_kind ON members(kind)")
        touched = 0
        # a pool embedder asks for bigger batches, to keep all its workers busy
        for batch in batched(changes, getattr(self.embedder, "batch_items", BATCH_ITEMS)):
            touched += self._absorb(batch)
        self._sync_structure(watermark)
        return touched

    def _absorb(self, batch: list[Change]) -> int:
        """Embed what is new and commit the members of one batch of changes."""
        model = self.embedder.name
        deleted = [c.id for c in batch if c.deleted]
        wanted: dict[str, tuple[IndexItem, list[str], list[bytes]]] = {}
        for change in batch:
            item = from_change(change)
            if item is not None:
                chunks = dense_chunks(item)
                wanted[item.id] = (item, chunks, [passage_hash(model, c) for c in chunks])
        current = self._member_hashes(list(wanted))
        fresh = {i: w for i, w in wanted.items() if current.get(i) != w[2]}
        need = [h for (_, _, hashes) in fresh.values() for h in hashes]
        vectors = self.cache.get(need)
        missing = {
            h: t
            for (_, chunks, hashes) in fresh.values()
            for h, t in zip(hashes, chunks, strict=True)
            if h not in vectors
        }
        if missing:
            embedded = self.embedder.embed(list(missing.values()))
            self.cache.put(list(missing), embedded)
        conn = self.members
        conn.execute("BEGIN IMMEDIATE")
        try:
            gone = deleted + list(fresh)
            for i in range(0, len(gone), _SQL_VARS):
                part = gone[i : i + _SQL_VARS]
                conn.execute(
                    f"DELETE FROM members WHERE item_id IN ({','.join('?' * len(part))})", part
                )
            conn.executemany(
                "INSERT INTO members(item_id, chunk, hash, kind, year, pub_types)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (item.id, n, h, item.kind, item.year, _SEP.join(item.publication_types))
                    for item, _, hashes in fresh.values()
                    for n, h in enumerate(hashes)
                ],
            )
            # unchanged passages: filters may still have changed
            conn.executemany(
                "UPDATE members SET kind = ?, year = ?, pub_types = ? WHERE item_id = ?",
                [
                    (item.kind, item.year, _SEP.join(item.publication_types), item.id)
                    for i, (item, _, _) in wanted.items()
                    if i not in fresh
                ],
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return len(batch)

    def _member_hashes(self, ids: Sequence[str]) -> dict[str, list[bytes]]:
        found: dict[str, list[tuple[int, bytes]]] = {}
        for i in range(0, len(ids), _SQL_VARS):
            part = ids[i : i + _SQL_VARS]
            for item_id, chunk, h in self.members.execute(
                f"SELECT item_id, chunk, hash FROM members WHERE item_id IN"
                f" ({','.join('?' * len(part))})",
                part,
            ):
                found.setdefault(item_id, []).append((chunk, h))
        return {i: [h for _, h in sorted(rows)] for i, rows in found.items()}

    def _sync_structure(self, watermark: int) -> None:
        """Bring the faiss structure up to ``members``, save it, then the watermark."""
        conn = self.members
        live, top = conn.execute("SELECT count(*), coalesce(max(label), 0) FROM members").fetchone()
        saved_top = int(self._extra.get("max_label", 0))
        ntotal = 0 if self._index is None else int(self._index.ntotal)
        (covered,) = conn.execute(
            "SELECT count(*) FROM members WHERE label <= ?", (saved_top,)
        ).fetchone()
        trained = int(self._extra.get("trained_on", 0))
        grown = live > 4 * trained and trained < TRAIN_SAMPLE
        # IVF lists are sized for the passages at build time (nlist ~ sqrt(n)):
        # retrain once there are four times as many
        built_for = int(self._extra.get("built_for", 0))
        outgrown = self._is_ivf and live > 4 * max(built_for, ann.IVF_MIN)
        rebuild = (
            self._index is None
            or (ntotal - covered) > REBUILD_DEAD_FRACTION * ntotal
            or grown
            or outgrown
            or (self._structure_for(live) != self._structure and not self._is_ivf)
        )
        if rebuild:
            built_for = live
            self._structure = self._structure_for(live) if not self._is_ivf else self._structure
            self._index, trained = self._build(live)
        elif top > saved_top:
            if self._is_ivf:  # the mapped copy is read-only: add to one in memory
                self._index = ann.read(self.faiss_path, mmap=False)
            self._add(self._index, "WHERE label > ?", (saved_top,))
        else:
            assert self._meta is not None
            if self._meta.watermark == watermark:
                return
        self.dir.mkdir(parents=True, exist_ok=True)
        if rebuild or top > saved_top:
            ann.write(self._index, self.faiss_path)
        assert self._meta is not None
        (items,) = conn.execute("SELECT count(DISTINCT item_id) FROM members").fetchone()
        kinds = dict(conn.execute("SELECT kind, count(*) FROM members GROUP BY kind").fetchall())
        self._meta = self._meta.advanced(
            watermark,
            items,
            kinds=kinds,
            max_label=top,
            trained_on=trained,
            passages=live,
            structure=self._structure,
            built_for=built_for,
        )
        write_meta(self.meta_path, self._meta)
        self._loaded_mtime = self.meta_path.stat().st_mtime
        if self._is_ivf:  # reopen memory-mapped
            self._meta = None
            self._load()

    def _vectors(self, where: str, args: tuple[Any, ...]) -> Iterator[tuple[Any, Vector]]:
        """(labels, vectors) of members, in batches, from the cache."""
        cursor = self.members.execute(
            f"SELECT label, hash FROM members {where} ORDER BY label", args
        )
        while rows := cursor.fetchmany(10_000):
            found = self.cache.get([h for _, h in rows])
            rows = [(label, h) for label, h in rows if h in found]
            if rows:
                labels = np.array([label for label, _ in rows], dtype=np.int64)
                yield labels, np.stack([found[h] for _, h in rows]).astype(np.float32)

    def _add(self, index: Any, where: str, args: tuple[Any, ...]) -> None:
        for labels, vectors in self._vectors(where, args):
            index.add_with_ids(vectors, labels)

    def _build(self, live: int) -> tuple[Any, int]:
        sample = _sample(self._vectors("", ()), live, TRAIN_SAMPLE)
        index = ann.new_structure(self._structure, self.embedder.dim, live, sample)
        self._add(index, "", ())
        return index, len(sample)

    # ------------------------------------------------------------- reads

    def search(self, vector: Vector, k: int, filters: Filters | None = None) -> Scored:
        self._load()
        if k <= 0 or self._index is None or self._index.ntotal == 0:
            return []
        query = np.asarray(vector, dtype=np.float32).reshape(1, -1)
        if query.shape[1] != self.embedder.dim or not np.isfinite(query).all():
            return []
        # members store types joined by TYPE_SEP, unwrapped: wrap them here
        where, args = filter_sql(filters, "members", "char(31) || members.pub_types || char(31)")
        if not where:
            best = self._ann(query, k)
        else:
            # A filter most passages pass (research articles): search as if
            # unfiltered and drop the candidates that fail it. A selective one
            # (recommendations only): search the passages it selects.
            best = None
            if self._share(filters) >= POSTFILTER_SHARE:
                best = self._ann(query, k, (where, args), limit=POSTFILTER_FETCH)
            if best is None:
                labels = [
                    r[0]
                    for r in self.members.execute(f"SELECT label FROM members WHERE {where}", args)
                ]
                if len(labels) <= EXACT_LIMIT:
                    key = (self._meta.watermark if self._meta else -1, where, *args)
                    return self._exact(query[0], labels, k, key)
                best = self._ann(query, k, allowed=np.array(labels, dtype=np.int64))
        assert best is not None
        return sorted(best.items(), key=lambda kv: -kv[1])[:k]

    def _ann(
        self,
        query: Vector,
        k: int,
        keep: tuple[str, list[Any]] | None = None,
        allowed: Any = None,
        limit: int | None = None,
    ) -> dict[str, float] | None:
        """Best score per item of an ANN search, fetching more until ``k``
        items are found; candidates failing ``keep`` (a SQL condition on
        members) are dropped. None if ``limit`` candidates were not enough."""
        assert self._index is not None
        ntotal = int(self._index.ntotal)
        fetch = min(ntotal, max(4 * k, RERANK_MIN) if self._is_ivf else max(4 * k, 32))
        while True:
            labels, scores = ann.search(
                self._index, query, fetch, self.settings.hnsw_ef_search, allowed
            )
            pairs = [(int(x), float(s)) for x, s in zip(labels, scores, strict=True) if x >= 0]
            if keep is not None:
                passed = self._passing([x for x, _ in pairs], *keep)
                pairs = [(x, s) for x, s in pairs if x in passed]
            if self._is_ivf:
                # PQ distances are coarse: rerank the candidates exactly with
                # the cached vectors (a few hundred reads from SQLite).
                best = dict(self._exact(query[0], [x for x, _ in pairs], fetch))
            else:
                best = self._resolve(pairs)
            if len(best) >= k or fetch >= ntotal:
                return best
            if limit is not None and fetch >= limit:
                return None
            fetch = min(ntotal, fetch * 4)

    def _passing(self, labels: list[int], where: str, args: list[Any]) -> set[int]:
        passed: set[int] = set()
        for part in batched(labels, _SQL_VARS):
            marks = ",".join("?" * len(part))
            passed.update(
                r[0]
                for r in self.members.execute(
                    f"SELECT label FROM members WHERE label IN ({marks}) AND {where}",
                    [*part, *args],
                )
            )
        return passed

    def _share(self, filters: Filters | None) -> float:
        """The estimated share of passages ``filters`` lets through (by kind;
        other filters are assumed to let most through)."""
        kinds: dict[str, int] = self._extra.get("kinds") or {}
        total = sum(kinds.values())
        if filters is None or not filters.kinds or not total:
            return 1.0
        return sum(kinds.get(kind, 0) for kind in filters.kinds) / total

    def _resolve(self, pairs: list[tuple[int, float]]) -> dict[str, float]:
        """Best passage score per live item (dead labels are not in members)."""
        if not pairs:
            return {}
        marks = ",".join("?" * len(pairs))
        owner = dict(
            self.members.execute(
                f"SELECT label, item_id FROM members WHERE label IN ({marks})",
                [label for label, _ in pairs],
            ).fetchall()
        )
        best: dict[str, float] = {}
        for label, score in pairs:
            item = owner.get(label)
            if item is not None and score > best.get(item, -math.inf):
                best[item] = score
        return best

    def _exact(
        self, query: Vector, labels: list[int], k: int, key: tuple[Any, ...] | None = None
    ) -> Scored:
        """Exact inner products over ``labels``' cached passage vectors."""
        found = self._exact_sets.get(key) if key is not None else None
        if found is None:
            found = self._passages(labels)
            if key is not None:
                with self._lock:
                    if len(self._exact_sets) >= EXACT_SETS:
                        self._exact_sets.clear()
                    self._exact_sets[key] = found
        items, matrix = found
        if not items:
            return []
        scores = matrix @ query
        best: dict[str, float] = {}
        for item, score in zip(items, scores.tolist(), strict=True):
            if score > best.get(item, -math.inf):
                best[item] = score
        return sorted(best.items(), key=lambda kv: -kv[1])[:k]

    def _passages(self, labels: list[int]) -> tuple[list[str], Vector]:
        items: list[str] = []
        vectors: list[Vector] = []
        for part in batched(labels, _SQL_VARS):
            marks = ",".join("?" * len(part))
            rows = self.members.execute(
                f"SELECT label, item_id, hash FROM members WHERE label IN ({marks})", part
            ).fetchall()
            cached = self.cache.get([h for _, _, h in rows])
            for _, item, h in rows:
                if h in cached:
                    items.append(item)
                    vectors.append(cached[h])
        matrix = np.vstack(vectors) if vectors else np.zeros((0, self.embedder.dim), np.float32)
        return items, matrix

    # ------------------------------------------------------------ status

    def status(self) -> dict[str, Any]:
        self._load()
        assert self._meta is not None
        # no members query: --status must not create files
        cache_files = self.cache.path.parent.glob(self.cache.path.name + "*")
        return {
            "backend": self.name,
            "structure": self._structure,
            "model": self.embedder.name,
            "dim": self.embedder.dim,
            "watermark": self._meta.watermark,
            "items": self._meta.items,
            "passages": int(self._extra.get("passages", 0)),
            "faiss_entries": 0 if self._index is None else int(self._index.ntotal),
            "bytes": dir_size(self.dir),
            "cache_bytes": sum(dir_size(f) for f in cache_files),
            "updated": self._meta.updated,
        }


def _sample(batches: Iterator[tuple[Any, Vector]], total: int, limit: int) -> Vector:
    """An evenly spaced sample of at most ``limit`` vectors, for training."""
    step = max(1, math.ceil(total / limit))
    parts = [vectors[::step].copy() for _, vectors in batches]  # copies free each batch
    return np.concatenate(parts)[:limit] if parts else np.zeros((0, 0), dtype=np.float32)


def hnsw_sq8(settings: Settings, embedder: Any, **_: Any) -> FaissIndex:
    return FaissIndex(settings, embedder, kind="hnsw-sq8")


def ivf_pq(settings: Settings, embedder: Any, **_: Any) -> FaissIndex:
    return FaissIndex(settings, embedder, kind="ivf-pq")


def auto(settings: Settings, embedder: Any, **_: Any) -> FaissIndex:
    return FaissIndex(settings, embedder, kind="auto")
