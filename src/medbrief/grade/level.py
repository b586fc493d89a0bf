"""Levels of evidence: an ordering of study designs, 1 the strongest.

The levels follow the Oxford Centre for Evidence-Based Medicine 2011 Levels
of Evidence, table row "Does this intervention help? (Treatment benefits)"
(OCEBM Levels of Evidence Working Group, "The Oxford 2011 Levels of
Evidence", https://www.cebm.ox.ac.uk/resources/levels-of-evidence/ocebm-levels-of-evidence):

=====  ==========================================================  =========================
level  OCEBM 2011 (treatment benefits)                             medbrief designs
=====  ==========================================================  =========================
1      systematic review of randomized trials                      meta-analysis,
                                                                   systematic-review
2      randomized trial                                            rct
3      non-randomized controlled cohort / follow-up study          non-randomised-trial, cohort
4      case-series, case-control, or historically controlled       case-control, cross-sectional,
       studies                                                     case-series, case-report
5      mechanism-based reasoning                                   animal, in-vitro,
                                                                   narrative-review, other
=====  ==========================================================  =========================

Two choices are medbrief's, not OCEBM's: guidelines are ranked with level 1
because evidence-based guidelines are built on systematic reviews (GRADE);
their own strength and certainty grades travel with each recommendation.
Cross-sectional studies and case reports are not in the treatment row; they
sit with the other uncontrolled observational designs at level 4, and a
narrative review, expert opinion, at level 5 (OCEBM 2009 level 5).
"""

from __future__ import annotations

from medbrief.errors import InputError
from medbrief.types import DESIGNS

LEVELS: dict[str, int] = {
    "guideline": 1,
    "meta-analysis": 1,
    "systematic-review": 1,
    "rct": 2,
    "non-randomised-trial": 3,
    "cohort": 3,
    "case-control": 4,
    "cross-sectional": 4,
    "case-series": 4,
    "case-report": 4,
    "narrative-review": 5,
    "animal": 5,
    "in-vitro": 5,
    "other": 5,
}


def evidence_level(design: str) -> int:
    """OCEBM 2011 level (1 = strongest) of a design from ``medbrief.types.DESIGNS``."""
    try:
        return LEVELS[design]
    except KeyError:
        raise InputError(f"unknown study design {design!r}; expected one of {DESIGNS}") from None


def strength_key(design: str) -> tuple[int, int]:
    """Sort key, strongest first: the level, then the order of ``DESIGNS`` within it."""
    return evidence_level(design), DESIGNS.index(design)
