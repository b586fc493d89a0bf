"""The ranges a text states: ages, the laboratory values and scores that
define whom a recommendation is for, and treatment windows.

Guidelines say whom they are for in numbers as often as in words: "women
aged 40 to 74 years", "adults with RLS and ferritin <=75 ng/mL", "eGFR >=30",
"CHA2DS2-VASc >= 2", "onset-to-needle <= 4.5 hours".
A question that states a range of its own ("women over 75", "ferritin above
100") is answered by a recommendation whose range overlaps it, not by one
whose range misses it. Each range is read as one inclusive span (several
mentions joined into the span that covers them), and two texts are compared
only on what both state.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

Ages = tuple[int, int]
Span = tuple[float, float]

_OLDEST = 130
_YEARS = r"(?:years?|yrs?|y)(?: of age)?"
# who can be "over 75": a person, not a blood pressure, a dose or "over 10
# years of follow-up"
_PERSON = (
    r"(?P<who>wom[ae]n|m[ae]n|adults?|people|persons?|patients?|individuals|those|children|"
    r"adolescents|girls|boys|age|aged)"
)


def _forms(*forms: tuple[str, str]) -> tuple[tuple[re.Pattern[str], str], ...]:
    """``(pattern, kind)`` pairs compiled, case-insensitive."""
    return tuple((re.compile(pattern, re.I), kind) for pattern, kind in forms)


#: what may follow a bare number that makes it no age: a unit, a time, a ratio
_NO_UNIT = (
    r"(?![.,]\d|\s*(?:[-/%\u2013]|weeks?|days?|months?|hours?|h\b|min\w*|seconds?|mg|mcg|g\b|"
    r"kg|m?mol|mm\w*|cm|ml|l\b|units?|u\b|iu|bpm|ng|pg|times|percent|points?|degrees?))"
)
#: words whose number is a value, not an age ("MAP over 65")
_VALUE_NOUNS = (
    "bp", "map", "sbp", "dbp", "pressure", "ldl", "a1c", "hba1c", "glucose", "sugar", "hb",
    "hgb", "hemoglobin", "inr", "egfr", "gfr", "sodium", "potassium", "ferritin", "bmi",
    "score", "rate", "hr", "spo2", "count", "level", "levels", "cholesterol", "creatinine",
    "temperature", "weight", "platelets",
)  # fmt: skip

#: (pattern, how its numbers make an inclusive range), most specific first
_AGE_FORMS = _forms(
    (rf"\b(\d{{1,3}})\s*(?:to|-|\u2013|through)\s*(\d{{1,3}})\s*{_YEARS}\b", "range"),
    (r"\b(?:aged?|ages)\s+(\d{1,3})\s*(?:to|-|\u2013|through|and)\s*(\d{1,3})\b", "range"),
    # "men 55 to 69"; not "patients 2 to 4 weeks after surgery"
    (
        rf"\b{_PERSON}\s+(\d{{1,3}})\s*(?:to|-|\u2013|through)\s*(\d{{1,3}})\b"
        r"(?!\s*(?:weeks?|days?|months?|hours?|h\b|mg|%|mm|cm|kg|times|g\b))",
        "range",
    ),
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
    (rf"\b(\d{{1,3}})[- ]{_YEARS}[- ]olds?\b", "at"),
    # the ward's "70 yo man", "a 45 y/o woman"
    (r"\b(\d{1,3})\s*(?:yo|y/o|y\.o\.)(?![\w/])", "at"),
    # "mammogram after 75", "statins over 75": past an age from 40 on; not a
    # value's ("BP over 140", "MAP over 65", "ferritin over 100")
    (
        "".join(rf"(?<!\b{w} )" for w in _VALUE_NOUNS)
        + r"\b(?:after|over|past|beyond)\s+(?:(?:the\s+)?age\s+(?:of\s+)?)?([4-9]\d|1[01]\d)\b"
        + _NO_UNIT,
        "above",
    ),
    (r"\baged?\s+(\d{1,3})\b", "at"),
    # "colon cancer screening at 80", "PSA test at 55": a bare number after
    # "at" is an age; not a dose, a time, a pressure or a level ("at 24 weeks",
    # "at 65 mmHg", "at 40 mg/dL", "at 2.5")
    (
        r"\bat ([1-9]\d|1[01]\d)\b" + _NO_UNIT,
        "at",
    ),
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


#: age groups named in words, as inclusive ranges of years
_AGE_WORDS: tuple[tuple[re.Pattern[str], Ages], ...] = tuple(
    (re.compile(pattern, re.I), span)
    for pattern, span in (
        (r"\b(?:neonat\w*|newborns?|infan\w*|bab(?:y|ies))", (0, 1)),
        (r"\btoddlers?\b", (1, 3)),
        (r"\bpreschool\w*", (3, 5)),
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


#: laboratory values by which guidelines define populations, and their names
_MEASURES: dict[str, str] = {
    "ferritin": r"(?:serum )?ferritin",
    "transferrin saturation": r"transferrin saturation|TSAT",
    "eGFR": r"eGFR|estimated GFR|(?:estimated )?glomerular filtration rate",
    "HbA1c": r"HbA1c|A1C|glycated ha?emoglobin",
    "BMI": r"BMI|body mass index",
    "LDL cholesterol": r"LDL(?:-C)?(?: cholesterol)?|low-density lipoprotein(?: cholesterol)?",
    "CHA2DS2-VASc": r"CHA2?DS2?[- ]?VASc|CHA₂DS₂-VASc",
    "LVEF": r"LVEF|(?:left ventricular |LV )?ejection fraction",
    # the pooled cohort equations' estimate (2018 AHA/ACC cholesterol
    # guideline; USPSTF 2022 statins: "10% or greater", "7.5% to less than 10%")
    "10-year risk": r"(?:estimated )?10[- ]year (?:ASCVD |CVD |cardiovascular (?:disease )?)?risk"
    r"(?: of (?:a |an )?(?:first )?(?:hard )?(?:ASCVD|CVD|cardiovascular)(?: disease)? events?)?",
}
#: a stage of chronic kidney disease, as questions and guidelines write it:
#: "CKD stage 4", "CKD G4", "stage 4 CKD", "kidney disease stage 4"
_CKD_STAGE = (
    r"\b(?:(?:CKD|(?:chronic )?kidney disease),? (?:stage |G){0}|"
    r"stage {0} (?:CKD|(?:chronic )?kidney disease))\b"
)
#: names that are defined by a value: heart failure by ejection fraction
#: (2022 AHA/ACC/HFSA guideline, section 3: HFrEF LVEF <= 40%, HFmrEF 41-49%,
#: HFpEF >= 50%), chronic kidney disease stages by eGFR (KDIGO 2012: G3a
#: 45-59, G3b 30-44, G4 15-29, G5 < 15). "HFrEF" in a question is "LVEF <=
#: 40%" in a statement, and "HFmrEF (LVEF 41-49%)" is for others.
_DEFINED: tuple[tuple[re.Pattern[str], str, Span], ...] = tuple(
    (re.compile(words, re.I), measure, span)
    for words, measure, span in (
        (r"\bHFrEF\b|\bheart failure with reduced ejection fraction", "LVEF", (-math.inf, 40.0)),
        (
            r"\bHFmrEF\b|\bheart failure with (?:mildly reduced|mid-range) "
            r"ejection fraction",
            "LVEF",
            (41.0, 49.0),
        ),
        (r"\bHFpEF\b|\bheart failure with preserved ejection fraction", "LVEF", (50.0, math.inf)),
        (
            _CKD_STAGE.format("3a"),
            "eGFR",
            (45.0, 59.0),
        ),
        (
            _CKD_STAGE.format("3b"),
            "eGFR",
            (30.0, 44.0),
        ),
        (_CKD_STAGE.format("3"), "eGFR", (30.0, 59.0)),
        (_CKD_STAGE.format("4"), "eGFR", (15.0, 29.0)),
        (
            _CKD_STAGE.format("5"),
            "eGFR",
            (-math.inf, 15.0 - 1e-6),
        ),
    )
)
_NUMBER = r"(\d+(?:\.\d+)?)"
# words between the name and its value ("ferritin level is above 100")
_GAP = (
    r"(?:\s+(?:levels?|values?|concentrations?|scores?|of|is|was|are|were|between|from))*"
    r"\s*:?\s*"
)
#: (comparison, how it makes a span), most specific first
_VALUE_FORMS: tuple[tuple[str, str], ...] = (
    # "7.5% to less than 10%", "5% to < 7.5%": the upper bound is out
    (rf"{_NUMBER}\s*%?\s*(?:-|\u2013|to)\s*(?:<|less than|under|below)\s*{_NUMBER}", "range_open"),
    (rf"{_NUMBER}\s*%?\s*(?:-|\u2013|to|and)\s*{_NUMBER}", "range"),
    # "10% or greater", "eGFR 30 or higher"
    (rf"{_NUMBER}\s*%?\s*or (?:greater|higher|more|above)", "from"),
    (rf"{_NUMBER}\s*%?\s*or (?:less|lower|below)", "to"),
    (rf"(?:<=|=<|\u2264|at most|up to|no (?:more|higher) than)\s*{_NUMBER}", "to"),
    (rf"(?:<|below|under|less than|lower than)\s*{_NUMBER}", "below"),
    (rf"(?:>=|=>|\u2265|at least|no (?:less|lower) than)\s*{_NUMBER}", "from"),
    (rf"(?:>|above|over|greater than|more than|higher than|exceeding)\s*{_NUMBER}", "above"),
    # "eGFR of 45", "HbA1c 8%": one value
    (rf"=?\s*{_NUMBER}", "at"),
)
_VALUES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    *(
        (name, re.compile(rf"\b(?:{words}){_GAP}{form}", re.I), kind)
        for name, words in _MEASURES.items()
        for form, kind in _VALUE_FORMS
    ),
    # years since quitting smoking: "currently smoke or have quit within the
    # past 15 years" (USPSTF 2021 lung cancer screening) and "quit 20 years ago"
    (
        "years since quitting smoking",
        re.compile(
            rf"\b(?:quit|stopped|gave up)(?: smoking)? within the (?:past|last) {_NUMBER} {_YEARS}",
            re.I,
        ),
        "to",
    ),
    (
        "years since quitting smoking",
        re.compile(rf"\b(?:quit|stopped|gave up)(?: smoking)? {_NUMBER} {_YEARS} ago", re.I),
        "at",
    ),
    # the value first: "adults who have a 10% or greater 10-year CVD risk"
    (
        "10-year risk",
        re.compile(
            rf"{_NUMBER}\s*%\s*or (?:greater|higher|more)\s+(?:{_MEASURES['10-year risk']})", re.I
        ),
        "from",
    ),
)
WINDOW = "time window, hours"
_HOURS = r"\s*(?P<unit>hours?|hrs?|h|minutes?|mins?)\b"
#: time, in hours, as treatment windows are stated ("onset-to-needle <= 4.5
#: hours", "more than 4.5 hours after stroke onset", "within 60 minutes"); a
#: bare "after 24 hours" is too often a schedule to be read as one
_WINDOWS = _forms(
    (rf"\b{_NUMBER}\s*(?:-|\u2013|to)\s*{_NUMBER}{_HOURS}", "range"),
    (rf"(?:<=|=<|\u2264|\bwithin|\bup to|\bno (?:more|later) than)\s*{_NUMBER}{_HOURS}", "to"),
    (rf"(?:<|\bless than|\bunder)\s*{_NUMBER}{_HOURS}", "below"),
    (rf"(?:>=|=>|\u2265|\bat least)\s*{_NUMBER}{_HOURS}", "from"),
    (
        rf"(?:>|\b(?:more|longer|greater|later) than|\bbeyond|\bover|\bexceed(?:s|ing)?)\s*"
        rf"{_NUMBER}{_HOURS}",
        "above",
    ),
)
#: a window the question says cannot be met: "if PCI is not available within
#: 120 minutes" asks about the time beyond it (read as "beyond 120 minutes")
_NOT_WITHIN = re.compile(r"\b(?:not|cannot|can't)\b((?:\s+[\w-]+){0,3}?)\s+within\b", re.I)
#: a time since onset: "tPA for stroke 4 hours after onset" is at 4 hours
_SINCE_ONSET = re.compile(
    rf"\b{_NUMBER}{_HOURS}\s+(?:after|from|since)\s+(?:the\s+)?(?:\w+\s+)?onset\b", re.I
)
#: "ferritin <75": the bound itself is out
_STRICT = 1e-6


def values(text: str) -> dict[str, Span]:
    """The laboratory values, scores and time windows a text states, each as
    one span: "ferritin <=75
    ng/mL ... or ferritin 75-100 ng/mL" {"ferritin": (-inf, 100)}, "ferritin
    above 100" {"ferritin": (100.000001, inf)}."""
    spans: dict[str, list[Span]] = {}
    found = [(name, pattern, kind, text) for name, pattern, kind in _VALUES]
    # "3 to 4.5 hours" read as a range is not also "to 4.5 hours"
    rest = _WINDOWS[0][0].sub(" ", _NOT_WITHIN.sub(r"\1 beyond", text))
    found += [(WINDOW, p, kind, text if kind == "range" else rest) for p, kind in _WINDOWS]
    for name, pattern, kind, where in found:
        for m in pattern.finditer(where):
            n = [float(g) for g in m.groups() if g and g[0].isdigit()]
            if name == WINDOW and m.group("unit").lower().startswith("min"):
                n = [x / 60 for x in n]
            span: Span
            if kind == "range":
                span = (min(n), max(n))
            elif kind == "range_open":
                span = (min(n), max(n) - _STRICT)
            elif kind == "to":
                span = (-math.inf, n[0])
            elif kind == "below":
                span = (-math.inf, n[0] - _STRICT)
            elif kind == "from":
                span = (n[0], math.inf)
            elif kind == "above":
                span = (n[0] + _STRICT, math.inf)
            else:
                span = (n[0], n[0])
            spans.setdefault(name, []).append(span)
    # a time since onset counts only where no window is stated ("more than
    # 4.5 hours after stroke onset" is beyond 4.5 hours, not at it)
    if WINDOW not in spans:
        for m in _SINCE_ONSET.finditer(rest):
            at = float(m.group(1)) / (60 if m.group("unit").lower().startswith("min") else 1)
            spans.setdefault(WINDOW, []).append((at, at))
    # a name defined by a value counts only where the text states no value
    # of that measure: "HFmrEF (LVEF 41-49%): ... extrapolation from HFrEF
    # data" is for 41-49%
    stated = set(spans)
    for pattern, name, span in _DEFINED:
        if name not in stated and pattern.search(text):
            spans.setdefault(name, []).append(span)
    out = {
        name: (min(lo for lo, _ in found), max(hi for _, hi in found))
        for name, found in spans.items()
    }
    if WINDOW in out:  # a window starts at zero
        out[WINDOW] = (max(out[WINDOW][0], 0.0), out[WINDOW][1])
    return out


def _overlap(a: Span, b: Span) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _values_overlap(a: Span, b: Span) -> bool:
    """Two spans of a measured value share more than an end: "10-year risk
    7.5 to 10%" asks about those below the "10% or greater" of one
    recommendation and is answered by the "7.5% to less than 10%" of the
    other. A single value ("eGFR of 30") still fits a span that ends at it."""
    if a[0] == a[1] or b[0] == b[1]:
        return _overlap(a, b)
    return a[0] < b[1] and b[0] < a[1]


def range_fit(question: str, text: str) -> int:
    """How well a recommendation's stated ranges fit the question's: one for
    each range both state that overlaps (ages, each laboratory value), minus
    one for each that does not."""
    score = 0
    asked, wanted = _stated(question)
    if asked is not None:
        stated = ages(text)
        if stated is not None:
            score += 1 if _overlap(asked, stated) else -1
    theirs = values(text) if wanted else {}
    for name, span in wanted.items():
        if name in theirs:
            score += 1 if _values_overlap(span, theirs[name]) else -1
    return score


def out_of_range(question: str, text: str) -> bool:
    """Whether a recommendation is for other ages or other laboratory values
    than the question states ("adults aged 76 to 85 years" for "adults over
    85"; "ferritin <=75 ng/mL" for "ferritin above 100")."""
    asked, wanted = _stated(question)
    if asked is not None:
        stated = ages(text)
        if stated is not None and not _overlap(asked, stated):
            return True
    theirs = values(text) if wanted else {}
    return any(
        name in theirs and not _values_overlap(span, theirs[name]) for name, span in wanted.items()
    )


def silent_on_window(question: str, text: str) -> bool:
    """Whether the question asks about a time window ("more than 4.5 hours
    after onset") and the text states none: "IV alteplase should NOT be
    withheld while awaiting thrombectomy evaluation" is no answer on when."""
    return WINDOW in _stated(question)[1] and WINDOW not in values(text)


def valued(question: str, names: tuple[str, ...]) -> bool:
    """Whether one of ``names`` (a concept's) is a laboratory value whose
    level the question states ("LDL cholesterol" in "a 45 year old with LDL
    195"): the patient's measurement, not a test or treatment asked about."""
    stated = _stated(question)[1]
    return any(
        re.fullmatch(_MEASURES[measure], name, re.I)
        for measure in stated
        if measure in _MEASURES
        for name in names
    )


def states_range(question: str) -> bool:
    """Whether the question states ages or laboratory values ("a 55 yo who
    quit smoking 20 years ago")."""
    asked, wanted = _stated(question)
    return asked is not None or bool(wanted)


# bounded: a server sees a new question with every request
@lru_cache(maxsize=1024)
def _stated(question: str) -> tuple[Ages | None, dict[str, Span]]:
    """The question's ages and laboratory values, read once per question."""
    return ages(question), values(question)
