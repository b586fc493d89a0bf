"""``medbrief pubmed sync`` against a local NLM-like server, on inline records:
checksums, resume, retries, file order, held updates, re-runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fake_nlm import FakeNLM, medline
from medbrief.errors import ChecksumError
from medbrief.interfaces.cli import main
from medbrief.settings import get_settings
from medbrief.store import Store
from medbrief.sync import ingested_files
from medbrief.sync.nlm import RemoteFile, parse_listing, parse_md5


def article(pmid: int, title: str = "", version: int = 1) -> bytes:
    return (
        f'<PubmedArticle><MedlineCitation><PMID Version="{version}">{pmid}</PMID><Article>'
        "<Journal><JournalIssue><PubDate><Year>2001</Year></PubDate></JournalIssue>"
        f"<Title>J</Title></Journal><ArticleTitle>{title or f'Iron study {pmid}'}</ArticleTitle>"
        "</Article></MedlineCitation></PubmedArticle>\n"
    ).encode()


def deletion(*pmids: int) -> bytes:
    return (
        b"<DeleteCitation>" + b"".join(b"<PMID>%d</PMID>" % p for p in pmids) + b"</DeleteCitation>"
    )


# ---------------------------------------------------------------- listing


def test_listing_order_and_checksums() -> None:
    html = (
        '<a href="pubmed25n0002.xml.gz">pubmed25n0002.xml.gz</a> 2024-12-10 14:06 31M\n'
        '<a href="pubmed25n0002.xml.gz.md5">pubmed25n0002.xml.gz.md5</a>\n'
        '<a href="/pubmed/baseline/pubmed25n0001.xml.gz">x</a> <a href="README.txt">r</a>'
    )
    files = parse_listing(html, "https://ftp.example/pubmed", "baseline")
    assert [f.key for f in files] == [
        "baseline/pubmed25n0001.xml.gz",
        "baseline/pubmed25n0002.xml.gz",
    ]
    assert files[0].url == "https://ftp.example/pubmed/baseline/pubmed25n0001.xml.gz"
    updates = parse_listing('<a href="pubmed25n1275.xml.gz">', "https://x/", "updatefiles")
    new_year = parse_listing('<a href="pubmed26n0001.xml.gz">', "https://x/", "baseline")
    assert sorted([*new_year, *updates, *files]) == [*files, *updates, *new_year]
    assert parse_md5("MD5(pubmed25n0001.xml.gz)= 0123456789ABCDEF0123456789abcdef\n", "x") == (
        "0123456789abcdef0123456789abcdef"
    )


def test_what_may_be_ingested_past_a_missing_file() -> None:
    def f(folder: str, year: int, n: int) -> RemoteFile:
        return RemoteFile(year, 0 if folder == "baseline" else 1, n, folder, f"p{n}", "")

    b1, b2, u3, next_b1 = (
        f("baseline", 25, 1),
        f("baseline", 25, 2),
        f("updatefiles", 25, 3),
        f("baseline", 26, 1),
    )
    assert b2.may_skip(b1)  # baseline files hold disjoint records
    assert not u3.may_skip(b1)  # an update revises what it may not find
    assert not next_b1.may_skip(u3) and not next_b1.may_skip(b1)


# ------------------------------------------------------------ end to end


@pytest.fixture
def nlm() -> FakeNLM:
    server = FakeNLM()
    server.add(
        "baseline", "pubmed25n0001.xml.gz", medline([article(p) for p in range(1, 30)]), "drop"
    )
    server.add(
        "baseline", "pubmed25n0002.xml.gz", medline([article(p) for p in range(30, 60)]), "corrupt"
    )
    server.add(
        "updatefiles",
        "pubmed25n0003.xml.gz",
        medline([article(31, "Revised iron study 31"), deletion(5, 40), article(60)]),
    )
    server.add(
        "updatefiles",
        "pubmed25n0004.xml.gz",
        medline([article(61), article(31, "Last word", 2)]),
        "wrong_md5",
    )
    with server:
        yield server


def sync(home: Path, nlm: FakeNLM, *args: str, workers: str = "1") -> tuple[int, str, str]:
    env = {
        "MEDBRIEF_PUBMED_BASE_URL": nlm.base_url,
        "MEDBRIEF_PUBMED_RETRY_WAIT": "0",
        "MEDBRIEF_LOAD_STARTER": "false",
        "MEDBRIEF_VECTOR_BACKEND": "none",
    }
    result = CliRunner(env=env).invoke(
        main, ["--home", str(home), "pubmed", "sync", "--workers", workers, *args]
    )
    return result.exit_code, result.stdout, result.stderr


def test_sync_verifies_resumes_orders_and_reruns(tmp_path: Path, nlm: FakeNLM) -> None:
    home = tmp_path / "home"
    settings = get_settings(home=home, load_starter=False)

    code, out, err = sync(home, nlm, "--dry-run", "--json")
    assert code == 0, err
    plan = json.loads(out)
    assert (
        plan["to_fetch"]
        == plan["to_ingest"]
        == [
            "baseline/pubmed25n0001.xml.gz",
            "baseline/pubmed25n0002.xml.gz",
            "updatefiles/pubmed25n0003.xml.gz",
            "updatefiles/pubmed25n0004.xml.gz",
        ]
    )
    assert not any(path.endswith(".gz") for path, _ in nlm.log)  # a dry run downloads nothing

    code, out, err = sync(home, nlm, "--json")
    assert code == ChecksumError.exit_code
    assert "baseline/pubmed25n0002.xml.gz" in err and "updatefiles/pubmed25n0004.xml.gz" in err
    assert "checksum mismatch" in err
    report = json.loads(out) if out else None
    assert report is None  # the error ends the run; the files say what happened
    # the dropped connection was resumed where it stopped
    ranges = nlm.data_requests("baseline/pubmed25n0001.xml.gz")
    assert ranges[0] is None and ranges[1] is not None and ranges[1].startswith("bytes=")
    assert len(nlm.data_requests("baseline/pubmed25n0002.xml.gz")) == 2  # then once afresh
    folder = settings.pubmed_dir
    assert not list((folder / "baseline").glob("pubmed25n0002*"))  # nothing of it stored
    assert (folder / "updatefiles" / "pubmed25n0003.xml.gz").exists()  # synced, held back
    assert not (folder / "baseline" / "pubmed25n0001.xml.gz").exists()  # ingested: deleted
    with Store.open(settings.db_path) as store:
        assert store.count() == 29
        assert set(ingested_files(store)) == {"baseline/pubmed25n0001.xml.gz"}

    nlm.fix("baseline/pubmed25n0002.xml.gz")
    nlm.fix("updatefiles/pubmed25n0004.xml.gz")
    before = len(nlm.log)
    code, out, err = sync(home, nlm, "--json", workers="2")
    assert code == 0, err
    report = json.loads(out)
    assert [(f["key"], f["status"]) for f in report["files"]] == [
        ("baseline/pubmed25n0002.xml.gz", "ingested"),
        ("updatefiles/pubmed25n0003.xml.gz", "ingested"),
        ("updatefiles/pubmed25n0004.xml.gz", "ingested"),
    ]
    assert report["fetched"] == 2 and report["complete"] is True
    fetched = [p for p, _ in nlm.log[before:] if p.endswith(".gz")]
    assert "/pubmed/updatefiles/pubmed25n0003.xml.gz" not in fetched  # had it already
    with Store.open(settings.db_path) as store:
        assert store.count() == 59 - 2 + 2  # 1-59, less 5 and 40, with 60 and 61
        assert store.get_document("pmid:31").title == "Last word"  # updates in order
        assert store.stats()["deleted"] == 2
        assert len(ingested_files(store)) == 4

    before = len(nlm.log)
    code, out, err = sync(home, nlm, "--json")
    assert code == 0, err
    assert json.loads(out)["files"] == []
    assert not any(p.endswith(".gz") for p, _ in nlm.log[before:])  # nothing fetched again
    code, out, _ = sync(home, nlm, "--dry-run")
    assert "would ingest 0" in out

    search = CliRunner(env={"MEDBRIEF_VECTOR_BACKEND": "none"}).invoke(
        main, ["--home", str(home), "search", "last word", "--json"]
    )
    assert json.loads(search.stdout)["hits"][0]["id"] == "pmid:31"  # indexed


def test_a_file_that_keeps_failing_is_named_and_the_rest_synced(tmp_path: Path) -> None:
    with FakeNLM() as nlm:
        nlm.add("baseline", "pubmed25n0001.xml.gz", medline([article(1)]), "busy")
        nlm.add("baseline", "pubmed25n0002.xml.gz", medline([article(2)]))
        nlm.add("updatefiles", "pubmed25n0003.xml.gz", medline([article(3)]))
        code, _, err = sync(tmp_path / "h", nlm, "--lexical-only")
        tries = len(nlm.data_requests("baseline/pubmed25n0001.xml.gz"))
    assert code == 6
    assert "baseline/pubmed25n0001.xml.gz" in err and "HTTP 503" in err
    assert "1 later files wait for it" in err
    assert tries == 6  # 5 retries
    with Store.open(get_settings(home=tmp_path / "h").db_path) as store:
        assert [d.id for d in store.iter_documents()] == ["pmid:2"]  # the other baseline file
