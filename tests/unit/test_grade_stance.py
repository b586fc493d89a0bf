"""Stance on crafted abstracts, with exact expected labels and sentences."""

import sys
from pathlib import Path

import pytest

import medbrief
from medbrief.grade import features as feats
from medbrief.grade import grade, terms
from medbrief.grade.contradict import denies_predicate
from medbrief.grade.sentences import abstract_sentences
from medbrief.grade.stance import models, stance, training_pmids
from medbrief.types import AbstractSection, Document, Stance

QUESTION = "Does vitamin D reduce fractures in older adults?"

POSITIVE = (
    "BACKGROUND: Fractures are common in older adults.\n"
    "METHODS: In this randomized, double-blind, placebo-controlled trial, 400 adults aged 70 "
    "years or older were randomized to vitamin D or placebo for 3 years.\n"
    "RESULTS: Fractures occurred in 12% of the vitamin D group and 21% of the placebo group "
    "(hazard ratio 0.55; 95% CI 0.38-0.80; p = 0.002).\n"
    "CONCLUSIONS: Vitamin D supplementation significantly reduced fractures in older adults."
)
NULL = (
    "BACKGROUND: Fractures are common in older adults.\n"
    "METHODS: In this randomized, double-blind, placebo-controlled trial, 400 adults aged 70 "
    "years or older were randomized to vitamin D or placebo.\n"
    "RESULTS: Fractures occurred in 15% of the vitamin D group and 16% of the placebo group "
    "(hazard ratio 0.95; 95% CI 0.70-1.30; p = 0.42). There was no significant difference "
    "in falls.\n"
    "CONCLUSIONS: Vitamin D supplementation did not reduce fractures in older adults."
)
MIXED = (
    "BACKGROUND: Fractures are common in older adults. METHODS: We randomized 400 adults aged "
    "70 years or older to vitamin D or placebo. RESULTS: Vertebral fractures were fewer with "
    "vitamin D (p = 0.03), but hip fractures did not differ (p = 0.61). CONCLUSIONS: The "
    "effect of vitamin D on fractures in older adults remains unclear; the results are "
    "inconsistent across fracture sites and further trials are needed."
)
UNRELATED = (
    "BACKGROUND: Influenza vaccination coverage among health care workers is low. METHODS: "
    "We surveyed 300 nurses in 12 hospitals. RESULTS: Coverage was 45%. CONCLUSIONS: "
    "Mandatory vaccination policies increased coverage among nurses."
)


@pytest.mark.parametrize("question", [QUESTION, "vitamin D; fractures"])
def test_positive_trial_is_yes(question: str) -> None:
    got = stance(question, POSITIVE)
    assert got.label == "yes"
    assert got.sentence == (
        "Vitamin D supplementation significantly reduced fractures in older adults."
    )
    assert 0.5 < got.score <= 1.0


@pytest.mark.parametrize("question", [QUESTION, "vitamin D; fractures"])
def test_null_trial_is_no(question: str) -> None:
    got = stance(question, NULL)
    assert got.label == "no"
    assert got.sentence == "Vitamin D supplementation did not reduce fractures in older adults."


def test_mixed_result_is_maybe() -> None:
    got = stance(QUESTION, MIXED)
    assert got.label == "maybe"
    assert got.sentence is not None and got.sentence.startswith("The effect of vitamin D")


@pytest.mark.parametrize("question", [QUESTION, "vitamin D; fractures", "vitamin D fractures"])
def test_unrelated_abstract_is_not_addressed(question: str) -> None:
    assert stance(question, UNRELATED) == Stance("not_addressed", None, 0.0)


def test_every_concept_of_a_sub_topic_must_be_present() -> None:
    # vitamin D is there, fractures are not
    abstract = "CONCLUSIONS: Vitamin D supplementation reduced falls in older adults."
    assert stance("vitamin D; fractures", abstract).label == "not_addressed"


def test_abbreviation_in_question_matches_spelled_out_text() -> None:
    abstract = (
        "RESULTS: Symptoms of restless legs syndrome improved more with iron than placebo "
        "(p = 0.01). CONCLUSIONS: Oral iron significantly improved restless legs syndrome."
    )
    assert stance("Does iron improve RLS symptoms?", abstract).label == "yes"


def test_empty_inputs_are_not_addressed() -> None:
    assert stance(QUESTION, "").label == "not_addressed"
    assert stance("", POSITIVE).label == "not_addressed"


def test_abstract_without_conclusion_uses_the_results_model() -> None:
    contexts = POSITIVE.rsplit("\nCONCLUSIONS:", 1)[0]
    got = stance(QUESTION, contexts)
    assert got.label == "yes"
    assert got.sentence is not None and got.sentence.startswith("Fractures occurred")


def test_public_api_and_grade() -> None:
    assert medbrief.stance(QUESTION, NULL).label == "no"
    d = Document(
        id="pmid:1",
        source_id="1",
        source="test",
        title="Vitamin D and fractures: a randomized trial",
        abstract=tuple(
            AbstractSection(text.split(": ", 1)[1], text.split(": ", 1)[0])
            for text in NULL.split("\n")
        ),
        publication_types=("Randomized Controlled Trial",),
    )
    evidence = grade(d, QUESTION)
    assert (evidence.design, evidence.level, evidence.sample_size) == ("rct", 2, 400)
    assert evidence.stance.label == "no"
    assert evidence.relevance == 1.0
    assert grade(d).stance == Stance("not_addressed")


def test_shipped_weights_name_their_training_data() -> None:
    plain = {"with_conclusion", "without_conclusion"}
    # and each trained with the optional entailment feature (grade.entail)
    assert set(models()) == plain | {f"{name}+entail" for name in plain}
    assert len(training_pmids()) == 394
    for model in models().values():
        assert model.classes == ("yes", "no", "maybe")
        assert model.training["data"].startswith("PubMedQA PQA-L")
        assert model.training["excluded"].startswith("106 of 500 questions: the untouched fifth")


def test_shipped_weights_never_saw_the_untouched_fifth() -> None:
    # bench/holdout.py keeps a fifth of PubMedQA for the final report only;
    # training on it would make that report measure fit.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from holdout import held_out

    assert not [pmid for pmid in training_pmids() if held_out(pmid)]


def test_a_conclusion_saying_what_was_done_is_not_the_finding() -> None:
    abstract = (
        "METHODS: Fifteen patients with restless legs syndrome (RLS) and 15 controls had MRI.\n"
        "CONCLUSIONS: We have used MRI phase analysis to study brain iron content in RLS "
        "for the first time. Our results support reduced brain iron content in RLS patients."
    )
    result = stance("brain iron; restless legs syndrome", abstract)
    assert result.sentence == "Our results support reduced brain iron content in RLS patients."


def test_truncated_abstract_with_no_findings_takes_no_stance() -> None:
    abstract = (
        "BACKGROUND: Fractures are common in older adults.\n"
        "METHODS: We randomized 400 adults to vitamin D or placebo."
    )
    assert stance(QUESTION, abstract).label == "not_addressed"


@pytest.mark.parametrize(
    ("question", "sentence", "denied"),
    [
        ("Are current guidelines adequate?", "Current guidelines are inadequate for X.", True),
        ("Are current guidelines adequate?", "Current guidelines are not adequate.", True),
        ("Are current guidelines adequate?", "Current guidelines are adequate.", False),
        ("Are current guidelines adequate?", "They were not inadequate.", False),
        ("Are current guidelines not adequate?", "Current guidelines are inadequate.", False),
        (
            "Are polyps of A similar to those of B?",
            "Polyps of A and B exhibit differing markers.",
            True,
        ),
        ("Are polyps of A similar to those of B?", "Polyps of A and B did not differ.", False),
        ("Is the result the same on different scanners?", "Different scanners were used.", False),
        ("Are A and B the same procedure?", "A specimens were 50% longer than B specimens.", True),
        ("Are A and B the same procedure?", "A and B were no longer than C.", False),
        ("Do A and B affect similar muscles?", "Knee involvement was more common in A.", True),
        (
            "Are physicians aware of side effects?",
            "There was poor knowledge of side effects.",
            True,
        ),
        ("Is peak concentration needed?", "These results suggest little need to use it.", True),
        ("Is X more effective than Y?", "X was not less effective than Y.", False),
    ],
)
def test_a_conclusion_denying_the_questions_predicate(
    question: str, sentence: str, denied: bool
) -> None:
    assert denies_predicate(question, sentence) is denied


def test_denied_predicate_answers_no_with_the_denying_sentence() -> None:
    # Without the rule the classifier answers "yes" here (it reads "exhibit"
    # as a positive finding, not as a denial of "similar").
    abstract = (
        "BACKGROUND: Endometrial polyps are common.\n"
        "METHODS: We stained 80 polyps for hormone receptors.\n"
        "RESULTS: Receptor expression was higher in pre-menopausal polyps.\n"
        "CONCLUSIONS: Pre- and post-menopausal endometrial polyps exhibit differing hormone "
        "receptor and proliferation markers."
    )
    question = (
        "Are endometrial polyps from pre-menopausal women similar to those from "
        "post-menopausal women?"
    )
    got = stance(question, abstract)
    assert got.label == "no"
    assert got.sentence == (
        "Pre- and post-menopausal endometrial polyps exhibit differing hormone receptor and "
        "proliferation markers."
    )
    assert got.score >= 0.5


def test_results_sentences_on_the_question_are_read_apart() -> None:
    # Without a conclusion the answer is the result on the question's own
    # outcome, which need not be among the last results sentences.
    abstract = (
        "METHODS: 400 adults were randomised to vitamin D or placebo.\n"
        "RESULTS: Hip fractures did not differ between vitamin D and placebo groups. "
        "Serum calcium rose in both groups. Adherence was 90%. Ten patients withdrew."
    )
    sentences = abstract_sentences(abstract)
    text = " ".join(s.text for s in sentences)
    abbrev = terms.abbreviations(text)
    form = feats.read_question("Does vitamin D prevent hip fractures?")
    out, fc = feats.features(form, sentences, abbrev, terms.content_stems(text, abbrev))
    assert fc.near[0].text.startswith("Hip fractures did not differ")
    assert len(fc.near) == feats.NEAR
    assert out["nw:not_differ"] == 1.0
    # the last two results sentences (the block read without a conclusion) miss it
    assert "w:not_differ" not in out


def test_with_or_without_is_not_a_negation() -> None:
    # NegEx's pseudo-negation: "with or without" names who was eligible
    assert feats.negation_marked("with or without insulin, glucose fell") == [
        "with", "insulin", "glucose", "fell"
    ]  # fmt: skip
    trial = POSITIVE.replace(
        "in older adults.\nMETHODS", "in older adults with or without osteoporosis.\nMETHODS"
    ).replace(
        "reduced fractures in older adults.",
        "reduced fractures in older adults with or without previous vitamin D therapy.",
    )
    got = stance(QUESTION, trial)
    assert got.label == "yes"
    assert "with or without" in (got.sentence or "")


def test_the_questions_own_evaluative_word_is_its_topic_not_a_cue() -> None:
    asked = "is the braf v600e mutation associated with worse prognosis in colorectal cancer?"
    assert feats.cues.count("negative_eval", "a subgroup with worse prognosis") == 1
    assert feats.cues.count("negative_eval", "a subgroup with worse prognosis", asked) == 0
    abstract = (
        "BACKGROUND: The prognostic value of BRAF mutations in colorectal cancer is debated.\n"
        "METHODS: We studied 300 patients with colorectal cancer by BRAF status.\n"
        "RESULTS: Median survival was 23 months with BRAF V600E and 50 months without it "
        "(p = 0.002).\n"
        "CONCLUSIONS: BRAF V600E mutation defines a distinct subgroup of colorectal cancer "
        "with worse prognosis."
    )
    got = stance(asked.capitalize(), abstract)
    assert got.label == "yes"
