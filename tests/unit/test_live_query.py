from __future__ import annotations

from medbrief.live.query import (
    MAX_TERMS,
    clean_term,
    concept_clause,
    pubmed_query_for,
    relaxations,
    with_preferred_types,
)
from medbrief.types import Concept, Reading

RLS = Concept(
    "Restless Legs Syndrome", ("restless legs syndrome", "RLS", "Willis-Ekbom"), "D012148"
)
IRON = Concept("Iron", ("iron", "ferritin"), "D007501")
PREG = Concept("pregnancy", ("pregnant women",))


def reading(*concepts: Concept, question: str = "q") -> Reading:
    return Reading(question=question, corrected=question, concepts=concepts)


def test_concept_clause_mesh_then_tiab_terms_deduplicated() -> None:
    assert concept_clause(RLS) == (
        '("Restless Legs Syndrome"[mh] OR "Restless Legs Syndrome"[tiab] OR "RLS"[tiab]'
        ' OR "Willis-Ekbom"[tiab])'
    )


def test_concept_without_mesh_searches_title_abstract_only() -> None:
    assert concept_clause(PREG) == '("pregnancy"[tiab] OR "pregnant women"[tiab])'
    assert concept_clause(Concept("x-ray")) == '"x-ray"[tiab]'


def test_syntax_characters_cannot_change_the_query() -> None:
    c = Concept('vitamin "D" [mh] (cholecalciferol)*', ())
    assert concept_clause(c) == '"vitamin D mh cholecalciferol"[tiab]'
    assert clean_term(' a  "b"  ') == "a b"
    assert concept_clause(Concept('"', ("[]",))) == ""


def test_terms_per_concept_are_capped() -> None:
    c = Concept("t0", tuple(f"t{i}" for i in range(1, 20)))
    assert concept_clause(c).count("[tiab]") == MAX_TERMS


def test_query_ands_concept_blocks() -> None:
    q = pubmed_query_for(reading(RLS, IRON))
    assert q == (
        '("Restless Legs Syndrome"[mh] OR "Restless Legs Syndrome"[tiab] OR "RLS"[tiab]'
        ' OR "Willis-Ekbom"[tiab]) AND ("Iron"[mh] OR "Iron"[tiab] OR "ferritin"[tiab])'
    )


def test_query_without_concepts_uses_content_words() -> None:
    r = Reading(question="Does iron help restless legs?", corrected="Does iron help restless legs?")
    assert pubmed_query_for(r) == "iron help restless legs"
    assert pubmed_query_for(Reading(question="what is the?", corrected="what is the?")) == ""


def test_preferred_types_narrow_the_query() -> None:
    assert with_preferred_types("iron") == (
        '(iron) AND ("Guideline"[pt] OR "Practice Guideline"[pt] OR "Systematic Review"[pt]'
        ' OR "Meta-Analysis"[pt] OR "Randomized Controlled Trial"[pt])'
    )


def test_relaxations_drop_trailing_concepts_down_to_two() -> None:
    qs = relaxations(reading(RLS, IRON, PREG))
    assert qs == [pubmed_query_for(reading(RLS, IRON, PREG)), pubmed_query_for(reading(RLS, IRON))]
    assert relaxations(reading(RLS)) == [concept_clause(RLS)]
    assert relaxations(reading(question="the?")) == []
