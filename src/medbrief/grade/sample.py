"""Sample size: the number of participants an abstract states.

Only stated counts of people are read, never a guess from other numbers:
"n = 120", "120 patients were randomized", "A total of 1,234 women",
"Twenty-eight patients", and a case group plus its controls ("18 elderly
patients with RLS and 18 matched controls" -> 36). Counts of studies,
samples, eyes or events are not participants and are ignored. Among several
statements the most explicit wins: a total, then cases with their
controls, then a count with an enrolment verb, then "n =" arm sizes summed within a sentence,
then the first count of people.
"""

from __future__ import annotations

import re

from medbrief.types import Document

_UNITS = (
    r"(?:patients|participants|subjects|individuals|persons|people|adults|children|"
    r"adolescents|infants|neonates|newborns|women|men|mothers|girls|boys|volunteers|"
    r"cases|veterans|residents|students|workers|employees|nurses|physicians|"
    r"respondents|smokers|pregnancies|pairs|couples|twins|families|outpatients|inpatients|"
    r"survivors|athletes|donors|recipients|users|elderly|controls|"
    r"healthy controls|control subjects|youths?|pupils|singletons)"
)
_UNIT_RE = re.compile(_UNITS, re.I)
_ONES = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_NUMBER_WORD = "|".join(sorted([*_ONES, *_TENS], key=len, reverse=True))
_WORD_NUM = rf"(?:{_NUMBER_WORD})(?:[\s-]+(?:and[\s-]+)?(?:{_NUMBER_WORD}|hundred|thousand)\b)*"
# A count: digits with thousands separators, or a number in words.
_NUM = rf"(?P<num>\d{{1,3}}(?:[,\u2009 ]\d{{3}})+|\d+|{_WORD_NUM})"
# Up to four modifiers between the count and the unit ("18 elderly", "120
# consecutive adult"), none of them a number or a unit of measure.
_MODS = (
    r"(?:(?!(?:years?|months?|weeks?|days?|hours?|mg|ml|kg|cm|mm|studies|study|trials?|"
    r"articles?|papers?|reports?|reviews?|cohorts?|centers?|centres?|hospitals?|sites?|"
    r"countries|databases?|samples?|specimens?|brains?|eyes?|teeth|were|was|with|from|of|in|"
    r"and|or|who|had|have|to|for|by|at|on|the|a|an)\b)[A-Za-z][\w'-]*\s+){0,3}?"
)

_TOTAL = re.compile(
    rf"\b(?:a total of|total of|in total,?|overall,?|altogether,?)\s+{_NUM}\s+{_MODS}{_UNITS}\b",
    re.I,
)
_ENROLLED = re.compile(
    rf"\b{_NUM}\s+{_MODS}{_UNITS}\s+(?:\w+\s+){{0,6}}?(?:were|was|had been)\s+(?:\w+\s+)?"
    r"(?:randomi[sz]ed|enrolled|included|recruited|studied|analy[sz]ed|evaluated|examined|"
    r"assessed|investigated|followed|surveyed|interviewed|assigned|treated|screened|"
    r"allocated|identified|selected)\b",
    re.I,
)
_VERB_FIRST = re.compile(
    rf"\b(?:randomi[sz]ed|enrolled|included|recruited|studied|analy[sz]ed|evaluated|examined|"
    rf"investigated|followed|surveyed|interviewed|assessed|identified)\s+{_NUM}\s+{_MODS}{_UNITS}\b",
    re.I,
)
_WITH_CONTROLS = re.compile(
    rf"\b{_NUM}\s+{_MODS}{_UNITS}\b(?:(?!\(\s*\d)[^.;]){{0,80}}?\band\s+(?:in\s+)?(?P<num2>\d+|{_WORD_NUM})\s+"
    r"(?:(?:age|sex|age- and sex|age and sex)[- ]matched\s+|matched\s+|healthy\s+|normal\s+|"
    r"[a-z][\w-]*\s+(?=control))*"
    r"(?:controls?|control subjects|control participants|healthy (?:volunteers|subjects|"
    r"individuals|participants))\b",
    re.I,
)
_CONTROLS_UNIT = re.compile(r"\bcontrol(?:s| subjects)$", re.I)
_CONTROLS_AFTER = re.compile(
    r"[^.;]{0,60}?\b(?:served|acted|were used|were included) as (?:the )?controls?\b", re.I
)
_N_EQUALS = re.compile(r"\b[nN]\s*=\s*(\d{1,3}(?:,\d{3})+|\d+)(?![.\d])")
_COUNT = re.compile(rf"\b{_NUM}\s+{_MODS}{_UNITS}\b", re.I)
_LABEL_COUNT = re.compile(
    r"^(?:patients|participants|subjects|population|sample)\s*:\s*(\d[\d,]*)\b", re.I | re.M
)
# "75% of 120", "12 of 40", "each of 30", "in 12 patients": part of a sample.
_NOT_PEOPLE_BEFORE = re.compile(
    r"(?:(?:\d\s*%?|\beach|\bone|\bany|\bnone|\bmost|\ball)\s+of\s+|\bin\s+)$", re.I
)


def parse_count(text: str) -> int | None:
    """``"1,234"`` -> 1234, ``"Twenty-eight"`` -> 28, ``"One thousand ninety-nine"`` -> 1099."""
    text = text.strip().lower()
    digits = re.sub(r"[,\u2009 ]", "", text)
    if digits.isdigit():
        return int(digits)
    total = current = 0
    seen = False
    for word in re.split(r"[\s-]+", text):
        if word in _ONES:
            current += _ONES[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total += max(current, 1) * 1000
            current = 0
        elif word == "and" or not word:
            continue
        else:
            return None
        seen = True
    return total + current if seen else None


def sample_size(doc: Document) -> int | None:
    """Participants stated in the abstract (or the title), else ``None``."""
    return sample_size_from_text(doc.abstract_text or doc.title)


def sample_size_from_text(text: str) -> int | None:
    if not text:
        return None
    n = _first(_TOTAL, text)
    if n:
        return n
    for match in _WITH_CONTROLS.finditer(text):
        a, b = parse_count(match.group("num")), parse_count(match.group("num2"))
        if a and b:
            return a + b
    n = _first(_ENROLLED, text) or _first(_VERB_FIRST, text)
    if n:
        return n
    label = _LABEL_COUNT.search(text)
    if label:
        return parse_count(label.group(1))
    for sentence in re.split(r"(?<=[.;])\s+", text):
        arms = [parse_count(m.group(1)) for m in _N_EQUALS.finditer(sentence)]
        counts = [a for a in arms if a]
        if counts:
            return sum(counts) if len(counts) > 1 else counts[0]
    # A lone count of controls ("Five age-matched individuals served as
    # controls") is not the sample: the cases were counted in other words.
    return _first(_COUNT, text, controls_end=True)


def _first(pattern: re.Pattern[str], text: str, controls_end: bool = False) -> int | None:
    for match in pattern.finditer(text):
        n = parse_count(match.group("num"))
        if not n or _after_denominator(text, match.start()):
            continue
        if controls_end and (
            _CONTROLS_AFTER.match(text, match.end()) or _CONTROLS_UNIT.search(match.group())
        ):
            return None
        return n
    return None


def _after_denominator(text: str, start: int) -> bool:
    """ "75% of 120 patients", "in 12 patients": a subgroup, not the sample."""
    before = text[max(0, start - 12) : start]
    return bool(_NOT_PEOPLE_BEFORE.search(before))
