from __future__ import annotations

from dataclasses import replace

from medbrief.live.query import (
    MAX_TERMS,
    clean_term,
    concept_clause,
    leftover_clause,
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
    assert pubmed_query_for(r) == "iron restless legs"
    assert pubmed_query_for(Reading(question="what is the?", corrected="what is the?")) == ""


def test_a_single_concept_gets_the_leftover_words_as_one_block() -> None:
    vit_d = Concept("vitamin d", ("vitamin D", "cholecalciferol"), "D014807")
    r = Reading(
        question="Does vitamin D supplementation reduce fractures in older adults?",
        corrected="Does vitamin D supplementation reduce fractures in older adults?",
        concepts=(vit_d,),
        search_text="vitamin D supplementation reduce fractures older adults cholecalciferol",
    )
    block = '("supplementation"[tiab] OR "fractures"[tiab] OR "older"[tiab] OR "adults"[tiab])'
    assert leftover_clause(r) == block
    assert pubmed_query_for(r) == f"{concept_clause(vit_d)} AND {block}"
    assert relaxations(r) == [pubmed_query_for(r), concept_clause(vit_d)]
    # two concepts or more are specific enough: no leftover block
    assert "supplementation" not in pubmed_query_for(replace(r, concepts=(vit_d, IRON)))


def test_preferred_types_narrow_the_query() -> None:
    assert with_preferred_types("iron") == (
        '(iron) AND ("Guideline"[pt] OR "Practice Guideline"[pt] OR "Systematic Review"[pt]'
        ' OR "Meta-Analysis"[pt] OR "Randomized Controlled Trial"[pt])'
    )


def test_relaxations_drop_concepts_without_mesh_first_then_from_the_end() -> None:
    def q(*cs: Concept) -> str:
        return pubmed_query_for(reading(*cs))

    assert relaxations(reading(RLS, IRON, PREG)) == [q(RLS, IRON, PREG), q(RLS, IRON)]
    assert relaxations(reading(RLS, PREG, IRON)) == [q(RLS, PREG, IRON), q(RLS, IRON)]
    four = reading(RLS, PREG, IRON, Concept("Ferritins", (), "D005293"))
    assert relaxations(four)[1:] == [
        q(RLS, IRON, Concept("Ferritins", (), "D005293")),
        q(RLS, IRON),
    ]
    assert relaxations(reading(RLS)) == [concept_clause(RLS)]  # no leftover words in "q"
    assert relaxations(reading(question="the?")) == []
