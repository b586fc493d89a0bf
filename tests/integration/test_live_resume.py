"""The fetch workflow against a local fake NCBI serving real MEDLINE records."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_ncbi import FakeNCBI, first_records

from medbrief.errors import RemoteError
from medbrief.ingest.pubmed_xml import iter_pubmed_xml
from medbrief.interfaces.cli import main
from medbrief.live.eutils import EUtilsClient
from medbrief.live.fetch import fetch_pubmed
from medbrief.settings import Settings
from medbrief.store import Store
from medbrief.types import Document

pytestmark = pytest.mark.integration

N = 300


@pytest.fixture(scope="module")
def records(shared: Path) -> list[bytes]:
    return first_records(shared / "pubmed" / "pubmed21n1298.xml.gz", N)


@pytest.fixture(scope="module")
def reference(records: list[bytes]) -> dict[str, Document]:
    """Each record parsed on its own, straight from the bytes the server sends."""
    xml = b"<PubmedArticleSet>" + b"\n".join(records) + b"</PubmedArticleSet>"
    docs = iter_pubmed_xml(io.BytesIO(xml), name="reference")
    return {d.id: d for d in docs if isinstance(d, Document)}


@pytest.fixture
def client_for(settings: Settings) -> Iterator[Callable[..., EUtilsClient]]:
    made: list[EUtilsClient] = []

    def make(fake: FakeNCBI, retries: int = 5) -> EUtilsClient:
        s = settings.model_copy(
            update={
                "eutils_base_url": fake.base_url,
                "ncbi_rate_limit": 200.0,
                "ncbi_retries": retries,
            }
        )
        c = EUtilsClient(s, backoff=0.01)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


def assert_whole(store: Store, reference: dict[str, Document]) -> None:
    """Every stored record is exactly the record parsed from the served bytes."""
    stored = list(store.iter_documents())
    assert stored, "nothing stored"
    for doc in stored:
        assert doc == reference[doc.id]


def test_faults_are_retried_and_every_record_arrives_once_and_whole(
    store: Store,
    settings: Settings,
    records: list[bytes],
    reference: dict[str, Document],
    client_for: Callable[..., EUtilsClient],
) -> None:
    faults = {
        ("efetch", 1): "truncate",
        ("efetch", 2): "drop",
        ("efetch", 3): "html",
        ("efetch", 5): "429",
        ("esearch", 1): "500",
    }
    with FakeNCBI(records, rate=None, faults=faults, fail_every=6) as fake:
        report = fetch_pubmed(store, client_for(fake), "all", state_dir=settings.home / "live")
        served = fake.served_pmids()
        failed = [e for e in fake.requests() if e.fault]
    assert store.count() == len(reference) == N
    assert (report.found, report.records, report.inserted, report.missing) == (N, N, N, 0)
    assert len(failed) >= 5  # the scheduled faults all happened and were survived
    assert sorted(served) == sorted(d.source_id for d in reference.values())  # once each
    assert_whole(store, reference)


def test_truncated_response_never_stores_a_half_record(
    store: Store,
    settings: Settings,
    records: list[bytes],
    reference: dict[str, Document],
    client_for: Callable[..., EUtilsClient],
) -> None:
    # second page truncated on every attempt: the first page stays, the second never lands
    faults = {("efetch", k): "truncate" for k in range(2, 10)}
    with FakeNCBI(records, rate=None, faults=faults) as fake:
        with pytest.raises(RemoteError, match="truncated XML document"):
            fetch_pubmed(
                store, client_for(fake, retries=2), "all", state_dir=settings.home / "live"
            )
        assert store.count() == 200
        assert_whole(store, reference)
        fake.faults.clear()
        report = fetch_pubmed(store, client_for(fake), "all", state_dir=settings.home / "live")
        served = fake.served_pmids()
    assert report.resumed and store.count() == N
    assert len(served) == N == len(set(served))
    assert_whole(store, reference)


def test_killed_fetch_resumes_without_duplicates(
    tmp_path: Path, records: list[bytes], reference: dict[str, Document]
) -> None:
    home = tmp_path / "killed"
    env = {
        **os.environ,
        "MEDBRIEF_HOME": str(home),
        "MEDBRIEF_LOAD_STARTER": "0",
        "MEDBRIEF_NCBI_RATE_LIMIT": "100",
    }
    cmd = [sys.executable, "-c", "from medbrief.interfaces.cli import main; main()"]
    # the second page is held in flight until the process has been killed
    with FakeNCBI(records, rate=None, faults={("efetch", 2): "hold"}) as fake:
        env["MEDBRIEF_EUTILS_BASE_URL"] = fake.base_url
        proc = subprocess.Popen(
            [*cmd, "fetch", "pubmed", "all records"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            assert fake.holding.wait(60), proc.communicate(timeout=5)[1]
        finally:
            proc.kill()
            proc.communicate()
        fake.release.set()
        first_run = fake.served_pmids()
        assert len(first_run) == 200
        (progress,) = (home / "live").iterdir()
        assert len(json.loads(progress.read_text())["done"]) == 200
        with Store.open(home / "medbrief.sqlite3") as store:
            assert store.count() == 200

        fake.expire_history()  # and the WebEnv did not survive the pause either
        result = CliRunner().invoke(
            main, ["--home", str(home), "fetch", "pubmed", "all records", "--json"], env=env
        )
        assert result.exit_code == 0, result.output
        second_run = fake.served_pmids()[len(first_run) :]
    report = json.loads(result.stdout)
    assert report["resumed"] is True
    assert (report["records"], report["inserted"], report["target"]) == (N, N, N)
    assert not set(first_run) & set(second_run)
    assert len(second_run) == N - 200
    with Store.open(home / "medbrief.sqlite3") as store:
        assert store.count() == N
        assert_whole(store, reference)
    assert list((home / "live").iterdir()) == []
