"""How much each study counts, and when a disagreeing minority is material.

A study's weight is the product of three factors:

* design: by OCEBM 2011 level (``medbrief.grade.level``), 3 for a systematic
  review or meta-analysis, 2 for a randomised trial, 1.5 for a cohort or
  non-randomised trial, 1 for case-control, cross-sectional, case series and
  case reports, 0.5 for anything else (unclassified designs; narrative
  reviews, animal and in-vitro work are weighed the same but reported apart
  from clinical studies and never added to their count: ``APART``);
* size: ``1 + 0.15 log10(n / 100)`` for a stated sample of n participants,
  kept within [0.8, 1.3] (ten times the participants counts 15% more; a
  stated size never outweighs a design level);
* recency: 1 for a study at most 5 years older than the newest one weighed,
  then 1.5% less a year, down to 0.6: newer work usually builds on older.

A minority (the studies on the smaller side of yes/no) is **material** when
its weight is at least a third of the majority's (a quarter of the two
together), or when it holds the single heaviest study: one strong trial
against several case reports is a disagreement, one case report against
several trials is not.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from medbrief.grade.level import evidence_level
from medbrief.types import DESIGN_LABELS, Evidence

DESIGN_WEIGHT: dict[int, float] = {1: 3.0, 2: 2.0, 3: 1.5, 4: 1.0, 5: 0.5}
#: designs reported apart from clinical studies, not added to their count
APART = frozenset({"narrative-review", "animal", "in-vitro"})
SIZE_SLOPE, SIZE_MIN, SIZE_MAX = 0.15, 0.8, 1.3
RECENT_YEARS, YEARLY_DECAY, AGE_FLOOR = 5, 0.015, 0.6
#: a minority is material from this share of the yes + no weight
MATERIAL_SHARE = 0.25


def study_weight(ev: Evidence, newest: int | None = None) -> float:
    """The weight of one graded study (``newest``: the newest year weighed)."""
    w = DESIGN_WEIGHT[evidence_level(ev.design)]
    if ev.sample_size:
        size = 1 + SIZE_SLOPE * math.log10(max(ev.sample_size, 1) / 100)
        w *= min(max(size, SIZE_MIN), SIZE_MAX)
    year = ev.document.year
    if year and newest:
        age = max(0, newest - year - RECENT_YEARS)
        w *= max(AGE_FLOOR, 1 - YEARLY_DECAY * age)
    return w


def newest_year(evidence: Iterable[Evidence]) -> int | None:
    return max((e.document.year for e in evidence if e.document.year), default=None)


@dataclass(frozen=True, slots=True)
class Side:
    """The studies on one side of a yes/no question and their weight."""

    ids: tuple[str, ...]
    weight: float


def material(minority: Side, majority: Side, heaviest: float) -> bool:
    """Whether the minority's disagreement matters (see the module doc)."""
    if not minority.ids:
        return False
    total = minority.weight + majority.weight
    return minority.weight >= MATERIAL_SHARE * total or minority.weight >= heaviest > 0


def by_design(designs: Sequence[str]) -> str:
    """ "2 randomised controlled trials and 1 cohort study", strongest first."""
    counts: dict[str, int] = {}
    for d in sorted(designs, key=lambda d: (evidence_level(d), d)):
        counts[d] = counts.get(d, 0) + 1
    labels = {d: DESIGN_LABELS.get(d, d) for d in counts}
    parts = [f"{n} {labels[d] if n == 1 else plural(labels[d])}" for d, n in counts.items()]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def plural(label: str) -> str:
    """The plural of a design label ("cohort study", "meta-analysis")."""
    if label.endswith("study"):
        return label[:-5] + "studies"
    if label.endswith("analysis"):
        return label[:-8] + "analyses"
    if label.endswith("series"):
        return label
    return label + "s"
