"""The vector cache: embeddings keyed by a hash of (model, passage text).

Embedding is the expensive step of indexing; everything else can be redone
from the store in seconds. So every passage vector is written here (float16,
one SQLite file per model) before any index uses it, committed per batch:
an interrupted ``medbrief index`` resumes without re-embedding, a
``--rebuild`` of the faiss structure re-reads vectors instead of recomputing
them, and prebuilt vectors (the starter corpus's) can be shipped as a file
and imported. Keys depend on the text only, so a document that comes back
unchanged, or a duplicate passage, is never embedded twice.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from medbrief.errors import IndexStateError
from medbrief.index.base import Vector

_SQL_VARS = 500


def passage_hash(model: str, text: str) -> bytes:
    return hashlib.blake2b(f"{model}\x00{text}".encode(), digest_size=16).digest()


def cache_path(index_dir: Path, model: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9.]+", "-", model).strip("-")
    return index_dir / "vectors" / f"{slug}.sqlite3"


class VectorCache:
    def __init__(self, path: Path, model: str, dim: int) -> None:
        self.path = path
        self.model = model
        self.dim = dim
        self._local = threading.local()

    @property
    def conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            # a rowid table: vectors are large rows, which a WITHOUT ROWID
            # b-tree stores ~2.5x less compactly (SQLite docs, "WITHOUT ROWID")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS vectors (n INTEGER PRIMARY KEY,"
                " hash BLOB NOT NULL UNIQUE, vec BLOB NOT NULL)"
            )
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            conn.execute(
                "INSERT OR IGNORE INTO meta VALUES ('model', ?), ('dim', ?)",
                (self.model, str(self.dim)),
            )
            found = dict(conn.execute("SELECT key, value FROM meta"))
            if found["model"] != self.model or int(found["dim"]) != self.dim:
                raise IndexStateError(
                    f"vector cache {self.path} holds {found['model']} vectors, not {self.model}"
                )
            self._local.conn = conn
        return conn

    def get(self, hashes: Sequence[bytes]) -> dict[bytes, Vector]:
        found: dict[bytes, Vector] = {}
        unique = list(dict.fromkeys(hashes))
        for i in range(0, len(unique), _SQL_VARS):
            chunk = unique[i : i + _SQL_VARS]
            marks = ",".join("?" * len(chunk))
            for h, blob in self.conn.execute(
                f"SELECT hash, vec FROM vectors WHERE hash IN ({marks})", chunk
            ):
                found[h] = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
        return found

    def put(self, hashes: Sequence[bytes], vectors: Vector) -> None:
        """Store vectors in one committed transaction."""
        rows = [
            (h, np.asarray(v, dtype=np.float16).tobytes())
            for h, v in zip(hashes, vectors, strict=True)
        ]
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("INSERT OR REPLACE INTO vectors(hash, vec) VALUES (?, ?)", rows)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM vectors").fetchone()[0])

    def export(self, path: Path, hashes: Iterable[bytes] | None = None) -> int:
        """Write vectors (all, or those of ``hashes``) to an ``.npz`` file."""
        if hashes is None:
            rows = self.conn.execute("SELECT hash, vec FROM vectors").fetchall()
            keys = [r[0] for r in rows]
            vecs = [np.frombuffer(r[1], dtype=np.float16) for r in rows]
        else:
            found = self.get(list(hashes))
            keys = list(found)
            vecs = [found[h].astype(np.float16) for h in keys]
        matrix = np.stack(vecs) if vecs else np.zeros((0, self.dim), dtype=np.float16)
        digests = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), 16)
        with path.open("wb") as f:
            np.savez_compressed(f, model=np.array(self.model), hashes=digests, vectors=matrix)
        return len(keys)

    def import_(self, path: Path) -> int:
        with np.load(path, allow_pickle=False) as data:
            model = str(data["model"])
            if model != self.model:
                raise IndexStateError(
                    f"{path} holds vectors of {model!r}; this index uses {self.model!r}"
                )
            digests = data["hashes"]
            vectors = data["vectors"]
        hashes = [bytes(row) for row in digests]
        for i in range(0, len(hashes), 10_000):
            self.put(hashes[i : i + 10_000], vectors[i : i + 10_000])
        return len(hashes)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
