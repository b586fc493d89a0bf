"""The zero-dependency lexical fallback: SQLite FTS5 with BM25.

Same fields as the tantivy index; ``bm25()`` takes one weight per column
(SQLite FTS5 docs, "The bm25() function"). The Porter tokenizer wraps
``unicode61`` with diacritics removed. Query words are quoted one by one and
OR-ed, so FTS5's own query syntax (NEAR, column filters, ``*``) never
applies to user text. The watermark lives in the same database and commits
with the data it covers.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from medbrief.index.base import Scored
from medbrief.index.items import TYPE_SEP, filter_sql, from_change
from medbrief.index.lexical import FIELD_WEIGHTS, MAX_QUERY_CHARS, MAX_QUERY_TERMS
from medbrief.index.state import IndexMeta, check_meta, dir_size, read_meta, write_meta
from medbrief.settings import Settings
from medbrief.store import Change
from medbrief.types import Filters

COMMIT_EVERY = 5_000
_SEP = TYPE_SEP
_WORD = re.compile(r"\w+")
#: Lucene's English stop words (EnglishAnalyzer), as the tantivy index drops.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
    ]
)


class Fts5Index:
    """A :class:`~medbrief.index.base.LexicalIndex` over SQLite FTS5."""

    name = "fts5"

    def __init__(self, settings: Settings, **_: Any) -> None:
        self.dir = settings.index_dir / "fts5"
        self.path = self.dir / "fts5.sqlite3"
        self.meta_path = self.dir / "medbrief.json"
        self._local = threading.local()

    @property
    def conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            meta = read_meta(self.meta_path)
            if meta is not None:
                check_meta(self.meta_path, meta, self.name)
            self.dir.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS items (rowid INTEGER PRIMARY KEY, id TEXT UNIQUE"
                " NOT NULL, kind TEXT NOT NULL, year INTEGER, pub_types TEXT NOT NULL)"
            )
            conn.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5("
                f"{', '.join(FIELD_WEIGHTS)}, tokenize='porter unicode61 remove_diacritics 2')"
            )
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            self._local.conn = conn
        return conn

    @property
    def watermark(self) -> int:
        if not self.path.exists():
            return 0
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'watermark'").fetchone()
        return 0 if row is None else int(row[0])

    def search(
        self,
        query: str,
        k: int,
        filters: Filters | None = None,
        *,
        expansions: Sequence[str] = (),
    ) -> Scored:
        # FTS5's bm25() cannot weigh query terms: expansion words count in full
        text = " ".join([query, *expansions])
        words = [w.lower() for w in _WORD.findall(text[:MAX_QUERY_CHARS])]
        words = [w for w in dict.fromkeys(words) if w not in STOPWORDS][:MAX_QUERY_TERMS]
        if not words or k <= 0:
            return []
        match = " OR ".join('"' + w.replace('"', "") + '"' for w in words)
        weights = ", ".join(str(w) for w in FIELD_WEIGHTS.values())
        condition, args = filter_sql(filters, "items", "items.pub_types")
        where = f" AND {condition}" if condition else ""
        rows = self.conn.execute(
            f"SELECT items.id, bm25(fts, {weights}) AS score FROM fts"
            " JOIN items ON items.rowid = fts.rowid"
            f" WHERE fts MATCH ? {where} ORDER BY score LIMIT ?",
            [match, *args, k],
        ).fetchall()
        # bm25() is negated so that better matches sort first in SQL
        return [(id_, -float(score)) for id_, score in rows]

    def apply(self, changes: Iterable[Change], watermark: int) -> int:
        conn = self.conn
        touched = 0
        conn.execute("BEGIN IMMEDIATE")
        try:
            for change in changes:
                row = conn.execute("SELECT rowid FROM items WHERE id = ?", (change.id,)).fetchone()
                if row is not None:
                    conn.execute("DELETE FROM fts WHERE rowid = ?", row)
                    conn.execute("DELETE FROM items WHERE rowid = ?", row)
                item = from_change(change)
                if item is not None:
                    cur = conn.execute(
                        "INSERT INTO items(id, kind, year, pub_types) VALUES (?, ?, ?, ?)",
                        (
                            item.id,
                            item.kind,
                            item.year,
                            _SEP + _SEP.join(item.publication_types) + _SEP,
                        ),
                    )
                    conn.execute(
                        "INSERT INTO fts(rowid, text, title, terms) VALUES (?, ?, ?, ?)",
                        (cur.lastrowid, f"{item.title}\n{item.body}", item.title, item.terms),
                    )
                touched += 1
                if touched % COMMIT_EVERY == 0:
                    conn.execute("COMMIT")
                    conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('watermark', ?)", (str(watermark),)
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        items = conn.execute("SELECT count(*) FROM items").fetchone()[0]
        meta = read_meta(self.meta_path) or IndexMeta(backend=self.name)
        write_meta(self.meta_path, meta.advanced(watermark, items))
        return touched

    def status(self) -> dict[str, Any]:
        meta = read_meta(self.meta_path)
        if meta is None:  # never built: say so without creating it
            return {"backend": self.name, "watermark": 0, "items": 0, "bytes": 0, "updated": ""}
        return {
            "backend": self.name,
            "watermark": self.watermark,
            "items": self.conn.execute("SELECT count(*) FROM items").fetchone()[0],
            "bytes": dir_size(self.dir),
            "updated": meta.updated if meta else "",
        }


def create(settings: Settings, **kwargs: Any) -> Fts5Index:
    return Fts5Index(settings, **kwargs)
