"""Normalised strength and certainty of guideline recommendations.

The source's own words are always stored verbatim; these normalised forms
exist only to sort and filter across grading systems. Anything not covered
by a rule below is ``unknown``: a grade is never guessed.

strength_norm: strong | conditional | good-practice | insufficient |
expert-opinion | unknown. certainty_norm: high | moderate | low | very-low |
insufficient | not-graded | unknown.

Rules, by grading system:

- GRADE (Guyatt et al., BMJ 2008;336:924 and 336:995; GRADE handbook 2013):
  strength "strong" or "conditional" ("weak", "discretionary" and
  "qualified" are synonyms of conditional); certainty (quality) of evidence
  high / moderate / low / very low, also written as the symbols
  ⨁⨁⨁⨁ / ⨁⨁⨁◯ / ⨁⨁◯◯ / ⨁◯◯◯. "Good practice statement" is GRADE's
  ungraded statement (Guyatt et al., J Clin Epidemiol 2016;80:3).
- Numeric GRADE codes "1A".."2D" (ACCP, KDIGO, AASLD, Surviving Sepsis
  2012): 1 = strong, 2 = weak (conditional); A..D = high, moderate, low,
  very low.
- USPSTF grade definitions (uspreventiveservicestaskforce.org, "Grade
  Definitions", after July 2012): A and B recommend the service (strong,
  for); C recommends selectively offering it (conditional); D recommends
  against it (strong, against); I: evidence insufficient. USPSTF certainty
  of net benefit is high / moderate / low, stated separately.
- AAN (Clinical Practice Guideline Process Manual, 2004 and 2011 editions):
  Level A = should be done (strong); B = should be considered and
  C = might be considered (conditional); U = data inadequate
  (insufficient). Evidence classes I..IV grade the studies: I -> high,
  II -> moderate, III -> low, IV -> very low.
- ACC/AHA (Halperin et al., Circulation 2016;133:1426, "Further Evolution of
  the ACC/AHA Clinical Practice Guideline Recommendation Classification
  System"): class (COR) I / 1 is STRONG; IIa / 2a (moderate) and IIb / 2b
  (weak) are conditional; III: No Benefit (moderate) is conditional against;
  III: Harm (strong) and the older unqualified class III are strong against.
  Level of evidence A -> high; B, B-R, B-NR -> moderate; C, C-LD -> low;
  C-EO (expert opinion) -> very low.
- AASM 2012-era levels (Aurora et al., Sleep 2012;35:1039): STANDARD (high
  clinical certainty) -> strong; GUIDELINE and OPTION -> conditional.
- ADA Standards of Care evidence grades A, B, C are certainty (high,
  moderate, low); E is expert consensus (strength expert-opinion). ADA
  grades are read as such only when the issuing body is ADA, since the
  same letters mean strength in the USPSTF system.
- Duodecim EBM Guidelines level of evidence A..D -> high, moderate, low,
  very low; a generic "Level of evidence: X" follows the same ladder.
- Words: "not graded", "not applicable", "n/a", "ungraded" -> not-graded;
  "insufficient" -> insufficient; "consensus" or "expert opinion" ->
  expert-opinion strength.
"""

from __future__ import annotations

import re

STRENGTHS = ("strong", "conditional", "good-practice", "insufficient", "expert-opinion", "unknown")
CERTAINTIES = ("high", "moderate", "low", "very-low", "insufficient", "not-graded", "unknown")

_GRADE_CODE = re.compile(
    r"\bgrade\s*([12])\s*([a-d])\b|(?<![\w.])(?<!cor )(?<!class )([12])([a-d])\b", re.I
)
_COR = re.compile(
    r"\b(?:class|cor)\s*(?:of\s+recommendation\s*)?:?\s*"
    r"(iii|iib|iia|ii|i|3|2b|2a|1)(?![a-z0-9])(?!\s*(?:evidence|stud|rating|-|\u2013))"
    r"\s*(?:[:\u2014\u2013-]\s*|\()?\s*(no benefit|harm)?",
    re.I,
)
_LOE = re.compile(
    r"\b(?:loe|level\s+of\s+evidence|level\s+of\s+recommendation)\s*:?\s*[\"']?([a-d])(?:-(r|nr|ld|eo))?\b",
    re.I,
)
_AAN_LEVEL = re.compile(r"^\s*level\s+([abcu])\b", re.I)
_EVIDENCE_CLASS = re.compile(
    r"\bclass\s+(iv|iii|ii|i)\b[^.;]*\bevidence|\bclass\s+(iv|iii|ii|i)\s+only\b", re.I
)
_USPSTF_GRADE = re.compile(r"^\s*(?:grade\s+)?([abcdi])\s*$|^\s*grade\s+([abcdi])\b", re.I)
_ADA_GRADE = re.compile(r"\bgrade\s+([abce])\b", re.I)
_AASM = re.compile(r"^\s*(standard|guideline|option)\b", re.I)
_SYMBOLS = re.compile(r"[⨁⊕]+[◯○⊝O]*")

_COR_STRENGTH = {"i": "strong", "1": "strong", "iia": "conditional", "2a": "conditional",
                 "iib": "conditional", "2b": "conditional", "ii": "conditional"}  # fmt: skip
_LETTER_CERTAINTY = {"a": "high", "b": "moderate", "c": "low", "d": "very-low"}
_CLASS_CERTAINTY = {"i": "high", "ii": "moderate", "iii": "low", "iv": "very-low"}
_WORD_CERTAINTY = (
    ("very low", "very-low"),
    ("very-low", "very-low"),
    ("high", "high"),
    ("moderate", "moderate"),
    ("low", "low"),
    ("strong evidence", "high"),
    ("weak evidence", "low"),
)


def scheme_for(body: str | None) -> str | None:
    """The grading system an issuing body uses, where the body tells it."""
    if not body:
        return None
    b = body.lower()
    if "uspstf" in b or "preventive services task force" in b:
        return "uspstf"
    if re.search(r"\bada\b|american diabetes association", b):
        return "ada"
    if re.search(r"\baan\b|american academy of neurology", b):
        return "aan"
    return None


def normalise_strength(strength: str | None, body: str | None = None) -> str:
    if not strength or not strength.strip():
        return "unknown"
    s = strength.strip()
    low = s.lower()
    scheme = scheme_for(body)
    if "good practice" in low or "best practice" in low:
        return "good-practice"
    if scheme == "uspstf":
        found = _USPSTF_GRADE.match(s)
        if found:
            return _uspstf_strength((found.group(1) or found.group(2)).lower())
    if scheme == "ada":
        found = _ADA_GRADE.search(s)
        if found:
            return "expert-opinion" if found.group(1).lower() == "e" else "unknown"
    code = _GRADE_CODE.search(s)
    if code:
        return "strong" if (code.group(1) or code.group(3)) == "1" else "conditional"
    cor = _COR.search(s)
    if cor and "nyha" not in low[: cor.start() + 1]:
        klass, qualifier = cor.group(1).lower(), (cor.group(2) or "").lower()
        if klass in ("iii", "3"):
            return "conditional" if qualifier == "no benefit" else "strong"
        return _COR_STRENGTH[klass]
    aan = _AAN_LEVEL.match(s)
    if aan:
        return {"a": "strong", "b": "conditional", "c": "conditional", "u": "insufficient"}[
            aan.group(1).lower()
        ]
    aasm = _AASM.match(s)
    if aasm and aasm.group(1).isupper():
        return "strong" if aasm.group(1).lower() == "standard" else "conditional"
    if re.search(r"\bstrong(ly)?\b", low) and "strong evidence" not in low:
        return "strong"
    if re.search(r"\b(conditional(ly)?|weak|discretionary|qualified)\b", low):
        return "conditional"
    if "insufficient" in low:
        return "insufficient"
    if "consensus" in low or "expert opinion" in low:
        return "expert-opinion"
    return "unknown"


def _uspstf_strength(grade: str) -> str:
    return {"a": "strong", "b": "strong", "c": "conditional", "d": "strong"}.get(
        grade, "insufficient"
    )


def uspstf_direction(grade: str) -> str | None:
    """USPSTF grade -> direction: D recommends against; I takes no side."""
    g = grade.strip().upper()
    if g == "D":
        return "against"
    return "for" if g in ("A", "B", "C") else None


def normalise_certainty(
    certainty: str | None, strength: str | None = None, body: str | None = None
) -> str:
    """Certainty from the certainty text, else from a grade that encodes it
    (e.g. "Grade 1B", "Class I, LOE A"); ``unknown`` when neither says."""
    found = _certainty(certainty, body) if certainty and certainty.strip() else None
    if found is None and strength:
        found = _certainty_from_grade(strength, body)
    return found or "unknown"


def _certainty(text: str, body: str | None) -> str | None:
    low = text.strip().lower()
    if re.match(r"(not graded|ungraded|not applicable|n/a\b|none\b)", low):
        return "not-graded"
    if low.startswith(("not stated", "unknown", "not reported")):
        return None
    from_grade = _certainty_from_grade(text, body)
    if from_grade:
        return from_grade
    symbols = _SYMBOLS.search(text)
    if symbols:
        n = symbols.group(0).count("⨁") + symbols.group(0).count("⊕")
        return {4: "high", 3: "moderate", 2: "low", 1: "very-low"}.get(n)
    for word, norm in _WORD_CERTAINTY:
        if re.search(rf"\b{word}\b", low):
            return norm
    if "insufficient" in low:
        return "insufficient"
    return None


def _certainty_from_grade(text: str, body: str | None) -> str | None:
    scheme = scheme_for(body)
    if scheme == "ada":
        found = _ADA_GRADE.search(text)
        if found:
            letter = found.group(1).lower()
            return None if letter == "e" else _LETTER_CERTAINTY[letter]
    code = _GRADE_CODE.search(text)
    if code:
        return _LETTER_CERTAINTY[(code.group(2) or code.group(4)).lower()]
    loe = _LOE.search(text)
    if loe:
        if (loe.group(2) or "").lower() == "eo":
            return "very-low"
        return _LETTER_CERTAINTY[loe.group(1).lower()]
    evidence_class = _EVIDENCE_CLASS.search(text)
    if evidence_class:
        return _CLASS_CERTAINTY[(evidence_class.group(1) or evidence_class.group(2)).lower()]
    return None
