from __future__ import annotations

from medbrief.index.items import (
    CHUNK_WORDS,
    MAX_CHUNKS,
    IndexItem,
    dense_chunks,
    from_document,
    from_recommendation,
)
from medbrief.types import AbstractSection, Document, MeshHeading, Recommendation


def item(title: str, body: str) -> IndexItem:
    return IndexItem("x", "research", title, body, "", None, ())


def test_short_text_is_one_chunk() -> None:
    assert dense_chunks(item("Iron", "Ferritin is low.")) == ["Iron\nFerritin is low."]
    assert dense_chunks(item("", "")) == []
    assert dense_chunks(item("Only a title", "")) == ["Only a title"]


def test_long_text_splits_at_sentences_with_title_on_each_chunk() -> None:
    sentences = [f"Sentence {i} has exactly six words." for i in range(60)]  # 360 words
    chunks = dense_chunks(item("Title here", " ".join(sentences)))
    assert len(chunks) == 3
    for chunk in chunks:
        title, text = chunk.split("\n")
        assert title == "Title here"
        assert len(chunk.split()) <= CHUNK_WORDS
        assert text.startswith("Sentence") and text.endswith(".")
    words = " ".join(c.split("\n")[1] for c in chunks).split()
    assert words == " ".join(sentences).split()  # nothing lost, nothing repeated


def test_a_sentence_longer_than_a_chunk_is_cut_and_chunks_are_capped() -> None:
    assert len(dense_chunks(item("T", "word " * 1000))) == 7  # 1000 / 149 words
    chunks = dense_chunks(item("T", "word " * 5000))
    assert len(chunks) == MAX_CHUNKS
    assert all(len(c.split()) <= CHUNK_WORDS for c in chunks)


def test_document_and_recommendation_fields() -> None:
    doc = Document(
        id="pmid:1",
        source_id="1",
        source="pubmed",
        title="T",
        abstract=(AbstractSection("body", "RESULTS"),),
        mesh=(MeshHeading("Iron"),),
        keywords=("RLS",),
        year=2020,
        publication_types=("Review",),
    )
    it = from_document(doc)
    assert (it.title, it.body, it.terms, it.year) == ("T", "RESULTS: body", "Iron; RLS", 2020)
    rec = Recommendation(
        id="r1",
        guideline_title="G",
        body="AASM",
        statement="Use iron",
        population="adults",
        key_points=("check ferritin",),
    )
    it = from_recommendation(rec)
    assert it.kind == "recommendation"
    assert (it.title, it.body, it.terms) == ("Use iron", "G\nadults\ncheck ferritin", "AASM")
