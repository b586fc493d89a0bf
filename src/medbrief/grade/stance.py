"""Stance: what an abstract found on a question.

``yes`` (supports, effective, associated), ``no`` (no effect, no
association, not superior), ``maybe`` (mixed, unclear) or ``not_addressed``
(the abstract does not bear on the question), with the sentence the label
rests on: the conclusion sentence that matches the question best.

Two steps, both offline and light (no neural model; ~1 ms an abstract):

1. *Does it bear on the question?* Every concept of the question must occur
   in the title or abstract (abbreviations expanded, ``terms.addressed``);
   otherwise ``not_addressed``.
2. *What does it say?* A logistic regression over cue features
   (``medbrief.grade.features``) trained on PubMedQA PQA-L (Jin et al. 2019,
   MIT licence): 394 of its 500 expert-labelled questions outside the
   official test split, the fifth that ``bench/holdout.py`` keeps untouched
   left out (``scripts/train_stance.py``). Two weight sets ship in
   ``medbrief/data/grade/stance.json``: one for abstracts with a conclusion
   (PubMedQA's reasoning-free setting) and one for abstracts without
   (reasoning-required: results only). The file
   lists the PMIDs it was trained on, so evaluation can tell when it is
   being measured on its own training data. Two more weight sets (``+entail``)
   were trained with the optional entailment feature (``grade.entail``); they
   are used only for analyses that carry it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Protocol

from medbrief.grade import contradict, terms
from medbrief.grade.features import Focus, features, read_question
from medbrief.grade.model import LinearModel
from medbrief.grade.sentences import abstract_sentences
from medbrief.types import Stance

MODEL_RESOURCE = "stance.json"
_UNSETTLED = re.compile(
    r"\b(?:unclear|uncertain|inconclusive|conflicting|inconsistent|mixed results?|equivocal|"
    r"controversial|remains? (?:to be (?:determined|established|elucidated|clarified|seen)|"
    r"unclear|uncertain|unknown|controversial)|(?:is|are|was|were) not (?:yet )?(?:clear|"
    r"known|established|conclusive))\b",
    re.IGNORECASE,
)
#: the share of a question's words an abstract that contradicts it must name
CONTRADICTION_COVERAGE = 0.25
#: the least confidence of a "no" read from a denial or contradiction
DENIAL_SCORE = 0.5
WITH_CONCLUSION = "with_conclusion"
WITHOUT_CONCLUSION = "without_conclusion"
#: the feature ``grade.entail`` adds, and the suffix of the weight sets trained with it
ENTAILMENT = "entail"


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything ``stance`` computes, for training and for explanations."""

    addressed: bool
    coverage: float
    features: dict[str, float]
    focus: Focus | None
    has_conclusion: bool
    #: The sentence that denies the question's predicate or otherwise
    #: contradicts its claim (``medbrief.grade.contradict``), if any.
    denial: str | None = None


def analyse(question: str, abstract: str, title: str | None = None) -> Analysis:
    sentences = abstract_sentences(abstract, title)
    body = [s for s in sentences if s.role != "title"]
    if not body or not question.strip():
        return Analysis(False, 0.0, {}, None, False)
    text = " ".join(s.text for s in sentences)
    abbrev = {**terms.abbreviations(text), **terms.abbreviations(question)}
    text_stems = terms.content_stems(text, abbrev)
    units = terms.concept_units(question, abbrev)
    present = terms.units_present(units, text_stems)
    coverage = sum(present) / len(present) if present else 1.0
    ok = terms.addressed(present, terms.is_sentence(question))
    form = read_question(question)
    feats, fc = features(form, sentences, abbrev, text_stems)
    has_conclusion = any(s.role == "conclusion" for s in body)
    if not any(s.role in {"results", "conclusion", "other"} for s in body):
        # Labelled background and methods only (a truncated record): the
        # abstract states no finding to take a stance from.
        ok = False
    denial = None
    predicates = contradict.asked_predicates(question)
    if predicates:
        candidates = [fc.best, *fc.block[:1]] if fc.best else fc.block[:1]
        denial = next((c.text for c in candidates if contradict.denies(predicates, c.text)), None)
    if denial is None and not form.negated:
        denial = contradict.contradiction(question, [s.text for s in body], text_stems, abbrev)
        # an abstract that contradicts the claim bears on it, though it may
        # paraphrase much of the rest (the claim's other words are its own)
        ok = ok or (denial is not None and coverage >= CONTRADICTION_COVERAGE)
    return Analysis(ok, coverage, feats, fc, has_conclusion, denial)


class StanceReader(Protocol):
    """Reads what an abstract found on a question: :func:`stance`, or a
    language model standing in for it (``medbrief.write.stance``)."""

    def __call__(self, question: str, abstract: str, title: str | None = None) -> Stance: ...


def stance(question: str, abstract: str, title: str | None = None) -> Stance:
    """What ``abstract`` (optionally with its ``title``) found on ``question``.

    ``question`` is a question ("Does iron improve RLS symptoms?") or a
    sub-topic as concept terms ("iron; restless legs syndrome": separate
    concepts with ";" or "," so that each must be present). ``abstract`` is
    plain text, structured abstracts as ``LABEL: text`` lines or inline.
    ``score`` is the classifier's probability of the label, or for
    ``not_addressed`` the share of the question's concepts found.
    """
    return stance_from_analysis(analyse(question, abstract, title))


def stance_from_analysis(result: Analysis) -> Stance:
    if not result.addressed or result.focus is None:
        return Stance("not_addressed", None, round(result.coverage, 4))
    model = models()[model_name(result)]
    label, score = decide(model, result)
    best = result.focus.best
    sentence = best.text if best is not None else None
    contradicts = label == "no" and result.denial is not None
    if contradicts:
        sentence = result.denial
    return Stance(label, sentence, round(score, 4), contradicts)  # type: ignore[arg-type]


def model_name(result: Analysis) -> str:
    """The weight set for an analysis: with or without a conclusion, and
    trained with the entailment feature when it carries one."""
    name = WITH_CONCLUSION if result.has_conclusion else WITHOUT_CONCLUSION
    return f"{name}+{ENTAILMENT}" if ENTAILMENT in result.features else name


def decide(model: LinearModel, result: Analysis) -> tuple[str, float]:
    """The label for an addressed abstract and its score.

    The classifier decides, except that a conclusion clause on the question
    that calls the matter unsettled ("remains unclear", "inconclusive",
    "conflicting") is ``maybe`` whatever else it says: PubMedQA has too few
    such conclusions for the classifier to learn them (3 of 500), and mixed
    evidence must not be reported as support. Likewise a conclusion that
    denies the predicate the question asks about ("inadequate" for "are the
    guidelines adequate?", ``denies_predicate``) is ``no``: the linear model
    sees "inadequate" but not that it is the question's word that is denied.
    """
    proba = model.proba(result.features)
    if result.focus is not None and _UNSETTLED.search(result.focus.best_clause):
        return "maybe", max(proba["maybe"], 0.5)
    if result.denial is not None:
        return "no", max(proba["no"], DENIAL_SCORE)
    label = max(proba, key=proba.__getitem__)
    return label, proba[label]


@cache
def models() -> dict[str, LinearModel]:
    """The shipped weight sets, loaded once."""
    data = _model_file()
    return {name: LinearModel.from_json(data["models"][name]) for name in data["models"]}


@cache
def training_pmids() -> frozenset[str]:
    """PMIDs of the PubMedQA questions the shipped weights were trained on."""
    return frozenset(_model_file().get("training_pmids", ()))


def _model_file() -> dict[str, Any]:
    ref = resources.files("medbrief") / "data" / "grade" / MODEL_RESOURCE
    data: dict[str, Any] = json.loads(ref.read_text(encoding="utf-8"))
    return data
