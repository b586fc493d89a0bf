"""Grades as chips, with a legend for each grading system a brief meets.

A chip shows the source's own words ("Grade B", "Class IIa", "LOE B-R",
"conditional"); what the grade *means* comes from the grading system's
published definitions, shown once per brief in a legend. The system is
recognised from the words with the rules of ``medbrief.ingest.grading``
(which cites each system's definitions); anything else is shown as text, with
no legend and no guessed meaning. A curator's parenthetical remark stored with
a grade ("OPTION (lowest of STANDARD/GUIDELINE/OPTION)") is kept apart from the
grade as a note, never shown as the source's words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from medbrief.synthesize.guidelines import split_remark
from medbrief.types import GuidelineItem

ChipKind = Literal["strength", "certainty"]

#: Legends: id -> (name, [(code, meaning)]). Wording condensed from:
#: USPSTF "Grade Definitions" (after July 2012) and "Levels of Certainty
#: Regarding Net Benefit"; GRADE (Guyatt et al., BMJ 2008;336:924, 995;
#: GRADE handbook 2013; good practice statements: J Clin Epidemiol 2016;80:3);
#: ACC/AHA COR/LOE (Halperin et al., Circulation 2016;133:1426); AASM practice
#: parameters (Aurora et al., Sleep 2012;35:1039); numeric GRADE codes as used
#: by KDIGO and ACCP (Guyatt et al., Chest 2006;129:174).
LEGENDS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "uspstf": (
        "USPSTF grades",
        (
            ("A", "Recommended: high certainty that the net benefit is substantial."),
            (
                "B",
                "Recommended: high certainty that the net benefit is moderate, or moderate "
                "certainty that it is moderate to substantial.",
            ),
            (
                "C",
                "Offer selectively, by professional judgement and patient preference: at least "
                "moderate certainty that the net benefit is small.",
            ),
            (
                "D",
                "Recommended against: moderate or high certainty of no net benefit, or that "
                "harms outweigh benefits.",
            ),
            ("I", "Insufficient evidence to assess the balance of benefits and harms."),
            (
                "high certainty",
                "Consistent results from well-designed studies; unlikely to change.",
            ),
            (
                "moderate certainty",
                "Evidence enough to judge net benefit, but new evidence could change it.",
            ),
            ("low certainty", "Evidence insufficient to assess effects on health outcomes."),
        ),
    ),
    "grade": (
        "GRADE: strength of recommendation and certainty of evidence",
        (
            (
                "strong",
                "Benefits clearly outweigh harms (or the reverse); most informed patients "
                "would choose the same.",
            ),
            (
                "conditional",
                "Also 'weak': the balance is closer or uncertain; the right choice depends on "
                "values and preferences.",
            ),
            (
                "good practice",
                "Ungraded statement: the benefit is unequivocal, so evidence was not formally "
                "rated.",
            ),
            ("high", "Very confident that the true effect is close to the estimate."),
            (
                "moderate",
                "Moderately confident: the true effect is likely close, but may differ "
                "substantially.",
            ),
            ("low", "Limited confidence: the true effect may differ substantially."),
            ("very low", "Very little confidence in the estimate."),
        ),
    ),
    "grade-code": (
        "Numeric GRADE codes (e.g. KDIGO): level and quality",
        (
            ("1", "Level 1: a strong recommendation."),
            ("2", "Level 2: a weak (conditional) one, a suggestion."),
            ("A", "High quality of evidence."),
            ("B", "Moderate quality of evidence."),
            ("C", "Low quality of evidence."),
            ("D", "Very low quality of evidence."),
        ),
    ),
    "acc-aha": (
        "ACC/AHA class of recommendation (COR) and level of evidence (LOE)",
        (
            ("Class 1 (I)", "Strong: is recommended; benefit >>> risk."),
            ("Class 2a (IIa)", "Moderate: is reasonable; benefit >> risk."),
            ("Class 2b (IIb)", "Weak: may be reasonable; benefit ≥ risk."),
            ("Class 3: No Benefit", "Moderate: is not recommended; benefit = risk."),
            ("Class 3: Harm", "Strong: potentially harmful; risk > benefit."),
            (
                "Class 3 (III)",
                "Unqualified (older ACC/AHA, ESC): not recommended; no benefit or harm.",
            ),
            ("LOE A", "High quality: more than one RCT, or meta-analyses of high-quality RCTs."),
            ("LOE B-R", "Moderate quality: one or more randomised trials."),
            ("LOE B-NR", "Moderate quality: non-randomised, observational or registry studies."),
            ("LOE C-LD", "Limited data: studies with limitations of design or execution."),
            ("LOE C-EO", "Consensus of expert opinion."),
            (
                "LOE B / C",
                "Older scheme: B limited populations; C expert consensus or case studies.",
            ),
        ),
    ),
    "aasm": (
        "AASM levels of recommendation (2012 practice parameters)",
        (
            ("STANDARD", "Generally accepted practice with a high degree of clinical certainty."),
            ("GUIDELINE", "A moderate degree of clinical certainty."),
            (
                "OPTION",
                "Uncertain clinical use: insufficient or inconclusive evidence, or conflicting "
                "expert opinion.",
            ),
        ),
    ),
}

_USPSTF_BODY = re.compile(r"USPSTF|Preventive Services Task Force", re.I)
_CLASS_BODY = re.compile(r"\b(?:ACCF?|AHA|ESC|HFSA|ASA|HRS)\b")
_AASM_BODY = re.compile(r"AASM|Academy of Sleep Medicine", re.I)
_USPSTF = re.compile(r"^\s*(?:grade\s+)?([ABCDI])(?:\s+statement)?\s*$", re.I)
_COR = re.compile(
    r"^\s*(?:class|cor)\s*(III|IIb|IIa|I|3|2b|2a|1)\b\s*(?:[:\u2014\u2013-]\s*(No Benefit|Harm))?",
    re.I,
)
_LOE = re.compile(r"^\s*(?:loe|level of evidence)\s*:?\s*([ABC])(?:-(R|NR|LD|EO))?\b", re.I)
_AASM = re.compile(r"^\s*(STANDARD|GUIDELINE|OPTION)\b")
_GRADE_STRENGTH = re.compile(
    r"^\s*(strong|conditional|weak)(?:\s+recommendation)?\s*$|^\s*good practice statement\b", re.I
)
_GRADE_CERTAINTY = re.compile(
    r"^\s*(?:at least\s+)?(high|moderate|low|very low)"
    r"(?:\s+(?:certainty|quality)(?:\s+of\s+evidence)?)?\s*$",
    re.I,
)
_GRADE_CODE = re.compile(r"^\s*(?:grade\s+)?([12])([A-D])\s*$", re.I)


@dataclass(frozen=True, slots=True)
class Chip:
    kind: ChipKind
    label: str
    """The source's words for the grade."""
    system: str | None = None
    """A key of ``LEGENDS``, or None when the grade is shown as text only."""
    code: str | None = None
    """The legend entry the grade is defined by."""
    note: str | None = None
    """A curator's remark stored with the grade, shown apart from it."""
    tone: str = "neutral"
    """strong | conditional | against | insufficient | neutral: the chip's colour."""


def strength_chip(text: str, body: str) -> Chip:
    label, note = split_remark(text)
    if _USPSTF_BODY.search(body) and (m := _USPSTF.match(label)):
        code = m.group(1).upper()
        tone = {"A": "strong", "B": "strong", "C": "conditional", "D": "against"}.get(
            code, "insufficient"
        )
        return Chip("strength", label, "uspstf", code, note, tone)
    if (m := _COR.match(label)) and _CLASS_BODY.search(body):
        cls = {"i": "1", "iia": "2a", "iib": "2b", "iii": "3"}.get(m.group(1).lower(), m.group(1))
        qualifier = (m.group(2) or "").title()
        code = {"1": "Class 1 (I)", "2a": "Class 2a (IIa)", "2b": "Class 2b (IIb)"}.get(cls)
        if cls == "3":
            code = f"Class 3: {qualifier}" if qualifier else "Class 3 (III)"
        tone = {"1": "strong", "2a": "conditional", "2b": "conditional"}.get(cls, "against")
        return Chip("strength", label, "acc-aha", code, note, tone)
    if (m := _AASM.match(label)) and _AASM_BODY.search(body):
        word = m.group(1)
        return Chip(
            "strength", label, "aasm", word, note, "strong" if word == "STANDARD" else "conditional"
        )
    if m := _GRADE_CODE.match(label):
        tone = "strong" if m.group(1) == "1" else "conditional"
        return Chip("strength", label, "grade-code", m.group(1), note, tone)
    if m := _GRADE_STRENGTH.match(label):
        word = (m.group(1) or "good practice").lower()
        code = "conditional" if word == "weak" else word
        tone = "strong" if code == "strong" else "conditional"
        return Chip(
            "strength", label, "grade", code, note, tone if code != "good practice" else "neutral"
        )
    return Chip("strength", label, None, None, note)


def certainty_chip(text: str, body: str) -> Chip:
    label, note = split_remark(text)
    if m := _LOE.match(label):
        level = m.group(1).upper() + (f"-{m.group(2).upper()}" if m.group(2) else "")
        code = f"LOE {level}" if "-" in level or level == "A" else "LOE B / C"
        return Chip("certainty", label, "acc-aha", code, note)
    if m := _GRADE_CERTAINTY.match(label):
        word = m.group(1).lower()
        if _USPSTF_BODY.search(body) and word != "very low":
            return Chip("certainty", label, "uspstf", f"{word} certainty", note)
        return Chip("certainty", label, "grade", word, note)
    return Chip("certainty", label, None, None, note)


def chips(g: GuidelineItem) -> tuple[Chip, ...]:
    out = []
    if g.strength:
        out.append(strength_chip(g.strength, g.body))
    if g.certainty:
        out.append(certainty_chip(g.certainty, g.body))
    return tuple(out)


Legend = tuple[str, str, list[tuple[str, str, bool]]]


def legends(items: Iterable[GuidelineItem]) -> list[Legend]:
    """(system, name, [(code, meaning, used in this brief)]) for each grading
    system met, in order of first appearance; entries in the system's order."""
    used: dict[str, set[str]] = {}
    for g in items:
        for chip in chips(g):
            if chip.system:
                used.setdefault(chip.system, set()).add(chip.code or "")
    out = []
    for system, codes in used.items():
        name, entries = LEGENDS[system]
        out.append((system, name, [(code, text, code in codes) for code, text in entries]))
    return out


def chip_dict(chip: Chip) -> dict[str, Any]:
    return {
        "kind": chip.kind,
        "label": chip.label,
        "system": chip.system,
        "code": chip.code,
        "note": chip.note,
        "tone": chip.tone,
    }


def legends_dicts(items: Sequence[GuidelineItem]) -> list[dict[str, Any]]:
    return [
        {
            "system": system,
            "name": name,
            "entries": [
                {"code": code, "meaning": meaning, "used": used} for code, meaning, used in entries
            ],
        }
        for system, name, entries in legends(items)
    ]
