import pytest

from medbrief.errors import InputError
from medbrief.grade import classify_design, evidence_level, strength_key
from medbrief.grade.design import design_from_text
from medbrief.grade.level import LEVELS
from medbrief.types import DESIGNS, AbstractSection, Document, MeshHeading


def doc(
    title: str = "A study",
    abstract: str = "",
    types: tuple[str, ...] = (),
    mesh: tuple[str, ...] = (),
) -> Document:
    return Document(
        id="pmid:1",
        source_id="1",
        source="test",
        title=title,
        abstract=(AbstractSection(abstract),) if abstract else (),
        publication_types=types,
        mesh=tuple(MeshHeading(m) for m in mesh),
    )


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        (("Journal Article", "Practice Guideline"), "guideline"),
        (("Consensus Development Conference",), "guideline"),
        (("Meta-Analysis", "Systematic Review"), "meta-analysis"),
        (("Systematic Review",), "systematic-review"),
        (("Randomized Controlled Trial", "Multicenter Study"), "rct"),
        (("Controlled Clinical Trial",), "non-randomised-trial"),
        (("Clinical Trial, Phase II",), "non-randomised-trial"),
        (("Case Reports",), "case-report"),
        (("Review",), "narrative-review"),
        (("Letter",), "other"),
        (("Editorial",), "other"),
    ],
)
def test_publication_types_decide(types: tuple[str, ...], expected: str) -> None:
    assert classify_design(doc(types=types)) == expected


def test_clinical_trial_that_says_randomized_is_an_rct() -> None:
    d = doc(
        abstract="Patients were randomly assigned to iron or placebo.", types=("Clinical Trial",)
    )
    assert classify_design(d) == "rct"


def test_review_that_is_a_meta_analysis() -> None:
    d = doc(title="Iron for RLS: a meta-analysis", types=("Review",))
    assert classify_design(d) == "meta-analysis"


def test_mesh_animals_without_humans_is_animal() -> None:
    assert classify_design(doc(mesh=("Animals", "Mice"), types=("Journal Article",))) == "animal"
    assert classify_design(doc(mesh=("Animals", "Humans", "Cohort Studies"))) == "cohort"


@pytest.mark.parametrize(
    ("mesh", "expected"),
    [
        (("Humans", "Case-Control Studies"), "case-control"),
        (("Humans", "Prospective Studies"), "cohort"),
        (("Humans", "Retrospective Studies"), "cohort"),
        (("Humans", "Cross-Sectional Studies"), "cross-sectional"),
        (("In Vitro Techniques",), "in-vitro"),
        (("Randomized Controlled Trials as Topic", "Humans"), "other"),
    ],
)
def test_mesh_designs(mesh: tuple[str, ...], expected: str) -> None:
    assert classify_design(doc(mesh=mesh, types=("Journal Article",))) == expected


@pytest.mark.parametrize(
    ("title", "abstract", "expected"),
    [
        ("Iron in RLS: a systematic review and meta-analysis", "", "meta-analysis"),
        (
            "Iron in RLS",
            "We systematically reviewed trials in MEDLINE and Embase.",
            "systematic-review",
        ),
        ("Clinical practice guideline for RLS", "", "guideline"),
        (
            "A trial",
            "In this randomized, double-blind, placebo-controlled trial, 40 patients.",
            "rct",
        ),
        ("A trial", "Previous open-label trials were positive. We randomized 28 patients.", "rct"),
        (
            "Iron in RLS",
            "In this open-label, single-arm trial 20 patients received iron.",
            "non-randomised-trial",
        ),
        (
            "Iron in RLS",
            "This case-control study compared 50 patients with 50 controls.",
            "case-control",
        ),
        ("Iron in RLS", "We followed a prospective cohort of 1,000 adults.", "cohort"),
        ("Iron in RLS", "A cross-sectional survey of 300 patients.", "cross-sectional"),
        ("Iron in RLS", "We describe a 54-year-old woman with RLS.", "case-report"),
        ("Iron in RLS", "Three cases of RLS after iron are described.", "case-series"),
        ("Brain iron", "Iron uptake was measured in mice and rats.", "animal"),
        ("Iron transport", "Transport was measured in vitro in a cell line.", "in-vitro"),
        (
            "Iron formulations and the human blood-brain barrier",
            "We examine iron transport across an in vitro model made of human endothelial cells. "
            "The results have clinical implications.",
            "in-vitro",
        ),
        (
            "Iron and the blood-brain barrier",
            "Iron was measured in cultured cells from 12 patients with RLS.",
            "other",
        ),
        (
            "Brain iron in RLS",
            "Thirty-nine RLS patients and 29 age-matched healthy controls were scanned.",
            "case-control",
        ),
        (
            "Brain iron in RLS",
            "Five individuals with no neurologic history served as controls.",
            "case-control",
        ),
        (
            "Iron in brain disease: a review",
            "Studies in mice and in cell lines are reviewed.",
            "narrative-review",
        ),
        ("Restless legs: a review", "", "narrative-review"),
        ("Protocol for a systematic review and meta-analysis of iron", "", "other"),
        ("Iron", "Iron is an element.", "other"),
    ],
)
def test_text_fallback(title: str, abstract: str, expected: str) -> None:
    assert design_from_text(title, abstract) == expected
    # records typed only "Journal Article" (not yet indexed) use the fallback
    assert classify_design(doc(title, abstract, types=("Journal Article",))) == expected


def test_unknown_type_placeholder_falls_back_to_text() -> None:
    d = doc(
        "A randomized controlled trial of iron", "Patients were randomized.", types=("unknown",)
    )
    assert classify_design(d) == "rct"


def test_evidence_levels_follow_ocebm_2011() -> None:
    assert set(LEVELS) == set(DESIGNS)
    assert evidence_level("meta-analysis") == 1
    assert evidence_level("systematic-review") == 1
    assert evidence_level("rct") == 2
    assert evidence_level("cohort") == 3
    assert evidence_level("case-control") == 4
    assert evidence_level("case-report") == 4
    assert evidence_level("animal") == 5
    assert evidence_level("other") == 5
    assert sorted(["animal", "rct", "meta-analysis", "cohort"], key=strength_key) == [
        "meta-analysis",
        "rct",
        "cohort",
        "animal",
    ]


def test_unknown_design_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown study design"):
        evidence_level("anecdote")
