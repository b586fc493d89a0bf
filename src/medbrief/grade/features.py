"""Features of (question, abstract) pairs for the stance classifier.

The classifier reads what the authors concluded, so the features come from
the conclusion (the "CONCLUSIONS" section, or the sentences an unstructured
abstract ends with) and, more weakly, from the results. Three kinds:

* cue counts (``medbrief.grade.cues``) in the conclusion, in its first
  sentence and in the clause that matches the question best: in PubMedQA the
  first conclusion sentence usually carries the answer (Jin et al. 2019);
* the question's own form: negated ("Is X not ...?"), sceptical ("really"),
  or asking for sameness ("as safe as", "similar"), where a null result
  answers "yes";
* words of the conclusion with negation marking (a word after "not", "no",
  ... up to the clause end is prefixed ``not_``, as in Pang et al. 2002), so
  "not improve" and "improve" are different features;
* cues and negation-marked words of the two results sentences that match the
  question best: without a conclusion (PubMedQA's reasoning-required
  setting) the answer is in the result on the question's own outcome, not
  in the last results sentences (10-fold CV x 6 on the 394 dev questions:
  reasoning-required 0.620 -> 0.636, reasoning-free 0.727 -> 0.732).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from medbrief.grade import cues, terms
from medbrief.grade.sentences import Sentence

_CLAUSE_SPLIT = re.compile(
    r"[;:]|,\s*(?=(?:but|whereas|while|although|though|however|yet|except)\b)|"
    r"\b(?:but|whereas|although|though|however|except that)\b",
    re.I,
)
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*|n't")
_NEGATORS = frozenset(
    {"not", "no", "never", "n't", "neither", "nor", "none", "cannot", "without", "fail",
     "failed", "fails", "lack", "lacked", "lacks", "absence", "unable"}
)  # fmt: skip
_SCOPE_END = re.compile(r"[,.;:()]|\b(?:but|however|whereas|while|although|and therefore)\b")

# A conclusion sentence that says what was done, not what was found ("We
# have used MRI phase analysis to study ..."): the finding is elsewhere.
_PROCEDURAL = re.compile(
    r"^(?:in (?:this|the present) (?:study|work), )?(?:we|this (?:study|paper|article|report)|"
    r"the (?:present|current) study|our study) (?:have |has )?(?:used|examined|investigated|"
    r"evaluated|assessed|studied|described|reviewed|compared|explored|analy[sz]ed|performed|"
    r"conducted|aimed|sought|measured|developed)\b",
    re.I,
)
_Q_NEG = re.compile(r"\b(?:not|no|never|without|n't|cannot|neither|nor)\b|n't\b", re.I)
_Q_SCEPTIC = re.compile(
    r"\b(?:really|myth|overrated|overestimated|truly|actually|still|always|worth(?:while)?|"
    r"justified|necessary|mandatory|required|routine(?:ly)?|obsolete|need)\b",
    re.I,
)
_Q_SAME = re.compile(
    r"\b(?:similar|same|equivalent|comparable|equal(?:ly)?|as \w+ as|non-?inferior|"
    r"alternative|replace|substitute|safe)\b",
    re.I,
)
_Q_DIFFER = re.compile(r"\b(?:differ|different|difference|differences|distinct)\b", re.I)
# Questions whose predicate is itself negative ("can X be omitted?", "is X
# unnecessary?"): a negated finding then answers "yes".
_Q_NEGPRED = re.compile(
    r"\b(?:omit\w*|without|avoid\w*|unnecessary|replace\w*|waste|contraindicat\w*|myth|"
    r"under\w+|over(?:used?|treat\w*|diagnos\w*|estimat\w*|rated)|non\w*|un\w+|in(?:effective|"
    r"adequate|appropriate|sufficient)|fail\w*|delay\w*|spar\w*|abandon\w*|reduc\w*|"
    r"decreas\w*|lower\w*|prevent\w*|less)\b",
    re.I,
)
_Q_HARM = re.compile(
    r"\b(?:contraindicat\w*|risk|harm\w*|adverse|complication\w*|worse|danger\w*|"
    r"toxic\w*|barrier|pitfall|problem|limitation|fail\w*|delay\w*|bias\w*)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class QuestionForm:
    """What the stance classifier needs to know about a question."""

    text: str
    stems: dict[str, float]
    negated: bool
    sceptical: bool
    sameness: bool
    difference: bool
    harm: bool
    negpred: bool


def negated(question: str) -> bool:
    """Whether the question is asked in the negative ("Is X not ...?")."""
    return bool(_Q_NEG.search(question))


def read_question(question: str) -> QuestionForm:
    # In "Topic: is X Y?" questions the part after the colon is the question.
    stems = terms.content_stems(question)
    return QuestionForm(
        text=question,
        stems=terms.weights(stems),
        negated=negated(question),
        sceptical=bool(_Q_SCEPTIC.search(question)),
        sameness=bool(_Q_SAME.search(question)),
        difference=bool(_Q_DIFFER.search(question)),
        harm=bool(_Q_HARM.search(question)),
        negpred=bool(_Q_NEGPRED.search(question)),
    )


def clauses(sentence: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_SPLIT.split(sentence) if c and c.strip()]


def negation_marked(text: str) -> list[str]:
    """Lower-cased words, those in a negation's scope prefixed ``not_``."""
    out: list[str] = []
    for chunk in _SCOPE_END.split(cues.pseudo_free(text).lower()):
        negated = False
        for word in _WORD.findall(chunk):
            if word in _NEGATORS or word.endswith("n't"):
                negated = True
                out.append("NEG")
            else:
                out.append("not_" + word if negated else word)
    return out


#: how many results sentences closest to the question are read apart
NEAR = 2


@dataclass(frozen=True, slots=True)
class Focus:
    """The answer block of an abstract and its best match to the question."""

    block: list[Sentence]
    results: list[Sentence]
    best: Sentence | None
    best_clause: str
    relevance: float
    abstract_coverage: float
    #: the results sentences (or, unlabelled, body sentences outside the
    #: conclusion) that match the question best, in the abstract's order
    near: tuple[Sentence, ...] = ()


def focus(
    question: QuestionForm,
    sentences: list[Sentence],
    abbrev: Mapping[str, tuple[str, ...]],
    text_stems: list[str],
) -> Focus:
    """The answer block and its sentence closest to the question.

    ``abbrev`` are the abbreviations defined in the abstract and question,
    ``text_stems`` the content stems of the whole abstract.
    """
    q = terms.weights(terms.content_stems(question.text, abbrev))
    block = [s for s in sentences if s.role == "conclusion"]
    results = [s for s in sentences if s.role == "results"]
    if not block:
        body = results or [s for s in sentences if s.role != "title"]
        block = body[-2:]
    best: Sentence | None = None
    best_score = -1.0
    for pos, sent in enumerate(block):
        # Earlier conclusion sentences state the main finding; later ones
        # tend to be caveats and calls for research.
        score = terms.coverage(q, terms.content_stems(sent.text, abbrev)) - 0.05 * pos
        if _PROCEDURAL.match(sent.text):
            score -= 0.2
        if score > best_score:
            best, best_score = sent, score
    best_clause = ""
    if best is not None:
        best_clause = max(
            clauses(best.text) or [best.text],
            key=lambda c: terms.coverage(q, terms.content_stems(c, abbrev)),
        )
    coverage = terms.coverage(q, text_stems)
    pool = results or [s for s in sentences if s.role not in ("title", "conclusion")]
    match = [terms.coverage(q, terms.content_stems(s.text, abbrev)) for s in pool]
    # sorted() is stable: among equal matches the earlier sentence wins
    closest = sorted(range(len(pool)), key=lambda i: -match[i])[:NEAR]
    near = tuple(pool[i] for i in sorted(closest))
    return Focus(block, results, best, best_clause, max(best_score, 0.0), coverage, near)


def _cue_features(prefix: str, text: str, out: dict[str, float], asked: str = "") -> None:
    for name in cues.CUES:
        n = cues.count(name, text, asked)
        if n:
            out[f"{prefix}:{name}"] = 1.0
            out[f"{prefix}:{name}#"] = min(n, 3) / 3
    sig, nonsig = cues.significant_p(text)
    if sig:
        out[f"{prefix}:p_sig"] = 1.0
    if nonsig:
        out[f"{prefix}:p_nonsig"] = 1.0


def features(
    question: QuestionForm,
    sentences: list[Sentence],
    abbrev: Mapping[str, tuple[str, ...]],
    text_stems: list[str],
) -> tuple[dict[str, float], Focus]:
    """Sparse features (name -> value) and the focus they were computed on."""
    fc = focus(question, sentences, abbrev, text_stems)
    asked = question.text.lower()
    out: dict[str, float] = {"bias_conclusion": 1.0 if fc.block else 0.0}
    block_text = " ".join(s.text for s in fc.block)
    _cue_features("c", block_text, out, asked)
    if fc.block:
        _cue_features("c1", fc.block[0].text, out, asked)
    _cue_features("k", fc.best_clause, out, asked)
    _cue_features("r", " ".join(s.text for s in fc.results), out, asked)
    negated_block = any(out.get(f"c:{n}") for n in ("null", "neg_verb", "failed", "negative_eval"))
    negated_clause = any(
        out.get(f"k:{n}") for n in ("null", "neg_verb", "failed", "negation", "negative_eval")
    )
    for flag in ("negated", "sceptical", "sameness", "difference", "harm", "negpred"):
        if getattr(question, flag):
            out[f"q:{flag}"] = 1.0
            if negated_block:
                out[f"q:{flag}*c_neg"] = 1.0
            if negated_clause:
                out[f"q:{flag}*k_neg"] = 1.0
            if out.get("c:similar"):
                out[f"q:{flag}*c_similar"] = 1.0
    out["relevance"] = fc.relevance
    out["coverage"] = fc.abstract_coverage
    words = negation_marked(block_text)
    for word in set(words):
        out["w:" + word] = 1.0
    for pair in {f"{a}_{b}" for a, b in itertools.pairwise(words)}:
        out["b:" + pair] = 1.0
    for word in set(negation_marked(fc.best_clause)):
        out["kw:" + word] = 1.0
    near_text = " ".join(s.text for s in fc.near)
    _cue_features("n", near_text, out, asked)
    for word in set(negation_marked(near_text)):
        out["nw:" + word] = 1.0
    return out, fc
