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
* ranges: where both the question and the recommendation state ages ("women
  over 75", "women 75 years or older") or a laboratory value ("ferritin
  above 100", "ferritin <=75 ng/mL"), a recommendation whose range overlaps
  the question's fits better, and one whose range does not (the USPSTF's
  "women aged 40 to 74 years") fits worse: it is still listed, after, as
  context, but does not speak for its body in the bottom line
  (``medbrief.synthesize.ranges``). Routes of giving count the same way
  ("oral iron" against "IV ferric carboxymaltose"), and a recommendation
  only for people with kidney failure or diabetes ranks below others for a
  question that does not name them, and does not speak for its body.

Superseded recommendations, marked as such by their source, are listed after
current ones (see ``guidelines.order``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from medbrief.grade import terms
from medbrief.synthesize.ranges import WINDOW, ages, range_fit, values

Kind = str  # "screening" | "diagnosis" | "intervention"

_KINDS: dict[Kind, re.Pattern[str]] = {
    "screening": re.compile(r"\bscreen\w*", re.I),
    "diagnosis": re.compile(
        r"\b(?:diagnos\w*|(?:laboratory |diagnostic )?testing|tests?\b|evaluat\w*|"
        r"staged\b|staging|classif\w*|work-?up|imaging|rule[sd]? (?:out|in)\b|"
        # "biopsy-proven NASH" says how it was known: no question of diagnosis
        r"biops(?:y|ies)\b(?![\s-]+(?:proven|confirmed|documented)))",
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
        r"teen\w*|youth|kids?|boys?|girls?|school-?age\w*|younger than 18|toddlers?|"
        r"preschool\w*|bab(?:y|ies))\b",
        re.I,
    ),
    "adult": re.compile(
        r"\badults?\b|\baged (?:[2-9]\d|1[89])\b|\b(?:[2-9]\d|1[89]) years or older\b", re.I
    ),
    # from 60: the USPSTF's "adults 60 years or older" (aspirin) are its older adults
    "older": re.compile(
        r"\b(?:older (?:adults|people|persons|patients|women|men)|elderly|geriatric|"
        r"aged (?:[6-9]\d)|(?:[6-9]\d) years (?:and|or) older)\b|"
        # "Age > 75 years" (ACC/AHA 2018 cholesterol guideline)
        r"\bage[ds]?\s*(?:>|>=|\u2265|over|above|older than)\s*[6-9]\d\b",
        re.I,
    ),
    "pregnancy": re.compile(
        # conditions of pregnancy name it too: "aspirin to prevent preeclampsia"
        # a newborn's gestational age ("Initial FiO2 by Gestational Age",
        # "infants born at < 32 weeks' gestation") is no pregnancy
        r"\b(?:pregnan\w*|gestation(?!al age)\w*|prenatal|antenatal|obstetric\w*|postpartum|"
        r"peripartum|trimester|(?:pre-?)?eclampsia|HELLP|miscarriage|"
        r"preterm (?:birth|labou?r|delivery))\b",
        re.I,
    ),
    "breastfeeding": re.compile(
        r"\b(?:breast-?feed\w*|breast milk|lactat(?:ing|ion)|"
        r"(?:nursing|new) (?:mothers?|women|infants?))\b",
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
    # patients having surgery, as whom a statement is for ("Continue
    # methotrexate ... through surgery" is no answer on methotrexate in RA)
    "surgery": re.compile(
        r"\b(?:perioperative\w*|preoperative\w*|postoperative\w*|arthroplasty|"
        r"(?:before|through|during|after) (?:\w+ )?(?:surgery|operation)|noncardiac surgery)\b",
        re.I,
    ),
    # people with diabetes as whom a statement is for, not diabetes as one
    # risk factor in a list ("(i.e. dyslipidemia, diabetes, hypertension)")
    "diabetes": re.compile(
        r"\b(?:patients|adults|people|persons|individuals|those|women|men|children|youth)\s+"
        r"(?:\w+\s+)?with\s+(?:type [12] |T[12]D? )?diabet\w*|(?<!non )(?<!non-)\bdiabetics\b",
        re.I,
    ),
}
#: how guidelines name each group, added to the search for recommendations
#: when the question names it ("african american patients": "Black adults")
_GROUP_NAMES: dict[str, tuple[str, ...]] = {
    "young": ("children", "adolescents"),
    "older": ("older adults",),
    "pregnancy": ("pregnant", "pregnancy"),
    "breastfeeding": ("breastfeeding", "lactation"),
    "black": ("Black adults", "African American"),
}
#: groups that rank a recommendation first when both sides name them
_RANKING_GROUPS = (
    "older",
    "pregnancy",
    "breastfeeding",
    "black",
    "young",
    "women",
    "men",
    "smokers",
    "never smoked",
    "kidney",
    "diabetes",
)

#: groups a recommendation may be for alone, narrower than a question that
#: does not name them ("adults with RLS and end-stage renal disease")
_NARROWING_GROUPS = ("kidney", "diabetes", "surgery")
#: routes of giving a treatment
_ROUTES: dict[str, re.Pattern[str]] = {
    "oral": re.compile(r"\b(?:oral(?:ly)?|by mouth|tablets?|capsules?)\b", re.I),
    "intravenous": re.compile(r"\b(?:IV|intravenous(?:ly)?|infusions?)\b", re.I),
    "subcutaneous": re.compile(r"\b(?:subcutaneous(?:ly)?|SC|SQ)\b", re.I),
    "intramuscular": re.compile(r"\b(?:intramuscular(?:ly)?|IM)\b", re.I),
    "topical": re.compile(r"\btopical(?:ly)?\b", re.I),
    "inhaled": re.compile(r"\binhal(?:ed|ation|ers?)\b", re.I),
    # into the cerebrospinal fluid: the IDSA 2017 ventriculitis guideline
    # writes "intraventricular" where questions often say "intrathecal"
    "intrathecal": re.compile(r"\b(?:intrathecal(?:ly)?|intraventricular(?:ly)?)\b", re.I),
}

#: scales on which guidelines split their recommendations, each level with
#: the words that name it: how severe a condition is ("Do NOT routinely use
#: corticosteroids in adults with nonsevere CAP" against "... with severe
#: CAP"; nonsevere is mild or moderate) and how high a risk is ("Routine
#: screening with noninvasive stress testing is not useful for patients
#: undergoing low-risk surgery" against "For patients with elevated risk ...")
_SCALES: tuple[tuple[tuple[re.Pattern[str], frozenset[str]], ...], ...] = tuple(
    tuple((re.compile(pattern, re.I), frozenset(levels)) for pattern, levels in scale)
    for scale in (
        (
            (r"\bnon-?severe\b|\bnot severe\b", ("mild", "moderate")),
            (r"\bmild(?:ly)?\b", ("mild",)),
            (
                r"\bmoderate(?:ly)?\b(?!\s+(?:quality|certainty|evidence|intensity|dose))",
                ("moderate",),
            ),
            # a patient in intensive care is severely ill ("CAP in the ICU")
            (
                r"(?<!non-)(?<!non)(?<!not )\bsevere(?:ly)?\b|"
                r"\bin (?:the )?(?:ICU|intensive care)\b",
                ("severe",),
            ),
        ),
        # a pretest probability: "low pretest probability PE" against the Wells
        # model's "PE Likely (Score > 4.0)"
        (
            (
                r"\blow (?:pre-?test |clinical )?probability\b|\b(?:PE|DVT) unlikely\b|"
                r"\blow[- ]risk patients\b",
                ("low",),
            ),
            (
                r"\b(?:intermediate|moderate) (?:pre-?test |clinical )?probability\b",
                ("intermediate",),
            ),
            (r"\bhigh (?:pre-?test |clinical )?probability\b|\b(?:PE|DVT) likely\b", ("high",)),
        ),
        # when in a condition's course: "Prophylactic use of phenytoin ... is not
        # recommended for preventing late post-traumatic seizures" against
        # "... early post-traumatic seizures (within 7 days of injury)"
        ((r"\bearly\b", ("early",)), (r"\blate\b", ("late",))),
        # how active a disease is, in whom a statement is for: "For patients
        # presenting with low disease activity: Hydroxychloroquine ..." against
        # "moderate-to-high disease activity" (ACR 2021 RA guideline); not a
        # goal ("treatment goal of low disease activity")
        (
            (r"\b(?:with|in) low disease activity\b", ("low",)),
            (r"\bmoderate(?:[- ]to[- ]high)? disease activity\b", ("moderate",)),
            (r"\bhigh disease activity\b", ("high",)),
        ),
        # how many episodes: "First gout flare only: conditionally recommended
        # against starting ULT" against "Frequent gout flares defined as >= 2
        # flares per year" (ACR 2020 gout guideline)
        (
            (
                r"\b(?:first|single|one|initial) (?:\w+ )?(?:flare|attack|episode|event)s?\b",
                ("first",),
            ),
            (
                r"\b(?:recurrent|frequent|repeated)\b|"
                r"(?:>=|≥|>|two or more|2 or more)\s*(?:1|2|two)?\s*(?:prior )?"
                r"(?:\w+ )?(?:flares?|attacks?|episodes?)\b",
                ("recurrent",),
            ),
        ),
        (
            (
                # "women who are not at increased risk for breast cancer"
                r"\blow[- ]risk\b|\blow risk of\b|\bat low risk\b|"
                r"\bnot at (?:elevated|high|increased) risk\b",
                ("low risk",),
            ),
            (r"\bintermediate[- ]risk\b", ("intermediate risk",)),
            (
                r"(?<!not at )\b(?:elevated|high|increased)[- ]risk\b|"
                r"(?<!not )\bat (?:elevated|high|increased) risk\b",
                ("high risk",),
            ),
        ),
    )
)

_SUPERSEDED = re.compile(r"\bsuperseded\b", re.I)


@dataclass(frozen=True, slots=True)
class QuestionScope:
    """What the question says about the kind of action and whom it is for."""

    kinds: frozenset[Kind]
    groups: frozenset[str]
    #: the question itself, for the ranges it states (``ranges``)
    text: str = ""


# bounded: a server sees a new question with every request
@lru_cache(maxsize=1024)
def question_scope(question: str) -> QuestionScope:
    # a question that names diabetes or kidney disease at all asks about people
    # who have it ("finerenone in diabetic kidney disease"); in a recommendation
    # it may be one risk factor of a list (``_GROUPS``)
    groups = _groups(question) | {g for g, p in _ASKED_GROUPS.items() if p.search(question)}
    # an age stated is a group too: "my 16 year old" is an adolescent
    stated = ages(question)
    if stated is not None and stated[1] < 18:
        groups |= {"young"}
    kinds = _kinds(question) | ({"screening"} if _ASKED_CHECK.search(question) else set())
    kinds |= {"diagnosis"} if _ASKED_TEST.search(question) else set()
    return QuestionScope(frozenset(kinds), groups, question)


#: a check of people without symptoms, in a question's lay words ("skin check
#: for melanoma", "should kids get their cholesterol checked"); not read in
#: recommendations, where "check INR" is no screening
_ASKED_CHECK = re.compile(r"\b(?:skin checks?|check-?ups?|get (?:\w+ ){1,3}checked)\b", re.I)


#: a measurement asked about ("Should ferritin be checked in all RLS patients?"):
#: a question of testing, answered by "clinicians should regularly test serum
#: iron studies", not by a treatment for those whose ferritin is low
_ASKED_TEST = re.compile(
    r"\b(?:be|been|get|gets|getting)\s+(?:\w+\s+){0,2}?(?:checked|measured|tested)\b", re.I
)


#: not where the question excludes it: "SGLT2 inhibitors in CKD without diabetes"
_NOT_NAMED = r"(?<!without )(?<!non-)(?<!non )(?<!non)(?<!no )(?<!not )"
_ASKED_GROUPS = {
    # and what only people with diabetes have or take ("DKA", "A1C", "metformin")
    "diabetes": re.compile(
        _NOT_NAMED + r"\b(?:(?:pre)?diabet\w*|T[12]DM?\b|DKA\b|HHS\b|ketoacidosis|"
        r"hyperglyc\w*|hypoglyc\w*|glyc(?:a)?emic|(?:Hb)?A1c\b|glycated|insulin\w*|"
        r"metformin|sulfonylureas?)",
        re.I,
    ),
    # any surgery a question names: "wait for elective surgery after a stent",
    # "stop clopidogrel before CABG", "before a cholecystectomy"
    "surgery": re.compile(
        r"\b(?:surg\w*|operati\w*|perioperative\w*|preoperative\w*|postoperative\w*|"
        r"arthroplasty|CABG|bypass graft\w*|\w{3,}ectom(?:y|ies)|(?:hip|knee|joint) "
        r"replacement|c-?section|caesarean|cesarean)\b",
        re.I,
    ),
    "kidney": re.compile(
        _NOT_NAMED + r"\b(?:kidney disease|nephropath\w*|renal (?:disease|impairment|"
        r"insufficiency)|DKD\b|eGFR\b)",
        re.I,
    ),
}


def _kinds(text: str) -> frozenset[Kind]:
    return frozenset(k for k, pattern in _KINDS.items() if pattern.search(text))


def _groups(text: str) -> frozenset[str]:
    named = frozenset(g for g, pattern in _GROUPS.items() if pattern.search(text))
    # the perinatal period is pregnancy and the year after birth (ACOG 2018:
    # perinatal depression): a statement on it is for pregnant and for
    # breastfeeding women, a question on it asks about both
    return named | _PERINATAL if _PERINATAL_WORD.search(text) else named


_PERINATAL_WORD = re.compile(r"\bperinatal\b", re.I)
_PERINATAL = frozenset({"pregnancy", "breastfeeding"})


def states_ages(question: str) -> bool:
    """Whether the question says what ages it is about ("aged 45 to 49")."""
    return ages(question) is not None


def last_heading(section: str | None) -> str:
    """The innermost heading of a section path ("A > B > C": "C")."""
    return (section or "").split(">")[-1].strip()


def stated_population(population: str | None, section: str | None) -> str | None:
    """Whom a recommendation is for: its population, else the last part of
    its section heading when that names a group ("Special Populations > Black
    Adults": "Black Adults") or a range of a value ("HFmrEF Pharmacotherapy
    (LVEF 41-49%)"; not a time: "Door-to-Needle < 60 Minutes")."""
    if population:
        return population
    tail = last_heading(section)
    # (a heading on the perioperative period is a setting, not whom it is for)
    return tail if tail and (_groups(tail) - {"surgery"} or set(values(tail)) - {WINDOW}) else None


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


#: a group named as included, not as the only one: "for all patients,
#: including those with CKD stage >= 3"
_INCLUDING = re.compile(r"\b(?:including|even in|as well as)\b[^.;)]*", re.I)


def _widened(kinds: frozenset[Kind]) -> frozenset[Kind]:
    """A question on diagnosis is answered by a screening tool too ("Should
    qSOFA be used to diagnose sepsis?": "The SSC recommends against using
    qSOFA ... as a single screening tool"); one on screening is not answered
    by a diagnostic work-up of people with symptoms."""
    return kinds | {"screening"} if "diagnosis" in kinds else kinds


def other_kind(question: QuestionScope, text: str) -> bool:
    """Whether a passage is of another kind than the question asks ("HCC
    screening ..." for "nash and diabetes, which drug")."""
    kinds = _kinds(text)
    return bool(question.kinds and kinds and not _widened(question.kinds) & kinds)


def fits(question: QuestionScope, kinds: frozenset[Kind], population: str) -> bool:
    """Whether a recommendation of ``kinds`` for ``population`` (its stated
    population, section and statement) can answer the question."""
    if question.kinds and kinds and not _widened(question.kinds) & kinds:
        return False
    # "Sexually active women, including pregnant persons" is not for pregnancy only
    groups = _groups(_INCLUDING.sub(" ", population))
    asked = question.groups
    # "Pregnant women, new mothers, and their children" are not for children only
    young_only = "young" in groups and not groups & {"adult", "older", "pregnancy", "breastfeeding"}
    if young_only and "young" not in asked:
        return False
    adult_only = bool(groups & {"adult", "older"}) and "young" not in groups
    if adult_only and "young" in asked and not asked & {"adult", "older"}:
        return False
    pregnancy_only = "pregnancy" in groups and "adult" not in groups and not _not_only(population)
    # "Pregnant women, new mothers, and their children" are for breastfeeding too
    if pregnancy_only and "pregnancy" not in asked and not asked & groups:
        return False
    # "interventions to support breastfeeding" are no answer on drugs in general
    # (one for the perinatal period answers on pregnancy too)
    if (
        "breastfeeding" in groups
        and "breastfeeding" not in asked
        and "adult" not in groups
        and not {"pregnancy"} <= groups & asked
    ):
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


def routes(text: str) -> frozenset[str]:
    """The routes of giving a treatment a text names ("oral iron": oral)."""
    return frozenset(asked_routes(text))


def asked_routes(text: str) -> list[str]:
    """The routes of giving a text names, in its order ("intravenous",
    "oral" for "Is IV iron better than oral iron?")."""
    found = {r: m.start() for r, p in _ROUTES.items() if (m := p.search(text))}
    return sorted(found, key=found.__getitem__)


def route_pattern(route: str) -> re.Pattern[str]:
    """What names ``route`` in a text (one of :func:`routes`)."""
    return _ROUTES[route]


def other_route(question: str, text: str) -> bool:
    """Whether a recommendation names routes and none the question asks
    about ("IV ferric carboxymaltose" for "Is oral iron effective ...?")."""
    asked, stated = routes(question), routes(text)
    return bool(asked and stated and not asked & stated)


def _levels(scale: tuple[tuple[re.Pattern[str], frozenset[str]], ...], text: str) -> set[str]:
    return {level for pattern, levels in scale if pattern.search(text) for level in levels}


def severities(text: str) -> frozenset[str]:
    """The levels a text names on each scale (mild, moderate, severe; low,
    intermediate, high risk)."""
    return frozenset(level for scale in _SCALES for level in _levels(scale, text))


_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}
#: a numbered stage ("Stage 1 Hypertension", "stage 1--2 CKD", "CKD stage >= 3",
#: "stages II-III"); a letter after it ("3a") is within the same stage
#: (and a numbered step of a stepwise plan, GINA's "Step 1" to "Step 5": a
#: scale of its own)
_STAGE = re.compile(
    r"\b(?P<scale>stage|step)s?\s*(?P<from>>=|≥)?\s*(?P<a>IV|V|I{1,3}|[0-5])[ab]?\b"
    r"(?:\s*(?:--|\u2013|-|to|or|and)\s*(?P<b>IV|V|I{1,3}|[1-5])[ab]?\b)?",
    re.I,
)


def _stage_number(word: str) -> int:
    return int(word) if word.isdigit() else _ROMAN[word.upper()]


def stages(text: str, scale: str = "stage") -> frozenset[int]:
    """The numbered stages (or steps) a text names ("Stage 2 Hypertension":
    {2}; "Stage >= 3 CKD": {3, 4, 5})."""
    found: set[int] = set()
    for m in _STAGE.finditer(text):
        if m.group("scale").lower() != scale:
            continue
        low = _stage_number(m.group("a"))
        high = 5 if m.group("from") else _stage_number(m.group("b") or m.group("a"))
        found.update(range(low, max(low, high) + 1))
    return frozenset(found)


def other_severity(question: str, text: str) -> bool:
    """Whether a recommendation is only for another level of severity or
    risk than the question names ("nonsevere CAP" for "corticosteroids in
    severe CAP"; "elevated risk" for "stress testing before low-risk
    surgery"; "Stage 2 Hypertension" for "stage 1 hypertension"; "Step 5" for
    "ICS-LABA at step 1"), on a scale both name."""
    for scale in _SCALES:
        asked, stated = _levels(scale, question), _levels(scale, text)
        if asked and stated and not asked & stated:
            return True
    for numbered in ("stage", "step"):
        asked_stages, stated_stages = stages(question, numbered), stages(text, numbered)
        if asked_stages and stated_stages and not asked_stages & stated_stages:
            return True
    return False


#: whom a recommendation keeps something from: "APA recommends that naltrexone
#: not be used by individuals who use opioids", "... by patients who have acute
#: hepatitis or hepatic failure"
_KEPT_FROM = re.compile(
    r"\b(?:not be (?:used|given|offered|prescribed|administered|started)|contraindicated|"
    r"should be avoided)\b[^.;:]*?\b(?:by|in|for) (?:patients|individuals|people|persons|"
    r"those|women|men|adults|children)\s+(?:who (?:have|has|use|are|take)|with)\s+"
    r"(?P<group>[^.;:()]+)"
    # "Fluoroquinolones should be avoided if the patient has been exposed to a
    # fluoroquinolone in the past 12 months"
    r"|\b(?:should be avoided|not be (?:used|given|offered|prescribed))\s+if (?:the )?"
    r"(?:patient|patients|person|individual)s? (?:has|have|had|is|are|was|were)\s+"
    r"(?P<condition>[^.;:()]+)",
    re.I,
)


_NAIVE = re.compile(r"\bna[iï]ve\b", re.I)


def kept_from_others(question: str, text: str) -> bool:
    """Whether a recommendation keeps its subject only from a group the
    question names none of the words of: a contraindication ("not be used by
    patients who have acute hepatitis") does not answer whether naltrexone is
    recommended for alcohol use disorder; asked about "patients on opioids",
    the one for "individuals who use opioids" does."""
    found = _KEPT_FROM.search(text)
    # "in patients who are beta-blocker naive" are whom starting it is about
    if found is None:
        return False
    said = found.group("group") or found.group("condition")
    if _NAIVE.search(said):
        return False
    # the group's own words, not the treatment named before it ("avoided if
    # the patient has been exposed to a fluoroquinolone")
    group = set(terms.content_stems(said)) - set(terms.content_stems(text[: found.start()]))
    subject = set(terms.content_stems(found.group(0)[: found.group(0).find(said)]))
    return not (group - subject) & set(terms.content_stems(question))


_WITHOUT = re.compile(r"\bwithout\s+(?:an?\s+|any\s+)?([a-z][a-z-]{3,})", re.I)
_NOT_HAVING = re.compile(r"\b(?:without|no|non-?)\s*(?:an?\s+|any\s+)?$", re.I)


def names_excluded(question: str, text: str) -> bool:
    """Whether a text is for those the question leaves out: "With
    Cholangitis — Urgent ERCP" for "ERCP in gallstone pancreatitis without
    cholangitis" (not "without cholangitis" itself)."""
    for m in _WITHOUT.finditer(question):
        word = re.escape(m.group(1).lower())
        for found in re.finditer(rf"\b{word}\b", text, re.I):
            if not _NOT_HAVING.search(text[: found.start()]):
                return True
    return False


#: groups for whom a recommendation for people in general does not speak: what
#: is recommended for depression is no answer on sertraline in breastfeeding,
#: a statin for adults none on statins for children
_OWN_EVIDENCE_GROUPS = ("pregnancy", "breastfeeding", "young")


def misses_group(question: QuestionScope, text: str) -> bool:
    """Whether the question asks about pregnancy, breastfeeding or children
    and a recommendation does not name it."""
    named = _groups(text)
    return any(g in question.groups and g not in named for g in _OWN_EVIDENCE_GROUPS)


#: groups a guideline's title makes all its statements for: the ADA's
#: "Standards of Care in Diabetes" and "Hyperglycemic Crises in Adults With
#: Diabetes" are for people with diabetes ("Target LDL < 55 mg/dL" is no
#: answer on LDL after MI in general), KDIGO's CKD guideline for people with
#: chronic kidney disease
_TITLE_GROUPS: dict[str, re.Pattern[str]] = {
    "diabetes": re.compile(r"diabet\w*|hyperglyc\w*", re.I),
    "kidney": _GROUPS["kidney"],
}


def titled_for(title: str) -> frozenset[str]:
    """The groups a guideline's title is for (``_TITLE_GROUPS``)."""
    return frozenset(g for g, pattern in _TITLE_GROUPS.items() if pattern.search(title))


def narrower(question: QuestionScope, population: str) -> bool:
    """Whether a recommendation is only for a group the question does not
    name ("patients with diabetes" for "aspirin for primary prevention")."""
    groups = _groups(_INCLUDING.sub(" ", population))
    return any(g in groups and g not in question.groups for g in _NARROWING_GROUPS)


#: an amount of time, a dose or a proportion ("12 months", "7 days", "< 7%"); ages
#: are ranges (``ranges``)
_QUANTITY = re.compile(
    r"(?<!aged )\b(\d+(?:\.\d+)?)\s*(%|(?:percent|months?|weeks?|days?|hours?|mg|mcg|mmHg|mm Hg|"
    r"years?(?! (?:or|and) older| old| of age))\b)",
    re.I,
)


#: a blood pressure: "130/80"
_PRESSURE = re.compile(r"\b(\d{2,3}/\d{2,3})\b")


def quantities(text: str) -> frozenset[tuple[str, str]]:
    """The amounts a text states, as (number, unit): "12 months" -> ("12", "month"),
    "130/80" -> ("130/80", "mmhg")."""
    return frozenset(
        (number, unit.lower().replace(" ", "").rstrip("s") if unit != "%" else "%")
        for number, unit in _QUANTITY.findall(text)
    ) | {(p, "mmhg") for p in _PRESSURE.findall(text)}


def population_match(question: QuestionScope, population: str) -> int:
    """How many of the question's named groups the recommendation names too,
    plus one for each range both state that overlaps (ages, laboratory values:
    ``ranges.range_fit``), minus one for each that does not; plus one for
    naming the question's route of giving (oral, intravenous), minus one for
    naming only another; minus one for a narrower group the question does not
    name (end-stage renal disease, diabetes); plus one for naming the
    question's level of severity or risk, minus one for naming only another;
    plus one for stating an amount the question states ("12 months")."""
    groups = _groups(population)
    # pregnant women are women: the pregnancy is what a statement must name
    # ("after 12 weeks of gestation", not "CHA2DS2-VASc >= 2 in women")
    asked_groups = (
        question.groups - {"women"} if "pregnancy" in question.groups else question.groups
    )
    named = len(asked_groups & groups & set(_RANKING_GROUPS))
    narrowed = sum(g in groups and g not in question.groups for g in _NARROWING_GROUPS)
    asked, stated = routes(question.text), routes(population)
    by_route = (1 if asked & stated else -1) if asked and stated else 0
    by_severity = (
        -1
        if other_severity(question.text, population)
        else int(bool(severities(question.text) & severities(population)))
    )
    # the amount the question asks about: "DAPT for 12 months after ACS" is
    # answered by "Default: 12 months of DAPT", before "DAPT duration ... should
    # be guided by interprofessional team"
    by_amount = int(bool(quantities(question.text) & quantities(population)))
    return (
        named - narrowed + by_route + by_severity + by_amount + range_fit(question.text, population)
    )


def superseded(*texts: str | None) -> bool:
    """Marked superseded by its source (in the issuing body's name, the
    guideline's title or section, as stored)."""
    return any(t and _SUPERSEDED.search(t) for t in texts)
