"""``medbrief fetch pubmed`` end to end against the local fake NCBI."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fake_ncbi import FakeNCBI, first_records

from medbrief.interfaces.cli import main
from medbrief.store import Store

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def records(shared: Path) -> list[bytes]:
    return first_records(shared / "pubmed" / "pubmed21n1298.xml.gz", 80)


def run(home: Path, base_url: str, *args: str, **env: str) -> Result:
    environ = {
        "MEDBRIEF_EUTILS_BASE_URL": base_url,
        "MEDBRIEF_LOAD_STARTER": "0",
        "MEDBRIEF_NCBI_RATE_LIMIT": "100",
        **env,
    }
    return CliRunner().invoke(main, ["--home", str(home), "fetch", "pubmed", *args], env=environ)


def stored(home: Path) -> int:
    with Store.open(home / "medbrief.sqlite3") as store:
        return store.count()


def test_fetch_prints_a_report_and_stores(tmp_path: Path, records: list[bytes]) -> None:
    with FakeNCBI(records, rate=None) as fake:
        result = run(tmp_path, fake.base_url, "restless legs")
        again = run(tmp_path, fake.base_url, "restless legs")
    assert result.exit_code == 0, result.output
    assert "PubMed: 80 hits for 'restless legs'" in result.stdout
    assert "Stored 80 records" in result.stdout and "80 new, 0 updated" in result.stdout
    assert "80 already stored" in again.stdout
    assert stored(tmp_path) == 80


def test_max_caps_a_huge_result_with_a_clear_note(tmp_path: Path, records: list[bytes]) -> None:
    with FakeNCBI(records, rate=None, counts={"cancer": 123_456}) as fake:
        text = run(tmp_path / "a", fake.base_url, "cancer", "--max", "25")
        js = run(tmp_path / "b", fake.base_url, "cancer", "--max", "30", "--json")
        search = fake.requests("esearch")[0].params
    assert text.exit_code == 0, text.output
    assert "Note: capped at 25 of 123,456 hits." in text.stdout
    assert stored(tmp_path / "a") == 25
    report = json.loads(js.stdout)
    assert (report["note"], report["records"], report["found"]) == (
        "capped at 30 of 123,456 hits",
        30,
        123_456,
    )
    assert len(report["written"]) == 30
    assert (search["retmax"], search["usehistory"]) == ("25", "y")


def test_since_maps_to_a_publication_date_range(tmp_path: Path, records: list[bytes]) -> None:
    with FakeNCBI(records, rate=None) as fake:
        result = run(tmp_path, fake.base_url, "iron", "--since", "2021", "--json")
        params = fake.requests("esearch")[0].params
        expected = len(fake._matches("iron", params))
    assert result.exit_code == 0, result.output
    assert (params["datetype"], params["mindate"], params["maxdate"]) == ("pdat", "2021", "3000")
    assert 0 < expected < 80
    with Store.open(tmp_path / "medbrief.sqlite3") as store:
        years = [d.year for d in store.iter_documents()]
    assert len(years) == expected
    assert all(y is not None and y >= 2021 for y in years)


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_query_is_a_clear_error_and_touches_nothing(tmp_path: Path, query: str) -> None:
    result = run(tmp_path, "http://127.0.0.1:9/", query)
    assert result.exit_code == 2
    assert "medbrief: error: empty PubMed query" in result.stderr
    assert not (tmp_path / "medbrief.sqlite3").exists()


def test_invalid_api_key_surfaces_ncbi_message(tmp_path: Path, records: list[bytes]) -> None:
    with FakeNCBI(records, rate=None, api_keys={"good-key"}) as fake:
        result = run(tmp_path, fake.base_url, "iron", "--api-key", "ZZsecretZZ")
        sent = fake.requests()
    assert result.exit_code == 6
    assert "NCBI answered HTTP 400: API key invalid" in result.stderr
    assert "ZZsecretZZ" not in result.output
    assert len(sent) == 1 and sent[0].params["api_key"] == "ZZsecretZZ"


def test_offline_is_a_clear_message_with_the_remote_exit_code(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run(tmp_path, f"http://127.0.0.1:{port}/entrez/eutils/", "iron")
    assert result.exit_code == 6
    assert "cannot reach NCBI E-utilities" in result.stderr and "(offline?)" in result.stderr


def test_non_xml_answers_fail_clearly_and_lose_nothing(
    tmp_path: Path, records: list[bytes]
) -> None:
    with FakeNCBI(records[:20], rate=None) as fake:
        assert run(tmp_path, fake.base_url, "first").exit_code == 0
    with FakeNCBI(records[20:], rate=None, faults={("efetch", k): "html" for k in (1, 2)}) as fake:
        result = run(tmp_path, fake.base_url, "second", MEDBRIEF_NCBI_RETRIES="1")
    assert result.exit_code == 6
    assert "efetch.fcgi failed after 2 attempts: unexpected response <html>" in result.stderr
    assert stored(tmp_path) == 20
    (progress,) = (tmp_path / "live").iterdir()  # the rest resumes on the next run
    assert json.loads(progress.read_text())["query"] == "second"


def test_help_reads_like_documentation() -> None:
    result = CliRunner().invoke(main, ["fetch", "pubmed", "--help"])
    assert result.exit_code == 0
    for text in ("--max", "--since", "--api-key", "--json", "run the same command again"):
        assert text in result.output
