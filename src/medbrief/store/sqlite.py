"""The embedded store: one SQLite file in WAL mode, the source of truth.

Writes happen in explicit transactions (``with store.transaction():``) so an
ingest commits whole batches or nothing; SQLite's journal makes a killed
process roll back to the last committed batch. Each thread gets its own
connection, so a web server can read while an ingest writes.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from medbrief import codec
from medbrief.errors import MigrationError, NotFoundError, StoreError, disk_full, is_disk_full
from medbrief.store.schema import MIGRATIONS, SCHEMA_VERSION
from medbrief.types import Document, ItemKind, Recommendation

_BATCH_SQL_LIMIT = 500  # ids per "IN (...)" query, under SQLite's variable limit
_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class WriteCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    #: older versions than stored, or ids deleted by a DeleteCitation
    skipped: int = 0

    def __add__(self, other: WriteCounts) -> WriteCounts:
        return WriteCounts(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.skipped + other.skipped,
        )


@dataclass(frozen=True, slots=True)
class Change:
    """An item written or deleted after some ``seq``: what an index absorbs."""

    key: int
    id: str
    kind: ItemKind
    seq: int
    deleted: bool
    document: Document | None = None
    recommendation: Recommendation | None = None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _digest(blob: bytes) -> bytes:
    return hashlib.blake2b(blob, digest_size=16).digest()


def _chunks(seq: Sequence[str], n: int = _BATCH_SQL_LIMIT) -> Iterator[Sequence[str]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


class Store:
    """SQLite store. Open with :meth:`open`; use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path) -> Store:
        store = cls(path)
        store.migrate()
        return store

    # ------------------------------------------------------------ connection

    @property
    def conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._conns.append(conn)
        return conn

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30
            )
            conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL is durable across process crashes in WAL mode; only an OS
            # crash can lose the last transactions (SQLite docs, "WAL mode").
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open store {self.path}: {exc}") from None
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._conns:
                conn.close()
            self._conns.clear()
        self._local = threading.local()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def migrate(self) -> None:
        try:
            (version,) = self.conn.execute("PRAGMA user_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a medbrief store: {exc}") from None
        if version > SCHEMA_VERSION:
            raise MigrationError(
                f"{self.path} has store schema {version}; this medbrief reads up to "
                f"{SCHEMA_VERSION}. Upgrade medbrief."
            )
        for n in range(version, SCHEMA_VERSION):
            with self.transaction():
                for statement in _split_sql(MIGRATIONS[n]):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {n + 1}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception (Ctrl-C too).

        A full disk becomes :class:`DiskFullError`. SQLite may already have
        rolled the transaction back itself (SQLITE_FULL, "Response To
        Errors Within A Transaction"), so ROLLBACK is only sent while one is
        still open; a failed COMMIT is rolled back too.
        """
        conn = self.conn
        if conn.in_transaction:
            yield conn
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except (sqlite3.Error, OSError) as exc:
            if is_disk_full(exc):
                what = f"cannot write to the store {self.path} (the write in progress was undone)"
                raise disk_full(what) from exc
            raise

    def _next_seq(self) -> int:
        (seq,) = self.conn.execute(
            "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'seq' RETURNING value"
        ).fetchone()
        return int(seq)

    def max_seq(self) -> int:
        (seq,) = self.conn.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
        return int(seq)

    # ----------------------------------------------------------------- meta

    def meta_get(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def meta_set(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # --------------------------------------------------------------- writes

    def write_documents(self, docs: Sequence[Document]) -> WriteCounts:
        """Insert or update ``docs`` in one transaction.

        A stored record is replaced by one with a higher PMID version, or the
        same version with different content (a later update file revises a
        record without bumping its version). Identical records are left alone,
        so re-ingesting a file is idempotent and writes nothing.
        """
        if not docs:
            return WriteCounts()
        with self.transaction() as conn:
            ids = [d.id for d in docs]
            stored = self._stored(conn, "documents", ids, with_version=True)
            dead = self._tombstoned(conn, ids)
            seq = self._next_seq()
            rows = []
            inserted = updated = unchanged = skipped = 0
            latest: dict[str, tuple[int, bytes]] = {}
            for doc in docs:
                blob = codec.encode(doc)
                digest = _digest(blob)
                prev = latest.get(doc.id) or stored.get(doc.id)
                if doc.id in dead:
                    skipped += 1
                    continue
                if prev is not None:
                    prev_version, prev_hash = prev
                    if doc.version < prev_version:
                        skipped += 1
                        continue
                    if doc.version == prev_version and prev_hash == digest:
                        unchanged += 1
                        continue
                    updated += 1
                else:
                    inserted += 1
                latest[doc.id] = (doc.version, digest)
                rows.append(
                    (
                        doc.id,
                        doc.kind,
                        doc.source,
                        doc.source_id,
                        doc.pmid,
                        doc.version,
                        doc.doi,
                        doc.year,
                        doc.journal,
                        doc.language,
                        json.dumps(doc.publication_types),
                        digest,
                        seq,
                        blob,
                    )
                )
            conn.executemany(
                "INSERT INTO documents(id, kind, source, source_id, pmid, version, doi, year,"
                " journal, language, pub_types, hash, seq, data)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET kind=excluded.kind, source=excluded.source,"
                " source_id=excluded.source_id, pmid=excluded.pmid, version=excluded.version,"
                " doi=excluded.doi, year=excluded.year, journal=excluded.journal,"
                " language=excluded.language, pub_types=excluded.pub_types,"
                " hash=excluded.hash, seq=excluded.seq, data=excluded.data",
                rows,
            )
        # a record repeated within one batch counts once as new
        return WriteCounts(inserted, updated, unchanged, skipped)

    def write_recommendations(self, recs: Sequence[Recommendation]) -> WriteCounts:
        if not recs:
            return WriteCounts()
        with self.transaction() as conn:
            stored = self._stored(conn, "recommendations", [r.id for r in recs])
            seq = self._next_seq()
            rows = []
            inserted = updated = unchanged = 0
            for rec in recs:
                blob = codec.encode(rec)
                digest = _digest(blob)
                prev = stored.get(rec.id)
                if prev is not None and prev[1] == digest:
                    unchanged += 1
                    continue
                if prev is None:
                    inserted += 1
                else:
                    updated += 1
                stored[rec.id] = (1, digest)
                rows.append(
                    (
                        rec.id,
                        rec.body,
                        rec.year,
                        rec.guideline_title,
                        rec.strength_norm,
                        rec.certainty_norm,
                        rec.source,
                        digest,
                        seq,
                        blob,
                    )
                )
            conn.executemany(
                "INSERT INTO recommendations(id, body, year, guideline_title, strength_norm,"
                " certainty_norm, source, hash, seq, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET body=excluded.body, year=excluded.year,"
                " guideline_title=excluded.guideline_title,"
                " strength_norm=excluded.strength_norm, certainty_norm=excluded.certainty_norm,"
                " source=excluded.source, hash=excluded.hash, seq=excluded.seq,"
                " data=excluded.data",
                rows,
            )
        return WriteCounts(inserted, updated, unchanged, 0)

    def delete_documents(self, ids: Iterable[str]) -> int:
        """Delete documents (PubMed ``DeleteCitation``), leaving tombstones.

        Tombstones also keep a later ingest of an older file from bringing a
        deleted record back. Ids not stored are tombstoned all the same.
        """
        ids = list(dict.fromkeys(ids))
        if not ids:
            return 0
        deleted = 0
        with self.transaction() as conn:
            seq = self._next_seq()
            for chunk in _chunks(ids):
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT id, key FROM documents WHERE id IN ({marks})", chunk
                ).fetchall()
                keys = dict(rows)
                conn.executemany(
                    "INSERT INTO tombstones(id, kind, key, seq) VALUES (?, 'research', ?, ?)"
                    " ON CONFLICT(id) DO UPDATE SET seq = excluded.seq,"
                    " key = CASE WHEN excluded.key >= 0 THEN excluded.key ELSE tombstones.key END",
                    [(i, keys.get(i, -1), seq) for i in chunk],
                )
                conn.execute(f"DELETE FROM documents WHERE id IN ({marks})", chunk)
                deleted += len(rows)
        return deleted

    @staticmethod
    def _stored(
        conn: sqlite3.Connection, table: str, ids: Sequence[str], with_version: bool = False
    ) -> dict[str, tuple[int, bytes]]:
        found: dict[str, tuple[int, bytes]] = {}
        cols = "id, version, hash" if with_version else "id, 1, hash"
        for chunk in _chunks(list(dict.fromkeys(ids))):
            marks = ",".join("?" * len(chunk))
            for id_, version, digest in conn.execute(
                f"SELECT {cols} FROM {table} WHERE id IN ({marks})", chunk
            ):
                found[id_] = (version, digest)
        return found

    @staticmethod
    def _tombstoned(conn: sqlite3.Connection, ids: Sequence[str]) -> set[str]:
        dead: set[str] = set()
        for chunk in _chunks(list(dict.fromkeys(ids))):
            marks = ",".join("?" * len(chunk))
            dead.update(
                r[0]
                for r in conn.execute(f"SELECT id FROM tombstones WHERE id IN ({marks})", chunk)
            )
        return dead

    # ---------------------------------------------------------------- reads

    def get_document(self, id_: str) -> Document:
        row = self.conn.execute("SELECT data FROM documents WHERE id = ?", (id_,)).fetchone()
        if row is None:
            raise NotFoundError(f"no document {id_!r} in the store")
        return codec.decode_document(row[0])

    def get_documents(self, ids: Sequence[str]) -> dict[str, Document]:
        found: dict[str, Document] = {}
        for chunk in _chunks(list(dict.fromkeys(ids))):
            marks = ",".join("?" * len(chunk))
            for id_, blob in self.conn.execute(
                f"SELECT id, data FROM documents WHERE id IN ({marks})", chunk
            ):
                found[id_] = codec.decode_document(blob)
        return found

    def get_recommendation(self, id_: str) -> Recommendation:
        row = self.conn.execute("SELECT data FROM recommendations WHERE id = ?", (id_,)).fetchone()
        if row is None:
            raise NotFoundError(f"no recommendation {id_!r} in the store")
        return codec.decode_recommendation(row[0])

    def get_recommendations(self, ids: Sequence[str]) -> dict[str, Recommendation]:
        found: dict[str, Recommendation] = {}
        for chunk in _chunks(list(dict.fromkeys(ids))):
            marks = ",".join("?" * len(chunk))
            for id_, blob in self.conn.execute(
                f"SELECT id, data FROM recommendations WHERE id IN ({marks})", chunk
            ):
                found[id_] = codec.decode_recommendation(blob)
        return found

    def resolve(self, ref: str) -> tuple[ItemKind, str]:
        """Find an item by store id, recommendation id, bare PMID, DOI or source id.

        A DOI may come bare, as ``doi:...`` or as a doi.org link, in any case:
        DOI names are case-insensitive (DOI Handbook, 2.4), and every reader
        stores them lower-cased.
        """
        ref = ref.strip()
        doi = _DOI_PREFIX.sub("", ref).lower()
        for sql, arg in (
            ("SELECT id, kind FROM documents WHERE id = ?", ref),
            ("SELECT id, 'recommendation' FROM recommendations WHERE id = ?", ref),
            ("SELECT id, kind FROM documents WHERE pmid = ? ORDER BY version DESC", ref),
            ("SELECT id, kind FROM documents WHERE doi = ?", doi),
            ("SELECT id, kind FROM documents WHERE source_id = ?", ref),
        ):
            row = self.conn.execute(sql, (arg,)).fetchone()
            if row is not None:
                return row[1], row[0]
        raise NotFoundError(f"nothing stored under {ref!r} (tried id, PMID, DOI, source id)")

    def iter_documents(self, batch: int = 1000) -> Iterator[Document]:
        last = -1
        while True:
            rows = self.conn.execute(
                "SELECT key, data FROM documents WHERE key > ? ORDER BY key LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            for _, blob in rows:
                yield codec.decode_document(blob)
            last = rows[-1][0]

    def sample_documents(self, limit: int) -> Iterator[Document]:
        """At most about ``limit`` documents, evenly spread over the store (all
        of them in a store no larger): for statistics that a sample serves."""
        total = self.count()
        step = max(1, -(-total // limit)) if limit > 0 else 1
        if step == 1:
            yield from self.iter_documents()
            return
        for (blob,) in self.conn.execute(
            "SELECT data FROM documents WHERE key % ? = 0 ORDER BY key", (step,)
        ):
            yield codec.decode_document(blob)

    def iter_recommendations(self) -> Iterator[Recommendation]:
        for (blob,) in self.conn.execute("SELECT data FROM recommendations ORDER BY key"):
            yield codec.decode_recommendation(blob)

    def changes(self, since: int, batch: int = 1000) -> Iterator[Change]:
        """Items written or deleted with ``seq > since``, oldest first, decoded.

        Yields in ``seq`` order per table; consumers apply them idempotently
        and record ``max_seq()`` read *before* calling as their new watermark.
        """
        for key, id_, seq in self.conn.execute(
            "SELECT key, id, seq FROM tombstones WHERE seq > ? ORDER BY seq", (since,)
        ).fetchall():
            if key >= 0:
                yield Change(key, id_, "research", seq, True)
        for table in ("documents", "recommendations"):
            last_key = -1
            while True:
                rows = self.conn.execute(
                    f"SELECT key, id, seq, data FROM {table} WHERE seq > ? AND key > ?"
                    " ORDER BY key LIMIT ?",
                    (since, last_key, batch),
                ).fetchall()
                if not rows:
                    break
                for key, id_, seq, blob in rows:
                    if table == "documents":
                        doc = codec.decode_document(blob)
                        yield Change(key, id_, doc.kind, seq, False, document=doc)
                    else:
                        rec = codec.decode_recommendation(blob)
                        yield Change(key, id_, "recommendation", seq, False, recommendation=rec)
                last_key = rows[-1][0]

    def count_changes(self, since: int) -> int:
        total = 0
        for table in ("documents", "recommendations", "tombstones"):
            (n,) = self.conn.execute(
                f"SELECT count(*) FROM {table} WHERE seq > ?", (since,)
            ).fetchone()
            total += n
        return int(total)

    def count(self, table: str = "documents") -> int:
        if table not in ("documents", "recommendations"):
            raise ValueError(table)
        (n,) = self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(n)

    def stats(self) -> dict[str, Any]:
        conn = self.conn
        by_kind = dict(conn.execute("SELECT kind, count(*) FROM documents GROUP BY kind"))
        by_type = dict(
            conn.execute(
                "SELECT value, count(*) FROM documents, json_each(documents.pub_types)"
                " GROUP BY value ORDER BY count(*) DESC, value"
            )
        )
        by_year = {
            str(y if y is not None else "unknown"): n
            for y, n in conn.execute(
                "SELECT year, count(*) FROM documents GROUP BY year ORDER BY year"
            )
        }
        by_source = dict(conn.execute("SELECT source, count(*) FROM documents GROUP BY source"))
        rec_by_body = dict(
            conn.execute("SELECT body, count(*) FROM recommendations GROUP BY body ORDER BY body")
        )
        return {
            "store": str(self.path),
            "schema_version": SCHEMA_VERSION,
            "documents": sum(by_kind.values()),
            "research": by_kind.get("research", 0),
            "guideline_documents": by_kind.get("guideline", 0),
            "recommendations": sum(rec_by_body.values()),
            "deleted": self.conn.execute("SELECT count(*) FROM tombstones").fetchone()[0],
            "by_source": by_source,
            "by_publication_type": by_type,
            "by_year": by_year,
            "recommendations_by_body": rec_by_body,
        }

    def summary(self) -> dict[str, Any]:
        """Counts, the newest publication year and the last finished ingest:
        the corpus part of a brief's provenance (cheap: indexed aggregates)."""
        conn = self.conn
        newest = [
            y
            for (y,) in (
                conn.execute("SELECT max(year) FROM documents").fetchone(),
                conn.execute("SELECT max(year) FROM recommendations").fetchone(),
            )
            if y is not None
        ]
        (last,) = conn.execute(
            "SELECT max(finished) FROM ingest_log WHERE status = 'ok'"
        ).fetchone()
        return {
            "documents": self.count("documents"),
            "recommendations": self.count("recommendations"),
            "newest_year": max(newest) if newest else None,
            "last_ingest": last,
            "starter": self.meta_get("starter.loaded"),
        }

    # ----------------------------------------------------------- ingest log

    def log_start(self, path: str, fmt: str) -> int:
        cur = self.conn.execute(
            "INSERT INTO ingest_log(path, format, started, status) VALUES (?, ?, ?, 'running')",
            (path, fmt, _now()),
        )
        return int(cur.lastrowid or 0)

    def log_finish(
        self,
        n: int,
        status: str,
        records: int,
        counts: WriteCounts,
        deleted: int = 0,
        message: str | None = None,
    ) -> None:
        self.conn.execute(
            "UPDATE ingest_log SET finished=?, status=?, records=?, inserted=?, updated=?,"
            " unchanged=?, deleted=?, message=? WHERE n=?",
            (
                _now(),
                status,
                records,
                counts.inserted,
                counts.updated,
                counts.unchanged,
                deleted,
                message,
                n,
            ),
        )


def _split_sql(script: str) -> list[str]:
    """Statements of a migration script (no semicolons inside our literals)."""
    return [s.strip() for s in script.split(";") if s.strip()]
