"""Which listed recommendations are on what the question asks about.

A question that names a treatment or a test ("Should macrolides be added for
community-acquired pneumonia in outpatients?") is answered only by a
recommendation that names it (the first it names: its subject): "Do NOT
routinely obtain blood cultures in outpatients with CAP" names the condition
and the setting, and answers another question. A recommendation that names
none stays listed, as context.

A drug class asked about ("bisphosphonates") is named by the class's own
names, or by its members where a body makes two or more statements on them
(the AASM's statements on pramipexole, ropinirole and rotigotine together
are its position on dopamine agonists; the BTF's three on mannitol, its
position on hyperosmolar therapy). A body's one statement on one member is a
position on that drug, often an exception to the class ("Ibandronate is NOT
recommended to reduce nonvertebral or hip fracture risk"), not on the class.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from medbrief.synthesize.facets import ALTERNATIVE, asked_interventions, compares
from medbrief.synthesize.fit import asked_routes, route_pattern
from medbrief.synthesize.match import ConceptMatcher, normalise, term_pattern
from medbrief.synthesize.ranges import valued
from medbrief.synthesize.verdict import opens_with_auxiliary
from medbrief.types import Concept
from medbrief.understand.sources import broader_classes, drug_classes, every_class_of
from medbrief.understand.sources import classes_of as class_names
from medbrief.understand.text import fold

#: whether a text (normalised) names one side of a comparison
Side = Callable[[str], bool]

#: a body must make this many statements on members of a class asked about
#: for them to speak for the class
MIN_MEMBERS = 2


@dataclass(frozen=True, slots=True)
class _Asked:
    """The treatment or test a question asks about: its own names, its
    members when it is a drug class, the names of its classes when it is a
    member."""

    names: ConceptMatcher
    members: tuple[ConceptMatcher, ...]
    classes: ConceptMatcher | None


@lru_cache(maxsize=1)
def _class_tables() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Class -> members, and member (or class) -> the names of the classes
    that hold it (data/understand/drug_classes.tsv)."""
    return drug_classes(), {**class_names(), **broader_classes()}


@lru_cache(maxsize=1)
def _every_class() -> dict[str, tuple[str, ...]]:
    """Member -> the names of every class holding it, broad ones too (read
    once: a comparison asks it for each brief)."""
    return every_class_of()


#: "Should anticoagulation be reversed with PCC?": what the act is done with
#: is the subject, not what it is done to; a combination or a comparison
#: ("combined with", "compared with", "given with") is not such an act
_DONE_WITH = re.compile(
    r"\b(?:be|is|are|being)\s+(?!(?:combined|compared|associated|treated|given|taken|added|"
    r"administered|used|started|prescribed|co-administered)\b)\w+(?:ed|en)\s+"
    r"(?:with|using|by)\s+(?P<rest>.+)$",
    re.I,
)


#: what an act is done without: "cardioverted without anticoagulation"
_WITHOUT = re.compile(r"\bwithout\s+(?:(?:a|an|any|the)\s+)?(?P<rest>.+)$", re.I)


def _opening(concepts: Sequence[Concept], rest: str) -> Concept | None:
    """The first treatment or test asked about that ``rest`` opens with."""
    wanted = asked_interventions(tuple(concepts))
    return next(
        (c for c in concepts if c.label in wanted and ConceptMatcher(c).in_normalised(rest)),
        None,
    )


def forgone_of(concepts: Sequence[Concept], question: str) -> Concept | None:
    """The treatment or test the question asks about going without
    ("anticoagulation" in "Can AF be cardioverted without anticoagulation?"),
    or None. (A condition after "without" is whom the question leaves out and
    no concept at all: ``understand.concepts``.)"""
    found = _WITHOUT.search(question)
    if found is None:
        return None
    wanted = asked_interventions(tuple(concepts))
    rest = found.group("rest")
    return next((c for c in concepts if c.label in wanted and ConceptMatcher(c).opens(rest)), None)


def subject_first(concepts: Sequence[Concept], question: str) -> tuple[Concept, ...]:
    """``concepts`` with the treatment an act is done with moved first
    ("PCC" in "Should anticoagulation be reversed with PCC in ICH?"), or the
    one it is done without ("anticoagulation" in "Can AF be cardioverted
    without anticoagulation?": a question on whether it is needed), so that
    it is the question's subject (:func:`subject_of`)."""
    # a laboratory value the question states is the patient's, no subject:
    # "statin" in "Should a 45 year old with LDL 195 get a statin?"
    levels = [c for c in concepts if valued(question, (c.label, *c.terms))]
    concepts = [*(c for c in concepts if c not in levels), *levels]
    used = forgone_of(concepts, question)
    done = _DONE_WITH.search(question)
    if used is None and done is not None:
        used = _opening(concepts, normalise(done.group("rest")))
    if used is None:
        return tuple(concepts)
    return (used, *(c for c in concepts if c is not used))


#: a time set by another treatment or test: "a CT scan before lumbar puncture"
_ANCHORED = re.compile(
    r"\b(?:before|after|prior to|following|during)\s+(?:(?:a|an|the)\s+)?(?P<rest>.+)$", re.I
)


def anchor_of(concepts: Sequence[Concept], question: str) -> ConceptMatcher | None:
    """The treatment or test (not the subject) by which the question times
    what it asks about ("lumbar puncture" in "Should a CT scan be done before
    lumbar puncture in suspected meningitis?"), or None: a recommendation
    that does not name it says nothing on that time."""
    forgone = forgone_of(concepts, question)
    if forgone is not None:
        # what is done without it times it: "Anticoagulate for >= 3 weeks
        # before cardioversion" answers on cardioversion without anticoagulation,
        # "DOACs are recommended over warfarin in AF" does not
        wanted = asked_interventions(tuple(concepts))
        act = next((c for c in concepts if c is not forgone and c.label in wanted), None)
        return ConceptMatcher(act) if act is not None else None
    found = _ANCHORED.search(question)
    if found is None:
        return None
    subject = subject_of(concepts)
    wanted = asked_interventions(tuple(concepts))
    for c in concepts:
        if c is not subject and c.label in wanted and ConceptMatcher(c).opens(found.group("rest")):
            return ConceptMatcher(c)
    return None


@lru_cache(maxsize=1)
def _any_drug() -> re.Pattern[str]:
    names = {n for n, members in drug_classes().items() for n in (n, *map(fold, members))}
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


def names_a_drug(text: str) -> bool:
    """Whether a text names a drug or drug class of data/understand/drug_classes.tsv
    ("a GLP-1 RA is preferred for glycemic management")."""
    return bool(_any_drug().search(fold(text)))


def subject_of(concepts: Sequence[Concept]) -> Concept | None:
    """The question's subject: the first treatment or test it names ("albumin"
    in "Is albumin recommended for fluid resuscitation in sepsis?", where
    resuscitation is what it is for), or None."""
    wanted = asked_interventions(tuple(concepts))
    return next((c for c in concepts if c.label in wanted), None)


def _subject(concepts: Sequence[Concept]) -> _Asked | None:
    """The subject's names, members and classes (:func:`subject_of`)."""
    c = subject_of(concepts)
    if c is None:
        return None
    members_of, classes_of = _class_tables()
    terms = (c.label, *c.terms)
    broader = {fold(n) for n in classes_of.get(fold(c.label), ())}
    # the members of its own class, not of a class it belongs to: asked about
    # zoledronic acid (searched as "bisphosphonates" too), a statement on
    # ibandronate is on a sibling
    members = {
        fold(m): m for t in terms if fold(t) not in broader for m in members_of.get(fold(t), ())
    }
    own = tuple(t for t in terms if fold(t) not in members and fold(t) not in broader)
    return _Asked(
        ConceptMatcher(Concept(c.label, own)),
        tuple(ConceptMatcher(Concept(m)) for m in members.values()),
        ConceptMatcher(Concept(c.label, tuple(broader))) if broader else None,
    )


def on_subject(statements: Sequence[tuple[str, str]], concepts: Sequence[Concept]) -> list[int]:
    """For each ``(body, statement)``, how it names the question's subject
    (:func:`_subject`): 2 by its own name (or, for a class, by its members
    where its body makes two statements on them), 1 only by the name of its
    class ("Do not use diuretics to prevent AKI" for furosemide), 0 not at
    all ("The SSC recommends against using hydroxyethyl starches for
    resuscitation" for albumin). Every one is 2 when the question names no
    treatment or test."""
    a = _subject(concepts)
    if a is None:
        return [2] * len(statements)
    # statements naming a member of the class, by body, over all it lists
    by_body: dict[str, int] = {}
    for body, statement in statements:
        by_body[body] = by_body.get(body, 0) + any(m.in_text(statement) for m in a.members)
    out = []
    for body, statement in statements:
        if a.names.in_text(statement) or (
            by_body[body] >= MIN_MEMBERS and any(m.in_text(statement) for m in a.members)
        ):
            out.append(2)
        elif a.classes is not None and a.classes.in_text(statement):
            out.append(1)
        else:
            out.append(0)
    return out


def names_only_members(concepts: Sequence[Concept]) -> Callable[[str], bool]:
    """Whether a statement names the question's subject, a class, only by
    some of its members ("Ibandronate is NOT recommended ..." for
    bisphosphonates)."""
    a = _subject(concepts)
    if a is None or not a.members:
        return lambda _: False
    return lambda statement: (
        not a.names.in_text(statement) and any(m.in_text(statement) for m in a.members)
    )


def mentions_subject(concepts: Sequence[Concept]) -> Callable[[str], bool]:
    """Whether a sentence names the question's subject in any way (its own
    name, a member's or a class's): the sentence of a longer excerpt to
    quote."""
    a = _subject(concepts)
    if a is None:
        return lambda _: True
    matchers = [a.names, *a.members, *([a.classes] if a.classes else [])]
    return lambda sentence: any(m.in_text(sentence) for m in matchers)


def mentions_other_treatments(concepts: Sequence[Concept]) -> Callable[[str], bool]:
    """Whether a sentence names a treatment or test the question asks about
    other than its subject ("methotrexate" in "Is a TNF inhibitor
    recommended after methotrexate failure?")."""
    subject = subject_of(concepts)
    wanted = asked_interventions(tuple(concepts))
    others = [ConceptMatcher(c) for c in concepts if c.label in wanted and c is not subject]
    return lambda sentence: any(m.in_text(sentence) for m in others)


#: words that set one treatment against another in a recommendation: "it is
#: reasonable to choose ticagrelor over clopidogrel", "DOACs are recommended
#: in preference to warfarin"; not "switching from ticagrelor to clopidogrel"
_AGAINST = re.compile(
    r"\b(?:over|in preference to|rather than|instead of|versus|vs\.?|compared (?:with|to)|"
    r"superior to|better than|preferred to|in favou?r of|(?:an )?alternative to)\b"
)


def _clauses(statement: str) -> list[str]:
    """A statement's clauses, normalised for matching."""
    return re.split(r"[.;]\s", normalise(statement))


def sets_against(statement: str, first: Side, second: Side) -> bool:
    """Whether a clause of ``statement`` names ``first``, then a word that
    prefers or compares, then ``second``: the recommendation states the
    comparison a question such as "Should ticagrelor be preferred over
    clopidogrel?" asks about, in its order."""
    for clause in _clauses(statement):
        for word in _AGAINST.finditer(clause):
            if first(clause[: word.start()]) and second(clause[word.end() :]):
                return True
    return False


#: "the preferred diuretic", "the preferred first-line ULT agent": what a
#: treatment is preferred as, up to the class named
_PREFERRED_AS = r"\bpreferred\s+(?:[\w-]+\s+){0,2}?(?:%s)"


def preferred_as_class(first: Side, other: Concept) -> Side:
    """Whether a statement prefers ``first`` as a class ``other`` belongs to:
    "Chlorthalidone is the preferred diuretic" prefers it over
    hydrochlorothiazide, "Allopurinol is the preferred first-line ULT agent"
    over febuxostat."""
    names = _every_class().get(fold(other.label), ())
    patterns = [term_pattern(n) for n in names]
    if not any(patterns):
        return lambda _: False
    preferred = re.compile(_PREFERRED_AS % "|".join(p for p in patterns if p))
    return lambda statement: any(
        (found := preferred.search(clause)) is not None and first(clause[: found.start()])
        for clause in _clauses(statement)
    )


@dataclass(frozen=True, slots=True)
class Comparison:
    """What a question sets against each other, or asks to combine."""

    #: what a statement that is silent on it does not do: "compare
    #: ticagrelor with clopidogrel", "address ACE inhibitors combined with ARBs"
    missing: str
    #: whether a statement states the comparison (in the question's order)
    #: or the combination
    states: Callable[[str], bool]
    #: whether it states the comparison the other way round ("A GLP-1 RA is
    #: preferred to insulin" for "Is insulin recommended over a GLP-1 RA?"):
    #: a position against what the question prefers
    reverses: Callable[[str], bool] = lambda _: False

    def on_it(self, statement: str) -> bool:
        """Whether a statement makes the comparison, either way round."""
        return self.states(statement) or self.reverses(statement)


#: what stands between two treatments a question offers as alternatives:
#: "an SSRI or psychotherapy", "ticagrelor or clopidogrel"; not "with or
#: without", "and/or"
_OR_BETWEEN = re.compile(r"\s*,?\s*or\s+(?:(?:an?|the)\s+)?")


def asks_choice(question: str, concepts: Sequence[Concept]) -> bool:
    """Whether the question offers two of its treatments or tests as
    alternatives ("Should adolescents with depression get an SSRI or
    psychotherapy?"): it asks which, and a yes or no would answer neither."""
    wanted = asked_interventions(tuple(concepts))
    text = normalise(question)
    # the choice is what the question asks only where it opens with a verb
    # asking it, or with the first alternative ("ticagrelor or clopidogrel
    # after NSTEMI?"); "The effect of ... metformin or AICAR on melatonin:
    # potential involvement of AMPK?" asks about AMPK
    opening = opens_with_auxiliary(text)
    spans = [
        span
        for c in concepts
        if c.label in wanted and (span := ConceptMatcher(c).first_span(text)) is not None
    ]
    lead = len(text) - len(text.lstrip())
    return any(
        _OR_BETWEEN.fullmatch(text[a_end:b_start]) and (opening or a_start == lead)
        for a_start, a_end in spans
        for b_start, _ in spans
        if a_end <= b_start
    )


#: a question asking whether to give two treatments together
_COMBINED = re.compile(r"\b(?:combin\w*|together|plus|dual)\b|\+", re.I)
#: a clause that gives two treatments together: "Do not combine ACE inhibitor
#: + ARB", "aspirin plus clopidogrel", "dual antiplatelet therapy"
_TOGETHER = re.compile(r"\b(?:combin\w*|together|plus|dual|in addition to|added to)\b|\+")


def asks_combined(question: str) -> bool:
    """Whether a question asks about giving treatments together."""
    return bool(_COMBINED.search(question))


def comparison(
    question: str, compared: Sequence[Concept], concepts: Sequence[Concept]
) -> Comparison | None:
    """For a question comparing two treatments (``compared``, in its order)
    or two routes of giving one of its ``concepts`` ("Is intravenous iron
    better than oral iron?"), or asking whether to combine two ("Should ACE
    inhibitors and ARBs be combined?"), what a statement must state to answer
    it; None for other questions."""
    if len(compared) == 2:
        a, b = (ConceptMatcher(c).in_normalised for c in compared)
        a_over, b_over = preferred_as_class(a, compared[1]), preferred_as_class(b, compared[0])

        def prefers_a(statement: str) -> bool:
            return sets_against(statement, a, b) or a_over(statement)

        def prefers_b(statement: str) -> bool:
            return sets_against(statement, b, a) or b_over(statement)

        # "Is warfarin or a DOAC better?" asks which: either order answers it
        either = bool(ALTERNATIVE.search(question))
        return Comparison(
            f"compare {compared[0].label} with {compared[1].label}",
            lambda statement: prefers_a(statement) or (either and prefers_b(statement)),
            lambda statement: not either and prefers_b(statement) and not prefers_a(statement),
        )
    asked = asked_routes(question)
    if len(asked) == 2 and compares(question):
        c, d = (route_pattern(r).search for r in asked)
        return Comparison(
            " ".join(
                ["compare", asked[0], "with", asked[1], *asked_interventions(tuple(concepts))]
            ),
            lambda statement: sets_against(statement, lambda t: bool(c(t)), lambda t: bool(d(t))),
        )
    wanted = asked_interventions(tuple(concepts))
    both = [c for c in concepts if c.label in wanted][:2]
    if len(both) == 2 and asks_combined(question):
        e, f = (ConceptMatcher(c).in_normalised for c in both)
        return Comparison(
            f"address {both[0].label} combined with {both[1].label}",
            lambda statement: any(
                e(clause) and f(clause) and bool(_TOGETHER.search(clause))
                for clause in _clauses(statement)
            ),
        )
    return None
