"""The brief's research sub-topics, planned from the question's concepts.

Sub-topics are the concepts' pairs (or the single concept), and for a pair of
an intervention and a condition also the intervention's effect on the
condition ("Treatment of restless legs syndrome with iron"), because studies
of association and trials of treatment answer different questions. The role
of a concept comes from its MeSH tree category (NLM MeSH trees: C diseases,
F03 mental disorders = conditions; D chemicals and drugs, E techniques =
interventions), looked up in data/mesh/categories.tsv (MeSH 2015); a name the
drug dictionary knows is a drug though MeSH added it later (rivaroxaban).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Literal

from medbrief.synthesize.match import ConceptMatcher, normalise
from medbrief.types import Concept
from medbrief.understand.concepts import PROCEDURE_HEAD
from medbrief.understand.sources import drug_classes, mesh_categories
from medbrief.understand.text import fold

Role = Literal["condition", "drug", "procedure", "other"]
Intent = Literal["association", "treatment", "procedure", "topic", "comparison"]

MAX_FACETS = 6

#: Words that set two interventions against each other ("DOAC versus warfarin").
_COMPARED = re.compile(
    r"\b(?:versus|vs\.?|compared (?:with|to)|comparison|comparing|(?:better|worse|safer|more "
    r"effective|less effective) than|superior to|inferior to|preferred (?:over|to)|"
    # "recommended as first injectable over GLP-1 RA"
    r"(?:recommended|favou?red|chosen|preferred)(?: as [^?.;,]{1,30})? over|in preference to|"
    r"instead of|rather than)\b",
    re.I,
)
#: Generic concepts that name an intervention without naming which one.
_GENERIC_PROCEDURES = {"treatment", "therapy", "management", "screening", "prevention", "diagnosis"}


@dataclass(frozen=True, slots=True)
class FacetPlan:
    label: str
    concepts: tuple[str, ...]
    intent: Intent
    #: the question the stance of each study is judged against
    question: str
    #: for a generic procedure ("screening"), the question's specific
    #: interventions ("mammography"): a title naming one of them names it
    named_by: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def _drug_classes() -> frozenset[str]:
    return frozenset(drug_classes())


def _categories(concept: Concept) -> frozenset[str]:
    by_ui, by_name = mesh_categories()
    cats = by_ui.get(concept.mesh_ui or "") or by_name.get(fold(concept.label), frozenset())
    for term in concept.terms:
        cats = cats or by_name.get(fold(term), frozenset())
    # a name MeSH added after 2015 is often a kind of an older one: a
    # "traumatic brain injury" is a brain injury
    # (as a disease, drug or technique: "blood cultures" is no "Culture", I01)
    words = fold(concept.label).split(" ")
    for i in range(1, len(words)):
        kind = by_name.get(" ".join(words[i:]), frozenset())
        cats = cats or (kind if any(c[0] in "CDEF" for c in kind) else frozenset())
    return cats


def role(concept: Concept) -> Role:
    label = concept.label.lower()
    if label in _GENERIC_PROCEDURES:
        return "procedure"
    if fold(label) in _drug_classes():  # its keys are folded (singular, no hyphens)
        # "direct oral anticoagulants" has no MeSH descriptor of its own
        return "drug"
    cats = _categories(concept)
    if cats & {"C", "F03"}:
        return "condition"
    if "D" in cats or concept.drug:
        return "drug"
    # psychotherapy (MeSH F04.754) is a treatment as much as a procedure is
    if cats & {"E", "F04.754"} or (not cats and PROCEDURE_HEAD.search(label)):
        return "procedure"
    return "other"


#: a question that asks which of two is better: "Is apixaban or warfarin better
#: for AF?", "Which is safer, ...?"; it compares, and asks no yes or no
ALTERNATIVE = re.compile(
    r"\bwhich is (?:better|preferred|preferable|safer|more effective)\b|"
    r"\bor\b[^?.;]{1,60}\b(?:better|preferred|preferable|safer|more effective|superior)\b",
    re.I,
)


def _straddles(question: str, first: Concept, second: Concept) -> bool:
    """Whether the two concepts stand on either side of the question's word
    of comparing, the second right after it (up to two words between):
    "Is ARNI better than an ACE inhibitor?"; not "Is insulin preferred over
    oral agents in pregnancy?", where what insulin is set against is no
    concept and pregnancy is whom it is for. "Is apixaban or warfarin
    better?" compares whatever its "or" joins."""
    text = normalise(question)
    m = _COMPARED.search(text)
    a, b = ConceptMatcher(first), ConceptMatcher(second)
    if m is None or a.first_span(text) is None or b.first_span(text) is None:
        return True  # "or ... better", or a concept read from other words than its names
    before, after = text[: m.start()], text[m.end() :]
    for one, other in ((a, b), (b, a)):
        at = other.first_span(after)
        if one.first_span(before) is not None and at and len(after[: at[0]].split()) <= 2:
            return True
    return False


def compares(question: str) -> bool:
    """Whether the question sets two things against each other."""
    return bool(_COMPARED.search(question) or ALTERNATIVE.search(question))


def asked_interventions(concepts: tuple[Concept, ...]) -> frozenset[str]:
    """The treatments and tests a question names ("macrolides", "apixaban"),
    not a generic one ("screening", "treatment")."""
    return frozenset(
        c.label
        for c in concepts
        if role(c) in ("drug", "procedure") and c.label.lower() not in _GENERIC_PROCEDURES
    )


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def plan_facets(concepts: tuple[Concept, ...], question: str = "") -> list[FacetPlan]:
    """Sub-topics for ``concepts``; ``question`` (its words) tells a comparison
    of two interventions ("DOAC versus warfarin") from a question about each."""
    if not concepts:
        return []
    if len(concepts) == 1:
        c = concepts[0].label
        return [FacetPlan(_cap(c), (c,), "topic", f"What is known about {c}?")]
    roles = {c.label: role(c) for c in concepts}
    generic = {c.label for c in concepts if c.label.lower() in _GENERIC_PROCEDURES}
    interventions = asked_interventions(concepts)
    specific = tuple(c.label for c in concepts if c.label in interventions)
    has_condition = "condition" in roles.values()
    plans: list[tuple[int, int, FacetPlan]] = []
    # what is compared: the two concepts that are neither a condition nor a
    # generic procedure ("colonoscopy" and "FIT" for colorectal cancer screening)
    comparable = tuple(
        c.label for c in concepts if roles[c.label] != "condition" and c.label not in generic
    )
    if len(comparable) > 2 and len(specific) == 2:
        # beside a word that is neither ("insulin as first injectable over
        # GLP-1 RA"), the two treatments are what is compared
        comparable = specific
    compared = (
        comparable
        if len(comparable) == 2
        and compares(question)
        and _straddles(question, *(c for c in concepts if c.label in comparable))
        else ()
    )
    if compared:
        # The comparison is what a head-to-head question asks first; studies
        # of each intervention alone follow in their own sub-topics.
        a_label, b_label = compared
        plans.append(
            (
                -1,
                0,
                FacetPlan(
                    _cap(f"{a_label} versus {b_label}"),
                    compared,
                    "comparison",
                    f"Does {a_label} differ from {b_label} in outcomes?",
                ),
            )
        )
    for order, (first_c, second_c) in enumerate(combinations(concepts, 2)):
        a, b = first_c, second_c
        # the condition goes second: "Iron and restless legs syndrome"
        if roles[a.label] == "condition" and roles[b.label] != "condition":
            a, b = b, a
        ra, rb = roles[a.label], roles[b.label]
        first = 0 if "condition" in (ra, rb) else 1
        pair = (a.label, b.label)
        if set(pair) == set(compared):
            continue
        if has_condition and len(generic & set(pair)) == 1 and "condition" not in (ra, rb):
            # A generic procedure is of the question's condition: "screening
            # mammography" says what the mammography is for, and "screening
            # smokers" means for lung cancer, not colonoscopy. Each is paired
            # with the condition instead.
            continue
        if ra == "procedure" and rb == "condition":
            plans.append(
                (
                    first,
                    order,
                    FacetPlan(
                        _cap(f"{a.label} for {b.label}"),
                        pair,
                        "procedure",
                        f"Is {a.label} effective for {b.label}?",
                        specific if a.label in generic else (),
                    ),
                )
            )
            continue
        plans.append(
            (
                first,
                order,
                FacetPlan(
                    _cap(f"{a.label} and {b.label}"),
                    pair,
                    # "associated with" is said of a condition; otherwise a
                    # study only reports findings on the two together
                    "association" if "condition" in (ra, rb) else "topic",
                    f"Is {a.label} associated with {b.label}?",
                ),
            )
        )
        if ra == "drug" and rb == "condition":
            plans.append(
                (
                    first,
                    order,
                    FacetPlan(
                        f"Treatment of {b.label} with {a.label}",
                        pair,
                        "treatment",
                        f"Is {a.label} effective for treating {b.label}?",
                    ),
                )
            )
    plans.sort(key=lambda t: (t[0], t[1]))
    return [p for _, _, p in plans][:MAX_FACETS]
