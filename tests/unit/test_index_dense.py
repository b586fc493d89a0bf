"""The faiss index with the toy hashing embedder: exact expectations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from medbrief.errors import IndexStateError
from medbrief.index import export_vectors, import_vectors, open_vector, remove, sync
from medbrief.index.base import Vector, VectorIndex
from medbrief.index.embed import HashEmbedder
from medbrief.settings import Settings
from medbrief.store import Change, Store
from medbrief.types import AbstractSection, Document, Filters, Recommendation

WORDS = [
    "iron",
    "ferritin",
    "legs",
    "brain",
    "barrier",
    "metformin",
    "insulin",
    "dopamine",
    "sleep",
    "kidney",
]


def doc(n: int, text: str, **kw: object) -> Document:
    return Document(
        id=f"pmid:{n}",
        source_id=str(n),
        source="pubmed",
        title=text,
        abstract=(AbstractSection(f"study {n}"),),
        **kw,  # type: ignore[arg-type]
    )


def corpus(n: int = 60) -> list[Document]:
    rng = np.random.default_rng(1)
    return [
        doc(i, " ".join(rng.choice(WORDS, 3, replace=False)), year=2000 + i % 20) for i in range(n)
    ]


@pytest.fixture(params=["hnsw-sq8", "ivf-pq"])
def setup(
    request: pytest.FixtureRequest, settings: Settings, store: Store
) -> Iterator[tuple[Settings, HashEmbedder, VectorIndex]]:
    s = settings.model_copy(update={"vector_backend": request.param, "embedder": "hash"})
    embedder = HashEmbedder()
    store.write_documents(corpus())
    store.write_recommendations(
        [Recommendation(id="rec:1", guideline_title="G", body="B", statement="kidney sleep")]
    )
    index = open_vector(s, embedder)
    assert index is not None
    assert sync(index, store) == 61
    yield s, embedder, index


def query(embedder: HashEmbedder, text: str) -> Vector:
    """The query vector, from a twin of ``embedder`` (its call count stays put)."""
    vector: Vector = HashEmbedder(dim=embedder.dim).embed([text])[0]
    return vector


def test_exact_match_ranks_first(setup: tuple[Settings, HashEmbedder, VectorIndex]) -> None:
    _, embedder, index = setup
    target = "pmid:7"
    text = corpus()[7].title + " study 7"
    hits = index.search(query(embedder, text), 5)
    assert hits[0][0] == target
    assert hits[0][1] == pytest.approx(1.0, abs=0.02)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    assert len(index.search(query(embedder, "iron"), 200)) == 61


def test_filters(setup: tuple[Settings, HashEmbedder, VectorIndex]) -> None:
    _, embedder, index = setup
    q = query(embedder, "kidney sleep")
    assert [i for i, _ in index.search(q, 5, Filters(kinds=("recommendation",)))] == ["rec:1"]
    hits = index.search(q, 100, Filters(year_min=2010, year_max=2011))
    years = {int(i.split(":")[1]) % 20 for i, _ in hits}
    assert years == {10, 11}
    assert index.search(q, 5, Filters(publication_types=("Review",))) == []


def test_updates_deletions_and_no_reembedding(
    setup: tuple[Settings, HashEmbedder, VectorIndex], store: Store
) -> None:
    s, embedder, index = setup
    calls = embedder.calls
    store.delete_documents(["pmid:7"])
    store.write_documents([doc(8, "completely new words here", version=2)])
    assert sync(index, store) == 2
    assert embedder.calls == calls + 1  # only the changed document was embedded
    q = query(embedder, corpus()[7].title + " study 7")
    assert "pmid:7" not in [i for i, _ in index.search(q, 100)]
    hits = index.search(query(embedder, "completely new words here study 8"), 1)
    assert hits[0][0] == "pmid:8"
    # a rebuild of the faiss structure re-reads cached vectors: no embedding
    remove(s, lexical=False, dense=True)
    again = open_vector(s, embedder)
    assert again is not None
    assert sync(again, store) == 61  # 59 documents, 1 recommendation, 1 tombstone
    assert embedder.calls == calls + 1
    assert again.search(query(embedder, "completely new words here study 8"), 1)[0][0] == "pmid:8"


def test_interrupted_build_resumes_without_reembedding(settings: Settings, store: Store) -> None:
    s = settings.model_copy(update={"embedder": "hash"})
    store.write_documents(corpus(600))
    embedder = HashEmbedder()
    index = open_vector(s, embedder)
    assert index is not None

    def interrupted() -> Iterator[Change]:
        for n, change in enumerate(store.changes(0)):
            if n == 300:
                raise KeyboardInterrupt
            yield change

    with pytest.raises(KeyboardInterrupt):
        index.apply(interrupted(), store.max_seq())
    assert index.watermark == 0
    embedded = embedder.calls
    assert embedded == 1  # one batch of 256 was committed before the interrupt
    assert sync(index, store) == 600
    assert embedder.calls == embedded + 2  # the remaining 344 items, in two batches
    assert index.watermark == store.max_seq()
    assert index.search(query(embedder, corpus(600)[599].title + " study 599"), 1)[0][0] == (
        "pmid:599"
    )


def test_other_model_is_refused(
    setup: tuple[Settings, HashEmbedder, VectorIndex], settings: Settings
) -> None:
    s, _, _ = setup
    other = open_vector(s, HashEmbedder(dim=32))
    assert other is not None
    with pytest.raises(IndexStateError, match="--rebuild"):
        _ = other.watermark
    meta = s.index_dir / "dense" / "meta.json"
    data = json.loads(meta.read_text())
    data["schema"] = 0
    meta.write_text(json.dumps(data))
    with pytest.raises(IndexStateError, match="schema"):
        _ = open_vector(s, HashEmbedder()).watermark  # type: ignore[union-attr]


def test_bad_query_vectors_return_nothing(
    setup: tuple[Settings, HashEmbedder, VectorIndex],
) -> None:
    _, _, index = setup
    assert index.search(np.zeros(3, dtype=np.float32), 5) == []
    assert index.search(np.full(64, np.nan, dtype=np.float32), 5) == []
    assert index.search(np.full(64, 0.125, dtype=np.float32), 0) == []


def test_export_import_vectors(
    setup: tuple[Settings, HashEmbedder, VectorIndex], store: Store, tmp_path: Path
) -> None:
    s, _, _ = setup
    path = tmp_path / "vectors.npz"
    assert export_vectors(store, s, path) == 61
    other = s.model_copy(update={"home": tmp_path / "other"})
    assert import_vectors(other, path) == 61
    with Store.open(other.db_path) as copy:
        copy.write_documents(corpus())
        embedder = HashEmbedder()
        index = open_vector(other, embedder)
        assert index is not None
        assert sync(index, copy) == 60
        assert embedder.calls == 0  # every vector came from the file
    with pytest.raises(IndexStateError, match="hash-64"):
        import_vectors(other.model_copy(update={"embedder": "minilm-int8"}), path)


def test_filters_through_the_ann_selector(
    setup: tuple[Settings, HashEmbedder, VectorIndex], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, embedder, index = setup
    monkeypatch.setattr("medbrief.index.dense.EXACT_LIMIT", 0)
    q = query(embedder, "kidney sleep")
    assert [i for i, _ in index.search(q, 5, Filters(kinds=("recommendation",)))] == ["rec:1"]
    hits = index.search(q, 100, Filters(year_min=2010, year_max=2011))
    assert {int(i.split(":")[1]) % 20 for i, _ in hits} == {10, 11}
    assert len(hits) == 6


def test_auto_switches_to_ivf_pq_past_the_threshold(settings: Settings, store: Store) -> None:
    from medbrief.index.state import read_meta

    s = settings.model_copy(
        update={"vector_backend": "auto", "embedder": "hash", "ivf_threshold": 100}
    )
    embedder = HashEmbedder()
    store.write_documents(corpus(60))
    index = open_vector(s, embedder)
    assert index is not None
    assert sync(index, store) == 60
    assert index.status()["structure"] == "hnsw-sq8"
    store.write_documents(corpus(120)[60:])
    calls = embedder.calls
    assert sync(index, store) == 60
    assert index.status()["structure"] == "ivf-pq"  # rebuilt past 100 passages
    assert embedder.calls == calls + 1  # from the cache: only the 60 new ones embedded
    hits = index.search(query(embedder, corpus(120)[99].title + " study 99"), 1)
    assert hits[0][0] == "pmid:99"
    meta = read_meta(s.index_dir / "dense" / "meta.json")
    assert meta is not None and meta.backend == "auto"
    assert (meta.extra or {})["structure"] == "ivf-pq"
    # a new process (a reader) opens it as IVF-PQ too
    reopened = open_vector(s, HashEmbedder())
    assert reopened is not None and reopened.status()["structure"] == "ivf-pq"
    assert reopened.search(query(embedder, corpus(120)[99].title + " study 99"), 1)[0][0] == (
        "pmid:99"
    )


def test_auto_takes_over_an_index_built_as_hnsw(settings: Settings, store: Store) -> None:
    store.write_documents(corpus(30))
    old = settings.model_copy(update={"vector_backend": "hnsw-sq8", "embedder": "hash"})
    index = open_vector(old, HashEmbedder())
    assert index is not None and sync(index, store) == 30
    new = open_vector(old.model_copy(update={"vector_backend": "auto"}), HashEmbedder())
    assert new is not None
    assert new.watermark == store.max_seq()  # no error, nothing to redo
    assert new.status()["structure"] == "hnsw-sq8"
    assert new.search(query(HashEmbedder(), corpus(30)[3].title + " study 3"), 1)[0][0] == "pmid:3"


def test_a_filter_most_items_pass_filters_the_candidates(
    setup: tuple[Settings, HashEmbedder, VectorIndex], monkeypatch: pytest.MonkeyPatch
) -> None:
    from medbrief.index import ann

    _, embedder, index = setup
    selectors = []
    real = ann.search

    def spy(*args: object, **kw: object) -> object:
        selectors.append(args[4] if len(args) > 4 else kw.get("allowed"))
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(ann, "search", spy)
    monkeypatch.setattr("medbrief.index.dense.EXACT_LIMIT", 0)
    q = query(embedder, "kidney sleep")
    research = index.search(q, 100, Filters(kinds=("research",)))
    assert len(research) == 60 and "rec:1" not in dict(research)
    assert selectors and all(s is None for s in selectors)  # no list of 60 labels
    selectors.clear()
    assert [i for i, _ in index.search(q, 5, Filters(kinds=("recommendation",)))] == ["rec:1"]
    assert selectors[-1] is not None  # 1 in 61: searched through its own labels
