"""Does a guideline recommendation fit the question: its kind and its population.

A recommendation that names the question's concepts can still answer another
question: "first line treatment for hypertension in african american patients"
is not answered by a statement on *screening* *children* for high blood
pressure. Two checks, each on what the question and the recommendation say
in words, and each silent when either side says nothing:

* kind: screening (testing people without symptoms), diagnosis (testing,
  evaluation and staging of people with the condition) or intervention
  (treatment, preventive medication, counselling). A recommendation's kind is
  read from the scope of its guideline first (section heading and guideline
  title, e.g. USPSTF's "Screening" and "Preventive medication"), and from its
  statement only when the scope names none: a screening statement that
  mentions "before starting treatment" stays a screening statement.
* population: a recommendation only for children or adolescents does not fit
  a question that names no young population (questions without one are asked
  about adults, as most guidelines are), one only for adults does not fit a
  question only about children, one only for pregnancy does not fit a
  question that does not mention it, and one only for women (men) does not
  fit a question only about men (women). A recommendation that names a group
  the question names (black adults, older adults, pregnancy, smokers,
  people who never smoked, dialysis or end-stage renal disease) fits best
  and is listed first.
* ages: where both the question and the recommendation state ages ("women
  over 75", "women 75 years or older"), a recommendation whose ages overlap
  the question's fits better, and one whose ages do not (the USPSTF's
  "women aged 40 to 74 years") fits worse: it is still listed, after, as
  context, but does not speak for its body in the bottom line.

Superseded recommendations, marked as such by their source, are listed after
current ones (see ``guidelines.order``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

Kind = str  # "screening" | "diagnosis" | "intervention"

_KINDS: dict[Kind, re.Pattern[str]] = {
    "screening": re.compile(r"\bscreen\w*", re.I),
    "diagnosis": re.compile(
        r"\b(?:diagnos\w*|(?:laboratory |diagnostic )?testing|tests?\b|evaluat\w*|"
        r"staged\b|staging|classif\w*|work-?up|imaging|biopsy)",
        re.I,
    ),
    "intervention": re.compile(
        r"\b(?:treat\w*|therap\w*|pharmacotherap\w*|medication\w*|preventive medication|"
        r"drugs?\b|first[- ]line|second[- ]line|manag\w*|prescri\w*|prophyla\w*|supplement\w*|"
        # "low-dose CT" is a test, not a dose of treatment
        r"initiat\w*|dos(?:e|es|ing)\b(?!\s+(?:CT|LDCT|computed|chest|radiation))|"
        r"counsel\w*|surg\w*|interventions?\b|prevent\w*|"
        r"anticoagula\w*|antihypertensive\w*|vaccin\w*|inhibitors?\b|blockers?\b|agonists?\b|"
        r"antagonists?\b)",
        re.I,
    ),
}

#: population groups and the words that name them
_GROUPS: dict[str, re.Pattern[str]] = {
    "young": re.compile(
        r"\b(?:child\w*|paediatric|pediatric|adolescen\w*|infan\w*|neonat\w*|newborns?|"
        r"teen\w*|youth|kids?|boys?|girls?|school-?age\w*|younger than 18)\b",
        re.I,
    ),
    "adult": re.compile(
        r"\badults?\b|\baged (?:[2-9]\d|1[89])\b|\b(?:[2-9]\d|1[89]) years or older\b", re.I
    ),
    # from 60: the USPSTF's "adults 60 years or older" (aspirin) are its older adults
    "older": re.compile(
        r"\b(?:older (?:adults|people|persons|patients|women|men)|elderly|geriatric|"
        r"aged (?:[6-9]\d)|(?:[6-9]\d) years (?:and|or) older)\b",
        re.I,
    ),
    "pregnancy": re.compile(
        r"\b(?:pregnan\w*|gestation\w*|prenatal|antenatal|obstetric\w*|postpartum|"
        r"peripartum|trimester)\b",
        re.I,
    ),
    "women": re.compile(
        r"\b(?:wom[ae]n|females?|postmenopausal|premenopausal|menopaus\w*)\b", re.I
    ),
    "men": re.compile(r"\b(?:m[ae]n|males?)\b", re.I),
    "black": re.compile(r"\b(?:black|african[- ]americans?|african descent|of african)\b", re.I),
    "kidney": re.compile(
        r"\b(?:(?:haemo|hemo)?dialysis|end[- ]stage (?:renal|kidney) disease|ESRD|ESKD|"
        r"chronic kidney disease|CKD|kidney failure|renal failure)\b",
        re.I,
    ),
    # "who have ever smoked", "current smokers"; not "never smoked", "nonsmokers"
    "smokers": re.compile(r"(?<!never )(?<!not )\b(?:smok(?:ed|ers?|ing)|tobacco use\w*)\b", re.I),
    "never smoked": re.compile(r"\bnever smoked\b|\bnon-?smok(?:ers?|ing)\b", re.I),
}
#: how guidelines name each group, added to the search for recommendations
#: when the question names it ("african american patients": "Black adults")
_GROUP_NAMES: dict[str, tuple[str, ...]] = {
    "young": ("children", "adolescents"),
    "older": ("older adults",),
    "pregnancy": ("pregnant", "pregnancy"),
    "black": ("Black adults", "African American"),
}
#: groups that rank a recommendation first when both sides name them
_RANKING_GROUPS = (
    "older",
    "pregnancy",
    "black",
    "young",
    "women",
    "men",
    "smokers",
    "never smoked",
    "kidney",
)

_SUPERSEDED = re.compile(r"\bsuperseded\b", re.I)


Ages = tuple[int, int]


@dataclass(frozen=True, slots=True)
class QuestionScope:
    """What the question says about the kind of action and whom it is for."""

    kinds: frozenset[Kind]
    groups: frozenset[str]
    #: the ages it asks about (inclusive), if it states any
    ages: Ages | None = None


# bounded: a server sees a new question with every request
@lru_cache(maxsize=1024)
def question_scope(question: str) -> QuestionScope:
    return QuestionScope(_kinds(question), _groups(question), ages(question))


def _kinds(text: str) -> frozenset[Kind]:
    return frozenset(k for k, pattern in _KINDS.items() if pattern.search(text))


def _groups(text: str) -> frozenset[str]:
    return frozenset(g for g, pattern in _GROUPS.items() if pattern.search(text))


def states_ages(question: str) -> bool:
    """Whether the question says what ages it is about ("aged 45 to 49")."""
    return ages(question) is not None


_OLDEST = 130
_YEARS = r"(?:years?|yrs?|y)(?: of age)?"
# who can be "over 75": a person, not a blood pressure, a dose or "over 10
# years of follow-up"
_PERSON = (
    r"(?P<who>wom[ae]n|m[ae]n|adults?|people|persons?|patients?|individuals|those|children|"
    r"adolescents|girls|boys|age|aged)"
)
#: (pattern, how its numbers make an inclusive range), most specific first
_AGE_FORMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.I), kind)
    for pattern, kind in (
        (rf"\b(\d{{1,3}})\s*(?:to|-|\u2013|through)\s*(\d{{1,3}})\s*{_YEARS}\b", "range"),
        (r"\b(?:aged?|ages)\s+(\d{1,3})\s*(?:to|-|\u2013|through|and)\s*(\d{1,3})\b", "range"),
        (rf"\b(\d{{1,3}})\s*(?:{_YEARS}\s*)?(?:or|and) (?:older|over|above)\b", "from"),
        (rf"\b{_PERSON}\s+(\d{{1,3}})\s*\+", "from"),
        (rf"\b{_PERSON}\s*(?:>=|≥)\s*(\d{{1,3}})\b", "from"),
        (rf"\b{_PERSON}\s+(?:over|above|older than|>)\s*(\d{{1,3}})\b", "above"),
        (rf"(?:>=|≥)\s*(?:age\s*)?(\d{{1,3}})\s*{_YEARS}\b", "from"),
        (rf"(?:\bolder than|>)\s*(?:age\s*)?(\d{{1,3}})\s*{_YEARS}\b", "above"),
        (rf"\b(\d{{1,3}})\s*{_YEARS}\s*(?:or|and) younger\b", "to"),
        (rf"\b{_PERSON}\s+(?:under|below|younger than|<)\s*(\d{{1,3}})\b", "below"),
        (rf"(?:\byounger than|<)\s*(?:age\s*)?(\d{{1,3}})\s*{_YEARS}\b", "below"),
        (r"\bin (?:their|his|her) (\d)0s\b", "decade"),
        (rf"\b(\d{{1,3}})[- ]{_YEARS}[- ]old\b", "at"),
        (r"\baged?\s+(\d{1,3})\b", "at"),
    )
)


def without_ages(text: str) -> str:
    """``text`` with its statements of age taken out: "Should a 62-year-old
    take aspirin?" is about aspirin, not about "62"."""
    for pattern, _ in _AGE_FORMS:
        # "women over 75": the women stay
        text = pattern.sub(lambda m: f" {m.groupdict().get('who') or ''} ", text)
    return text


def ages(text: str) -> Ages | None:
    """The ages a text states, as one inclusive range: "aged 40 to 74 years"
    (40, 74), "75 years or older" (75, 130), "women over 75" (76, 130),
    "younger than 40" (0, 39), "a 62-year-old" (62, 62). Several ranges are joined
    into the span that covers them; None when the text states no age."""
    spans: list[Ages] = []
    rest = text
    for pattern, kind in _AGE_FORMS:
        for m in pattern.finditer(rest):
            n = [int(g) for g in m.groups() if g is not None and g.isdigit()]
            if kind == "range":
                span = (min(n), max(n))
            elif kind == "from":
                span = (n[0], _OLDEST)
            elif kind == "above":
                span = (n[0] + 1, _OLDEST)
            elif kind == "to":
                span = (0, n[0])
            elif kind == "below":
                span = (0, max(n[0] - 1, 0))
            elif kind == "decade":
                span = (n[0] * 10, n[0] * 10 + 9)
            else:
                span = (n[0], n[0])
            if span[1] <= _OLDEST:
                spans.append(span)
        # a phrase read once: "aged 40 to 74" is not also "aged 40"
        rest = pattern.sub(" ", rest)
    if not spans:
        return None
    return min(lo for lo, _ in spans), max(hi for _, hi in spans)


def stated_population(population: str | None, section: str | None) -> str | None:
    """Whom a recommendation is for: its population, else the last part of
    its section heading when that names a group ("Special Populations > Black
    Adults": "Black Adults")."""
    if population:
        return population
    tail = (section or "").split(">")[-1].strip()
    return tail if tail and _groups(tail) else None


def population_terms(question: str) -> list[str]:
    """Names of the question's population groups as guidelines write them."""
    groups = question_scope(question).groups
    return [name for g in _RANKING_GROUPS if g in groups for name in _GROUP_NAMES.get(g, ())]


def recommendation_kinds(section: str, statement: str, title: str) -> frozenset[Kind]:
    """The kinds of a recommendation: from its section heading when that
    names any, else from its statement, else from its guideline's title
    (a title often names every kind: "Prevention, Detection, Evaluation, and
    Management of High Blood Pressure")."""
    return _kinds(section) or _kinds(statement) or _kinds(title)


def fits(question: QuestionScope, kinds: frozenset[Kind], population: str) -> bool:
    """Whether a recommendation of ``kinds`` for ``population`` (its stated
    population, section and statement) can answer the question."""
    if question.kinds and kinds and not question.kinds & kinds:
        return False
    groups = _groups(population)
    asked = question.groups
    young_only = "young" in groups and "adult" not in groups and "older" not in groups
    if young_only and "young" not in asked:
        return False
    adult_only = bool(groups & {"adult", "older"}) and "young" not in groups
    if adult_only and "young" in asked and not asked & {"adult", "older"}:
        return False
    pregnancy_only = "pregnancy" in groups and "adult" not in groups and not _not_only(population)
    if pregnancy_only and "pregnancy" not in asked:
        return False
    for one, other in (("women", "men"), ("men", "women")):
        if one in groups and other not in groups and other in asked and one not in asked:
            return False
    return True


_NOT_ONLY_PREGNANCY = re.compile(
    r"\bnon-?pregnant\b|\b(?:could|may|might|plan(?:ning)? to|able to|capable of) become pregnant",
    re.I,
)


def _not_only(population: str) -> bool:
    # "nonpregnant adults", "persons who plan to or could become pregnant"
    # are not a recommendation for pregnancy only
    return bool(_NOT_ONLY_PREGNANCY.search(population))


#: age groups named in words, as inclusive ranges of years
_AGE_WORDS: tuple[tuple[re.Pattern[str], Ages], ...] = tuple(
    (re.compile(pattern, re.I), span)
    for pattern, span in (
        (r"\b(?:neonat\w*|newborns?|infan\w*)", (0, 1)),
        (r"\b(?:child\w*|paediatric|pediatric|kids?|boys|girls|school-?age\w*)", (0, 17)),
        (r"\b(?:adolescen\w*|teen\w*|youth)", (10, 19)),
        (r"\badults?\b|\badulthood\b", (18, _OLDEST)),
        (
            r"\b(?:older|elderly|geriatric|seniors?|aged (?:people|persons|patients|women|men))\b",
            (60, _OLDEST),
        ),
        (r"\bpostmenopausal\b", (45, _OLDEST)),
        (r"\boctogenarians?\b", (80, 89)),
        (r"\bnonagenarians?\b", (90, 99)),
    )
)


def of_the_ages(asked: Ages | None, text: str) -> bool:
    """Whether a text is about the ages a question asks about: it states
    ages that overlap them ("women aged 70 to 84") or names an age group
    that does ("elderly women" for women over 75). A study of women at any
    age that states none (a screening van's yield) is no answer to whether
    women over 75 should be screened. True when the question states no ages."""
    if asked is None:
        return True
    spans = [span for pattern, span in _AGE_WORDS if pattern.search(text)]
    stated = ages(text)
    if stated is not None:
        spans.append(stated)
    return any(lo <= asked[1] and asked[0] <= hi for lo, hi in spans)


def other_ages(asked: Ages | None, population: str) -> bool:
    """Whether a recommendation's stated ages miss the question's altogether
    ("adults aged 76 to 85 years" for "adults over 85")."""
    stated = ages(population)
    if asked is None or stated is None:
        return False
    return not (stated[0] <= asked[1] and asked[0] <= stated[1])


def population_match(question: QuestionScope, population: str) -> int:
    """How many of the question's named groups the recommendation names too,
    plus one when both state ages and they overlap, minus one when they do not."""
    named = len(question.groups & _groups(population) & set(_RANKING_GROUPS))
    if question.ages is None or ages(population) is None:
        return named
    return named + (-1 if other_ages(question.ages, population) else 1)


def superseded(*texts: str | None) -> bool:
    """Marked superseded by its source (in the issuing body's name, the
    guideline's title or section, as stored)."""
    return any(t and _SUPERSEDED.search(t) for t in texts)
