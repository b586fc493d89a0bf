"""The answer the evidence gives to a question that asks yes or no.

Each retrieved study is read for its stance on the question *as asked* (not
on a sub-topic: "is A associated with B?" is answered "yes" by most studies
that name A and B, whatever the question asked about them), with the
sentence that stance rests on. The stance reader is pluggable: any function
``(question, abstract, title) -> Stance``; the shipped one is
``medbrief.grade.stance.stance``.

A study's vote is its weight (``medbrief.synthesize.weigh``: design, size,
recency), times its relevance, times the reader's confidence in the label.
Relevance is how much of the question the study is about: its place in the
search for the question, ``1 / (1 + rank / RANK_SCALE)`` (rank 0 first),
times the share of the question's specific words it contains
(``grade.terms.concept_units``), cubed: a study on every word of the question
counts fully, one that names two thirds of them 0.3. (Chosen on the four
development fifths of BioASQ and PubMedQA, bench/yesno.py: the share cubed
lifted verdict accuracy by 4-8 points on both; design, size and recency
weights changed it by under a point.) A study with a title votes only when
its title and the sentence its stance rests on name every concept of the
question (:func:`speaks_to`): in a broad store many studies name the
question's words in passing (PubMedQA dev 0.706 -> 0.728, BioASQ dev, whose
gold records are mostly untitled snippets, 0.780 -> 0.744; bench/yesno.py).
A study whose sentence contradicts the claim itself (``grade.contradict``: "a
higher risk" for "a lower risk?", "no approved vaccine", "contraindicated
during pregnancy") counts ``CONTRADICTION`` times. Clinical studies decide;
narrative reviews, animal and in-vitro work (``weigh.APART``) decide only
when no clinical study takes a side. A fitting guideline's position votes
too, with the weight of two studies of the top level (``GUIDELINE_VOTE``:
guidelines rest on systematic reviews), a conditional recommendation half of
it; for a question that asks what is recommended ("should ...?", "is ...
recommended?") the guideline's position alone decides, when it takes one. A
recommendation against made because of harms votes only on such questions
(``bottom_line.guideline_votes``): it says nothing on whether a treatment
works. On a question of association, cause or harm (:func:`asks_association`)
no guideline votes. On a question of harm in general words ("Is X harmful?",
:func:`asks_harm`) only a finding that speaks of harm, safety or risk votes:
the stance reader reads a benefit ("improved symptoms") as "yes", which
answers another question (starter corpus: "Is iron harmful in RLS?" went from
"yes", on eight studies of benefit, to "no", on a randomised trial that found
IV iron "safe and effective"; PubMedQA dev 0.734 -> 0.728: two questions
whose "yes" rested on no finding of harm).

The verdict: ``insufficient`` when no vote takes a side; otherwise the side
with more weight (the ``lean``), or ``mixed`` when the other side carries at
least ``MIXED_SHARE`` (45%) of the weight of both, that is when the evidence
is close to even. ``confidence`` is ``(1 - 2 m) * W / (W + 2)``,
with m the minority's share and W the total weight of both sides: it grows
with agreement and with the amount of evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from medbrief.grade import terms
from medbrief.synthesize.draft import strip_label, usable_title
from medbrief.synthesize.facets import ALTERNATIVE, compares
from medbrief.synthesize.fit import asked_routes, route_pattern
from medbrief.synthesize.match import Matcher
from medbrief.synthesize.position import Position
from medbrief.synthesize.ranges import ages, of_the_ages, out_of_range
from medbrief.synthesize.weigh import APART, DESIGN_WEIGHT, newest_year, study_weight
from medbrief.types import Evidence, Lean, Stance, Verdict

StanceReader = Callable[[str, str, str | None], Stance]

#: how fast relevance falls with the study's place in the search
RANK_SCALE = 2.0
#: relevance grows with the share of the question a study names, to this power
COVERAGE_POWER = 3
#: studies read for their stance on the question (closest to it first)
MAX_READ = 40
#: counted studies: those that take a stance, nearest the question first
MAX_COUNTED = 12
#: the minority's share of the weight from which the verdict is "mixed"
MIXED_SHARE = 0.45
#: a study whose sentence contradicts the question's claim in its own words
#: (``Stance.contradicts``) votes this many times over: the classifier's
#: "yes" often only means a positive finding on a neighbouring question,
#: while a contradiction is about the claim itself (chosen on the dev four
#: fifths of BioASQ and PubMedQA: 4 was best on both, by one question each)
CONTRADICTION = 4.0
#: a guideline's position votes like two studies of the top level
GUIDELINE_VOTE = 2 * DESIGN_WEIGHT[1]

_AUXILIARY = re.compile(
    r"^(?:is|are|was|were|do|does|did|can|could|should|shall|will|would|has|have|had|may|"
    r"might|must|am)\b",
    re.I,
)
#: a question that asks what is recommended: a fitting guideline answers it
_ASKS_RECOMMENDATION = re.compile(
    r"\b(?:recommend\w*|should|indicated|advis\w*|guidelines?)\b", re.I
)
_WH = re.compile(
    # "At what age should ...?", "For whom is ...?", "In which patients ...?"
    r"^(?:(?:at|in|for|by|to|from|with|after|until|up to) (?=what|which|whom|how))?"
    r"(?:what|which|how|when|where|who|whom|whose|why|list|name|describe)\b",
    re.I,
)


_NUMBER = r"(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|ten|twelve)"
_UNIT = r"(?:years?|months?|weeks?|days?|hours?|doses?|mg|mcg|g|units?)"
#: how often or how much, as a question offers it ("every 2 years", "annual",
#: "6 months", "81 mg")
_SCHEDULE = (
    r"(?:annual(?:ly)?|biennial(?:ly)?|yearly|monthly|weekly|daily|nightly|once|twice|"
    rf"every (?:other )?(?:{_NUMBER}\s*)?{_UNIT}|{_NUMBER}(?:\s*-\s*|\s+)?{_UNIT})"
)
#: two schedules or amounts offered as alternatives: "mammogram every year or
#: every 2 years?", "annual or biennial mammography?", "DAPT for 6 or 12
#: months?" ask which, as "A or B?" does for two treatments
SCHEDULE_CHOICE = re.compile(
    rf"\b(?:{_SCHEDULE}|{_NUMBER})(?:\s+[\w-]+){{0,3}}?\s+or\s+(?:[\w-]+\s+){{0,2}}?{_SCHEDULE}\b",
    re.I,
)

#: a question whose predicate is harm itself ("Is X harmful?"), not a named outcome
_HARM = re.compile(
    # the adjective as predicate ("Is X harmful for health?"), not before a
    # noun it qualifies ("Is unsafe sexual behaviour increasing?")
    r"\b(?:harmful|dangerous|unsafe|hazardous|toxic)\s*(?:[?.,;:]|$|(?:for|to|in|during|"
    r"when|if|at|or|and)\b)|\b(?:do|does|did|can|could|may)\b.*\bharm\b|"
    # "Are beta blockers contraindicated in cardiogenic shock?"
    r"\bcontra-?indicated\b",
    re.I,
)
#: a question on whether two things go together, not on what to do about them;
#: whether something harms is one such
_ASSOCIATION = re.compile(
    # "associated" as a verb ("associated with", "Are A and B associated?"),
    # not as part of a name ("healthcare-associated ventriculitis",
    # "ventilator associated pneumonia")
    r"(?<!-)\bassociated\b(?!\s+(?!with\b|to\b)[a-z])|"
    r"\b(?:associations?|linked|correlat\w*|related to|relationship|"
    r"risk factors?|caus(?:e|es|ed|al|ing)|predicts?|predictors?|increases? (?:the )?risks?)\b|"
    + _HARM.pattern,
    re.I,
)
#: a finding that speaks of harm, safety or risk
_HARM_FINDING = re.compile(
    r"\b(?:harm\w*|adverse|side[- ]effects?|toxic\w*|safe\w*|tolera\w*|risks?|"
    r"complications?|hazard\w*|danger\w*|deaths?|mortality|morbidity|injur\w*|events?|"
    r"carcino\w*|damag\w*|diseases?|lesions?)\b",
    re.I,
)


def asks_association(question: str) -> bool:
    """Whether the question asks if two things go together ("Is low ferritin
    associated with RLS?", "Does brain iron deficiency cause RLS?"). A
    guideline says what to do; its position ("IV ferric carboxymaltose is
    recommended") is no answer to such a question, so it does not vote."""
    return bool(_ASSOCIATION.search(question)) and not asks_recommendation(question)


def asks_harm(question: str) -> bool:
    """Whether the question asks if something harms, in general words ("Is
    vitamin D supplementation harmful?"): a study answers it only by what it
    found on harms, not by a benefit ("reduced fractures" is no "yes")."""
    return bool(_HARM.search(question))


def asks_recommendation(question: str) -> bool:
    """Whether the question asks what should be done ("Should adults be
    screened ...?", "Is aspirin recommended ...?"): a guideline's position
    answers it, studies of effect only inform it."""
    return bool(_ASKS_RECOMMENDATION.search(question))


def opens_with_auxiliary(text: str) -> bool:
    """Whether ``text`` opens with an auxiliary verb ("Should ...", "Is ...")."""
    return bool(_AUXILIARY.match(text.lstrip()))


#: a dash between clauses: "--", or a hyphen or dash with spaces around it
_DASH = r"--|\s[-\u2013\u2014]\s"


def asks_yes_no(question: str) -> bool:
    """Whether the question asks yes or no: it opens (or a clause after a
    colon or comma opens) with an auxiliary verb; or it ends with a question
    mark without opening with a wh-word ("The nurse cystoscopist: a feasible
    option?"); or it is a claim to check, a sentence with a verb that ends
    with a full stop ("Methotrexate is an antifolate medication."). A topic
    ("ferric carboxymaltose for RLS") asks neither."""
    text = question.strip()
    # "Is apixaban or warfarin better?" asks which (``facets.ALTERNATIVE``), as
    # does "every year or every 2 years?"
    if ALTERNATIVE.search(text) or SCHEDULE_CHOICE.search(text):
        return False
    clauses = [c.strip(" \"'([") for c in re.split(rf"[:;,]|{_DASH}", text) if c.strip()]
    # "What ...?", "Topic: how ...?", "Topic - how long?"; not a relative
    # clause (", who have ...")
    heads = [c.strip(" \"'([") for c in re.split(rf"[:;]|{_DASH}", text) if c.strip()]
    if any(_WH.match(c) for c in heads):
        return False
    if any(opens_with_auxiliary(c) for c in clauses) or text.endswith("?"):
        return True
    return text.endswith(".") and len(text.split()) >= 3


@dataclass(frozen=True, slots=True)
class Vote:
    """One study's stance on the question as asked, and what it weighs."""

    item_id: str
    label: str
    sentence: str | None
    #: design x size x recency (what the study is worth as evidence)
    weight: float
    #: weight x relevance x the reader's confidence (what it adds to its side)
    vote: float
    design: str
    apart: bool
    #: the share of the question's specific words the study names (:func:`coverage`)
    coverage: float = 1.0
    #: its sentence contradicts the question's claim in its own words
    contradicts: bool = False


@dataclass(frozen=True, slots=True)
class GuidelineVote:
    item_id: str
    position: Position
    vote: float


@dataclass(frozen=True, slots=True)
class Weighing:
    """The question-level reading of the evidence, before numbering."""

    verdict: Verdict
    lean: Lean | None
    confidence: float
    votes: tuple[Vote, ...] = ()
    guideline_votes: tuple[GuidelineVote, ...] = ()
    #: whether clinical studies decided (else reviews / preclinical work did)
    clinical: bool = True
    #: the question asks what is recommended and a guideline's position decided
    decided_by_guideline: bool = False
    #: the guidelines are for other ages or values than the question states,
    #: and no study states them: insufficient for those asked about
    unstated: bool = False

    def side(self, label: str, apart: bool = False) -> list[Vote]:
        return [v for v in self.votes if v.label == label and v.apart == apart]

    @property
    def guideline_led(self) -> bool:
        """Whether a guideline's position decides: the question asks what is
        recommended, or the guideline's vote alone outweighs every study. The
        studies are then reported, not counted as its grounds."""
        if not self.guideline_votes:
            return False
        yes, no = study_sides(self.votes)
        net = sum(g.vote if g.position == "against" else -g.vote for g in self.guideline_votes)
        return self.decided_by_guideline or not self.votes or abs(net) > yes + no


def read_votes(
    question: str,
    evidence: Sequence[Evidence],
    reader: StanceReader,
    matcher: Matcher | None = None,
) -> list[Vote]:
    """The stance of each study on ``question``, nearest the question first
    (``evidence`` in the order of the search). With the question's
    ``matcher``, a titled study votes only when it :func:`speaks_to` the
    question; when the question states ages, only a study of those ages
    votes, and never one of other laboratory values than the question
    states (``ranges.of_the_ages``, ``ranges.out_of_range``)."""
    usable = [e for e in evidence if not e.document.retracted and e.design != "guideline"]
    newest = newest_year(usable)
    harm = asks_harm(question)
    asked_ages = ages(question)
    routes = [route_pattern(r) for r in asked_routes(question)] if compares(question) else []
    votes: list[Vote] = []
    for rank, ev in enumerate(usable[:MAX_READ]):
        doc = ev.document
        st = reader(question, doc.abstract_text, usable_title(doc.title))
        if st.label == "not_addressed":
            continue
        if matcher is not None and not speaks_to(matcher, doc.title, st.sentence):
            continue
        if harm and not _HARM_FINDING.search(st.sentence or ""):
            continue
        if not of_the_ages(asked_ages, doc.text) or out_of_range(question, doc.text):
            continue
        if len(routes) >= 2 and not all(r.search(doc.text) for r in routes):
            continue
        weight = study_weight(ev, newest)
        covered = coverage(question, doc.text)
        relevance = covered**COVERAGE_POWER / (1 + rank / RANK_SCALE)
        boost = CONTRADICTION if st.contradicts else 1.0
        votes.append(
            Vote(
                item_id=doc.id,
                label=st.label,
                sentence=strip_label(st.sentence) if st.sentence else None,
                weight=weight,
                vote=weight * relevance * max(st.score, 0.05) * boost,
                design=ev.design,
                apart=ev.design in APART,
                coverage=round(covered, 4),
                contradicts=st.contradicts,
            )
        )
        if len(votes) >= MAX_COUNTED:
            break
    return votes


def speaks_to(matcher: Matcher, title: str, sentence: str | None) -> bool:
    """Whether a study is about the question: its title and the sentence its
    stance rests on name every concept of the question between them. A title
    says what a study is about (CONSORT 2010 item 1a); one that names the
    question's words only in its abstract ("low-dose aspirin and COVID-19
    mortality" for aspirin and cardiovascular disease) answers another
    question. A record without a usable title (a snippet) is judged by its
    abstract alone, as the stance reader already did."""
    shown = usable_title(title)
    if not shown:
        return True
    return set(matcher.concepts) <= matcher.in_text(f"{shown}. {sentence or ''}")


def coverage(question: str, text: str) -> float:
    """The share of the question's specific words (abbreviations with their
    long forms) that ``text`` contains."""
    abbrev = {**terms.abbreviations(text), **terms.abbreviations(question)}
    units = terms.concept_units(question, abbrev)
    present = terms.units_present(units, terms.content_stems(text, abbrev))
    return sum(present) / len(present) if present else 1.0


def guideline_vote(item_id: str, pos: Position | None) -> GuidelineVote | None:
    if pos in ("for", "against"):
        return GuidelineVote(item_id, pos, GUIDELINE_VOTE)
    if pos == "conditional":
        return GuidelineVote(item_id, pos, GUIDELINE_VOTE / 2)
    return None


def study_sides(votes: Sequence[Vote]) -> tuple[float, float]:
    """The weight of the studies on each side (yes, no): clinical studies
    where any answers yes or no, else reviews and preclinical work."""
    decided = [v for v in votes if v.label in ("yes", "no")]
    basis = [v for v in decided if not v.apart] or decided
    return (
        sum(v.vote for v in basis if v.label == "yes"),
        sum(v.vote for v in basis if v.label == "no"),
    )


def decide(
    votes: Sequence[Vote],
    guideline_votes: Sequence[GuidelineVote] = (),
    guideline_decides: bool = False,
) -> Weighing:
    """The verdict; ``guideline_decides``: the question asks what is
    recommended and a guideline takes a position (or finds the evidence
    insufficient, a vote of 0), so the studies are reported but do not vote."""
    clinical = [v for v in votes if not v.apart and v.label in ("yes", "no")]
    by_guideline = guideline_decides and bool(guideline_votes)
    yes, no = (0.0, 0.0) if by_guideline else study_sides(votes)
    yes += sum(g.vote for g in guideline_votes if g.position in ("for", "conditional"))
    no += sum(g.vote for g in guideline_votes if g.position == "against")
    common = {
        "votes": tuple(votes),
        "guideline_votes": tuple(guideline_votes),
        "decided_by_guideline": by_guideline,
    }
    if yes + no <= 0:
        return Weighing("insufficient", None, 0.0, clinical=bool(clinical), **common)  # type: ignore[arg-type]
    lean: Lean = "yes" if yes >= no else "no"
    share = min(yes, no) / (yes + no)
    total = yes + no
    confidence = (1 - 2 * share) * total / (total + 2)
    verdict: Verdict = "mixed" if share >= MIXED_SHARE else lean
    return Weighing(verdict, lean, round(confidence, 4), clinical=bool(clinical), **common)  # type: ignore[arg-type]
