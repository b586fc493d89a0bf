"""The store's schema, as an append-only list of migrations.

``PRAGMA user_version`` holds how many migrations a database has had. A
migration is never edited once released; a change is a new entry.

Change tracking for the derived indexes: every write of a batch takes the
next value of the ``seq`` counter and stamps it on the rows it writes;
deletions leave a tombstone with their ``seq``. An index remembers the
highest ``seq`` it has absorbed and asks for rows above it, so indexing is
incremental, and an interrupted run simply resumes from its last watermark.
Row ids (``key``) are stable across updates (upserts keep the rowid), which
lets vector indexes use them as integer ids.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: documents, recommendations, tombstones, ingest log
    """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    INSERT INTO meta(key, value) VALUES ('seq', '0');

    CREATE TABLE documents (
        key       INTEGER PRIMARY KEY,
        id        TEXT NOT NULL UNIQUE,
        kind      TEXT NOT NULL CHECK (kind IN ('research', 'guideline')),
        source    TEXT NOT NULL,
        source_id TEXT NOT NULL,
        pmid      TEXT,
        version   INTEGER NOT NULL DEFAULT 1,
        doi       TEXT,
        year      INTEGER,
        journal   TEXT,
        language  TEXT,
        pub_types TEXT NOT NULL DEFAULT '[]',
        hash      BLOB NOT NULL,
        seq       INTEGER NOT NULL,
        data      BLOB NOT NULL
    );
    CREATE INDEX documents_pmid ON documents(pmid);
    CREATE INDEX documents_doi ON documents(doi);
    CREATE INDEX documents_source_id ON documents(source_id);
    CREATE INDEX documents_seq ON documents(seq);

    CREATE TABLE recommendations (
        key             INTEGER PRIMARY KEY,
        id              TEXT NOT NULL UNIQUE,
        body            TEXT NOT NULL,
        year            INTEGER,
        guideline_title TEXT NOT NULL,
        strength_norm   TEXT NOT NULL,
        certainty_norm  TEXT NOT NULL,
        source          TEXT NOT NULL,
        hash            BLOB NOT NULL,
        seq             INTEGER NOT NULL,
        data            BLOB NOT NULL
    );
    CREATE INDEX recommendations_seq ON recommendations(seq);

    CREATE TABLE tombstones (
        id   TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        key  INTEGER NOT NULL,
        seq  INTEGER NOT NULL
    );
    CREATE INDEX tombstones_seq ON tombstones(seq);

    CREATE TABLE ingest_log (
        n         INTEGER PRIMARY KEY,
        path      TEXT NOT NULL,
        format    TEXT NOT NULL,
        started   TEXT NOT NULL,
        finished  TEXT,
        status    TEXT NOT NULL,
        records   INTEGER NOT NULL DEFAULT 0,
        inserted  INTEGER NOT NULL DEFAULT 0,
        updated   INTEGER NOT NULL DEFAULT 0,
        unchanged INTEGER NOT NULL DEFAULT 0,
        deleted   INTEGER NOT NULL DEFAULT 0,
        message   TEXT
    );
    """,
    # 2: the newest publication year is read for every brief's provenance line
    # (docs/http-api.md, /api/provenance): an index answers max(year) without
    # reading every row. Documents gained volume/issue/pages in their data
    # blob; older blobs decode with those fields empty, so nothing is rewritten.
    """
    CREATE INDEX IF NOT EXISTS documents_year ON documents(year);
    CREATE INDEX IF NOT EXISTS recommendations_year ON recommendations(year);
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
