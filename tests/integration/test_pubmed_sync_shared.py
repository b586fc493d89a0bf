"""``medbrief pubmed sync`` over real MEDLINE files served NLM-style by a local
server: the store it builds equals a plain ingest of the same files in order,
through a dropped connection, a corrupted file and a wrong checksum."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fake_nlm import FakeNLM, medline, split_records
from medbrief.ingest import ingest_paths
from medbrief.interfaces.cli import main
from medbrief.settings import get_settings
from medbrief.store import Store

pytestmark = pytest.mark.integration


def contents(store: Store) -> tuple[list[object], list[object]]:
    docs = store.conn.execute("SELECT id, version, hash FROM documents ORDER BY id").fetchall()
    dead = store.conn.execute("SELECT id FROM tombstones ORDER BY id").fetchall()
    return docs, dead


def test_sync_of_real_medline_files(shared: Path, tmp_path: Path) -> None:
    first, second = split_records(shared / "pubmed" / "pubmed20n0014.xml.gz", 2, 4000)
    with gzip.open(shared / "pubmed" / "pubmed21n1298.xml.gz", "rb") as f:
        update = f.read()
    small = split_records(shared / "pubmed" / "pubmed21n1298.xml.gz", 1, 50)[0]
    files = {
        "baseline/pubmed25n0001.xml.gz": (medline(first), "drop"),
        "baseline/pubmed25n0002.xml.gz": (medline(second), "corrupt"),
        "updatefiles/pubmed25n0003.xml.gz": (update, None),
        "updatefiles/pubmed25n0004.xml.gz": (medline(small), "wrong_md5"),
    }
    home = tmp_path / "home"
    env = {
        "MEDBRIEF_LOAD_STARTER": "false",
        "MEDBRIEF_VECTOR_BACKEND": "none",
        "MEDBRIEF_PUBMED_RETRY_WAIT": "0",
    }
    with FakeNLM() as nlm:
        for key, (xml, fault) in files.items():
            folder, name = key.split("/")
            nlm.add(folder, name, xml, *([fault] if fault else []))
        env["MEDBRIEF_PUBMED_BASE_URL"] = nlm.base_url

        def sync() -> tuple[int, str, str]:
            result = CliRunner(env=env).invoke(
                main, ["--home", str(home), "pubmed", "sync", "--workers", "2", "--json"]
            )
            return result.exit_code, result.stdout, result.stderr

        code, _, err = sync()
        assert code == 6, err
        assert "baseline/pubmed25n0002.xml.gz" in err
        assert "updatefiles/pubmed25n0004.xml.gz" in err
        assert nlm.data_requests("baseline/pubmed25n0001.xml.gz")[1] is not None  # resumed
        with Store.open(get_settings(home=home).db_path) as store:
            assert store.count() == 4000

        nlm.fix("baseline/pubmed25n0002.xml.gz")
        nlm.fix("updatefiles/pubmed25n0004.xml.gz")
        code, out, err = sync()
        assert code == 0, err
        report = json.loads(out)
        assert report["records"] == 4000 + 20_788 + 50
        assert [f["status"] for f in report["files"]] == ["ingested"] * 3

    # the same files ingested by hand, in NLM's order
    reference = tmp_path / "reference"
    reference.mkdir()
    paths = []
    for key, (xml, _) in files.items():
        path = reference / key.replace("/", "-")
        path.write_bytes(gzip.compress(xml, compresslevel=1))
        paths.append(path)
    with (
        Store.open(reference / "r.sqlite3") as expected,
        Store.open(get_settings(home=home).db_path) as synced,
    ):
        ingest_paths(expected, "pubmed", paths)
        assert contents(synced) == contents(expected)
        assert synced.count() == 4000 + 4000 + 20_783
        assert synced.get_document("pmid:30271887").version == 4
