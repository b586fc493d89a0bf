"""NCBI's rate limit, checked from the server's side: arrival timestamps."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from fake_ncbi import FakeNCBI, first_records

from medbrief.errors import RateLimitedError
from medbrief.live import fetch as fetch_mod
from medbrief.live.eutils import EUtilsClient
from medbrief.live.fetch import fetch_pubmed
from medbrief.settings import Settings
from medbrief.store import Store

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def records(shared: Path) -> list[bytes]:
    return first_records(shared / "pubmed" / "pubmed21n1298.xml.gz", 120)


def _fetch_with_side_traffic(store: Store, client: EUtilsClient, searches: int) -> None:
    """A paged fetch while other threads search with the same client."""

    def search() -> None:
        for _ in range(searches):
            client.esearch("side traffic", retmax=1)

    threads = [threading.Thread(target=search) for _ in range(3)]
    for t in threads:
        t.start()
    fetch_pubmed(store, client, "all")
    for t in threads:
        t.join()


def test_without_key_never_more_than_3_per_second(
    store: Store,
    settings: Settings,
    records: list[bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fetch_mod, "EFETCH_BATCH", 30)
    with FakeNCBI(records, rate=3) as fake:
        s = settings.model_copy(update={"eutils_base_url": fake.base_url})
        assert s.effective_rate_limit == 3
        started = time.monotonic()
        with EUtilsClient(s) as client:
            _fetch_with_side_traffic(store, client, searches=2)
        elapsed = time.monotonic() - started
        log = fake.requests()
    assert len(log) == 1 + 4 + 3 * 2
    assert [e.status for e in log if e.status != 200] == []  # no 429, no retry needed
    assert fake.max_in_window() <= 3
    assert elapsed >= (len(log) - 1) / 3  # the pacing really held requests back
    assert store.count() == 120


def test_with_key_up_to_10_per_second(
    store: Store,
    settings: Settings,
    records: list[bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fetch_mod, "EFETCH_BATCH", 10)
    with FakeNCBI(records, rate=3, key_rate=10, api_keys={"k"}) as fake:
        s = settings.model_copy(update={"eutils_base_url": fake.base_url, "ncbi_api_key": "k"})
        assert s.effective_rate_limit == 10
        with EUtilsClient(s) as client:
            _fetch_with_side_traffic(store, client, searches=3)
        log = fake.requests()
    assert len(log) == 1 + 12 + 3 * 3
    assert all(e.status == 200 and e.params["api_key"] == "k" for e in log)
    assert 3 < fake.max_in_window() <= 10  # faster than without a key, never over 10


def test_the_server_side_check_catches_a_client_that_is_too_fast(
    settings: Settings, records: list[bytes]
) -> None:
    """Control: the fake really enforces the limit, so the tests above can fail."""
    with FakeNCBI(records, rate=3) as fake:
        s = settings.model_copy(
            update={"eutils_base_url": fake.base_url, "ncbi_rate_limit": 50.0, "ncbi_retries": 0}
        )
        refused = 0
        with EUtilsClient(s) as client:
            for _ in range(8):
                try:
                    client.esearch("x", retmax=1)
                except RateLimitedError as exc:
                    assert "API rate limit exceeded" in str(exc)
                    refused += 1
    assert refused >= 4
    assert fake.max_in_window() > 3
