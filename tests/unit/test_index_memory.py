from __future__ import annotations

from medbrief import registry
from medbrief.index import sync
from medbrief.index.base import LexicalIndex, VectorIndex
from medbrief.index.embed import HashEmbedder
from medbrief.settings import Settings
from medbrief.store import Store
from medbrief.types import Document, Filters, Recommendation


def test_memory_fakes_follow_the_protocols(settings: Settings, store: Store) -> None:
    store.write_documents(
        [
            Document(id="pmid:1", source_id="1", source="pubmed", title="iron legs", year=2001),
            Document(id="pmid:2", source_id="2", source="pubmed", title="iron brain", year=2020),
        ]
    )
    store.write_recommendations(
        [Recommendation(id="r", guideline_title="g", body="b", statement="legs")]
    )
    embedder = HashEmbedder()
    lexical = registry.create("lexical", "memory", settings)
    vector = registry.create("vector", "memory", settings, embedder=embedder)
    assert isinstance(lexical, LexicalIndex)
    assert isinstance(vector, VectorIndex)
    assert sync(lexical, store) == sync(vector, store) == 3
    assert lexical.search("iron legs", 5) == [("pmid:1", 2.0), ("pmid:2", 1.0), ("r", 1.0)]
    assert lexical.search("iron", 5, Filters(year_min=2010)) == [("pmid:2", 1.0)]
    q = embedder.embed(["iron brain"])[0]
    assert vector.search(q, 1)[0][0] == "pmid:2"
    assert [i for i, _ in vector.search(q, 5, Filters(kinds=("recommendation",)))] == ["r"]
    store.delete_documents(["pmid:2"])
    assert sync(lexical, store) == sync(vector, store) == 1
    assert [i for i, _ in lexical.search("iron", 5)] == ["pmid:1"]
    assert "pmid:2" not in [i for i, _ in vector.search(q, 5)]
