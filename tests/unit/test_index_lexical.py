"""Both lexical backends against one small corpus with exact expectations."""

from __future__ import annotations

import json

import pytest

from medbrief.errors import IndexStateError
from medbrief.index import open_lexical, sync, sync_lexical
from medbrief.index.base import LexicalIndex
from medbrief.settings import Settings
from medbrief.store import Store
from medbrief.types import AbstractSection, Document, Filters, MeshHeading, Recommendation


def doc(n: int, title: str, abstract: str = "", **kw: object) -> Document:
    return Document(
        id=f"pmid:{n}",
        source_id=str(n),
        source="pubmed",
        pmid=str(n),
        title=title,
        abstract=(AbstractSection(abstract),) if abstract else (),
        **kw,  # type: ignore[arg-type]
    )


CORPUS = [
    doc(
        1,
        "Iron deficiency in restless legs syndrome",
        "Ferritin was low.",
        year=2010,
        publication_types=("Randomized Controlled Trial",),
    ),
    doc(
        2,
        "Metformin and lactic acidosis",
        "Rare events in diabetes.",
        year=2015,
        publication_types=("Review",),
    ),
    doc(
        3,
        "Transport across the blood-brain barrier",
        "Iron enters the brain.",
        year=2020,
        mesh=(MeshHeading("Blood-Brain Barrier"),),
    ),
    doc(
        4, "Dopamine agonists", "Augmentation of symptoms over years.", year=2018, kind="guideline"
    ),
]
REC = Recommendation(
    id="aasm:1",
    guideline_title="RLS guideline",
    body="AASM",
    statement="Use intravenous ferric carboxymaltose for restless legs",
    year=2024,
)


@pytest.fixture(params=["tantivy", "fts5"])
def lexical(request: pytest.FixtureRequest, settings: Settings, store: Store) -> LexicalIndex:
    s = settings.model_copy(update={"lexical_backend": request.param})
    store.write_documents(CORPUS)
    store.write_recommendations([REC])
    assert sync_lexical(store, s) == 5
    return open_lexical(s)


def ids(hits: list[tuple[str, float]]) -> list[str]:
    return [i for i, _ in hits]


def test_ranking_and_stemming(lexical: LexicalIndex) -> None:
    hits = lexical.search("restless leg", 10)
    assert ids(hits) == ["pmid:1", "aasm:1"] or ids(hits) == ["aasm:1", "pmid:1"]
    assert hits[0][1] >= hits[1][1] > 0
    assert ids(lexical.search("metformins", 10)) == ["pmid:2"]
    # MeSH terms are searchable; title beats a body-only mention
    assert ids(lexical.search("blood brain barrier", 10))[0] == "pmid:3"
    assert ids(lexical.search("iron", 10)) == ["pmid:1", "pmid:3"]


def test_equal_scores_are_ordered_by_id(settings: Settings, store: Store) -> None:
    # the same text in many documents: however the writer splits them into
    # segments, ties come back by id, and the cut falls at the same place
    s = settings.model_copy(update={"lexical_backend": "tantivy"})
    store.write_documents([doc(n, "Ferritin in anaemia") for n in range(22, 10, -1)])
    sync_lexical(store, s)
    hits = open_lexical(s).search("ferritin", 5)
    assert ids(hits) == sorted(f"pmid:{n}" for n in range(11, 23))[:5]


def test_filters(lexical: LexicalIndex) -> None:
    assert ids(lexical.search("iron", 10, Filters(year_min=2011))) == ["pmid:3"]
    assert ids(lexical.search("iron", 10, Filters(year_max=2011))) == ["pmid:1"]
    rct = Filters(publication_types=("Randomized Controlled Trial",))
    assert ids(lexical.search("iron", 10, rct)) == ["pmid:1"]
    recs = Filters(kinds=("recommendation",))
    assert ids(lexical.search("restless legs", 10, recs)) == ["aasm:1"]
    assert ids(lexical.search("symptoms", 10, Filters(kinds=("guideline",)))) == ["pmid:4"]
    assert lexical.search("symptoms", 10, Filters(kinds=("research",))) == []


ODD_QUERIES = [
    "",
    "   ",
    "\x00\x01\x02\x1b[31m",
    "железо и синдром беспокойных ног",
    "鉄欠乏",
    "x" * 100_000,
    "and the of",
]


def test_odd_queries_never_raise(lexical: LexicalIndex) -> None:
    for query in ODD_QUERIES:
        assert lexical.search(query, 10) == []
    assert ids(lexical.search("iron " * 20_000, 10)) == ["pmid:1", "pmid:3"]
    # syntax characters are plain text: this is "iron OR legs"
    hits = ids(lexical.search('iron" AND (legs: -[ OR NOT *', 10))
    assert hits[0] == "pmid:1"
    assert set(hits) == {"pmid:1", "pmid:3", "aasm:1"}


def test_k_zero_and_quotes_inside_words(lexical: LexicalIndex) -> None:
    assert lexical.search("iron", 0) == []
    assert ids(lexical.search('"iron"', 10)) == ["pmid:1", "pmid:3"]


def test_updates_and_deletions_are_absorbed(lexical: LexicalIndex, store: Store) -> None:
    store.write_documents([doc(2, "Metformin and vitamin B12", "Deficiency.", version=2)])
    store.delete_documents(["pmid:1"])
    assert sync(lexical, store) == 2
    assert lexical.search("lactic", 10) == []
    assert ids(lexical.search("metformin b12", 10)) == ["pmid:2"]
    assert ids(lexical.search("iron", 10)) == ["pmid:3"]
    assert lexical.watermark == store.max_seq()
    assert sync(lexical, store) == 0


def test_interrupted_apply_keeps_the_watermark(lexical: LexicalIndex, store: Store) -> None:
    before = lexical.watermark
    store.write_documents([doc(5, "Ferric carboxymaltose", "Infusion.")])

    def boom() -> object:
        yield from store.changes(before)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        lexical.apply(boom(), store.max_seq())  # type: ignore[arg-type]
    assert lexical.watermark == before
    assert sync(lexical, store) == 1
    assert ids(lexical.search("carboxymaltose", 10)) == ["pmid:5", "aasm:1"]


def test_index_built_with_another_schema_version_is_refused(
    lexical: LexicalIndex, settings: Settings
) -> None:
    meta_path = settings.index_dir / lexical.name / "medbrief.json"
    meta = json.loads(meta_path.read_text())
    meta["schema"] = 999
    meta_path.write_text(json.dumps(meta))
    fresh = open_lexical(settings.model_copy(update={"lexical_backend": lexical.name}))
    with pytest.raises(IndexStateError, match="--rebuild"):
        fresh.search("iron", 10)


def test_index_of_another_store_is_refused(lexical: LexicalIndex, settings: Settings) -> None:
    other = Store.open(settings.home / "other.sqlite3")
    with pytest.raises(IndexStateError, match="another store"):
        sync(lexical, other)
    other.close()
