"""Training and cross-validation of the stance classifier on PubMedQA PQA-L.

Only data we may ship is used: PubMedQA PQA-L (MIT licence). SciFact is
CC BY-NC and never used here. ``scripts/train_stance.py`` rewrites
``medbrief/data/grade/stance.json`` from the PQA-L questions outside the
project's untouched fifth (``bench/holdout.py``); ``bench/stance.py``
reports the k-fold cross-validated figures on those questions and, once, the
figures on the untouched fifth.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from medbrief.evaluate.pubmedqa import Item, Setting, to_pubmedqa
from medbrief.grade import entail
from medbrief.grade.entail import Entailment, with_entailment
from medbrief.grade.model import LinearModel, train
from medbrief.grade.stance import (
    ENTAILMENT,
    MODEL_RESOURCE,
    WITH_CONCLUSION,
    WITHOUT_CONCLUSION,
    Analysis,
    analyse,
    decide,
)

#: Hyper-parameters, fixed before the final cross-validation.
L2 = 0.02
MIN_COUNT = 2
STEPS = 300
CLASSES = ("yes", "no", "maybe")
SETTING_OF_MODEL: dict[str, Setting] = {
    WITH_CONCLUSION: "reasoning-free",
    WITHOUT_CONCLUSION: "reasoning-required",
}


@dataclass(frozen=True, slots=True)
class Example:
    pmid: str
    analysis: Analysis
    answer: str

    @property
    def features(self) -> dict[str, float]:
        return self.analysis.features

    @property
    def addressed(self) -> bool:
        return self.analysis.addressed


def examples(
    items: Sequence[Item], setting: Setting, entailment: Entailment | None = None
) -> list[Example]:
    """The analysed items; with ``entailment``, carrying its feature (``grade.entail``)."""
    out = []
    for item in items:
        result = analyse(item.question, item.abstract(setting))
        if entailment is not None:
            result = with_entailment(item.question, result, entailment)
        out.append(Example(item.pmid, result, item.answer))
    return out


def fit(data: Sequence[Example], l2: float = L2) -> LinearModel:
    return train(
        [e.features for e in data],
        [e.answer for e in data],
        l2=l2,
        min_count=MIN_COUNT,
        steps=STEPS,
        classes=CLASSES,
    )


def predict(model: LinearModel, example: Example) -> str:
    """What ``stance`` answers, on PubMedQA's label set."""
    if not example.addressed:
        return to_pubmedqa("not_addressed")
    return decide(model, example.analysis)[0]


def folds(data: Sequence[Example], k: int, seed: int = 0) -> list[list[int]]:
    """Stratified folds: each label's examples dealt round-robin after a shuffle."""
    rng = random.Random(seed)
    out: list[list[int]] = [[] for _ in range(k)]
    pos = 0
    for label in CLASSES:
        idx = [i for i, e in enumerate(data) if e.answer == label]
        rng.shuffle(idx)
        for i in idx:
            out[pos % k].append(i)
            pos += 1
    return out


def cross_validate(
    data: Sequence[Example], k: int = 10, seed: int = 0, l2: float = L2
) -> list[str]:
    """Out-of-fold predictions: each example predicted by a model not trained on it."""
    predicted = [""] * len(data)
    for held in folds(data, k, seed):
        held_set = set(held)
        model = fit([e for i, e in enumerate(data) if i not in held_set], l2=l2)
        for i in held:
            predicted[i] = predict(model, data[i])
    return predicted


def build(items: Sequence[Item], excluded: str = "") -> dict[str, object]:
    """The content of ``stance.json``: both weight sets and the training PMIDs.

    ``excluded`` says which questions were kept out of training, and why.
    """
    pmids = sorted(item.pmid for item in items)
    digest = hashlib.sha256("\n".join(pmids).encode()).hexdigest()
    models: dict[str, object] = {}
    # the weight sets for the entailment feature only where its model is installed
    variants: list[tuple[str, Entailment | None]] = [("", None)]
    if entail.available():
        variants.append((f"+{ENTAILMENT}", entail.shared()))
    for suffix, entailment in variants:
        for name, setting in SETTING_OF_MODEL.items():
            model = fit(examples(items, setting, entailment))
            model.training.update(
                {
                    "data": "PubMedQA PQA-L (MIT licence), Jin et al. 2019",
                    "setting": setting,
                    "examples": len(items),
                    "excluded": excluded,
                    "l2": L2,
                    "min_count": MIN_COUNT,
                    "steps": STEPS,
                }
            )
            if entailment is not None:
                model.training["entailment"] = f"{entail.PACKAGE} sha256 {entail.MODEL_SHA256}"
            models[name + suffix] = model.to_json()
    return {
        "format": 1,
        "models": models,
        "training_pmids": pmids,
        "training_pmids_sha256": digest,
    }


def write(content: dict[str, object]) -> Path:
    """Write ``stance.json`` into the package's data folder; return its path."""
    target = Path(__file__).resolve().parent.parent / "data" / "grade" / MODEL_RESOURCE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(content, separators=(",", ":"), sort_keys=True) + "\n")
    return target
