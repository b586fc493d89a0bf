"""Findings that contradict the claim a yes/no question makes.

A yes/no question states a claim ("Do stroke patients have a lower risk of
obstructive sleep apnoea?"). A finding answers "no" when it says the
opposite of that claim about the same thing, and a reader of cue words
misses it: "stroke patients have a *higher* risk of OSA" reads as a positive
finding on the question's words. No entailment model ships offline, so the
kinds of contradiction that de Marneffe, Rafferty & Manning (2008, "Finding
contradictions in text", ACL) found both common and detectable from the
words themselves are read directly:

* **antonymy in the same slot**: the question's word replaced by its
  opposite beside the same neighbouring word ("lower risk" / "higher risk";
  "the long arm of chromosome 5" / "the short arm of chromosome 5"), in a
  sentence that does not also use the question's word there. The direction
  of an effect counts whether stated as a change or a state ("decreases
  activity" / "increased activity"), and an effect estimate whose
  confidence interval lies wholly above or below 1 states a higher or lower
  risk. A neighbour that only names a quantity ("risk", "rate") must come
  with what it is of ("risk of bleeding" is not denied by "risk of nausea");
* **negated existence**, for "Is there a ...?" questions: "Is there an
  approved vaccine against H. pylori?" / "no approved vaccine against H.
  pylori is available", "no vaccine ... is currently licensed";
* **contraindication**, for questions that ask whether something may be
  used: "Can valproate be used during pregnancy?" / "valproate is
  contraindicated during pregnancy", "must be avoided", "exacerbations";
* **a denied predicate**: "Is X cost-effective?" / "X was not
  cost-effective"; "Are the guidelines adequate?" / "the guidelines are
  inadequate"; "Is iron harmful in RLS?" / "IV iron was safe and effective"
  (``denies_predicate``; the stance reader also checks it on the conclusion
  sentence it reads);
* **the question's own word negated**: "Is the majority of genetic variation
  present in the coding regions?" / "the majority of genetic variation is not
  present within the coding region" (a negator before any word of the
  question, past a copula or adverb; "not only" denies nothing). PubMedQA
  10-fold CV: reasoning-free 0.728 -> 0.733, reasoning-required 0.636 ->
  0.641; BioASQ dev verdict 0.744 -> 0.756 (docs/benchmarks.md).

A contradicting clause must be about the question: it names at least half
of the question's specific words, or refers back to the condition ("the
disorder") of an abstract that names them. An opposite property or a negated
word must moreover be said of what the question is about: its sentence names
the question's first specific word ("exercise" in "Does exercise reduce the
risk of recurrence?"), or refers back to it ("It is caused by ...").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from medbrief.grade import cues, terms
from medbrief.grade.features import clauses, negated

_WORD = re.compile(r"[a-z0-9]+")
#: How far apart (in words) a contrasted word and its neighbour may be:
#: "increases the risk", "risk of OSA was higher", "reduction in the incidence
#: of tuberculosis" (5 rather than 3: 2 more SciFact contradictions found, 1
#: false alarm fewer, docs/benchmarks.md).
_WINDOW = 5
# Opposite poles; a word may sit in several ("lower": low, and the opposite of
# upper). Kept to contrasts that name a property of the same thing, not a
# different subgroup ("left-sided" vs "right-sided" tumours answer a different
# question, not "no").
_POLES: tuple[tuple[str, str], ...] = (
    # states ("a lower risk", "an increased risk"); the direction pole below
    # joins them with changes ("reduces the risk")
    ("low lower lowest reduced decreased diminished", "high higher highest increased elevated "
     "greater raised"),
    ("long longer", "short shorter"),
    ("large larger", "small smaller"),
    ("major", "minor"),
    ("benign", "malignant"),
    ("dominant", "recessive"),
    ("upregulated upregulates upregulation overexpressed overexpression", "downregulated "
     "downregulates downregulation underexpressed"),
    ("activate activates activated activation stimulates", "inhibit inhibits inhibited "
     "inhibition suppresses suppressed represses repressed"),
    ("better improved favorable favourable", "worse poorer worsened unfavorable unfavourable"),
    ("good", "poor"),
    ("common commonly frequent frequently", "rare rarely uncommon infrequent infrequently "
     "seldom"),
    ("acute", "chronic"),
    ("superior", "inferior"),
    ("upper", "lower"),
    # Direction of an effect, states and changes together: "X decreases brown
    # fat activity" / "resulted in increased BAT activity". On SciFact's
    # training claims (dev four fifths) these found 11 more contradicting
    # abstracts and no more false alarms among the supporting ones.
    ("increase increases increasing increased raise raises elevate elevates higher greater "
     "elevated rise rises", "decrease decreases decreasing decreased reduce reduces reducing "
     "reduced lowers lower diminish diminishes diminished reduction reductions decline "
     "declines"),
    ("accelerate accelerates accelerated accelerating promote promotes promoted promoting "
     "enhance enhances enhanced enhancing exacerbate exacerbates exacerbated aggravates",
     "slow slows slowed slowing delay delays delayed attenuate attenuates attenuated "
     "attenuating impair impairs impaired alleviate alleviates alleviated ameliorates "
     "ameliorated"),
    ("positively", "negatively inversely"),
    ("maternal", "paternal"),
    ("hypermethylated hypermethylation", "hypomethylated hypomethylation"),
    ("positive", "negative"),
)  # fmt: skip
_NEGATED_HEAD = re.compile(
    r"\b(?:no|not any|none of the|lack of|lacking|absence of|without)"
    r"(?:\s+(?!(?:in|of|for|with|between|on|at|to|from|by|is|are|was|were|and|or)\b)\S+){0,3}$"
)
_NOT_AVAILABLE = re.compile(
    r"^[^.;]{0,60}?\b(?:(?:is|are|was|were|has|have)\s+(?:currently\s+|still\s+)?(?:not|never)"
    r"\s+(?:yet\s+)?(?:been\s+)?(?:available|approved|licensed|licenced|developed|established|"
    r"known|found|identified|marketed)|(?:is|are|remains?)\s+(?:lacking|elusive|unavailable))\b"
)
_EXISTS = re.compile(r"\b(?:is|are)\s+there\s+(?:an?\s+|any\s+|some\s+)?(?P<np>[^?.]+)", re.I)
_NP_END = re.compile(
    r"\s(?:for|against|to|that|which|who|in|of|with|between|among|on|during|from|associated|"
    r"available|used|able)\b"
)
#: a cure is denied by "no specific treatment" as well
_KIN = {"cure": ("cure", "treatment", "therapy")}
_MAY_USE = re.compile(
    r"^\s*(?:can|could|may|should)\s+(?P<x>.+?)\s+be\s+(?:safely\s+)?(?:used|given|taken|"
    r"administered|prescribed|continued)\b|^\s*(?:is|are)\s+(?P<y>.+?)\s+safe\b",
    re.I,
)
_UNSAFE = re.compile(
    r"\b(?:contraindicat\w*|avoid(?:ed|ance)?|should (?:not|never) be (?:used|given|prescribed|"
    r"administered|taken)|must not be \w+|not (?:be )?recommended|teratogen\w*|"
    r"exacerbat\w*|worsen\w*|unsafe)\b"
)
# An effect estimate with its confidence interval states a direction in
# numbers: "odds ratio ... 2.77 (95% confidence interval 1.04 to 7.97)" says
# the risk is higher, an interval wholly below 1 that it is lower; an
# interval across 1 states none (Altman & Bland 2011, BMJ 343:d2090, on
# reading a ratio's interval).
_RATIO = re.compile(
    r"\b(?:(?i:odds ratio|relative risk|risk ratio|hazard ratio)|a?OR|a?RR|a?HR|IRR)s?\b"
    r"[^;]{0,150}?"
    r"\d+(?:\.\d+)?\s*[,;(\[]?\s*(?:95\s*%\s*(?:CI|confidence interval)[,:]?\s*)?"
    r"(?P<lo>\d+(?:\.\d+)?)\s*(?:-|\u2013|to)\s*(?P<hi>\d+(?:\.\d+)?)"
)
# a negator and the word it denies, past a copula or adverb ("is not
# present", "was not significantly associated", "cannot be used"); "not
# only" denies nothing of the claim
_NEGATED_WORD = re.compile(
    r"\b(?:not|never|cannot|n't)\s+(?!only\b|just\b|merely\b)(?:(?:be|been|being|"
    r"always|significantly|statistically|necessarily|consistently|generally|yet|"
    r"independently|directly|clearly|commonly|routinely)\s+){0,2}(?P<w>[a-z][a-z-]+)"
)
# question words a negation does not deny the claim by ("not clear whether")
_NOT_ASSERTED = frozenset(
    {"clear", "known", "only", "well", "much", "more", "less", "different", "significant"}
)
_CLAUSE_NEGATED = re.compile(r"\b(?:not|no|never|without|nor)\b[^,;]*$")
_ANAPHOR = re.compile(r"\bth(?:e|is|at) (?:disorder|disease|syndrome|condition|infection|drug)\b")
# a sentence about the abstract's own subject without naming it
_REFERS_BACK = re.compile(r"^(?:it|this|they|these)\b|" + _ANAPHOR.pattern, re.I)


# Evaluative predicates a yes/no question asks about ("are the guidelines
# adequate?", "is X similar to Y?") and the words that deny each without a
# negator: the morphological antonym (in-/un-/dis- prefixes) and, for
# sameness, need and awareness, the findings that answer "no" ("differing",
# "little need", "poor knowledge"). Written from the antonym pairs among the
# PubMedQA errors (docs/benchmarks.md); "not adequate" is handled generally.
# "differing", "differ from", and a comparison ("50% longer than", "more
# common in"): a finding of difference; a bare "different" often only names
# the groups compared ("on different scanner models").
_DIFFER = (
    r"differ(?:s|ed|ing)?|different from|(?:significantly|markedly|substantially) different|"
    r"(?:more|less|higher|lower|greater|longer|shorter|larger|smaller|heavier|fewer|better|"
    r"worse)\s+(?:\w+\s+){0,5}?(?:than|compared (?:with|to)|relative to)|"
    r"more (?:common(?:ly)?|often|frequent(?:ly)?)"
)
_RARE = r"rare(?:ly)?|uncommon(?:ly)?|infrequent(?:ly)?|seldom"
_NEED = r"unnecessary|(?:little|no) need|(?:of )?limited value"
_KNOW = r"unaware|poor knowledge|knowledge deficit|lack(?:ed)? (?:of )?(?:awareness|knowledge)"
_SAFE = r"safe|harmless|well[- ]tolerated"
_PREDICATE_DENIALS: dict[str, str] = {
    "adequate": "inadequate(?:ly)?",
    "sufficient": "insufficient(?:ly)?",
    "accurate": "inaccurate",
    "appropriate": "inappropriate",
    "effective": "ineffective",
    "safe": "unsafe",
    "reliable": "unreliable",
    "valid": "invalid",
    "useful": "(?:of )?(?:limited|little|no) (?:value|use|usefulness)",
    "necessary": _NEED,
    "needed": _NEED,
    "justified": "unjustified",
    "feasible": "infeasible|unfeasible",
    "aware": _KNOW,
    "know": _KNOW,
    "similar": "dissimilar|" + _DIFFER,
    "same": _DIFFER,
    "equivalent": _DIFFER,
    "comparable": _DIFFER,
    "identical": _DIFFER,
    # added with the contradiction forms above, from the BioASQ-style claims
    "cost-effective": "cost-ineffective",
    "commonly": _RARE,
    "common": _RARE,
    "sensitive": r"insensitive|(?:low|poor|limited) sensitivity",
    "successful": "unsuccessful",
    "curable": "incurable",
    # harm, in general words, is denied by a finding of safety
    "harmful": _SAFE,
    "dangerous": _SAFE,
    "hazardous": _SAFE,
}
_COPULA = (
    r"(?:(?:be|been|is|are|was|were|always|very|necessarily|entirely|fully|as|"
    r"appear to be|seem to be)\s+)?"
)
_CLAUSE_BREAK = re.compile(r"[,;]")


#: (the word's opposites, its neighbour's stem, neighbour after the word?, the
#: word's own pole, stems of which the sentence must name one too)
Slot = tuple[frozenset[str], str, bool, frozenset[str], frozenset[str]]
# Neighbours that say which quantity, not of what: "a lower risk" of PONV
# does not deny "an increased risk of postoperative bleeding", so the words
# after them ("of postoperative bleeding") must be named as well.
_QUANTITIES = frozenset(
    terms.stem(w)
    for w in (
        "risk", "risks", "rate", "rates", "incidence", "level", "levels", "activity", "number",
        "severity", "odds", "frequency", "prevalence", "likelihood", "chance", "concentration",
        "concentrations", "expression",
    )
)  # fmt: skip
_NEGATOR_BEFORE = re.compile(r"\b(?:not|no|never|without|nor|neither)\b")


@dataclass(frozen=True, slots=True)
class Claim:
    """What of a question a finding can contradict."""

    #: the question's contrastable words beside their neighbours
    slots: tuple[Slot, ...]
    #: stems of the head noun whose existence the question asks about
    exists: tuple[str, ...]
    #: stems of what the question asks may be used ("valproate")
    use: tuple[str, ...]
    #: the evaluative predicates it asks about ("adequate", "cost-effective")
    predicates: tuple[str, ...]
    #: stems of the question's words a finding may deny ("present" in "is the
    #: majority of variation present in coding regions?")
    asserted: frozenset[str]
    #: the question's specific words, one tuple of stems each
    #: (``terms.concept_units``): a contradicting sentence names half of them
    about: tuple[tuple[str, ...], ...]


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


@cache
def _opposites() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """word -> (its opposites, its own pole), over every pole it sits in."""
    out: dict[str, tuple[set[str], set[str]]] = {}
    for a, b in _POLES:
        for own, other in ((set(a.split()), set(b.split())), (set(b.split()), set(a.split()))):
            for w in own:
                opp, same = out.setdefault(w, (set(), set()))
                opp |= other
                same |= own
    return {w: (frozenset(o), frozenset(s)) for w, (o, s) in out.items()}


def _content(word: str) -> bool:
    return word not in terms.STOPWORDS and len(word) > 1 and not word.isdigit()


@lru_cache(maxsize=4096)
def read_claim(question: str) -> Claim:
    words = _words(question)
    poles = _opposites()
    slots = []
    for i, w in enumerate(words):
        if w not in poles:
            continue
        opposite, own = poles[w]
        if opposite & set(words):  # "minor and major antigens": both are asked about
            continue
        after = [x for x in words[i + 1 : i + 1 + _WINDOW] if _content(x) and x not in poles]
        before = [x for x in words[max(0, i - _WINDOW) : i] if _content(x) and x not in poles]
        if after:
            neighbour = terms.stem(after[0])
            also: frozenset[str] = frozenset()
            if neighbour in _QUANTITIES:  # "risk of postoperative bleeding": of what
                k = words.index(after[0], i + 1)
                also = frozenset(
                    terms.stem(x) for x in words[k + 1 : k + 4] if _content(x) and x not in poles
                )
            slots.append((opposite, neighbour, True, own, also))
            # a compound it qualifies: "large blood vessels" / "small vessels"
            nxt = words[i + 2] if i + 2 < len(words) else ""
            if words[i + 1] == after[0] and _content(nxt) and nxt not in poles:
                slots.append((opposite, terms.stem(nxt), True, own, frozenset()))
        elif before:  # "is the risk lower?"
            slots.append((opposite, terms.stem(before[-1]), False, own, frozenset()))
    exists: tuple[str, ...] = ()
    m = _EXISTS.search(question)
    if m:
        np = _NP_END.split(" " + m.group("np"))[0].split()
        head = next((w for w in reversed([x.lower() for x in np]) if _content(w)), None)
        if head:
            exists = tuple(terms.stem(k) for k in _KIN.get(head, (head,)))
    use: tuple[str, ...] = ()
    m = _MAY_USE.match(question)
    if m:
        thing = m.group("x") or m.group("y") or ""
        use = tuple(terms.stem(w) for w in _words(thing) if _content(w))
    return Claim(
        tuple(slots),
        exists,
        use,
        asked_predicates(question),
        frozenset()
        if negated(question)
        else frozenset(terms.stem(w) for w in words if _content(w) and w not in _NOT_ASSERTED),
        tuple(terms.concept_units(question)),
    )


def contradiction(
    question: str,
    sentences: Iterable[str],
    document_stems: Sequence[str] = (),
    abbrev: Mapping[str, tuple[str, ...]] | None = None,
) -> str | None:
    """The first of ``sentences`` that contradicts ``question``'s claim, if any.

    ``document_stems``: the content stems of the whole abstract, so that a
    sentence referring back to its condition ("the disorder") counts as being
    about the question when the abstract names it; ``abbrev``: the
    abbreviations the abstract defines.
    """
    claim = read_claim(question)
    if not (claim.slots or claim.exists or claim.use or claim.predicates or claim.asserted):
        return None
    by_document = _named(claim, list(document_stems))
    for sentence in sentences:
        names_use = bool(claim.use) and any(terms.stem(w) in claim.use for w in _words(sentence))
        # clause by clause: in "no association with emotional disorders, while
        # ADHD might be associated", the denial is not about ADHD
        stated = _ratio_directions(sentence)
        for clause in clauses(sentence):
            low = clause.lower()
            # the direction a ratio states, beside "risk", read as words; the
            # sentence's when the clause split it from its interval
            low += "".join(f" {d} risk" for d in _ratio_directions(clause) or stated)
            named = _named(claim, terms.content_stems(clause, abbrev))
            if not (named or (by_document and _ANAPHOR.search(low))):
                continue
            words = _words(low)
            stems = [terms.stem(w) for w in words]
            if (
                _denies_existence(claim, low)
                or (claim.predicates and denies(claim.predicates, clause))
                or (names_use and _unsafe(low))
            ):
                return sentence
            # an opposite property or a negated word: of the question's subject only
            if (
                _slot_reversed(claim, words, stems) or _negates_asserted(claim, low)
            ) and _names_subject(claim, sentence, abbrev, by_document):
                return sentence
    return None


def _names_subject(
    claim: Claim, sentence: str, abbrev: Mapping[str, tuple[str, ...]] | None, by_document: bool
) -> bool:
    """Whether ``sentence`` names what the question is about: its first
    specific word, or, in an abstract that names it, "the disorder" or a
    sentence that opens with "It" or "This". An opposite property of something else
    is no contradiction: "elevated insulin is associated with an increased
    risk of recurrence" says nothing on whether exercise reduces it (BioASQ
    dev verdict 0.780 -> 0.793; PubMedQA 10-fold CV reasoning-free 0.735 ->
    0.738)."""
    if by_document and _REFERS_BACK.search(sentence):
        return True
    return terms.names_subject(claim.about, sentence, abbrev)


def _negates_asserted(claim: Claim, low: str) -> bool:
    """Whether the clause negates one of the question's own words: "the
    majority of genetic variation is not present within the coding region"
    for "is the majority of genetic variation present in coding regions?"."""
    return any(terms.stem(m.group("w")) in claim.asserted for m in _NEGATED_WORD.finditer(low))


def _ratio_directions(text: str) -> list[str]:
    out = []
    for m in _RATIO.finditer(text):
        lo, hi = float(m.group("lo")), float(m.group("hi"))
        if hi > lo > 1:
            out.append("higher")
        elif lo < hi < 1:
            out.append("lower")
    return out


def _named(claim: Claim, stems: list[str]) -> bool:
    """Whether ``stems`` name at least half the question's specific words."""
    present = terms.units_present(claim.about, stems)
    return 2 * sum(present) >= len(present)


def _near(stems: list[str], j: int, stem: str, after: bool) -> bool:
    span = stems[j + 1 : j + 1 + _WINDOW] if after else stems[max(0, j - _WINDOW) : j]
    return stem in span


def _slot_reversed(claim: Claim, words: list[str], stems: list[str]) -> bool:
    return any(_slot(slot, words, stems) == "flipped" for slot in claim.slots)


def _slot(slot: Slot, words: list[str], stems: list[str]) -> str | None:
    """``flipped`` where the opposite of the question's word stands beside its
    neighbour, ``kept`` where the word itself does (not negated), else None;
    "higher in A and lower in B" compares both and is neither."""
    opposite, neighbour, after, own, also = slot
    if also and not also.intersection(stems):
        return None
    flipped = kept = False
    for j, w in enumerate(words):
        if (w in opposite or w in own) and _near(stems, j, neighbour, after):
            if w in opposite:
                flipped = True
            elif not _NEGATOR_BEFORE.search(" ".join(words[max(0, j - 4) : j])):
                kept = True
    if flipped != kept:
        return "flipped" if flipped else "kept"
    return None


def _denies_existence(claim: Claim, low: str) -> bool:
    if not claim.exists:
        return False
    for m in _WORD.finditer(low):
        if terms.stem(m.group()) not in claim.exists:
            continue
        # "no approved vaccine", "not any H. pylori vaccine": a negator in the
        # four words before the head, with nothing but its modifiers between
        if _NEGATED_HEAD.search(" ".join(low[: m.start()].split()[-4:])):
            return True
        if _NOT_AVAILABLE.match(low[m.end() :]):
            return True
    return False


def _unsafe(low: str) -> bool:
    for m in _UNSAFE.finditer(low):
        clause = re.split(r"[,;]", low[: m.start()])[-1]
        if not _CLAUSE_NEGATED.search(clause):
            return True
    return False


def denies_predicate(question: str, sentence: str) -> bool:
    """Whether ``sentence`` denies the evaluative predicate ``question`` asks about.

    "Are current guidelines adequate?" is answered "no" by "Current guidelines
    are inadequate ..." and by "... are not adequate ...", unless the denial is
    itself negated ("not inadequate", "did not differ").
    """
    return denies(asked_predicates(question), sentence)


@lru_cache(maxsize=4096)
def asked_predicates(question: str) -> tuple[str, ...]:
    """The evaluative predicates ``question`` asks about ("adequate"), none
    for a negated question ("Is X not adequate?")."""
    if negated(question):
        return ()
    return tuple(w for w in _PREDICATE_DENIALS if _asks(w).search(question))


def denies(predicates: tuple[str, ...], sentence: str) -> bool:
    for word in predicates:
        for m in _denial(word).finditer(sentence):
            clause_before = _CLAUSE_BREAK.split(sentence[: m.start()])[-1]
            if m.group().lower().startswith("not") or not cues.count("negation", clause_before):
                return True
    return False


@cache
def _asks(word: str) -> re.Pattern[str]:
    return re.compile(rf"\b{word}\b", re.IGNORECASE)


@cache
def _denial(word: str) -> re.Pattern[str]:
    return re.compile(
        rf"\bnot\s+{_COPULA}{word}\b|\b(?:{_PREDICATE_DENIALS[word]})\b", re.IGNORECASE
    )
