"""The bottom line: what the evidence adds up to, in one to three sentences.

Built only from computed facts, every source cited with the sentence it was
counted on:

* the position of the best fitting guideline (the strongest of the first
  listed body's current recommendations that fit the question best: body,
  year, direction, and its grade exactly as worded), with a second
  recommendation of the same body when it points another way;
* for a question that asks yes or no, the verdict and the weight of the
  research (``medbrief.synthesize.verdict``): how many studies on each side,
  by design, the strongest named, with narrative reviews, animal and
  in-vitro work counted apart;
* for other questions (what, which, how), the top recommendation(s), or
  when no guideline fits, the first research sub-topic's summary.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from medbrief.grade import split_sentences, terms
from medbrief.synthesize.aspects import (
    ASKS_DURATION,
    ASKS_STOP,
    COURSE,
    STOP_VERBS,
    asked_aspects,
)
from medbrief.synthesize.fit import (
    fits,
    kept_from_others,
    misses_group,
    names_excluded,
    narrower,
    other_route,
    other_severity,
    question_scope,
    states_ages,
    titled_for,
)
from medbrief.synthesize.guidelines import certainty_rank, quotes_grade, stated_grades
from medbrief.synthesize.position import Position, position, states_class
from medbrief.synthesize.ranges import out_of_range, range_fit, silent_on_window, without_ages
from medbrief.synthesize.subject import asks_combined
from medbrief.synthesize.verdict import (
    CONTRADICTION,
    GuidelineVote,
    Vote,
    Weighing,
    asks_association,
    asks_harm,
    asks_recommendation,
    guideline_vote,
    study_sides,
)
from medbrief.synthesize.weigh import by_design
from medbrief.types import DESIGN_LABELS, BottomLine, Citation, Evidence, Facet, GuidelineItem

MAX_GUIDELINES = 2
#: a side that names this much more of the question, on average, outweighs
#: the other for that reason (the share is cubed in each vote)
COVERAGE_GAP = 0.1
# "for" as a bare word read as a population ("ACC/AHA (2017), for (Class I),
# in black adults"): a verb says whose position it is.
_POSITION_WORDS: dict[str, str] = {
    "for": " recommends",
    "against": " recommends against",
    "conditional": ", conditional",
    "insufficient": ", evidence insufficient",
}
_VERDICT_WORDS = {
    "yes": "The evidence answers yes",
    "no": "The evidence answers no",
    "insufficient": "The evidence is insufficient to answer yes or no",
}


@dataclass(frozen=True, slots=True)
class Listed:
    """A guideline item as listed, with whom its recommendation is for."""

    item: GuidelineItem
    population: str | None = None
    #: how well it fits the question: (population fit, concepts named)
    fit: tuple[int, int] = (0, 0)
    #: ``guidelines.strength_rank``: 0 strong, 1 conditional, ... 9 unknown
    strength: int = 9
    #: the sentence quoted for it (``leading_sentence``); its first if None
    quote: str | None = None
    #: whether it names one of the treatments or tests the question asks
    #: about, or the question names none (``facets.asked_interventions``)
    on_subject: bool = True
    #: names it only as what to go without or what another is preferred to
    #: (:func:`names_only_forgone`): a recommendation for is a position
    #: against it
    without: bool = False
    #: names it (by any of its names, members or classes) only in passing
    #: (:func:`named_in_passing`)
    in_passing: bool = False
    #: whom it is for is stated by its section heading only, not its text
    headed: bool = False
    #: does not name the treatment or test the question times its subject
    #: by ("before lumbar puncture": ``subject.anchor_of``)
    unanchored: bool = False
    #: how many of the question's conditions its quoted sentence names
    conditions: int = 0
    #: names the question's subject, a class, only by some of its members
    #: (``subject.names_only_members``)
    by_members: bool = False
    #: its guideline's title: "Standards of Care in Diabetes" is for people
    #: with diabetes (``fit.titled_for``), "Neonatal Resuscitation" for newborns
    title: str = ""
    #: the question asks about going without its subject (``subject.forgone_of``):
    #: the question's first words name what is done without it, and only the
    #: subject's names (``in_passing``) tell whether it is named in passing
    forgone: bool = False

    def passing(self, question: str) -> bool:
        """Names the question's subject only in passing, by the subject's
        names (``in_passing``) or by the question's own words
        (:func:`names_in_passing`)."""
        if self.without:  # "X over <the subject>" is a position on it
            return False
        if self.forgone:
            return self.in_passing
        return self.in_passing or names_in_passing(self.item.statement, question)

    @property
    def excerpt(self) -> bool:
        """An ungraded excerpt of a guideline document: the sentence quoted
        for it is what it says (an excerpt joins the document's sentences
        that name the question's concepts, which may point different ways)."""
        g = self.item
        return g.statement_type in ("excerpt", "summary") and not g.strength

    @property
    def said(self) -> str:
        """What it says: the quoted sentence of an excerpt, else its statement."""
        return (self.quote or self.item.statement) if self.excerpt else self.item.statement

    @property
    def position(self) -> Position | None:
        g = self.item
        return position(self.said, g.strength, g.direction)


def best_guidelines(listed: Sequence[Listed], question: str) -> list[Listed]:
    """The best fitting guideline and, when the question does not choose
    between them, one of the same body that points another way for another
    population (aspirin: an individual decision at 40-59, against at 60+).

    A recommendation for other ages, laboratory values or routes than the
    question states ("76 to 85" for "over 85", "ferritin <=75" for "ferritin
    above 100", IV for "oral iron"), or one that names the question's subject
    only in passing, is none: when every one is, no guideline answers.

    The question chooses when it states ages, or when the other
    recommendation names fewer of the question's population groups: "in
    pregnancy" chooses, "adults" does not where both are for adults. The
    other must also name as many of the question's concepts: a statement on
    statins for the primary prevention of CVD at 76 or older is no second
    position on aspirin, however well its population fits."""
    # one that names the question's subject only in passing, or is for other
    # ages, laboratory values or routes than those asked about, is no
    # position on it
    some = _against_some_members(listed)
    current = [
        x
        for x in listed
        if may_speak(x, question) and not x.passing(question) and all(x is not y for y in some)
    ]
    if not current:
        return []
    first = strongest_first(current)[0]
    out = [first]
    if states_ages(question):
        return out
    for other in current:
        if other is first:
            continue
        if len(out) >= MAX_GUIDELINES:
            break
        if (
            other.item.body == first.item.body
            and other.position not in (None, first.position)
            and other.fit[0] >= first.fit[0]
            and other.fit[1] >= first.fit[1]
            # in its own words, not its guideline's title: the USPSTF's Grade I on
            # "screening for suicide risk" is no second position on screening for
            # depression, though its guideline is titled for both
            and other.conditions >= first.conditions
        ):
            out.append(other)
    return out


def may_speak(x: Listed, question: str) -> bool:
    """Whether a listed recommendation may speak for its body: current, on a
    treatment or test the question asks about (not "Do NOT routinely obtain
    blood cultures in outpatients with CAP" for "Should macrolides be added
    for CAP in outpatients?"), and for the question's ages, values and
    routes (:func:`for_others`). The others stay listed, as context."""
    return not x.item.superseded and x.on_subject and not for_others(x, question)


def _against_some_members(listed: Sequence[Listed]) -> list[Listed]:
    """Those against some members of a class asked about, where their body
    is for the class or others of its members: "Ibandronate is NOT recommended ..." beside
    "Alendronate, risedronate, and zoledronic acid are preferred" is no
    position on bisphosphonates; the AASM's "suggests against the standard
    use" of each dopamine agonist is one on dopamine agonists."""
    favoured = {
        x.item.body for x in listed if x.on_subject and x.position in ("for", "conditional")
    }
    return [
        x for x in listed if x.by_members and x.position == "against" and x.item.body in favoured
    ]


def for_others(x: Listed, question: str) -> bool:
    """Whether a recommendation is for other ages, laboratory values or
    routes of giving than the question states, or states no time window
    where the question asks about one (nor the treatment or test the
    question times its subject by: ``Listed.unanchored``) (``ranges``, ``fit.routes``;
    a grade may say what the evidence was on: "three for IV ferric
    carboxymaltose"), or only for a group it does not name (people with
    kidney failure or diabetes: ``fit.narrower``; by its guideline's title:
    ``Listed.title``), or, where the question asks about children, pregnancy or
    breastfeeding, names none of them in its words or its title
    (``fit.misses_group``)."""
    g = x.item
    graded = " ".join(filter(None, (x.said, g.strength, g.certainty)))
    whom = f"{x.population or ''} {x.said}"
    return (
        x.unanchored
        or out_of_range(question, whom)
        or silent_on_window(question, g.statement)
        or other_route(question, graded)
        or other_severity(question, whom)
        or narrower(question_scope(question), whom)
        or bool(titled_for(x.title) - question_scope(question).groups)
        or misses_group(question_scope(question), f"{whom} {g.statement} {x.title}")
        or kept_from_others(question, x.said)
    )


def strongest_first(current: Sequence[Listed]) -> list[Listed]:
    """The first listed body's recommendations that fit the question as well
    as its first one, strongest first (then the most certain; the order
    listed among equals), then the rest as listed. The strongest speaks for
    the body: "IV ferric carboxymaltose is recommended (strong)" rather than
    a conditional suggestion or a good-practice statement on testing that
    names the same words."""
    if not current:
        return []
    top = current[0]
    best = sorted(
        (x for x in current if x.item.body == top.item.body and x.fit == top.fit),
        # among equally strong graded statements, one that names the
        # question's conditions in its own words before one that has them
        # only from its heading or its guideline's title: "Vancomycin plus an
        # anti-pseudomonal beta-lactam is recommended as empiric therapy for
        # healthcare-associated ventriculitis", not the MRSA section's
        # "Vancomycin is recommended", for empiric vancomycin (ungraded
        # excerpts stay in the order listed)
        key=lambda x: (
            x.strength,
            -x.conditions if x.strength < 9 else 0,
            certainty_rank(x.item.certainty, x.item.strength, x.item.body),
        ),
    )
    return best + [x for x in current if all(x is not b for b in best)]


#: an aim a time clause ends at: "interventions during pregnancy and after
#: birth to support breastfeeding" are a position on breastfeeding
_PURPOSE = (
    r"(?:support|prevent|reduce|improve|promote|achieve|maintain|lower|decrease|increase|"
    r"detect|identify|confirm|guide)\b"
)
#: phrases that name something as a condition of a recommendation, not its subject
_IN_PASSING = re.compile(
    r"\b(?:independent(?:ly)? of|regardless of|irrespective of|with or without|in addition "
    r"to|instead of|rather than|other than|except|in preference to|switch(?:ing|ed)? from|"
    # what another is preferred to: "Methotrexate is recommended over
    # hydroxychloroquine"; not "adults over 75"
    r"(?:recommended|suggested|preferred|favou?red|chosen|choose) over)\b[^.;()]*"
    # a time or an alternative, up to the clause's end: "for 24 hours after
    # alteplase", "an alternative to alteplase, particularly ..."; not "After
    # ischemic stroke, a statin is recommended"
    # a condition: "Clopidogrel 75 mg/day if aspirin allergy"; what to
    # watch while giving it: "hypotension should be avoided during mannitol"
    # ("If known clinical CVD: initiate ... drug therapy": the condition ends at its colon)
    r"|\b(?:after|before|prior to|following|during|alternative to|if|unless|when|"
    # what is waited for: "IV alteplase should NOT be withheld or delayed
    # while awaiting thrombectomy evaluation" is no position on thrombectomy
    r"(?:while )?(?:awaiting|pending|waiting for))\b(?:(?!\bto " + _PURPOSE + r")[^.;(),:])*"
    # what patients already take: "LDL-C >= 70 mg/dL on maximally tolerated
    # statin: Adding ezetimibe is reasonable" is a position on ezetimibe
    r"|\b(?:on (?:a |the )?maximally tolerated|already (?:on|taking)|while (?:on|taking)|"
    # whom it is not for: "In patients with spontaneous ICH who are not on
    # anticoagulants, the usefulness of hemostatic therapies ..."
    r"not (?:on|taking|receiving))\b"
    r"[^.;(),:]*"
    # what did not work before: "topiramate or gabapentin be offered to
    # patients ... who are intolerant to or have not responded to naltrexone"
    r"|\b(?:intolerant (?:to|of)|(?:have|has|had) not responded to|not respond\w* to|"
    r"refractory to|failure of|failed|"
    # what rules another out: "Primary PCI ... in patients who have
    # contraindications to fibrinolytic therapy" is no position on fibrinolysis
    r"contraindications? (?:to|for))\b[^.;(),:]*"
    # whom another is for: "For patients ... for whom colchicine, NSAIDs, and
    # glucocorticoids are ineffective, poorly tolerated, or contraindicated"
    r"|\b(?:for|in) whom\b[^.;():]*"
    # what a test decides: "Do NOT use procalcitonin levels to determine
    # whether to initiate antibiotic therapy" is a position on procalcitonin
    r"|\bwhether (?:or not )?to\b[^.;(),:]*"
    # an aim named for another treatment: "fenofibrate specifically for
    # urate-lowering purposes" is no position on urate-lowering therapy
    r"|\bfor\b[^.;(),:]{0,40}\bpurposes?\b"
    # whom a heading is for, by what they do not get: "Acute ischemic stroke
    # (no thrombolysis, SBP 150-220 mm Hg): Immediate lowering of SBP ..."
    # is no position on thrombolysis
    r"|\((?:no|not|without)\b[^()]*\)"
    # a kind of hospital: "at non-PCI-capable hospitals" is no position on
    # PCI; nor is a group of patients it includes: "hypothermia ... in
    # comatose patients with STEMI ..., including patients who undergo
    # primary PCI"
    r"|\b(?:non-)?[\w/]+-capable\b"
    r"|\bincluding (?:patients|those|people|persons|adults|individuals)\b[^.;()]*",
    re.I,
)
#: a heading before the statement proper: "Seizure Prophylaxis: ..."
_HEADING = re.compile(r"^\s*[^:.;()]{1,120}(?:\([^():]*\)\s*)?:\s+")
#: two treatments given together: "Aspirin + low-dose rivaroxaban", "IPT
#: plus a second-generation antidepressant"
_IN_COMBINATION = re.compile(
    r"[\w/-]+\s*(?:\+|\bplus\b|\bcombined with\b|\bin combination with\b)\s*"
    r"(?:(?:a|an|the|low-dose|high-dose)\s+)?[\w/-]+(?:\s+[\w/-]+)?",
    re.I,
)
#: a question on routine use ("Should newborns be suctioned routinely?") is
#: answered no by a recommendation only for some ("Gentle suctioning ... only
#: if secretions are visibly obstructing the airway"; "If the airway is
#: obstructed, suctioning ... may be considered")
_ROUTINE = re.compile(r"\broutine(?:ly)?\b|\ball (?:patients|adults|newborns)\b", re.I)
_RESTRICTED = re.compile(
    r"\bonly (?:if|when|where|in)\b|\bif (?:needed|indicated|necessary|required)\b|"
    r"(?:^|[.:]\s+)if\b[^.;]*,",
    re.I,
)
_STOPPED = re.compile(rf"\b(?:avoid\w*|{STOP_VERBS})\b", re.I)
# "culture collection should not delay antibiotic therapy"
_NOT_STOPPED = re.compile(rf"\bnot (?:be )?(?:{STOP_VERBS}|held|delay\w*)\b", re.I)
_CONTINUE = re.compile(r"(?<!dis)\bcontinu(?:e|ed|es|ing|ation)\b", re.I)


#: a span of time, in days: "7 days", "3 months", "2 years"
_SPAN = r"(\d+(?:\.\d+)?)\s*(hours?|days?|weeks?|months?|years?)\b"
_DAYS = {"hour": 1 / 24, "day": 1.0, "week": 7.0, "month": 30.0, "year": 365.0}
#: a stop or delay the question times by something ("delayed until blood
#: cultures are drawn")
_UNTIL = re.compile(r"\b(?:until|till)\b", re.I)
#: when the question would stop: "stop antibiotics after 7 days"
_STOP_AFTER = re.compile(rf"\b(?:after|at|beyond|past)\s+{_SPAN}", re.I)
#: how long a recommendation says to go on: "continued for no less than 5
#: days", "continue for at least 12 months", "P2Y12 inhibitor therapy should
#: be given for at least 12 months"
_CONTINUE_FOR = re.compile(
    rf"\bcontinu\w*\s+for\s+(?:no less than|at least|a minimum of|a total of|)\s*{_SPAN}|"
    rf"\b(?:given|used|taken|prescribed|administered)\s+for\s+(?:no less than|at least|"
    rf"a minimum of)\s*{_SPAN}",
    re.I,
)


def _days(match: re.Match[str]) -> float:
    number, unit = (g for g in match.groups() if g)
    return float(number) * _DAYS[unit.lower().rstrip("s")]


def _stop_vote(statement: str, said: Position, question: str = "") -> Position | None:
    """How a recommendation that points ``said`` answers a question on
    stopping or avoiding its subject: for (yes, stop) where it says to avoid
    or stop it, or not to use it ("Do not use low-dose dopamine"); against
    where it says to continue it or not to stop it; None where it says
    neither (a recommendation to use it says nothing on when to stop). A
    question that stops after a time is answered by how long the statement
    says to go on: "stop antibiotics after 7 days" against "continued for no
    less than 5 days" is a yes."""
    after, lasting = _STOP_AFTER.search(question), _CONTINUE_FOR.search(statement)
    if after and lasting:
        return "for" if _days(after) >= _days(lasting) else "against"
    if _NOT_STOPPED.search(statement) or _CONTINUE.search(statement):
        return "against"
    if _STOPPED.search(statement):
        return "for"
    # a recommendation against starting it ("suggests against empiric MRSA
    # coverage") is one to go without it, but no answer on stopping it after
    # a time ("stop antibiotics after 48 hours if cultures are negative") or
    # delaying it until something is done
    return "for" if said == "against" and not (after or _UNTIL.search(question)) else None


#: what a recommendation says to go without, up to the clause's end
_WITHOUT = re.compile(r"\bwithout\b[^.;,:]*", re.I)
#: a recommendation against that gives harms as its reason
_HARM_REASON = re.compile(
    r"\b(?:because of|due to|owing to)\b[^.;)]*\b(?:risks?|harms?|adverse|augmentation|"
    r"bleeding|side[- ]effects?|toxicity|complications?)\b",
    re.I,
)


def guideline_votes(
    chosen: Sequence[Listed], question: str, *, forgone: bool = False
) -> list[GuidelineVote]:
    """The positions of the chosen guidelines as votes on ``question``; a
    conditional ("weak") recommendation against counts half. None vote on a
    question of association or cause (``verdict.asks_association``). A
    recommendation against made because of harms ("suggests against
    pramipexole for RLS (because of augmentation risk)") answers whether to
    use the treatment, not whether it works: it votes only when the question
    asks what is recommended. On a question on going without the subject
    (``forgone``: "Can AF be cardioverted without anticoagulation?") a
    recommendation for it is a no ("Anticoagulate for >= 3 weeks before
    cardioversion"), one against it a yes."""
    harm = asks_harm(question)
    if asks_association(question) and not harm:
        return []
    stopping = bool(ASKS_STOP.search(question))
    votes = []
    for x in chosen:
        if x.position == "insufficient" and asks_recommendation(question) and not harm:
            # "Should adolescents be screened for alcohol use?" answered by a
            # Grade I for adolescents: the guideline found the evidence
            # insufficient, and studies of alcohol use in adolescents do not
            # turn that into a yes (USPSTF Procedure Manual, 2021: an I
            # statement is no recommendation either way); it votes nothing
            if not x.passing(question):
                votes.append(GuidelineVote(str(x.item.ref), "insufficient", 0.0))
            continue
        vote = guideline_vote(str(x.item.ref), x.position)
        if vote is None or x.passing(question):
            continue
        if harm:
            # whether it harms: yes where the guideline grades the harm
            # ("Class III: Harm", ACC/AHA) or says it is contraindicated; on
            # "Is X contraindicated ...?" a recommendation to use it is a no
            said = _harm_vote(x, question)
            if said is None:
                continue
            vote = GuidelineVote(vote.item_id, said, vote.vote)
        elif vote.position != "against" and x.without:
            # going without it, or preferring another, is half a
            # recommendation against: "methotrexate is strongly recommended
            # over hydroxychloroquine" beside "hydroxychloroquine is
            # conditionally recommended" for low disease activity is mixed;
            # on a question on stopping it, half a yes ("switching to DMARDs
            # ... over continuation of glucocorticoids": taper them)
            said = "for" if stopping else "against"
            vote = GuidelineVote(vote.item_id, said, vote.vote / 2)
        elif forgone:
            said = "for" if vote.position == "against" else "against"
            vote = GuidelineVote(vote.item_id, said, vote.vote)
        elif stopping:
            stop = _stop_vote(x.said, vote.position, question)
            if stop is None:
                continue
            vote = GuidelineVote(vote.item_id, stop, vote.vote)
        elif (
            vote.position != "against"
            and _ROUTINE.search(question)
            and _RESTRICTED.search(x.item.statement)
        ):
            vote = GuidelineVote(vote.item_id, "against", vote.vote)
        if (
            vote.position == "against"
            and _HARM_REASON.search(x.item.statement)
            and not asks_recommendation(question)
        ):
            continue
        weak = x.item.strength and any(
            w in x.item.strength.lower() for w in ("conditional", "weak")
        )
        if weak and vote.position == "against":
            vote = GuidelineVote(vote.item_id, vote.position, vote.vote / 2)
        votes.append(vote)
    return votes


#: a question on whether a treatment must not be given
_ASKS_CONTRAINDICATED = re.compile(r"\bcontra-?indicated\b", re.I)
#: a recommendation that states harm: its grade ("Class III: Harm") or its words
_STATES_HARM = re.compile(r"\bharm(?:ful)?\b|\bcontra-?indicated\b", re.I)


def _harm_vote(x: Listed, question: str) -> Position | None:
    """How a recommendation answers whether its subject harms (or is
    contraindicated): "for" (yes) where it grades or states harm, or where it
    recommends against a treatment asked to be contraindicated; "against"
    (no) where it recommends that treatment; None otherwise (a "no benefit"
    says nothing on harm)."""
    against = x.position == "against"
    if against and _STATES_HARM.search(f"{x.item.strength or ''} {x.said}"):
        return "for"
    if _ASKS_CONTRAINDICATED.search(question):
        return "for" if against else "against"
    return None


def in_passing_last(listed: Sequence[Listed], question: str) -> list[Listed]:
    """``listed`` with the recommendations that name the question's subject
    only in passing (:func:`names_in_passing`) moved to the end: they speak
    for their body only when no other recommendation does."""
    # a stable sort: each group keeps its order
    return sorted(listed, key=lambda x: x.passing(question))


#: verbs that ask whether to act ("Should a 62-year-old take aspirin?"): the
#: subject is what is taken, not "take"
_ACTION_UNITS = frozenset(
    (terms.stem(v),)
    for v in (
        *("take", "get", "give", "receive", "start", "undergo", "have"),
        # and the framing of "Do guidelines recommend aspirin ...?"
        *("guidelines", "guideline", "recommend", "recommended", "indicated"),
        # and what an open question asks of its subject ("dose of alteplase")
        *("dose", "dosing", "dosage", "duration", "target", "goal", "timing"),
    )
)


@lru_cache(maxsize=4096)  # asked of the same statements for the votes, the order and the line
def names_in_passing(statement: str, question: str) -> bool:
    """Whether the statement names what the question asks about (its first
    specific word, ages and verbs of acting aside) only as a condition of
    something else: "SGLT2 inhibitors are recommended ... independent of
    metformin use" recommends SGLT2 inhibitors, and is no position on
    metformin; "Clopidogrel should be given in addition to aspirin" is no
    position on whether a 62-year-old should take aspirin, nor "Aspirin +
    low-dose rivaroxaban" on aspirin, unless the question asks about
    combining."""
    read = _main_clause(statement, question)
    return read is not None and not terms.names_subject(*read)


def names_only_forgone(
    statement: str,
    named: Callable[[str], bool],
    tried: Callable[[str], bool] = lambda _: False,
) -> bool:
    """Whether the statement names what the question asks about (``named``:
    ``subject.mentions_subject``) only as what to go without or what another
    is preferred to, beside what it names in passing: "Initiating a csDMARD
    WITHOUT longer-term glucocorticoids is strongly recommended over WITH
    longer-term glucocorticoids" is a position against long-term
    glucocorticoids, and "The panel suggests anticoagulation alone over
    routine thrombolysis for ... submassive PE" one against thrombolysis.
    Not when what is preferred is another treatment the question names
    (``tried``): "Methotrexate monotherapy is strongly recommended over
    biologic DMARD monotherapy" is no answer on TNF inhibitors "after
    methotrexate failure"."""
    rest = _beside_passing(statement, named)
    if named(rest) and not named(_WITHOUT.sub(" ", rest)):
        return True
    body = _HEADING.sub("", statement, count=1)
    if not named(body):
        body = statement
    arms = _dispreferred(body)
    if not arms or not any(named(body[a:b]) for a, b in arms):
        return False
    kept = "".join(body[a:b] for a, b in _between(arms, len(body)))
    return not named(_IN_PASSING.sub(" ", kept)) and not tried(kept)


#: a verb of choosing, and what its choice is preferred to, up to the clause's
#: end: "suggests anticoagulation alone over routine thrombolysis"; not "adults
#: over 75", "over 10 minutes" (no verb of choosing, or a number follows)
_CHOOSING = re.compile(
    r"\b(?:recommend|suggest|prefer|favou?r|choos|chose|select|use|using)\w*\b", re.I
)
_PREFERRED_TO = re.compile(
    r"\b(?:over(?!\s+(?:\d|the (?:age|past|next|course)|a period|time))|rather than|"
    r"instead of|in preference to)\b[^.;:()]*",
    re.I,
)


#: an alternative that is a way of giving it, not the treatment itself: "adding
#: vasopressin instead of escalating the dose of norepinephrine" is no position
#: against norepinephrine
_A_WAY_OF_GIVING = re.compile(
    r"\b(?:dose|doses|dosing|escalat\w*|increas\w*|titrat\w*|continu\w*|add\w*|switch\w*|"
    r"repeat\w*|prolong\w*|duration)\b",
    re.I,
)


def _dispreferred(text: str) -> list[tuple[int, int]]:
    """Spans of what a choice in ``text`` is preferred to."""
    spans = []
    for m in _PREFERRED_TO.finditer(text):
        clause_start = max(text.rfind(c, 0, m.start()) for c in ".;:") + 1
        if _CHOOSING.search(text, clause_start, m.start()) and not _A_WAY_OF_GIVING.search(
            m.group()
        ):
            spans.append(m.span())
    return spans


def _between(spans: list[tuple[int, int]], end: int) -> list[tuple[int, int]]:
    """The spans of a text of length ``end`` outside ``spans`` (in order)."""
    out, at = [], 0
    for a, b in spans:
        out.append((at, a))
        at = b
    return [*out, (at, end)]


def named_in_passing(statement: str, named: Callable[[str], bool]) -> bool:
    """:func:`names_in_passing` by the subject's names, members and classes
    (``named``), not only the question's words: "Methotrexate monotherapy is
    strongly recommended over biologic DMARD ... monotherapy" names TNF
    inhibitors (biologic DMARDs) only as what methotrexate is preferred to."""
    return named(statement) and not named(_beside_passing(statement, named))


def _beside_passing(statement: str, named: Callable[[str], bool]) -> str:
    """The statement without its heading (when the rest names the subject)
    and without what it names in passing."""
    body = _HEADING.sub("", statement, count=1)
    return _IN_PASSING.sub(" ", body if named(body) else statement)


def _main_clause(statement: str, question: str) -> tuple[list[tuple[str, ...]], str] | None:
    """The question's subject units and what is left of the statement once
    the parts that name things in passing are taken out; None when the
    statement does not name the subject at all."""
    units = [u for u in terms.concept_units(without_ages(question)) if u not in _ACTION_UNITS]
    if not units or not terms.names_subject(units, statement):
        return None
    # a heading names the topic, the sentence after it says what is done:
    # "IVC Filter with Cardiopulmonary Disease (...): ... the panel suggests
    # anticoagulation alone rather than anticoagulation plus IVC filter"
    body = _HEADING.sub("", statement, count=1)
    if terms.names_subject(units, body):
        statement = body
    rest = _IN_PASSING.sub(" ", statement)
    if not _REVERSAL.search(question):
        # what an antidote undoes, and the drug a bleed came with: "In patients
        # with dabigatran-associated ICH, idarucizumab is reasonable to reverse
        # the anticoagulant effect" is no position on anticoagulating after ICH
        rest = _REVERSED.sub(" ", rest)
    if not asks_combined(question):
        # "Aspirin + low-dose rivaroxaban may be considered for stable CAD" is
        # a position on the combination, not on aspirin alone; unless the
        # question names the combination ("hydralazine isosorbide dinitrate":
        # "Hydralazine + Isosorbide Dinitrate ... Recommended")
        asked = set(terms.content_stems(question))
        rest = _IN_COMBINATION.sub(
            lambda m: m.group() if set(terms.content_stems(m.group())) <= asked else " ", rest
        )
    return units, rest


_REVERSAL = re.compile(r"\b(?:revers\w*|antidotes?)\b", re.I)
_REVERSED = re.compile(
    r"\b(?:revers(?:e|es|ed|ing|al)|antidotes?)\b[^.;(),:]*|"
    # the drug a bleed came with (not "healthcare-associated ventriculitis")
    r"(?:\b\w+[ -]){0,3}?\w+-associated(?=\s+(?:\w+\s+)?(?:ICH\b|intra\w+ ha?emorrhage|"
    r"ha?emorrhage|bleed))",
    re.I,
)


def first_sentence(text: str) -> str:
    """The statement's first sentence, without its full stop: the rest is
    often a pointer ("See the Practice Considerations section")."""
    sentences = split_sentences(text)
    return (sentences[0] if sentences else text).strip().rstrip(".")


def leading_sentence(g: GuidelineItem, question: str = "") -> str:
    """The sentence that speaks for a recommendation: the first that states
    a range overlapping the question's ("Risk of lactic acidosis increases at
    eGFR < 30" for "metformin with eGFR of 25"); else its first, unless the
    first points another way than the whole ("Vitamin E may be considered
    for non-diabetic adults. ... NOT recommended in patients with diabetes":
    against), or, in an ungraded excerpt, points no way at all ("Weight loss
    is associated with ... . Fenofibrate ... is conditionally recommended
    against"), then the first that points the same way as the whole."""
    sentences = split_sentences(g.statement)
    statement = g.statement
    if question and len(sentences) > 1:
        # not one only for a group or level the question does not name ("naltrexone
        # not be used ... by individuals who use opioids": ``kept_from_others``),
        # nor one that names the subject only in passing ("disulfiram be
        # offered to patients who ... have not responded to naltrexone")
        scope = question_scope(question)
        fitting = [
            s
            for s in sentences
            if not narrower(scope, s)
            # nor one only for pregnancy, children or adults the question does
            # not name ("for pregnant or breastfeeding women with AUD,
            # pharmacological treatments not be used" for disulfiram in AUD)
            and fits(scope, frozenset(), s)
            and not kept_from_others(question, s)
            and not other_severity(question, s)
            and not names_in_passing(s, question)
        ]
        if fitting and len(fitting) < len(sentences):
            sentences, statement = fitting, " ".join(fitting)
        for sentence in sentences:
            if range_fit(question, sentence) > 0:
                return sentence.strip().rstrip(".")
        # an excerpt's sentence that gives the dose, duration or target asked
        # ("How long should bisphosphonates be continued?": "... reassessing
        # fracture risk after ... bisphosphonates for 3-5 years", not the
        # excerpt's first sentence on bone turnover markers)
        wanted = asked_aspects(question, when=False) if not g.strength else []
        giving = [s for s in sentences if any(w.search(s) for w in wanted)]
        # one that points a way before one that does not ("resumption may be
        # considered after at least 4 weeks", not "the optimal timing for
        # resumption ... is not firmly established")
        giving.sort(key=lambda s: position(s) is None)
        if re.search(ASKS_DURATION, question, re.I):
            giving.sort(key=lambda s: not COURSE.search(s))
        if giving:
            return giving[0].strip().rstrip(".")
    first = first_sentence(statement)
    whole = position(statement, g.strength, g.direction)
    said = position(first)
    # an ungraded excerpt's class stated inline grades its own sentence, not
    # a first that points a way of its own: "ICD is recommended for primary
    # prevention ... . ICD Considerations: Do NOT implant during the first 40
    # days after acute MI (Class III — Harm)" is for the ICD
    own_way = not g.strength and said is not None and states_class(statement)
    # and one whose first sentence quotes its own grade speaks for itself:
    # "Prophylactic treatment with phenytoin is recommended to decrease ...
    # early post-traumatic seizures (Level IIA)" before the excerpt's "...
    # not recommended for preventing late post-traumatic seizures (Level IIA)"
    # where each of its sentences does, and it is not for those the question
    # leaves out (an ungraded sentence after it may be what the grade covers:
    # "APA recommends (1B) that naltrexone be offered ... . APA recommends that
    # naltrexone not be used by individuals who use opioids")
    graded_first = (
        not g.strength
        and said is not None
        and all(quotes_grade(s) for s in sentences)
        and not names_excluded(question, first)
    )
    if (
        whole is None
        or said == whole
        or (said is None and g.strength)
        or (own_way and not states_class(first))
        or graded_first
    ):
        return first
    # not one that leaves the subject unnamed where the first names it ("Weight
    # loss is the cornerstone of NAFLD management ... . Mediterranean diet
    # pattern is recommended" for "Is weight loss recommended for NAFLD?")
    unnamed = bool(question) and _main_clause(first, question) is not None
    for sentence in sentences[1:]:
        if position(sentence) == whole and not (
            unnamed and _main_clause(sentence, question) is None
        ):
            return sentence.strip().rstrip(".")
    return first


def _names_population(statement: str, population: str) -> bool:
    """Whether the statement already says whom it is for ("... for adults
    with RLS and appropriate iron status (...)"), so the population is not
    said twice; a parenthesis in the population is a curator's gloss."""
    core = re.sub(r"\s*\([^)]*\)", "", population).strip().rstrip(".").lower()
    return bool(core) and core in statement.lower()


def _guideline_sentence(chosen: Sequence[Listed]) -> tuple[str, list[Citation]]:
    """ "USPSTF (2022), conditional (Grade C), in adults aged 40 to 59 years
    ...: <statement> [1]; and recommends against (Grade D), in ...: <statement> [2]." """
    parts = []
    citations = []
    for i, x in enumerate(chosen):
        g = x.item
        if i and g.body == chosen[0].item.body:
            head = "and"
        else:
            head = f"{g.body} ({g.year})" if g.year else g.body
            head = f"and {head}" if i else head
        word = _POSITION_WORDS.get(x.position or "")
        if word:
            head += " " + word.lstrip(", ") if head == "and" else word
        grades = stated_grades(g.strength, g.certainty)
        if grades:
            head += f" ({grades})"
        statement = x.quote or leading_sentence(g)
        # whom it is for, where it differs among those quoted or only its
        # heading says it ("in chronic kidney disease (CKD): BP target: < 130/80")
        restate = len(chosen) > 1 or x.headed
        if x.population and restate and not _names_population(statement, x.population):
            who = x.population.rstrip(".")
            # "Adults aged ..." reads "in adults aged ..."; an acronym
            # ("HFpEF Pharmacotherapy ...") keeps its capitals
            words = who.split(" ")
            if all(w[:1].isupper() for w in words if len(w) > 3 and w.isalpha()):
                # a heading in title case ("Chronic Kidney Disease (CKD)"):
                # its words in running text, its acronyms and a stage's
                # letter ("Stage C") kept
                words = [
                    w if len(w) == 1 or any(c.isupper() for c in w[1:]) else w.lower()
                    for w in words
                ]
            elif not any(c.isupper() for c in words[0][1:]):
                words[0] = words[0][:1].lower() + words[0][1:]
            who = " ".join(words)
            head += f", in {who}"
        parts.append(f"{head}: {statement} [{g.ref}]")
        citations.append(Citation(g.ref, statement, 1.0))
    return "; ".join(parts) + ".", citations


def _marks(ns: Sequence[int]) -> str:
    return "[" + ", ".join(str(n) for n in sorted(set(ns))) + "]"


def _sides(votes: Sequence[Vote], number: Callable[[str], int], designs: bool = True) -> str:
    """ "3 find yes [4, 5, 6] (1 cohort study and 2 case reports) and 1 finds no [7] (...)" """
    parts = []
    for label in ("yes", "no", "maybe"):
        side = [v for v in votes if v.label == label]
        if not side:
            continue
        refs = _marks([number(v.item_id) for v in side])
        find = "finds" if len(side) == 1 else "find"
        kinds = f" ({by_design([v.design for v in side])})" if designs else ""
        parts.append(f"{len(side)} {find} {_LABEL_WORDS[label]} {refs}{kinds}")
    return _join(parts)


def _strongest(
    votes: Sequence[Vote], evidence: Mapping[str, Evidence], number: Callable[[str], int]
) -> str:
    best = max(votes, key=lambda v: v.weight)  # the first of equals: nearest the question
    ev = evidence.get(best.item_id)
    label = DESIGN_LABELS.get(best.design, best.design)
    facts = []
    if ev is not None and ev.sample_size:
        facts.append(f"{ev.sample_size:,} participants")
    if ev is not None and ev.document.year:
        facts.append(str(ev.document.year))
    detail = f" ({', '.join(facts)})" if facts else ""
    article = "an" if label[:1] in "aeiou" else "a"
    return f"the strongest, {article} {label}{detail}, finds {best.label} [{number(best.item_id)}]"


_LABEL_WORDS = {"yes": "yes", "no": "no", "maybe": "the matter unclear"}


def _research_sentence(
    w: Weighing, evidence: Mapping[str, Evidence], number: Callable[[str], int]
) -> str:
    clinical = [v for v in w.votes if not v.apart]
    apart = [v for v in w.votes if v.apart]
    if w.verdict == "mixed":
        head = f"The evidence is mixed, leaning {w.lean}"
    else:
        head = _VERDICT_WORDS[w.verdict]
    yes, no = study_sides(w.votes)
    studies_lean = None if yes == no else "yes" if yes > no else "no"
    # When a guideline's position decides, the studies are reported, not
    # given as its grounds (else the line reads "answers no: ... 5 find yes"
    # with nothing to say why).
    guideline_led = w.guideline_led
    if guideline_led:
        head = {
            "yes": "The guideline's position answers yes",
            "no": "The guideline's position answers no",
            "mixed": f"The guidelines' positions are mixed, leaning {w.lean}",
            "insufficient": "The guideline finds the evidence insufficient to answer yes or no",
        }.get(w.verdict, head)
    elif w.unstated:
        head = (
            "The evidence is insufficient to answer yes or no for the ages or values the "
            "question states, which no study among those retrieved states"
        )
    elif w.guideline_votes and w.verdict in ("yes", "no") and studies_lean not in (None, w.verdict):
        head = (
            f"Weighed with the guideline's position, the evidence answers {w.verdict}; "
            f"the studies alone lean {studies_lean}"
        )
    if not w.votes:
        return f"{head}; no study among those retrieved addresses the question as asked."
    parts = []
    if len(clinical) == 1:
        (only,) = clinical
        design = DESIGN_LABELS.get(only.design, only.design)
        parts.append(
            f"the one study that addresses the question as asked ({design}) finds "
            f"{_LABEL_WORDS[only.label]} [{number(only.item_id)}]"
        )
    elif clinical:
        parts.append(
            f"of the {len(clinical)} studies that address the question as asked, "
            + _sides(clinical, number)
        )
        decided = [v for v in clinical if v.label in ("yes", "no")]
        # naming the strongest says something only when a design is known
        if len(decided) > 1 and any(v.design != "other" for v in decided):
            parts.append(_strongest(decided, evidence, number))
        if studies_lean is not None:
            parts.extend(_outweighed(decided, studies_lean, number))
    else:
        parts.append("no clinical study among those retrieved addresses the question as asked")
    if apart:
        kinds = by_design([v.design for v in apart])
        parts.append(f"counted apart, {kinds}: " + _sides(apart, number, designs=False))
    return head + ("; " if guideline_led else ": ") + "; ".join(parts) + "."


def _outweighed(decided: Sequence[Vote], lean: str, number: Callable[[str], int]) -> list[str]:
    """Why fewer studies outweigh more, when they do: without it a line
    reading "leaning no: 10 find yes and 2 find no" gives the reader no
    reason. The reason given is the factor of the vote (``synthesize.verdict``)
    that most separates the sides, in the votes' own figures."""
    heavy = [v for v in decided if v.label == lean]
    light = [v for v in decided if v.label != lean]
    if not heavy or len(heavy) >= len(light):
        return []
    one = len(heavy) == 1
    said = [v for v in heavy if v.contradicts]
    cov = [sum(v.coverage for v in side) / len(side) for side in (heavy, light)]
    weight = [sum(v.weight for v in side) / len(side) for side in (heavy, light)]
    if said and not any(v.contradicts for v in light):
        why = (
            f"{_marks([number(v.item_id) for v in said])} "
            f"{'states' if len(said) == 1 else 'state'} the opposite of the question's claim "
            f"in its own words, which counts {CONTRADICTION:g} times"
        )
    elif cov[0] - cov[1] >= COVERAGE_GAP:
        why = (
            f"{'it names' if one else 'they name'} more of the question's specific words "
            f"({cov[0]:.0%} against {cov[1]:.0%} on average)"
        )
    elif weight[0] > weight[1]:
        why = (
            f"{'its design' if one else 'their designs'}, size and recency weigh more "
            f"({weight[0]:.1f} against {weight[1]:.1f} on average)"
        )
    else:
        why = f"{'it comes' if one else 'they come'} nearer the top of the search"
    heavy_refs = _marks([number(v.item_id) for v in heavy])
    subject = (
        f"the one that finds {lean} {heavy_refs} outweighs"
        if one
        else f"the {len(heavy)} that find {lean} {heavy_refs} outweigh"
    )
    return [f"{subject} the {len(light)} that find {'no' if lean == 'yes' else 'yes'}: {why}"]


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def yes_no_line(
    weighing: Weighing,
    chosen: Sequence[Listed],
    evidence: Mapping[str, Evidence],
    number: Callable[[str], int],
    silent: tuple[Sequence[Listed], str] = ((), ""),
) -> BottomLine:
    """The bottom line of a question asking yes or no (``weighing`` already
    includes the chosen guidelines' votes). ``silent``: when none is chosen,
    the listed current recommendations that are not on what the question
    asks about, and what they do not do ("name macrolides", "compare
    ticagrelor with clopidogrel"), so that the line says the guidelines were
    read and are silent on it."""
    sentences = []
    citations: list[Citation] = []
    if chosen:
        text, cited = _guideline_sentence(chosen)
        sentences.append(text)
        citations.extend(cited)
    elif silent[0]:
        text, cited = _silent_sentence(*silent)
        sentences.append(text)
        citations.extend(cited)
    sentences.append(_research_sentence(weighing, evidence, number))
    citations.extend(
        Citation(number(v.item_id), v.sentence, round(min(v.vote / max(v.weight, 1e-9), 1.0), 4))
        for v in weighing.votes
    )
    return BottomLine(
        text=" ".join(sentences),
        verdict=weighing.verdict,
        lean=weighing.lean,
        confidence=weighing.confidence,
        refs=tuple(sorted({c.n for c in citations})),
        citations=tuple(citations),
    )


def _aspect_first(ranked: list[Listed], question: str) -> list[Listed]:
    """``ranked`` with the top group (the first's body, naming as many of
    the question's concepts) reordered so that a statement giving what the
    question asks (a dose, a duration, a target) comes first; the rest as
    they were."""
    if not ranked:
        return ranked
    wanted = asked_aspects(question)
    head = ranked[0]
    group = [x for x in ranked if x.item.body == head.item.body and x.fit[1] >= head.fit[1]]
    # Where no aspect is asked and the first recommends nothing, one that fits
    # as well and names the question's conditions in its own words comes
    # first: "What antibiotics are recommended for healthcare-associated
    # ventriculitis?" is answered by "Vancomycin plus an anti-pseudomonal
    # beta-lactam is recommended as empiric therapy for healthcare-associated
    # ventriculitis and meningitis", not by "Alternative agents include
    # aztreonam or a fluoroquinolone".
    keep = bool(wanted) or head.position in ("for", "conditional")
    gives = sorted(
        group,
        key=lambda x: (
            not any(g.search(x.item.statement) for g in wanted),
            0 if keep or x.fit != head.fit else -x.conditions,
        ),
    )
    return gives + [x for x in ranked if all(x is not g for g in group)]


def open_line(
    listed: Sequence[Listed],
    research: Sequence[Facet],
    question: str = "",
    silent: tuple[Sequence[Listed], str] = ((), ""),
) -> BottomLine:
    """The bottom line of a what / which / how question: the top (current)
    recommendations, the strongest of the best fitting first
    (:func:`strongest_first`) and a second of the same body only where it
    names as many of the question's concepts, none for other ages, values or routes than the
    question states (:func:`for_others`); else the first research sub-topic
    with evidence."""
    ranked = strongest_first([x for x in listed if may_speak(x, question)])
    # one that names the subject only in passing goes after those about it,
    # however strong or certain: "LDL-C >= 70 on maximally tolerated statin
    # PLUS ezetimibe: adding a PCSK9 inhibitor may be considered (LOE A)" is
    # no answer on when to add ezetimibe
    ranked = _aspect_first(sorted(ranked, key=lambda x: x.passing(question)), question)
    # a second is of the same body and names as many of the question's
    # concepts as the first: a recommendation for "DOAC-eligible patients
    # with AF" is no answer beside one that names the mechanical heart valves
    # asked about, nor an endocarditis guideline's note on anticoagulation
    # beside an AF guideline's statement; the same body's guideline of
    # another year is another guideline (ACC/AHA's 2023 AF guideline on
    # ablation in HFrEF beside its 2017 hypertension guideline's drugs)
    # A second that names the subject only in passing is none ("adding a
    # PCSK9 inhibitor ... on maximally tolerated statin" for statins).
    top = [
        x
        for i, x in enumerate(ranked)
        if i == 0
        or (
            x.fit[1] >= ranked[0].fit[1]
            and (x.item.body, x.item.year) == (ranked[0].item.body, ranked[0].item.year)
            and not x.passing(question)
        )
    ]
    # a statement a guideline repeats in two sections is quoted once
    top = [x for i, x in enumerate(top) if all(x.said != y.said for y in top[:i])]
    top = top[:MAX_GUIDELINES]
    if top:
        text, citations = _guideline_sentence(top)
        return BottomLine(text, refs=tuple(c.n for c in citations), citations=tuple(citations))
    lead, cited = _silent_sentence(*silent)
    for facet in research:
        if facet.status == "no_evidence" or not facet.bullets:
            continue
        first = facet.bullets[0]
        body = first.text.rstrip(".")
        if first.kind == "finding" and first.refs:
            body += " " + _marks(first.refs)
        text = f"{lead} {facet.facet}: {body}." if lead else f"{facet.facet}: {body}."
        return BottomLine(
            text,
            refs=tuple(sorted({*(c.n for c in cited), *first.refs})),
            citations=(*cited, *first.citations),
        )
    if lead:
        return BottomLine(lead, refs=tuple(c.n for c in cited), citations=tuple(cited))
    return BottomLine(
        "No guideline recommendation or study among those stored addresses this question."
    )


def _silent_sentence(listed: Sequence[Listed], what: str) -> tuple[str, list[Citation]]:
    """ "The guideline recommendations listed [1, 2] do not name macrolides.",
    each cited with the sentence it was read on; empty when none is listed."""
    if not listed:
        return "", []
    refs = _marks([x.item.ref for x in listed])
    citations = [Citation(x.item.ref, x.quote or leading_sentence(x.item), 1.0) for x in listed]
    return f"The guideline recommendations listed {refs} do not {what}.", citations
