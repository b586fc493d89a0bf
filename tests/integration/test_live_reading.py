"""``fetch_for_reading`` (what ``ask --live`` calls) and ESpell, against the fake NCBI."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_ncbi import FakeNCBI, first_records, pmid_of

from medbrief.engine import Engine
from medbrief.live import espell, fetch_for_reading, pubmed_query_for
from medbrief.live.eutils import EUtilsClient
from medbrief.live.query import with_preferred_types
from medbrief.settings import Settings
from medbrief.types import Concept, Reading

pytestmark = pytest.mark.integration

RLS = Concept("Restless Legs Syndrome", ("restless legs", "RLS"), "D012148")
IRON = Concept("Iron", ("ferritin",), "D007501")
CHILD = Concept("children", ("paediatric",))
READING = Reading("iron for rls?", "iron for RLS?", concepts=(RLS, IRON))


@pytest.fixture(scope="module")
def pmids(shared: Path) -> list[str]:
    return [pmid_of(r) for r in first_records(shared / "pubmed" / "pubmed21n1298.xml.gz", 40)]


@pytest.fixture(scope="module")
def records(shared: Path) -> list[bytes]:
    return first_records(shared / "pubmed" / "pubmed21n1298.xml.gz", 40)


def engine_for(settings: Settings, fake: FakeNCBI) -> Engine:
    return Engine(
        settings.model_copy(update={"eutils_base_url": fake.base_url, "ncbi_rate_limit": 100.0})
    )


def test_preferred_types_first_then_relevance_then_stored_and_indexed(
    settings: Settings, records: list[bytes], pmids: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    query = pubmed_query_for(READING)
    searches = {query: pmids[:30], with_preferred_types(query): [pmids[25], pmids[7]]}
    with FakeNCBI(records, rate=None, searches=searches, counts={query: 5000}) as fake:
        with engine_for(settings, fake) as engine:
            indexed: list[int] = []
            monkeypatch.setattr(
                engine, "after_ingest", lambda: indexed.append(engine.store.count())
            )
            result = fetch_for_reading(engine, READING, max_records=5)
            again = fetch_for_reading(engine, READING, max_records=5)
            stored = engine.store.count()
        sent = [e.params for e in fake.requests("esearch")]
    assert result.query == query
    assert result.found == 5000
    assert result.fetched == tuple(f"pmid:{p}" for p in (pmids[25], pmids[7], *pmids[:3]))
    assert result.note == "capped at 5 of 5,000 hits"
    assert stored == 5
    assert indexed == [5]  # the index was told once, after the records were stored
    assert (again.fetched, again.skipped) == ((), 5)
    assert all(p["sort"] == "relevance" and "usehistory" not in p for p in sent)
    assert [p["term"] for p in sent[:2]] == [query, with_preferred_types(query)]


def test_too_narrow_a_question_drops_its_last_concept(
    settings: Settings, records: list[bytes], pmids: list[str]
) -> None:
    narrow = Reading("q", "q", concepts=(RLS, IRON, CHILD))
    relaxed = pubmed_query_for(READING)
    with FakeNCBI(records, rate=None, searches={relaxed: pmids[:3]}, match_all=False) as fake:
        with engine_for(settings, fake) as engine:
            result = fetch_for_reading(engine, narrow)
        terms = [e.params["term"] for e in fake.requests("esearch")]
    assert terms[0] == pubmed_query_for(narrow)
    assert terms[1] == relaxed
    assert (result.query, result.found, len(result.fetched), result.note) == (relaxed, 3, 3, None)


def test_nothing_found_is_a_note(settings: Settings, records: list[bytes]) -> None:
    with (
        FakeNCBI(records, rate=None, match_all=False) as fake,
        engine_for(settings, fake) as engine,
    ):
        result = fetch_for_reading(engine, READING)
    assert (result.found, result.fetched) == (0, ())
    assert result.note == "live search: PubMed found nothing new"


def test_ncbi_failing_is_a_note_not_an_exception(settings: Settings, records: list[bytes]) -> None:
    with FakeNCBI(records, rate=None, fail_every=1) as fake:
        s = settings.model_copy(update={"ncbi_retries": 1})
        with engine_for(s, fake) as engine:
            result = fetch_for_reading(engine, READING)
            assert engine.store.count() == 0
    assert result.fetched == ()
    assert result.note is not None
    assert result.note.startswith("live search failed (NCBI E-utilities esearch.fcgi failed")
    assert result.note.endswith("answered from the local store only")


def test_espell_second_opinion(settings: Settings) -> None:
    with FakeNCBI([], rate=None, spellings={"restles": "restless", "leggs": "legs"}) as fake:
        s = settings.model_copy(update={"eutils_base_url": fake.base_url})
        with EUtilsClient(s) as client:
            assert espell(client, "restles leggs syndrome") == "restless legs syndrome"
            assert espell(client, "restless legs") is None


def test_espell_second_opinion_rereads_a_question_the_corpus_cannot_read(
    settings: Settings, records: list[bytes]
) -> None:
    from dataclasses import replace

    from medbrief.live import reread, spelling_second_opinion

    unsure = replace(READING, corrected="iron for restlss legs", unknown_terms=("restlss",))
    fake = FakeNCBI(records, rate=None, spellings={"restlss": "restless"})
    with fake, engine_for(settings, fake) as engine:
        assert spelling_second_opinion(engine, READING) is None  # confident: nothing sent
        assert fake.requests("espell") == []
        suggestion = spelling_second_opinion(engine, unsure)
        assert suggestion == "iron for restless legs"
        again = reread(engine, unsure, suggestion)
    assert again.question == READING.question
    assert ("restlss", "restless") in [(f.original, f.corrected) for f in again.corrections]
    assert any("ESpell" in n for n in again.notes)
    assert "restless legs syndrome" in [c.label for c in again.concepts]
