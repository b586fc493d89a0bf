"""The curated files under medbrief/data/understand stay consistent with the
installed vocabularies they refer to."""

from __future__ import annotations

from collections import defaultdict

import pytest

from medbrief.understand import sources
from medbrief.understand.lexicon import LexiconBuilder
from medbrief.understand.text import fold


@pytest.fixture(scope="module")
def mesh_names() -> set[str]:
    return {name for _, name in sources.mesh_descriptors()}


@pytest.fixture(scope="module")
def lexicon() -> LexiconBuilder:
    builder = LexiconBuilder(sources.eponyms())
    builder.add_mesh(list(sources.mesh_descriptors()))
    builder.add_curated(sources.synonym_sets())
    builder.add_abbreviations(sources.abbreviations())
    return builder


def test_every_mesh_name_of_the_synonym_sets_exists(mesh_names: set[str]) -> None:
    sets = sources.synonym_sets()
    assert len(sets) >= 40
    assert [s.mesh_name for s in sets if s.mesh_name and s.mesh_name not in mesh_names] == []


def test_each_synonym_set_is_written_once() -> None:
    # two rows for one label split its names: one row each
    labels = [fold(s.label) for s in sources.synonym_sets()]
    assert sorted({x for x in labels if labels.count(x) > 1}) == []


def test_every_mesh_name_of_the_abbreviations_exists(mesh_names: set[str]) -> None:
    senses = sources.abbreviations()
    assert len(senses) >= 190
    assert [s.mesh_name for s in senses if s.mesh_name and s.mesh_name not in mesh_names] == []


def test_most_abbreviations_reach_a_mesh_descriptor(lexicon: LexiconBuilder) -> None:
    senses = sources.abbreviations()
    with_ui = [
        s for s in senses if lexicon.entries[lexicon.keys[fold(s.expansion)]].mesh_ui is not None
    ]
    assert len(with_ui) / len(senses) >= 0.9


def test_an_abbreviation_with_several_senses_has_cues_for_all_but_its_usual_one() -> None:
    senses: dict[str, list[sources.AbbreviationSense]] = defaultdict(list)
    for sense in sources.abbreviations():
        senses[sense.abbreviation].append(sense)
    uncued = [a for a, ss in senses.items() if len(ss) > 1 and sum(not s.cues for s in ss) > 1]
    assert uncued == []


def test_the_drug_blocklist_names_dictionary_entries() -> None:
    variants = sources.drug_variants()
    blocked = sources.drug_blocklist()
    assert blocked
    assert sorted(blocked - variants.keys()) == []


def test_word_lists_are_written_as_they_are_matched() -> None:
    for words in (sources.protected_words(), sources.nonconcepts()):
        assert all(w == w.lower() and " " not in w for w in words)
    assert all(w[0].isupper() for w in sources.eponyms())


def test_every_member_of_a_condition_group_is_a_known_name(lexicon: LexiconBuilder) -> None:
    # a member the reader never reads as a concept would never reach its group
    members = sources.condition_groups_of()
    assert "stable angina" in members
    assert sorted(m for m in members if m not in lexicon.keys) == []


def test_every_condition_with_kinds_is_a_known_name(lexicon: LexiconBuilder) -> None:
    # a condition the reader never reads by that name would never be searched by its kinds
    kinds = sources.condition_kinds()
    assert "stemi" in {fold(k) for k in kinds["acute coronary syndrome"]}
    assert sorted(c for c in kinds if c not in lexicon.keys) == []
