"""Parallel ingest: files parsed by worker processes, written in file order by
one writer, give the store a single process gives; a bad file stops there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from medbrief.errors import IngestError
from medbrief.ingest import ingest_paths
from medbrief.ingest.parallel import ParseTask, ingest_parallel, parse_file
from medbrief.interfaces.cli import main
from medbrief.store import Store
from medbrief.workers import LocalPool

RECORD = (
    '<PubmedArticle><MedlineCitation><PMID Version="{v}">{pmid}</PMID><Article>'
    "<Journal><JournalIssue><PubDate><Year>2001</Year></PubDate></JournalIssue>"
    "<Title>J</Title></Journal><ArticleTitle>{title}</ArticleTitle>"
    "<Abstract><AbstractText>Abstract {pmid}.</AbstractText></Abstract>"
    "</Article></MedlineCitation></PubmedArticle>\n"
)


def article(pmid: int, title: str = "", v: int = 1) -> str:
    return RECORD.format(pmid=pmid, v=v, title=title or f"Title {pmid}")


def medline(*parts: str) -> str:
    return "<PubmedArticleSet>\n" + "".join(parts) + "</PubmedArticleSet>\n"


def delete(*pmids: int) -> str:
    return "<DeleteCitation>" + "".join(f"<PMID>{p}</PMID>" for p in pmids) + "</DeleteCitation>\n"


@pytest.fixture(scope="module")
def pool() -> Any:
    with LocalPool(2) as p:
        yield p


def contents(store: Store) -> tuple[list[Any], list[Any], list[Any]]:
    docs = store.conn.execute("SELECT id, version, hash, data FROM documents ORDER BY id")
    dead = store.conn.execute("SELECT id, key >= 0 FROM tombstones ORDER BY id")
    log = store.conn.execute(
        "SELECT path, format, status, records, inserted, updated, unchanged, deleted, message"
        " FROM ingest_log ORDER BY n"
    )
    return docs.fetchall(), dead.fetchall(), log.fetchall()


def baseline_and_updates(folder: Path) -> list[Path]:
    """A baseline, then updates that revise, delete and re-add records: only
    applying them in file order gives the right store."""
    files = {
        "pubmed25n0001.xml": medline(*(article(p) for p in range(1, 40))),
        "pubmed25n0002.xml": medline(*(article(p) for p in range(40, 80))),
        "pubmed25n0003.xml": medline(
            article(5, "Revised title, same version"), delete(7, 41), article(42, v=2)
        ),
        "pubmed25n0004.xml": medline(article(5, "Revised again"), article(7, "Deleted: stays")),
    }
    paths = []
    for name, text in files.items():
        (folder / name).write_text(text)
        paths.append(folder / name)
    return paths


def test_parallel_store_equals_single_process(tmp_path: Path, pool: LocalPool) -> None:
    files = baseline_and_updates(tmp_path)
    with Store.open(tmp_path / "a.sqlite3") as one, Store.open(tmp_path / "b.sqlite3") as many:
        sequential = ingest_paths(one, "pubmed", files, batch_size=7)
        parallel = ingest_parallel(many, "pubmed", files, pool, batch_size=7)
        assert [r.path for r in parallel] == [str(f) for f in files]
        strip = [
            (r.records, r.inserted, r.updated, r.unchanged, r.skipped, r.deleted)
            for r in sequential
        ]
        assert strip == [
            (r.records, r.inserted, r.updated, r.unchanged, r.skipped, r.deleted) for r in parallel
        ]
        assert contents(one) == contents(many)
        assert many.get_document("pmid:5").title == "Revised again"
        assert many.count() == 77  # 79, less 7 and 41 (7 is not brought back)


def test_a_bad_file_stops_there_like_one_process(tmp_path: Path, pool: LocalPool) -> None:
    files = baseline_and_updates(tmp_path)
    bad = tmp_path / "pubmed25n0002.xml"
    bad.write_text(bad.read_text().replace("<ArticleTitle>Title 60</ArticleTitle>", "<Article"))
    with Store.open(tmp_path / "a.sqlite3") as one, Store.open(tmp_path / "b.sqlite3") as many:
        with pytest.raises(IngestError) as first:
            ingest_paths(one, "pubmed", files)
        done: list[str] = []
        with pytest.raises(IngestError) as second:
            ingest_parallel(many, "pubmed", files, pool, on_file=lambda r: done.append(r.path))
        assert str(first.value) == str(second.value)
        assert str(bad) in str(second.value) and "PMID 59" in str(second.value)
        assert done == [str(files[0])]  # the files after the bad one are not ingested
        assert contents(one) == contents(many)
        assert many.count() == 59  # the complete records before the bad one are kept
        assert contents(many)[2][-1][2] == "failed"


def test_a_shipped_file_is_parsed_under_its_own_name(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_text(medline(article(1), "<oops>"))
    shard = parse_file(ParseTask("pubmed", "/elsewhere/x.xml", path.read_bytes()))
    records = shard.records()
    assert next(records).id == "pmid:1"  # type: ignore[union-attr]
    with pytest.raises(IngestError) as err:
        next(records)
    assert err.value.path == "/elsewhere/x.xml"


def test_ingest_command_with_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDBRIEF_LOAD_STARTER", "false")
    monkeypatch.setenv("MEDBRIEF_VECTOR_BACKEND", "none")
    files = baseline_and_updates(tmp_path)
    home = tmp_path / "home"
    result = CliRunner().invoke(
        main,
        ["--home", str(home), "ingest", "pubmed", *map(str, files), "--workers", "2", "--json"],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["total"] == {**out["total"], "files": 4, "records": 83, "deleted": 2}
    assert out["complete"] is True
    search = CliRunner().invoke(main, ["--home", str(home), "search", "revised", "--json"])
    assert json.loads(search.stdout)["hits"][0]["id"] == "pmid:5"  # lexical index up to date


def test_ray_option_refuses_a_file_as_address(tmp_path: Path) -> None:
    a, b = tmp_path / "a.xml", tmp_path / "b.xml"
    a.write_text(medline(article(1)))
    b.write_text(medline(article(2)))
    result = CliRunner().invoke(
        main, ["--home", str(tmp_path / "h"), "ingest", "pubmed", "--ray", str(a), str(b)]
    )
    assert result.exit_code != 0
    assert "put --ray after the files" in result.output + str(result.exception)
