"""ingest_records / ingest_paths: batches, atomicity, deletions, idempotence,
and the article JSONL and BEIR readers."""
# ruff: noqa: E501  (inline XML/JSON test data keeps the real files' line shapes)

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from medbrief.errors import IngestError, InputError, SchemaVersionError
from medbrief.ingest import expand, ingest_paths, ingest_records
from medbrief.ingest.articles import iter_articles
from medbrief.ingest.beir import iter_beir
from medbrief.ingest.records import Deletion
from medbrief.store import Store
from medbrief.types import AbstractSection, Document, Recommendation


def doc(pmid: int, version: int = 1, title: str = "t") -> Document:
    return Document(
        id=f"pmid:{pmid}",
        source_id=str(pmid),
        source="pubmed",
        pmid=str(pmid),
        version=version,
        title=title,
    )


def rec(n: int) -> Recommendation:
    return Recommendation(id=f"r{n}", guideline_title="G", body="B", statement=f"s{n}")


def test_counts_batches_and_progress(store: Store) -> None:
    seen: list[int] = []
    records = [doc(i) for i in range(5)] + [rec(1)]
    report = ingest_records(
        store, records, path="mem", fmt="test", batch_size=2, progress=seen.append
    )
    assert (report.records, report.inserted, report.updated, report.unchanged) == (6, 6, 0, 0)
    assert seen == [2, 2, 2]
    assert store.count() == 5 and store.count("recommendations") == 1
    (status, records_logged) = store.conn.execute(
        "SELECT status, records FROM ingest_log"
    ).fetchone()
    assert (status, records_logged) == ("ok", 6)


def test_reingest_is_idempotent_and_newer_version_wins(store: Store) -> None:
    ingest_records(store, [doc(1), doc(2)], path="a", fmt="t")
    again = ingest_records(store, [doc(1), doc(2)], path="a", fmt="t")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    newer = ingest_records(store, [doc(1, 2, "v2"), doc(1, 1, "old")], path="b", fmt="t")
    assert (newer.updated, newer.skipped) == (1, 1)
    assert store.get_document("pmid:1").title == "v2"
    assert store.count() == 2


def test_deletion_applies_after_what_came_before(store: Store) -> None:
    report = ingest_records(
        store, [doc(1), doc(2), Deletion(("pmid:2", "pmid:99")), doc(3)], path="u", fmt="t"
    )
    assert report.deleted == 1
    assert sorted(d.id for d in store.iter_documents()) == ["pmid:1", "pmid:3"]
    # a later ingest of an older file does not bring the deleted record back
    ingest_records(store, [doc(2)], path="old", fmt="t")
    assert store.count() == 2


def failing(n_good: int) -> Iterator[Document]:
    for i in range(n_good):
        yield doc(i)
    raise IngestError("bad.xml", "malformed XML", "line 9")


def test_error_commits_complete_records_before_it_and_reraises(store: Store) -> None:
    ingest_records(store, [doc(1000)], path="earlier", fmt="t")
    with pytest.raises(IngestError, match=r"bad\.xml: line 9"):
        ingest_records(store, failing(5), path="bad.xml", fmt="t", batch_size=2)
    assert store.count() == 6  # nothing earlier lost, the 5 good ones kept
    status, message = store.conn.execute(
        "SELECT status, message FROM ingest_log WHERE path = 'bad.xml'"
    ).fetchone()
    assert status == "failed" and "line 9" in message


def test_interrupt_rolls_back_the_batch_in_flight(store: Store) -> None:
    def interrupted() -> Iterator[Document]:
        yield from (doc(i) for i in range(3))
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest_records(store, interrupted(), path="x", fmt="t", batch_size=2)
    assert store.count() == 2  # the first whole batch; the third record was in flight
    (status,) = store.conn.execute("SELECT status FROM ingest_log").fetchone()
    assert status == "interrupted"


def test_unknown_format_and_missing_path(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown ingest format 'word'"):
        ingest_paths(store, "word", [tmp_path])
    with pytest.raises(IngestError, match="no such file or folder"):
        ingest_paths(store, "pubmed", [tmp_path / "missing.xml"])


def test_folders_and_globs_expand(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("a.xml", "b.xml.gz", "sub/c.txt", "notes.md", ".hidden.xml"):
        (tmp_path / name).write_text("x")
    assert [p.name for p in expand("pubmed", [tmp_path])] == ["a.xml", "b.xml.gz", "c.txt"]
    assert [p.name for p in expand("pubmed", [str(tmp_path / "*.xml*")])] == ["a.xml", "b.xml.gz"]
    with pytest.raises(IngestError, match="no file matches"):
        expand("pubmed", [str(tmp_path / "*.nothing")])


def test_pubmed_format_refuses_json(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    path.write_text('{"_id": "1", "title": "t", "text": "x"}\n')
    with pytest.raises(
        IngestError,
        match=r"corpus\.jsonl: line 1: not PubMed XML or MEDLINE text: it looks like JSON",
    ):
        ingest_paths(store, "pubmed", [path])
    assert store.count() == 0


def test_truncated_gzip_medline_text(store: Store, tmp_path: Path) -> None:
    text = "".join(f"PMID- {i}\nTI  - Title {i}\n\n" for i in range(1, 30000)).encode()
    blob = gzip.compress(text)
    path = tmp_path / "export.txt.gz"
    path.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(
        IngestError, match=r"export\.txt\.gz: after line \d+: damaged or truncated gzip"
    ):
        ingest_paths(store, "pubmed", [path])
    assert store.count() > 1000  # the complete records before the cut are kept


# -------------------------------------------------------------- articles


def write_jsonl(path: Path, *rows: dict[str, object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_article_identity_and_fields(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl",
        {"pmid": "8085504", "title": "Iron status", "abstract": "BACKGROUND: a.\nplain b.",
         "journal": "Age and Ageing", "year": 1994, "authors": ["O'Keeffe ST"],
         "doi": "10.1093/AGEING/23.3.200", "publication_types": ["unknown"],
         "source_url": "https://pubmed.ncbi.nlm.nih.gov/8085504/", "partial": True,
         "source_notes": "from the PubMed page"},
        {"doi": "10.1/X", "title": "By DOI", "publication_types": ["Practice Guideline"]},
        {"id": "42", "source": "mylib", "title": "By id", "abstract": [{"text": "s", "label": "L"}]},
    )  # fmt: skip
    a, b, c = iter_articles(path)
    assert (a.id, a.source_id, a.pmid, a.doi) == (
        "pmid:8085504",
        "8085504",
        "8085504",
        "10.1093/ageing/23.3.200",
    )
    assert a.abstract == (AbstractSection("a.", "BACKGROUND"), AbstractSection("plain b."))
    assert a.publication_types == ()  # "unknown" means not shown, not a type
    assert a.note is not None and a.note.startswith("Partial record") and "PubMed page" in a.note
    assert a.url == "https://pubmed.ncbi.nlm.nih.gov/8085504/"
    assert (b.id, b.kind) == ("doi:10.1/x", "guideline")
    assert (c.id, c.source, c.abstract[0].label) == ("mylib:42", "mylib", "L")


def test_article_errors(tmp_path: Path) -> None:
    with pytest.raises(SchemaVersionError, match="line 1: article schema_version 3"):
        list(
            iter_articles(
                write_jsonl(tmp_path / "a.jsonl", {"schema_version": 3, "title": "t", "id": "1"})
            )
        )
    with pytest.raises(IngestError, match="line 1: article needs a pmid, a doi or an id"):
        list(iter_articles(write_jsonl(tmp_path / "b.jsonl", {"title": "t"})))
    with pytest.raises(IngestError, match="line 1: article without a title"):
        list(iter_articles(write_jsonl(tmp_path / "c.jsonl", {"pmid": "1"})))


# ------------------------------------------------------------------ beir


def test_beir_ids_and_collection(tmp_path: Path) -> None:
    folder = tmp_path / "scifact"
    folder.mkdir()
    path = write_jsonl(
        folder / "corpus.jsonl",
        {"_id": "4983", "title": "T", "text": "Body.", "metadata": {}},
        {"_id": "7", "title": "U", "text": "", "metadata": {"pubmed_id": "123"}},
    )
    first, second = iter_beir(path)
    assert (first.id, first.source, first.source_id, first.abstract[0].text) == (
        "beir:scifact:4983",
        "beir:scifact",
        "4983",
        "Body.",
    )
    assert (second.abstract, second.pmid) == ((), "123")
    assert next(iter_beir(path, collection="sf")).id == "beir:sf:4983"


def test_beir_bad_line(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "corpus.jsonl", {"title": "no id"})
    with pytest.raises(IngestError, match="line 1: expected a BEIR corpus line"):
        list(iter_beir(path))


def test_a_write_error_reaches_the_caller(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    write = store.write_documents

    def failing(docs: list[Document]) -> object:  # the writer thread's store call fails
        if any(d.id == "pmid:2" for d in docs):
            raise sqlite3.IntegrityError("CHECK constraint failed")
        return write(docs)

    monkeypatch.setattr(store, "write_documents", failing)
    with pytest.raises(sqlite3.IntegrityError):
        ingest_records(store, [doc(i) for i in range(1, 50)], path="p", fmt="t", batch_size=1)
    assert store.count() == 1  # the batch before the bad one
    (status,) = store.conn.execute("SELECT status FROM ingest_log").fetchone()
    assert status == "failed"


def test_a_record_the_store_could_not_read_back_is_refused(store: Store) -> None:
    bad = Document(id="x:1", source_id="1", source="x", kind="bogus")  # type: ignore[arg-type]
    with pytest.raises(IngestError, match=r"^p: record 2 \(x:1\): a field cannot be stored"):
        ingest_records(store, [doc(1), bad, doc(3)], path="p", fmt="t")
    assert store.count() == 1
