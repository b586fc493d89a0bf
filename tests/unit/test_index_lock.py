"""Readers never fail while a writer works; writers wait their turn.

The process tests start real ``medbrief`` processes on one home (lexical
search only, so that no model loads) over generated PubMed XML.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from medbrief.errors import BusyError
from medbrief.index import open_lexical, sync_lexical
from medbrief.index.lock import WriteLock, index_lock
from medbrief.settings import Settings, get_settings
from medbrief.store import Store
from medbrief.types import AbstractSection, Document


def doc(n: int, title: str) -> Document:
    return Document(
        id=f"pmid:{n}",
        source_id=str(n),
        source="pubmed",
        pmid=str(n),
        title=title,
        abstract=(AbstractSection(f"Abstract {n} about {title}."),),
    )


def medline(first: int, n: int, word: str) -> str:
    records = "".join(
        f'<PubmedArticle><MedlineCitation><PMID Version="1">{p}</PMID><Article>'
        f"<Journal><JournalIssue><PubDate><Year>2020</Year></PubDate></JournalIssue>"
        f"<Title>J</Title></Journal><ArticleTitle>{word} record {p}</ArticleTitle>"
        f"<Abstract><AbstractText>{word} and iron in restless legs, record {p}.</AbstractText>"
        f"</Abstract></Article></MedlineCitation></PubmedArticle>\n"
        for p in range(first, first + n)
    )
    return f"<PubmedArticleSet>\n{records}</PubmedArticleSet>\n"


def env(home: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "MEDBRIEF_HOME": str(home),
        "MEDBRIEF_LOAD_STARTER": "false",
        "MEDBRIEF_VECTOR_BACKEND": "none",
        **extra,
    }


CLI = [sys.executable, "-c", "from medbrief.interfaces.cli import main; main()"]


def medbrief(home: Path, *args: str, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, *args],
        env=env(home, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# ---------------------------------------------------------------- the lock


def test_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    a = WriteLock(tmp_path / "x.lock", "test index", timeout=0.3)
    b = WriteLock(tmp_path / "x.lock", "test index", timeout=0.3)
    assert a.try_acquire()
    assert not b.try_acquire()  # another open file: flock excludes it even in one process
    started = time.monotonic()
    with pytest.raises(BusyError) as err:
        b.acquire()
    assert time.monotonic() - started >= 0.3
    assert f"process {os.getpid()}" in str(err.value)
    assert "MEDBRIEF_LOCK_TIMEOUT" in str(err.value)
    a.release()
    with b:
        assert b.held
    assert not b.held and a.try_acquire()
    a.release()


def test_reader_serves_the_committed_index_while_a_writer_holds_it(
    settings: Settings, store: Store
) -> None:
    store.write_documents([doc(1, "Iron in restless legs")])
    assert sync_lexical(store, settings) == 1
    store.write_documents([doc(2, "Iron and more iron")])  # committed, not yet indexed
    # a writer mid-sync: medbrief's lock and tantivy's own writer lock
    lock = index_lock(settings, "lexical")
    assert lock.try_acquire()
    tantivy = open_lexical(settings)
    tantivy.watermark  # noqa: B018 - opens the index
    writer = tantivy._index.writer()  # type: ignore[attr-defined]
    try:
        run = subprocess.run(
            [*CLI, "search", "iron", "--json"],
            env=env(settings.home),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        writer.rollback()
        del writer
        lock.release()
    assert run.returncode == 0, run.stderr  # was: exit 5, "locked by another process"
    out = json.loads(run.stdout)
    assert [h["id"] for h in out["hits"]] == ["pmid:1"]
    assert any("lexical index is 1 store changes behind" in n for n in out["notes"])


def test_a_second_writer_waits_then_gives_up_with_a_clear_message(
    settings: Settings, store: Store
) -> None:
    store.write_documents([doc(1, "Iron")])
    lock = index_lock(settings, "lexical")
    assert lock.try_acquire()
    try:
        run = subprocess.run(
            [*CLI, "index", "--lexical-only"],
            env=env(settings.home, MEDBRIEF_LOCK_TIMEOUT="1"),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        lock.release()
    assert run.returncode == BusyError.exit_code, run.stderr
    assert "lexical index is being written by another medbrief process" in run.stderr
    assert str(os.getpid()) in run.stderr


# ------------------------------------------------------ concurrent processes


def test_concurrent_ingests_and_searches_all_succeed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    paths = []
    for i, word in enumerate(["alpha", "beta", "gamma"]):
        path = tmp_path / f"{word}.xml"
        path.write_text(medline(1 + i * 4000, 4000, word))
        paths.append(path)
    seed = tmp_path / "seed.xml"
    seed.write_text(medline(100_000, 10, "seed"))
    first = medbrief(home, "ingest", "pubmed", str(seed))
    first.communicate(timeout=120)
    assert first.returncode == 0

    ingests = [medbrief(home, "ingest", "pubmed", str(p), "--batch-size", "500") for p in paths]
    searches = []
    while any(p.poll() is None for p in ingests):
        search = medbrief(home, "search", "iron restless", "--json")
        out, err = search.communicate(timeout=120)
        searches.append((search.returncode, out, err))
    results = [p.communicate(timeout=300) for p in ingests]
    assert [p.returncode for p in ingests] == [0, 0, 0], [err for _, err in results]
    assert searches, "no search ran while the ingests did"
    for code, out, err in searches:
        assert code == 0, err  # was: exit 5 about once in fifteen
        assert json.loads(out)["hits"]  # answered from a committed state

    settings = get_settings(home=home, load_starter=False, vector_backend="none")
    with Store.open(settings.db_path) as store:
        assert store.count() == 12_010
        lexical = open_lexical(settings)
        assert lexical.status()["items"] == 12_010  # the last writer indexed everything
        assert lexical.watermark == store.max_seq()
