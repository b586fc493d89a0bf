"""Grading the 41 RLS records of ../shared/data/rls against their PROVENANCE.md."""

from pathlib import Path

import pytest

from medbrief.grade import grade
from medbrief.grade.stance import stance
from medbrief.ingest.articles import iter_articles
from medbrief.types import Document

pytestmark = pytest.mark.integration

# PROVENANCE.md: "RCTs of iron in the corpus" and topic categories.
RCTS = {"10686463", "19230757", "28643901", "28285317", "15042543", "38476079"}
SYNTHESES = {"30609006", "30798983", "39324664"}
GUIDELINES = {"39324694", "27856776", "29425576", "27448465"}
IRON_WITHOUT_RLS = {"19851851", "33952394", "33961900", "34057084", "34088733", "34090847"}


@pytest.fixture(scope="module")
def records(shared: Path) -> dict[str, Document]:
    docs = {d.pmid: d for d in iter_articles(shared / "rls" / "articles.jsonl") if d.pmid}
    assert len(docs) == 41
    return docs


def test_designs_match_provenance(records: dict[str, Document]) -> None:
    designs = {pmid: grade(doc).design for pmid, doc in records.items()}
    assert {p for p in RCTS if designs[p] == "rct"} == RCTS
    assert {designs[p] for p in SYNTHESES} <= {"meta-analysis", "systematic-review"}
    assert {p for p in GUIDELINES if designs[p] == "guideline"} == GUIDELINES
    assert designs["34093758"] == "case-control"  # "A case-control study" in its title
    assert designs["34088733"] == "other"  # a protocol, not a review


def test_levels_order_syntheses_before_trials(records: dict[str, Document]) -> None:
    levels = {pmid: grade(doc).level for pmid, doc in records.items()}
    assert all(levels[p] == 1 for p in SYNTHESES | GUIDELINES)
    assert all(levels[p] == 2 for p in RCTS)


def test_sample_sizes(records: dict[str, Document]) -> None:
    sizes = {pmid: grade(doc).sample_size for pmid, doc in records.items()}
    assert sizes["8085504"] == 36  # 18 elderly patients with RLS and 18 matched controls
    assert sizes["10686463"] == 28  # "Twenty-eight patients were randomized"
    assert sizes["27544840"] == 68  # 39 RLS patients and 29 age-matched healthy controls
    assert sizes["28643901"] == 110  # n = 59 and n = 51
    assert sizes["30363529"] == 42  # "We consecutively included 42 PD inpatients"
    assert sizes["15452299"] == 642  # "a population of 642 pregnant women"


@pytest.mark.parametrize(
    "question", ["Does iron improve RLS symptoms?", "iron; restless legs syndrome"]
)
def test_study_level_disagreement_on_oral_iron(records: dict[str, Document], question: str) -> None:
    # PROVENANCE.md "Study-level disagreements": oral iron negative in
    # non-deficient RLS (10686463) vs positive with ferritin 15-75 (19230757).
    negative = grade(records["10686463"], question).stance
    positive = grade(records["19230757"], question).stance
    assert negative.label == "no"
    assert negative.sentence == (
        "Iron sulfate does not appear to be an effective empiric treatment for restless legs "
        "syndrome."
    )
    assert positive.label == "yes"
    assert positive.sentence is not None and "statistically significant improvement" in (
        positive.sentence
    )


def test_ferritin_null_result_in_parkinson_rls(records: dict[str, Document]) -> None:
    doc = records["30363529"]
    assert stance("ferritin; restless legs syndrome", doc.abstract_text, doc.title).label == "no"


def test_iron_records_without_rls_do_not_address_rls(records: dict[str, Document]) -> None:
    for pmid in IRON_WITHOUT_RLS:
        got = grade(records[pmid], "iron; restless legs syndrome").stance
        assert got.label == "not_addressed", pmid


def test_on_topic_trials_are_addressed(records: dict[str, Document]) -> None:
    for pmid in RCTS:
        got = grade(records[pmid], "iron; restless legs syndrome").stance
        assert got.label in {"yes", "no", "maybe"}, pmid
        assert got.sentence, pmid
