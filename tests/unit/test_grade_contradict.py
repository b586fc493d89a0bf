"""The contradiction forms the stance reader checks before its classifier."""

from __future__ import annotations

import pytest

from medbrief.grade.contradict import contradiction, read_claim
from medbrief.grade.stance import stance


@pytest.mark.parametrize(
    ("question", "sentence", "found"),
    [
        # antonym in the same slot
        (
            "Is Cri du Chat syndrome caused by deletions in the long arm of chromosome 5?",
            "Cri du chat syndrome is caused by a deletion of the short arm of chromosome 5.",
            True,
        ),
        (
            "Is Cri du Chat syndrome caused by deletions in the long arm of chromosome 5?",
            "Cri du chat syndrome is caused by a deletion of the long arm of chromosome 5.",
            False,
        ),
        (
            "Is cryoglobulinemic vasculitis a vasculitis that affects large blood vessels?",
            "Cryoglobulinemic vasculitis is a small-vessel vasculitis.",
            True,
        ),
        # both poles named: a comparison, not a contradiction
        (
            "Is cryoglobulinemic vasculitis a vasculitis that affects large blood vessels?",
            "Cryoglobulinemic vasculitis involves mostly small, but sometimes larger vessels.",
            False,
        ),
        # negated existence
        (
            "Is there an approved vaccine against Helicobacter pylori?",
            "Despite many attempts, no approved vaccine against H. pylori is available.",
            True,
        ),
        (
            "Is there an approved vaccine against Helicobacter pylori?",
            "Currently there is not any Helicobacter pylori vaccine licensed.",
            True,
        ),
        (
            "Is there an approved vaccine against Helicobacter pylori?",
            "There was no difference in vaccine uptake against Helicobacter pylori.",
            False,
        ),
        # the denial is about another disorder than the one asked about
        (
            "Is there an association between genotypes and ADHD in Duchenne muscular dystrophy?",
            "There was no association with emotional disorders, while ADHD might be associated "
            "with the Dp71 genotype in Duchenne muscular dystrophy.",
            False,
        ),
        # contraindication, for a question that asks whether something may be used
        (
            "Can valproate be used during pregnancy?",
            "The use of valproate is contraindicated during pregnancy.",
            True,
        ),
        (
            "Can valproate be used during pregnancy?",
            "Valproate was not teratogenic at low doses in pregnancy.",
            False,
        ),
        (
            "Does valproate cause malformations in pregnancy?",
            "The use of valproate is contraindicated during pregnancy.",
            False,
        ),
        # the question's evaluative predicate denied, in any clause
        (
            "Is liquid biopsy a cost-effective technique for colorectal cancer screening?",
            "At its current cost, liquid biopsy screening for colorectal cancer was not "
            "cost-effective.",
            True,
        ),
        (
            "Is bowel transplantation commonly performed in severe intestinal failure?",
            "Bowel transplantation is rarely performed in intestinal failure.",
            True,
        ),
        # the opposite property of something else is no contradiction
        (
            "Does physical exercise reduce the risk of recurrence from colorectal cancer?",
            "Elevated circulating insulin is associated with increased risk of recurrence "
            "in colorectal cancer.",
            False,
        ),
        (
            "Does physical exercise reduce the risk of recurrence from colorectal cancer?",
            "Physical exercise was associated with increased risk of recurrence in "
            "colorectal cancer.",
            True,
        ),
        # harm, in general words, denied by a finding of safety
        (
            "Is iron harmful in restless legs syndrome?",
            "IV iron sucrose is a safe and effective treatment for restless legs syndrome.",
            True,
        ),
        (
            "Is iron harmful in restless legs syndrome?",
            "IV iron sucrose is not safe in restless legs syndrome.",
            False,
        ),
        # the question's own word negated, past a copula or adverb
        (
            "Is the majority of genetic variation present in the coding regions of the genome?",
            "The majority of genetic variation is not present within the coding region.",
            True,
        ),
        (
            "Is the majority of genetic variation present in the coding regions of the genome?",
            "Genetic variation is not only present in the coding regions of the genome.",
            False,
        ),
        (
            "Is the majority of genetic variation not present in the coding regions?",
            "The majority of genetic variation is not present within the coding region.",
            False,
        ),
        # the direction of an effect, a change against a state
        (
            "Does chenodeoxycholic acid decrease brown adipose tissue activity?",
            "Chenodeoxycholic acid treatment resulted in increased brown adipose tissue activity.",
            True,
        ),
        (
            "Does metformin accelerate tumour growth in mice?",
            "Metformin slowed tumour growth in mice.",
            True,
        ),
        # a generic quantity ("risk") must be of the same thing
        (
            "Does dexamethasone increase the risk of postoperative bleeding?",
            "Dexamethasone decreased the risk of nausea after tonsillectomy.",
            False,
        ),
        (
            "Does dexamethasone increase the risk of postoperative bleeding?",
            "Dexamethasone decreased the risk of postoperative bleeding.",
            True,
        ),
        # a ratio whose interval lies above 1 states a higher risk
        (
            "Does Helicobacter pylori infection decrease the risk of gastric cancer?",
            "For gastric cancer after Helicobacter pylori infection the odds ratio was 2.1 "
            "(95% CI 1.3 to 3.4).",
            True,
        ),
        (
            "Does Helicobacter pylori infection decrease the risk of gastric cancer?",
            "For gastric cancer after Helicobacter pylori infection the odds ratio was 1.2 "
            "(95% CI 0.8 to 1.9).",
            False,
        ),
    ],
)
def test_contradiction(question: str, sentence: str, found: bool) -> None:
    assert (contradiction(question, [sentence]) == sentence) is found


def test_a_question_that_names_both_poles_has_no_slot() -> None:
    claim = read_claim("Do amines suppress responses to minor and major antigens?")
    assert claim.slots == ()


def test_the_anaphor_stands_for_the_condition_the_abstract_names() -> None:
    question = "Is there a specific cure for Ehlers-Danlos syndrome?"
    sentence = "As there is no specific treatment for the disorder, care is symptomatic."
    assert contradiction(question, [sentence]) is None
    document = ["ehler", "danlo", "syndro", "treatm"]
    assert contradiction(question, [sentence], document) == sentence


def test_stance_reads_a_contradiction_as_no_with_its_sentence() -> None:
    abstract = (
        "Cri du chat syndrome is a rare genetic disease. "
        "It is caused by a deletion in the short arm of chromosome 5 (5p)."
    )
    question = "Is Cri du Chat syndrome caused by deletions in the long arm of chromosome 5?"
    st = stance(question, abstract)
    assert st.label == "no"
    assert st.sentence == "It is caused by a deletion in the short arm of chromosome 5 (5p)."
