"""Which way a guideline recommendation points: for, against, or neither.

Read from the source's own words, in this order:

1. the grading vocabulary, where a grade *is* a direction: USPSTF grades A
   and B recommend the service, C recommends offering it selectively, D
   recommends against it and I finds the evidence insufficient (USPSTF
   Grade Definitions, 2012); ACC/AHA classes I and IIa are for, IIb is a weak
   "may be considered", and III (No Benefit, Harm) is against (ACC/AHA
   Recommendation System, 2019), and a IIb that says its usefulness is "not
   well established" finds the evidence insufficient;
2. the stored ``direction`` ("for", "against (standard use)", ...), when given;
3. the statement's wording: "recommends against", "should not",
   "insufficient evidence" before "recommends", "should".

``conditional`` is a weak "for": an individual decision, "may be
considered", "selectively offer", or a GRADE "conditional" (weak)
recommendation whose wording is not against.
"""

from __future__ import annotations

import re
from typing import Literal

Position = Literal["for", "against", "conditional", "insufficient"]

_GRADE = re.compile(r"^\s*grade\s+([ABCDI])\b", re.I)
_CLASS = re.compile(r"^\s*(?:class|cor)\s+(III|IIb|2b|IIa|2a|I|1|3)\b", re.I)
_INLINE_CLASS = re.compile(r"\(((?:class|cor)\s+(?:III|IIb|2b|IIa|2a|I|1|3))\b", re.I)
_AGAINST = re.compile(
    r"\b(?:recommends? against|suggests? against|advises? against|"
    # "is conditionally recommended against", "strongly recommended against"
    r"(?:recommended|suggested) against|against (?:the )?(?:routine|"
    r"standard|use|initiating|screening)|should not|is not indicated|"
    # "APA recommends that naltrexone not be used ... by individuals who use opioids"
    r"not be (?:used|given|offered|prescribed|administered|initiated|started)|"
    # "Not routinely recommended in DKA", "SABA-only treatment is no longer
    # recommended"
    r"not (?:be )?(?:routinely |generally |currently )?recommended|"
    r"no longer (?:be )?recommended|"
    r"are not indicated|do not (?:use|combine|routinely|start|initiate|screen|offer|"
    # the instructions of ``_FOR``, negated: "Do NOT administer beta-lactam
    # antibiotics via the intraventricular route"
    r"administer|give|prescribe|add|obtain|perform|measure|treat)|"
    # KDIGO's "Suggest not using diuretics to treat AKI", "Recommend not using ..."
    r"(?:recommend|suggest)(?:s|ed)? not \w+ing|"
    # "NSAIDs: Contraindications include active peptic ulcer disease, CKD"; not
    # "If no contraindication to citrate: regional citrate"
    r"contraindications include|"
    r"avoid(?:ed)?)\b",
    re.I,
)
_INSUFFICIENT = re.compile(
    r"\b(?:insufficient (?:evidence|to assess)|evidence is insufficient|no recommendation "
    r"(?:for|can be made)|cannot recommend for or against)\b",
    re.I,
)
_CONDITIONAL = re.compile(
    r"\b(?:individual(?:ize|ise)?d? (?:decision|one)|should be an individual|selectively offer|"
    r"may be (?:considered|reasonable|used)|might be considered|can be considered|"
    # the panel's suggestion ("We suggest", "The ACG suggests", "Suggest not
    # using", "is suggested"), not a finding's ("post-hoc analyses suggest
    # benefit", "A decrease in CTX ... suggests adequate effect") nor a sign's
    # ("Fever ... may suggest CSF shunt infection")
    r"(?:(?:^|[.:;(]\s*|\b(?:we|panel|committee|guidelines?|group|society|force|"
    r"consensus|(?-i:[A-Z]{2,}[a-z]?))\s+(?:\d{4}\s+)?(?:\w+ly\s+)?)suggest(?:s|ed)?\b|"
    r"\b(?:is|are|be) suggested\b))",
    re.I,
)
_FOR = re.compile(
    r"\b(?:recommends?|recommended|"
    # "Carvedilol is the preferred NSBB", "(Norepinephrine is first-line)"
    # "Allopurinol remains the preferred first-line ULT agent"
    r"(?:is|are|remains?) (?:the |\w+ly )?(?:preferred|first[- ]line|first choice)|first[- ]line:|"
    # "Weight loss is the cornerstone of NAFLD/MASLD management"
    r"(?:is|are) the (?:cornerstone|mainstay) of\b|"
    r"should (?:be|receive|take|use|start|initiate|include|"
    r"undergo|have|offer|screen|prescribe)|is indicated|are indicated|is effective|"
    # an instruction, also after a heading: "Vasoactive agent: Start Octreotide"
    r"are effective|(?:^|[.:] )(?:use|offer|initiate|start|screen|treat|prescribe|give|add|"
    r"administer|obtain|perform|measure|"
    # a ward verb: "If AF duration > 48 hours: Anticoagulate for >= 3 weeks"
    r"anticoagulate|vaccinate|immuni[sz]e|transfuse|hydrate|resuscitate)\b)",
    re.I,
)


#: not to hold something back ("should NOT be withheld or delayed"), or not to
#: let it hold back something else ("should not delay other interventions")
_NOT_WITHHELD = re.compile(
    r"\b(?:should|must) not (?:(?P<passive>be (?:withheld|delayed|stopped|interrupted))|delay)\b",
    re.I,
)
#: an instruction to consider: "Consider TIPS ... in selected patients", "If
#: eosinophils < 300 cells/uL, consider adding Roflumilast ... or Azithromycin"
_CONSIDER = re.compile(r"(?:^|[.:,] )consider\b", re.I)


#: ACC/AHA's own words for a Class IIb whose benefit is not shown
#: ("usefulness/effectiveness is unknown/unclear/uncertain or not
#: well-established", ACC/AHA Recommendation System, 2019)
_NOT_ESTABLISHED = re.compile(
    r"\b(?:not (?:well[- ])?established|(?:is|are|remains?) (?:unknown|unclear|uncertain))\b",
    re.I,
)


#: a KDIGO grade: its level 1 or 2, then the quality of evidence A-D
_KDIGO_LEVEL = re.compile(r"^\s*(?:grade\s+)?([12])[A-D]\b", re.I)
#: a leading concession: "While procalcitonin is not recommended for ..., "
_CONCESSION = re.compile(r"(?P<lead>^\s*|:\s+)(?:while|although|though|whereas)\b[^,;.]*,\s*", re.I)


_NOTE = re.compile(r"\s*(?:note|nb)\s*:", re.I)


def position(
    statement: str, strength: str | None = None, direction: str | None = None
) -> Position | None:
    """The recommendation's direction, or None when its words give none. A
    weak grade whose statement says its usefulness is not established ("the
    usefulness of tranexamic acid ... is not well established", Class IIb)
    finds the evidence insufficient rather than recommending."""
    # a concession is not what the statement says: "While procalcitonin is not
    # recommended for guiding antibiotic initiation, declining levels may
    # support decisions to discontinue antimicrobials"
    statement = _CONCESSION.sub(r"\g<lead>", statement, count=1)
    if _NOTE.match(statement):
        # a note on other recommendations ("Note: This recommendation differs
        # from the recommendation against NAC for postsurgical AKI (Grade
        # 1A)") recommends nothing, whatever grade it was filed under
        return None
    graded = _from_grade(strength or "")
    if graded is None and not strength:
        # an excerpt that states its class inline: "It is reasonable to choose
        # ticagrelor over clopidogrel ... (Class IIa, LOE: B)"
        inline = _INLINE_CLASS.search(statement)
        graded = _from_grade(inline.group(1)) if inline else None
    if graded == "conditional" and _NOT_ESTABLISHED.search(statement):
        return "insufficient"
    if graded is not None:
        return graded
    if direction:
        d = direction.strip().lower()
        if d.startswith("against"):
            return "against"
        if d.startswith("for (weak") or d.startswith("conditional"):
            return "conditional"
        if d.startswith("for"):
            return "for"
        if d.startswith("insufficient"):
            return "insufficient"
    if _INSUFFICIENT.search(statement):
        return "insufficient"
    withheld = _NOT_WITHHELD.search(statement)
    if withheld:
        # "IV alteplase should NOT be withheld or delayed": for it; "HBO should
        # not delay other critical burn care": no position on HBO
        return "for" if withheld.group("passive") else None
    if _AGAINST.search(statement):
        return "against"
    weak = bool(re.match(r"\s*(?:conditional|weak)", strength or "", re.I))
    if weak or _CONDITIONAL.search(statement) or _CONSIDER.search(statement):
        return "conditional"
    if _FOR.search(statement):
        return "for"
    # a KDIGO grade's level is its wording when the statement has none: level
    # 1 "we recommend", level 2 "we suggest" (KDIGO 2012 AKI guideline,
    # "Nomenclature and description for rating guideline recommendations"):
    # "Target systolic BP < 120 mmHg in adults with CKD (2B)"
    level = _KDIGO_LEVEL.match(strength or "")
    if level:
        return "for" if level.group(1) == "1" else "conditional"
    return None


def states_class(text: str) -> bool:
    """Whether a text states an ACC/AHA class inline ("(Class IIa, LOE: B)")."""
    return bool(_INLINE_CLASS.search(text))


def _from_grade(strength: str) -> Position | None:
    m = _GRADE.match(strength)
    if m:
        return {"A": "for", "B": "for", "C": "conditional", "D": "against", "I": "insufficient"}[
            m.group(1).upper()
        ]  # type: ignore[return-value]
    m = _CLASS.match(strength)
    if m:
        cls = m.group(1).lower()
        if cls in ("iii", "3"):
            return "against"
        if cls in ("iib", "2b"):
            return "conditional"
        return "for"
    return None
