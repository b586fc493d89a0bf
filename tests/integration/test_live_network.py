"""The one test that talks to the real NCBI E-utilities.

Skipped unless ``MEDBRIEF_TEST_NETWORK=1``; set ``MEDBRIEF_NCBI_EMAIL`` (and
optionally ``MEDBRIEF_NCBI_API_KEY``) as NCBI asks of every tool.
"""

from __future__ import annotations

import os

import pytest

from medbrief.live import espell
from medbrief.live.eutils import EUtilsClient
from medbrief.live.fetch import fetch_pubmed
from medbrief.settings import Settings
from medbrief.store import Store

pytestmark = [
    pytest.mark.network,
    pytest.mark.skipif(
        os.environ.get("MEDBRIEF_TEST_NETWORK") != "1",
        reason="talks to the real NCBI E-utilities; set MEDBRIEF_TEST_NETWORK=1 to run",
    ),
]


def test_real_pubmed_search_fetch_and_spelling(settings: Settings, store: Store) -> None:
    s = settings.model_copy(
        update={
            "ncbi_email": os.environ.get("MEDBRIEF_NCBI_EMAIL"),
            "ncbi_api_key": os.environ.get("MEDBRIEF_NCBI_API_KEY"),
        }
    )
    with EUtilsClient(s) as client:
        report = fetch_pubmed(
            store, client, "restless legs syndrome[mh] AND iron[mh]", max_records=5, since=2015
        )
        suggestion = espell(client, "restles legs syndrom")
    assert report.found > 5
    assert report.records == 5 and store.count() == 5
    assert report.note == f"capped at 5 of {report.found:,} hits"
    for doc in store.iter_documents():
        assert doc.title and doc.pmid and doc.year is not None and doc.year >= 2015
    assert suggestion is not None and "restless" in suggestion
