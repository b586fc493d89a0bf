"""The indexes on real text from ../shared: SciFact abstracts and claims."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

import numpy as np
import pytest

from medbrief.evaluate.ir import evaluate, read_qrels
from medbrief.index import open_embedder, open_lexical, open_vector, sync
from medbrief.index.embed import MiniLMEmbedder
from medbrief.settings import Settings
from medbrief.store import Store
from medbrief.types import AbstractSection, Document

pytestmark = pytest.mark.integration

PREFIX = "beir:scifact:"


def scifact_docs(shared: Path, n: int) -> list[Document]:
    with (shared / "scifact" / "beir_corpus.jsonl").open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in islice(f, n)]
    return [
        Document(
            id=PREFIX + r["_id"],
            source_id=r["_id"],
            source="beir:scifact",
            title=r["title"],
            abstract=(AbstractSection(r["text"]),),
        )
        for r in rows
    ]


def claims_within(shared: Path, ids: set[str]) -> tuple[dict[str, str], dict[str, dict[str, int]]]:
    qrels = read_qrels(shared / "scifact" / "beir_qrels_train.tsv")
    qrels = {q: r for q, r in qrels.items() if set(r) <= ids}
    with (shared / "scifact" / "beir_queries_train.jsonl").open(encoding="utf-8") as f:
        queries = {q["_id"]: q["text"] for q in map(json.loads, f) if q["_id"] in qrels}
    return queries, qrels


@pytest.mark.parametrize("backend", ["tantivy", "fts5"])
def test_bm25_on_scifact_subset(
    shared: Path, settings: Settings, store: Store, backend: str
) -> None:
    docs = scifact_docs(shared, 2000)
    store.write_documents(docs)
    s = settings.model_copy(update={"lexical_backend": backend})
    index = open_lexical(s)
    assert sync(index, store) == 2000
    queries, qrels = claims_within(shared, {d.source_id for d in docs})
    assert len(queries) > 100
    run = {
        q: [i.removeprefix(PREFIX) for i, _ in index.search(text, 100)]
        for q, text in queries.items()
    }
    scores = evaluate(run, qrels)
    # the whole corpus scores 0.70 nDCG@10; a smaller corpus is easier
    assert scores["ndcg@10"] > 0.70
    assert scores["recall@100"] > 0.9


def test_minilm_embeddings_behave_like_the_reference_model() -> None:
    embedder = MiniLMEmbedder(threads=1)
    vectors = embedder.embed(
        [
            "A man is eating food.",
            "A man is eating a piece of bread.",
            "The girl is carrying a baby.",
            "Iron deficiency worsens restless legs syndrome.",
            "Low serum ferritin is associated with more severe RLS symptoms.",
            "The stock market fell sharply today.",
        ]
    )
    assert vectors.shape == (6, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    sims = vectors @ vectors.T
    # sentence-transformers' all-MiniLM-L6-v2 gives 0.7553 for the first pair
    assert sims[0, 1] == pytest.approx(0.755, abs=0.02)
    assert sims[3, 4] > 0.3 > max(sims[3, 5], sims[4, 5], sims[0, 2])
    # the same text alone or in a batch (padding) embeds the same
    assert float(embedder.embed(["A man is eating food."])[0] @ vectors[0]) > 0.9999
    # odd input does not crash and still gives unit vectors
    odd = embedder.embed(["", "\x00\x01", "鉄欠乏性貧血", "word " * 50_000])
    assert np.allclose(np.linalg.norm(odd, axis=1), 1.0, atol=1e-5)


def test_dense_minilm_finds_the_claims_abstract(
    shared: Path, settings: Settings, store: Store
) -> None:
    docs = scifact_docs(shared, 40)
    store.write_documents(docs)
    index = open_vector(settings)
    assert index is not None
    assert sync(index, store) == 40
    embedder = open_embedder(settings)
    for doc in docs[:5]:
        # the title as a query finds its own abstract first
        hits = index.search(embedder.embed([doc.title])[0], 3)
        assert hits[0][0] == doc.id
