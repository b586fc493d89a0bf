"""Real E-utilities responses (Biopython's test files) through the client."""

from __future__ import annotations

import io
import re
from pathlib import Path

import httpx
import pytest
from fake_ncbi import FakeNCBI, split_records

from medbrief.ingest.pubmed_xml import iter_pubmed_xml
from medbrief.live.eutils import EUtilsClient
from medbrief.live.fetch import fetch_pubmed
from medbrief.live.ratelimit import RateLimiter
from medbrief.settings import Settings
from medbrief.store import Store
from medbrief.types import Document

pytestmark = pytest.mark.integration


def samples(shared: Path, pattern: str) -> list[Path]:
    found = sorted((shared / "pubmed" / "efetch_samples").glob(pattern))
    assert found, pattern
    return found


def test_every_esearch_sample_parses(shared: Path, settings: Settings) -> None:
    for path in samples(shared, "esearch*.xml"):
        body = path.read_bytes()
        transport = httpx.MockTransport(lambda _, body=body: httpx.Response(200, content=body))
        with EUtilsClient(settings, transport=transport, limiter=RateLimiter(1000)) as client:
            result = client.esearch("anything")
        count = re.search(rb"<Count>(\d+)</Count>", body)
        assert count is not None
        assert result.count == int(count.group(1)), path.name
        assert result.ids == tuple(i.decode() for i in re.findall(rb"<Id>(\d+)</Id>", body))
        assert (result.webenv is not None) == (b"<WebEnv>" in body), path.name
    # esearch8: nothing found, with NCBI's advisory lists
    assert result.count == 0
    assert result.warnings == ("phrase not found: abcXYZ", "output message: No items found.")


def test_efetch_samples_are_fetched_and_stored_exactly(
    shared: Path, settings: Settings, store: Store
) -> None:
    reference: dict[str, Document] = {}
    records: list[bytes] = []
    for path in samples(shared, "pubmed*.xml"):
        body = path.read_bytes()
        records.extend(split_records(body))
        for item in iter_pubmed_xml(io.BytesIO(body), name=path.name):
            assert isinstance(item, Document)
            reference[item.id] = item
    assert len(records) == len(reference) == 9
    with FakeNCBI(records, rate=None) as fake:
        s = settings.model_copy(update={"eutils_base_url": fake.base_url, "ncbi_rate_limit": 100.0})
        with EUtilsClient(s) as client:
            report = fetch_pubmed(store, client, "samples")
    assert report.inserted == 9
    assert {d.id: d for d in store.iter_documents()} == reference


def test_esearch_sample_served_verbatim_reports_nothing_to_fetch(
    shared: Path, settings: Settings, store: Store
) -> None:
    canned = {"abcXYZ": (shared / "pubmed" / "efetch_samples" / "esearch8.xml").read_bytes()}
    with FakeNCBI([], rate=None, canned=canned) as fake:
        s = settings.model_copy(update={"eutils_base_url": fake.base_url, "ncbi_rate_limit": 100.0})
        with EUtilsClient(s) as client:
            report = fetch_pubmed(store, client, "abcXYZ")
        assert [e.endpoint for e in fake.requests()] == ["esearch"]
    assert (report.found, report.target, report.records) == (0, 0, 0)
    assert "phrase not found: abcXYZ" in report.warnings
