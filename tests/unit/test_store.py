from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from medbrief.errors import MigrationError, NotFoundError, StoreError
from medbrief.store import Store, WriteCounts
from medbrief.types import AbstractSection, Document, Recommendation


def doc(pmid: str, version: int = 1, title: str = "t", **kw: object) -> Document:
    return Document(
        id=f"pmid:{pmid}",
        source_id=pmid,
        source="pubmed",
        pmid=pmid,
        version=version,
        title=title,
        abstract=(AbstractSection("a"),),
        **kw,  # type: ignore[arg-type]
    )


def test_write_is_idempotent_and_newer_version_wins(store: Store) -> None:
    assert store.write_documents([doc("1"), doc("2")]) == WriteCounts(inserted=2)
    assert store.write_documents([doc("1"), doc("2")]) == WriteCounts(unchanged=2)
    assert store.write_documents([doc("1", 2, "new")]) == WriteCounts(updated=1)
    assert store.write_documents([doc("1", 1, "old")]) == WriteCounts(skipped=1)
    assert store.get_document("pmid:1").title == "new"
    assert store.count() == 2


def test_same_version_with_new_content_replaces(store: Store) -> None:
    store.write_documents([doc("1", title="a")])
    assert store.write_documents([doc("1", title="b")]) == WriteCounts(updated=1)
    assert store.get_document("pmid:1").title == "b"


def test_delete_leaves_tombstone_that_blocks_resurrection(store: Store) -> None:
    store.write_documents([doc("1"), doc("2")])
    assert store.delete_documents(["pmid:1", "pmid:999"]) == 1
    assert store.count() == 1
    assert store.write_documents([doc("1")]) == WriteCounts(skipped=1)
    with pytest.raises(NotFoundError):
        store.get_document("pmid:1")


def test_changes_are_incremental(store: Store) -> None:
    store.write_documents([doc("1"), doc("2")])
    mark = store.max_seq()
    assert [c.id for c in store.changes(0)] == ["pmid:1", "pmid:2"]
    store.write_documents([doc("2", 2)])
    store.delete_documents(["pmid:1"])
    changes = list(store.changes(mark))
    assert [(c.id, c.deleted) for c in changes] == [("pmid:1", True), ("pmid:2", False)]
    assert store.count_changes(store.max_seq()) == 0


def test_keys_are_stable_across_updates(store: Store) -> None:
    store.write_documents([doc("1")])
    key = next(store.changes(0)).key
    store.write_documents([doc("1", 2)])
    assert next(store.changes(0)).key == key


def test_recommendations_are_their_own_kind(store: Store) -> None:
    rec = Recommendation(id="r1", guideline_title="G", body="B", statement="Do X.", strength="B")
    assert store.write_recommendations([rec]) == WriteCounts(inserted=1)
    assert store.write_recommendations([rec]) == WriteCounts(unchanged=1)
    assert store.get_recommendation("r1") == rec
    stats = store.stats()
    assert (stats["documents"], stats["recommendations"]) == (0, 1)
    assert [c.kind for c in store.changes(0)] == ["recommendation"]


def test_resolve_by_pmid_doi_and_id(store: Store) -> None:
    store.write_documents([doc("7", doi="10.1/x")])
    assert store.resolve("7") == ("research", "pmid:7")
    assert store.resolve("10.1/x") == ("research", "pmid:7")
    with pytest.raises(NotFoundError):
        store.resolve("8")


def test_failed_batch_writes_nothing(store: Store) -> None:
    store.write_documents([doc("1")])
    with pytest.raises(RuntimeError), store.transaction():
        store.write_documents([doc("2")])
        raise RuntimeError("boom")
    assert store.count() == 1


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    Store.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(MigrationError, match="schema 99"):
        Store.open(path)


def test_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="file is not a database"):
        Store.open(path)


def test_a_schema_1_store_is_migrated_and_its_records_read(tmp_path: Path) -> None:
    """Migration 2 adds indexes only; documents stored before volume/issue/pages
    existed decode with those fields empty."""
    import json

    path = tmp_path / "old.sqlite3"
    with Store.open(path) as store:
        store.write_documents([doc("1", year=2019)])
        conn = store.conn
        (blob,) = conn.execute("SELECT data FROM documents").fetchone()
        old = json.loads(blob)
        for key in ("volume", "issue", "pages"):
            del old[key]
        conn.execute("UPDATE documents SET data = ?", (json.dumps(old).encode(),))
        conn.execute("DROP INDEX documents_year")
        conn.execute("DROP INDEX recommendations_year")
        conn.execute("PRAGMA user_version = 1")
    with Store.open(path) as store:
        (version,) = store.conn.execute("PRAGMA user_version").fetchone()
        assert version == 2
        got = store.get_document("pmid:1")
        assert (got.volume, got.issue, got.pages, got.year) == (None, None, None, 2019)
        assert store.summary() == {
            "documents": 1,
            "recommendations": 0,
            "newest_year": 2019,
            "last_ingest": None,
            "starter": None,
        }
