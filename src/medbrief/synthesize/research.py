"""From graded studies to per-sub-topic findings.

A study goes under a sub-topic only if it names every concept of it (see
``match``) and its stance on the sub-topic's question is not "not addressed".
Each finding is the study's own sentence (conclusion or result first, as
chosen by the stance stage). Studies whose sentences say the same thing
(near-identical meaning) share one bullet; the cite stage later keeps each
citation only where that source's own text supports the bullet.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from medbrief.synthesize.draft import Finding, Support, clean_sentence, usable_title
from medbrief.synthesize.facets import FacetPlan
from medbrief.synthesize.match import Matcher
from medbrief.types import Evidence, Stance

StanceFn = Callable[[str, str], Stance]
#: similarity(claim, sentences) -> one score in [0, 1] per sentence
SimilarityFn = Callable[[str, Sequence[str]], list[float]]

#: designs that can tell whether a treatment works (CEBM 2011 level 1-4 for
#: treatment benefits); narrative reviews, animal and in-vitro work cannot
TREATMENT_DESIGNS = frozenset(
    {"meta-analysis", "systematic-review", "rct", "non-randomised-trial", "cohort", "case-series"}
)
_TREATMENT_CUE = re.compile(
    r"\b(treat|therap|supplement|administ|infusion|dose|dosing|efficac|effective|randomi[sz]ed"
    r"|placebo|intravenous|oral)\w*",
    re.IGNORECASE,
)

#: the authors' own advice ("We recommend that more attention be paid to ..."):
#: what they would have done, not what they found; quoted as a finding it
#: would read as the brief's advice
_AUTHORS_ADVICE = re.compile(r"^\s*(?:we|i)\s+(?:would\s+)?(?:recommend|advise|urge)\b", re.I)

# A title that states a result: a finite verb of finding, with or without
# negation ("is associated with", "do not cross", "improves").
_FINDING_TITLE = re.compile(
    r"\b(?:(?:is|are|was|were)(?: not)? (?:associated|linked|related|correlated|influenced|"
    r"affected|increased|decreased|reduced|elevated|altered|impaired|effective|safe|"
    r"superior|inferior|not)|(?:do|does|did) not \w+|(?:improve|reduce|increase|decrease|"
    r"predict|cross|influence|affect|alter|prevent|cause|protect|impair|enhance|lower|raise|"
    r"modulate|regulate|worsen|correlate)s)\b",
    re.IGNORECASE,
)

MERGE_SIMILARITY = 0.82


@dataclass(frozen=True, slots=True)
class FacetFindings:
    plan: FacetPlan
    findings: tuple[Finding, ...]
    #: studies that name the concepts but report nothing on the question
    silent: tuple[str, ...] = ()


def _is_treatment_study(ev: Evidence) -> bool:
    return ev.design in TREATMENT_DESIGNS and bool(_TREATMENT_CUE.search(ev.document.text))


def _members(plan: FacetPlan, evidence: Sequence[Evidence], matcher: Matcher) -> list[Evidence]:
    needed = set(plan.concepts)
    return [ev for ev in evidence if needed <= matcher.in_document(ev.document)]


def facet_findings(
    plans: Sequence[FacetPlan],
    evidence: Sequence[Evidence],
    matcher: Matcher,
    stance: StanceFn,
    similarity: SimilarityFn,
) -> list[FacetFindings]:
    usable = [ev for ev in evidence if not ev.document.retracted and ev.design != "guideline"]
    treatment_pairs = {p.concepts for p in plans if p.intent == "treatment"}
    out: list[FacetFindings] = []
    for plan in plans:
        members = _members(plan, usable, matcher)
        if plan.intent == "treatment":
            members = [ev for ev in members if _is_treatment_study(ev)]
        elif plan.intent == "association" and plan.concepts in treatment_pairs:
            # trials of the treatment are reported under the treatment sub-topic
            members = [ev for ev in members if not _is_treatment_study(ev)]
        findings: list[Finding] = []
        silent: list[str] = []
        for ev in sorted(members, key=lambda e: (e.level, -(e.document.year or 0), -e.relevance)):
            st = stance(plan.question, ev.document.text)
            sentence = clean_sentence(st.sentence or "")
            # the finding must itself speak to the sub-topic: it names at least
            # one of its concepts, the title names the others. A methods or
            # background sentence is not what the study found on it.
            concepts = frozenset(plan.concepts)
            named = matcher.in_text(sentence) & concepts
            title = ev.document.title
            title_concepts = matcher.in_text(title)
            if (
                st.label != "not_addressed"
                and named != concepts
                and concepts <= title_concepts
                and _FINDING_TITLE.search(title)
                and not title.rstrip().endswith("?")
            ):
                # The abstract's sentence covers part of the sub-topic while
                # the title states a finding on all of it ("Pharmaceutical
                # iron formulations do not cross a model of the human
                # blood-brain barrier"): the title is the finding.
                # (labelled as a conclusion: that is what the stance reads)
                by_title = stance(plan.question, f"CONCLUSIONS: {title}")
                if by_title.label != "not_addressed":
                    st, sentence, named = by_title, clean_sentence(title), concepts
            titled = named | title_concepts
            if (
                st.label == "not_addressed"
                or not named
                or not concepts <= titled
                or _AUTHORS_ADVICE.search(sentence)
            ):
                silent.append(ev.document.id)
                continue
            # A record without a title (BioASQ snippets, "[No title available]")
            # is judged by the finding itself: it must name the treatment.
            tested = title_concepts if usable_title(title) else matcher.in_text(sentence)
            named_in_title = {plan.concepts[0], *plan.named_by} & tested
            if plan.intent in ("treatment", "procedure") and not named_in_title:
                # A trial names what it tests in its title (CONSORT 2010 item
                # 1a); one that mentions this drug only in passing (iron
                # status at entry to a pramipexole trial) is not a trial of
                # it, nor is a cohort that recruited at screening a study of
                # whether screening works.
                silent.append(ev.document.id)
                continue
            findings.append(
                Finding(
                    text=sentence,
                    stance=st.label,
                    supports=(Support(ev.document.id, sentence, 1.0),),
                    level=ev.level,
                    year=ev.document.year,
                )
            )
        out.append(FacetFindings(plan, tuple(_merge(findings, similarity)), tuple(silent)))
    treated = {f.plan.concepts for f in out if f.plan.intent == "treatment" and f.findings}
    # The association sub-topic of a drug and a condition gave its trials to
    # the treatment sub-topic; left empty, "no study addresses dopamine
    # agonists and RLS" would contradict the trials listed under it.
    return [
        f
        for f in out
        if f.findings or f.plan.intent != "association" or f.plan.concepts not in treated
    ]


def _merge(findings: list[Finding], similarity: SimilarityFn) -> list[Finding]:
    """Fold findings with the same stance and near-identical sentences together.

    The bullet keeps the sentence of the strongest study; every merged study
    stays cited with its own sentence, for the cite stage to check.
    """
    merged: list[Finding] = []
    for finding in findings:
        for i, kept in enumerate(merged):
            if kept.stance != finding.stance:
                continue
            if similarity(kept.text, [finding.text])[0] >= MERGE_SIMILARITY:
                merged[i] = kept.with_supports(kept.supports + finding.supports)
                break
        else:
            merged.append(finding)
    return merged
