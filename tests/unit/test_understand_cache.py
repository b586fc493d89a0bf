"""The vocabulary cache under <home>/vocabulary: built once, loaded after,
rebuilt when the corpus changed a lot. Tiny inline vocabularies stand in
for MeSH, the drug dictionary and the English word list."""

from __future__ import annotations

import json

import pytest

from medbrief.engine import Engine
from medbrief.settings import Settings
from medbrief.store import Store
from medbrief.types import AbstractSection, Document, MeshHeading
from medbrief.understand import cache, load_reader, sources
from medbrief.understand.abbreviations import AbbreviationTable
from medbrief.understand.cache import load_vocabulary, vocabulary_dir
from medbrief.understand.spelling import Speller

_WORDS = """the and of in is for with iron blood brain drain barrier legs syndrome restless
disease treatment trial effect patients dose"""
ENGLISH = {w: 1000 - i for i, w in enumerate(_WORDS.split())}
MESH = [
    ("D007501", "Iron"),
    ("D012148", "Restless Legs Syndrome"),
    ("D001812", "Blood-Brain Barrier"),
    ("D008687", "Metformin"),
]
DRUGS = {"metformin": "metformin", "glucophage": "metformin", "zorbitinib": "zorbitinib"}


@pytest.fixture(autouse=True)
def tiny_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "english_words", lambda: dict(ENGLISH))
    monkeypatch.setattr(sources, "mesh_descriptors", lambda: iter(MESH))
    monkeypatch.setattr(sources, "drug_variants", lambda: dict(DRUGS))


def doc(n: int, text: str) -> Document:
    return Document(
        id=f"pmid:{n}",
        source_id=str(n),
        source="test",
        title=f"Study {n}",
        abstract=(AbstractSection(text),),
        mesh=(MeshHeading("Iron"),),
    )


def manifest(settings: Settings) -> dict[str, object]:
    data = json.loads((vocabulary_dir(settings) / "manifest.json").read_text())
    assert isinstance(data, dict)
    return data


def test_first_load_builds_and_later_loads_read_the_cache(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_vocabulary(settings)
    assert manifest(settings)["documents"] == 0
    assert (vocabulary_dir(settings) / "vocabulary.msgpack").exists()

    def no_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("rebuilt a fresh vocabulary")

    monkeypatch.setattr(cache, "build_vocabulary", no_build)
    second = load_vocabulary(settings)
    assert second.stats() == first.stats()


def test_reader_from_a_store_knows_the_corpus_words(settings: Settings, store: Store) -> None:
    store.write_documents(
        [doc(i, "Zorbitinibum and ferroportinase deficiency in RLS.") for i in range(5)]
    )
    reader = load_reader(settings, store)
    assert reader.vocabulary.corpus_documents == 5
    assert reader.vocabulary.corpus_words["ferroportinase"] == 5
    assert reader.vocabulary.corpus_bigrams["ferroportinase deficiency"] == 5
    reading = reader.read("does ferroportinase matter")
    assert reading.corrections == ()
    assert reader.max_chars == settings.max_question_chars


def test_a_small_change_keeps_the_cache_and_a_large_one_rebuilds(
    settings: Settings, store: Store
) -> None:
    store.write_documents([doc(i, "iron and the brain") for i in range(20)])
    load_vocabulary(settings, store)
    built_seq = manifest(settings)["seq"]

    store.write_documents([doc(100, "one more record about iron")])  # 1 of 20: 5%
    assert load_vocabulary(settings, store).corpus_documents == 20
    assert manifest(settings)["seq"] == built_seq

    store.write_documents([doc(200 + i, "many more records") for i in range(10)])
    assert load_vocabulary(settings, store).corpus_documents == 31
    assert manifest(settings)["seq"] == store.max_seq()


def test_changed_curated_data_rebuilds(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    load_vocabulary(settings)
    before = manifest(settings)["digest"]
    monkeypatch.setattr(sources, "data_digest", lambda: "changed")
    load_vocabulary(settings)
    assert manifest(settings)["digest"] == "changed" != before


def test_an_unreadable_cache_is_rebuilt(settings: Settings) -> None:
    load_vocabulary(settings)
    (vocabulary_dir(settings) / "vocabulary.msgpack").write_bytes(b"\x00not msgpack")
    vocab = load_vocabulary(settings)
    assert vocab.entry("iron") is not None


def test_the_symspell_index_is_saved_beside_the_vocabulary(settings: Settings) -> None:
    reader = load_reader(settings)
    assert reader.read("metfromin dose").corrected == "metformin dose"
    files = sorted(p.name for p in vocabulary_dir(settings).iterdir())
    assert files[0] == "manifest.json"
    assert files[1].startswith("symspell-")
    reloaded = load_reader(settings)
    assert reloaded.vocabulary.symspell_path == reader.vocabulary.symspell_path
    assert reloaded.read("metfromin dose").corrected == "metformin dose"


def test_the_engine_reads_with_one_reader_over_its_store(settings: Settings) -> None:
    with Engine(settings) as engine:
        engine.store.write_documents([doc(1, "ferroportinase deficiency")] * 3)
        reader = engine.reader
        assert engine.reader is reader
        assert reader.vocabulary.corpus_documents == 1
        assert [c.label for c in reader.read("iron and RLS").concepts] == [
            "iron",
            "restless legs syndrome",
        ]


def test_a_large_corpus_decides_between_candidates(settings: Settings) -> None:
    """ "ezema" is one edit from edema and from eczema: without a corpus the
    English list decides; with one, the corpus's own word rates do."""
    vocab = load_vocabulary(settings)
    vocab.english = {**vocab.english, "the": 10**9, "eczema": 900, "edema": 10}
    vocab.core = vocab.core | {"eczema", "edema"}
    vocab.symspell_path = None
    speller = Speller(vocab, AbbreviationTable(english=vocab.english))
    assert speller.suggest("ezema") == "eczema"
    vocab.corpus_tokens = 2_000_000
    vocab.corpus_words = {"edema": 4000, "eczema": 40}
    speller = Speller(vocab, AbbreviationTable(english=vocab.english))
    assert speller.suggest("ezema") == "edema"


def test_a_large_store_is_counted_from_an_even_sample(
    settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("medbrief.understand.cache.SAMPLE_DOCUMENTS", 10)
    store.write_documents([doc(i, f"ferroportin number{i}") for i in range(40)])
    sampled = [d.id for d in store.sample_documents(10)]
    assert len(sampled) == 10 and sampled == [f"pmid:{i}" for i in range(3, 40, 4)]
    assert len(list(store.sample_documents(100))) == 40  # a small store: all of it
    vocab = load_vocabulary(settings, store)
    assert vocab.corpus_documents == 10
    assert vocab.corpus_words["ferroportin"] == 10
    assert manifest(settings)["documents"] == 40  # a later change is weighed against the store
    store.write_documents([doc(100 + i, "more iron") for i in range(3)])  # 3 of 40: kept
    assert load_vocabulary(settings, store).corpus_documents == 10
    assert manifest(settings)["seq"] != store.max_seq()
