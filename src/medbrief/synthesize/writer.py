"""Compose the Brief: number the sources, write the summaries, key findings.

Every sentence of a brief is either a source's own sentence or one of the
templates below filled with computed facts (counts, stances, names of
sub-topics, the issuing body and year). Nothing else is written, so nothing
can be invented. Guidelines are numbered first, then studies in order of
first citation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from medbrief.synthesize.draft import Finding
from medbrief.synthesize.guidelines import GuidelineDraft, key_recommendations
from medbrief.synthesize.research import FacetFindings
from medbrief.types import (
    DESIGN_LABELS,
    Brief,
    Bullet,
    Citation,
    Document,
    Evidence,
    Facet,
    GuidelineItem,
    Reading,
    Recommendation,
    Reference,
    canonical_link,
)

MAX_BULLETS_PER_FACET = 6
MAX_KEY_GUIDELINES = 2

_POSITIVE = {
    "association": "an association",
    "topic": "a positive finding",
    "treatment": "a benefit",
    "procedure": "a benefit",
    # the stance says a difference was found, not which way it went
    "comparison": "a difference",
}
_NEGATIVE = {
    "association": "no association",
    "topic": "a negative finding",
    "treatment": "no benefit",
    "procedure": "no benefit",
    "comparison": "no difference",
}


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def _sources(ids: Sequence[str], reviews: frozenset[str]) -> str:
    """ "3 studies report", "2 studies and 1 narrative review report": a
    narrative review summarises others' work and is not counted as a study
    (it sits below every primary design in the CEBM levels)."""
    m = sum(i in reviews for i in ids)
    n = len(ids) - m
    parts = [_count(n, "study", "studies")] if n else []
    if m:
        parts.append(_count(m, "narrative review", "narrative reviews"))
    return f"{' and '.join(parts)} {'reports' if len(ids) == 1 else 'report'}"


@dataclass
class _Numbering:
    order: list[str] = field(default_factory=list)

    def n(self, item_id: str) -> int:
        if item_id not in self.order:
            self.order.append(item_id)
        return self.order.index(item_id) + 1


def _refs(numbering: _Numbering, ids: Sequence[str]) -> tuple[int, ...]:
    return tuple(sorted({numbering.n(i) for i in ids}))


def _shown(findings: Sequence[Finding]) -> list[Finding]:
    """The findings listed under a sub-topic: strongest evidence first, but
    every side of a disagreement gets its bullets (a reader must see what
    the studies finding no effect say, not only their count)."""
    sides: dict[str, list[Finding]] = {}
    for f in findings:
        sides.setdefault(f.stance, []).append(f)
    share = max(MAX_BULLETS_PER_FACET // max(len(sides), 1), 2)
    picked = {id(f) for side in sides.values() for f in side[:share]}
    for f in findings:  # fill what is left in order of strength
        if len(picked) >= MAX_BULLETS_PER_FACET:
            break
        picked.add(id(f))
    return [f for f in findings if id(f) in picked]


def _finding_bullet(f: Finding, numbering: _Numbering) -> Bullet:
    citations = tuple(Citation(numbering.n(s.item_id), s.sentence, s.score) for s in f.supports)
    return Bullet(f.text, tuple(sorted({c.n for c in citations})), citations)


def _summary(
    facet: FacetFindings, numbering: _Numbering, reviews: frozenset[str]
) -> tuple[str, Bullet | None]:
    intent = facet.plan.intent
    by: dict[str, list[str]] = {"yes": [], "no": [], "maybe": []}
    for f in facet.findings:
        by[f.stance].extend(i for i in f.item_ids if i not in by[f.stance])
    yes, no, maybe = by["yes"], by["no"], by["maybe"]
    if not (yes or no or maybe):
        label = facet.plan.label
        text = f"No study among those retrieved addresses {label[:1].lower()}{label[1:]}."
        return "no_evidence", Bullet(text, kind="summary")
    parts = []
    if yes:
        parts.append(f"{_sources(yes, reviews)} {_POSITIVE[intent]} {{yes}}")
    if no:
        parts.append(f"{_sources(no, reviews)} {_NEGATIVE[intent]} {{no}}")
    if maybe:
        parts.append(f"{_sources(maybe, reviews)} mixed or unclear results {{maybe}}")
    status = "inconsistent" if yes and no else "evidence"
    refs = {k: _refs(numbering, v) for k, v in by.items()}
    text = "; ".join(parts)
    text = text.format(**{k: "[" + ", ".join(map(str, r)) + "]" for k, r in refs.items()})
    if status == "inconsistent":
        text = f"The evidence is inconsistent: {text}."
    elif len(yes) + len(no) + len(maybe) > 1:
        text = f"{text[:1].upper()}{text[1:]}."
    else:
        return status, None
    all_refs = tuple(sorted(set(refs["yes"]) | set(refs["no"]) | set(refs["maybe"])))
    return status, Bullet(text, all_refs, kind="summary")


def guideline_items(drafts: Sequence[GuidelineDraft]) -> tuple[GuidelineItem, ...]:
    """The guideline section; guidelines are numbered first, 1..G, in this order."""
    return tuple(
        GuidelineItem(
            ref=n,
            body=g.body,
            year=g.year,
            statement=g.statement,
            strength=g.strength,
            certainty=g.certainty,
            direction=g.direction,
            statement_type=g.statement_type,
            key_points=g.key_points,
        )
        for n, g in enumerate(drafts, 1)
    )


def compose(
    question: str,
    reading: Reading,
    guideline_drafts: Sequence[GuidelineDraft],
    facets: Sequence[FacetFindings],
    items: dict[str, Document | Recommendation],
    evidence: dict[str, Evidence],
    dropped_claims: int,
    notes: Sequence[str] = (),
) -> Brief:
    numbering = _Numbering([g.item_id for g in guideline_drafts])
    guidelines = guideline_items(guideline_drafts)
    research = []
    key_facets = []
    reviews = frozenset(i for i, e in evidence.items() if e.design == "narrative-review")
    for facet in facets:
        shown = _shown(facet.findings)
        bullets = [_finding_bullet(f, numbering) for f in shown]
        status, summary = _summary(facet, numbering, reviews)
        if summary is not None:
            bullets.insert(0, summary)
            key_facets.append(
                Bullet(f"{facet.plan.label}: {summary.text}", summary.refs, kind="summary")
            )
        elif bullets:
            key_facets.append(Bullet(f"{facet.plan.label}: {bullets[0].text}", bullets[0].refs))
        research.append(
            Facet(facet.plan.label, facet.plan.concepts, status, tuple(bullets))  # type: ignore[arg-type]
        )
    key_findings = [
        Bullet(_guideline_key(guidelines[i]), (guidelines[i].ref,))
        for i in key_recommendations(guideline_drafts, MAX_KEY_GUIDELINES)
    ]
    key_findings.extend(key_facets)
    abstained = not guidelines and all(f.status == "no_evidence" for f in research)
    references = tuple(
        _reference(n, items[i], evidence.get(i)) for n, i in enumerate(numbering.order, 1)
    )
    if abstained:
        return Brief(
            question=question,
            reading=reading,
            abstained=True,
            notes=(
                "No relevant evidence found: no guideline recommendation or study among those "
                "stored addresses this question.",
                *notes,
            ),
            dropped_claims=dropped_claims,
        )
    return Brief(
        question=question,
        reading=reading,
        guidelines=guidelines,
        research=tuple(research),
        key_findings=tuple(key_findings),
        references=references,
        dropped_claims=dropped_claims,
        notes=tuple(notes),
    )


_UNGRADED = ("not stated", "n/a", "not applicable", "none")


def _guideline_key(g: GuidelineItem) -> str:
    grades = [x for x in (g.strength, g.certainty) if x and not x.lower().startswith(_UNGRADED)]
    year = f" ({g.year})" if g.year else ""
    first = g.statement.split(". ")[0].rstrip(".")
    grading = f" Graded by the source: {'; '.join(grades)}." if grades else ""
    return f"{g.body}{year}: {first}.{grading}"


def _reference(n: int, item: Document | Recommendation, ev: Evidence | None) -> Reference:
    if isinstance(item, Recommendation):
        link = canonical_link(item.pmid, item.doi, item.url)
        return Reference(
            n=n,
            kind="guideline",
            id=item.id,
            title=item.guideline_title,
            year=item.year,
            pmid=item.pmid,
            doi=item.doi,
            url=link,
            design="guideline",
            body=item.body,
            population=item.population,
            text_source=item.url if item.url and item.url != link else None,
        )
    design = ev.design if ev else ("guideline" if item.kind == "guideline" else None)
    return Reference(
        n=n,
        kind="guideline" if item.kind == "guideline" else "study",
        id=item.id,
        title=item.title,
        journal=item.journal,
        year=item.year,
        pmid=item.pmid,
        doi=item.doi,
        url=item.link,
        design=DESIGN_LABELS.get(design, design) if design else None,
        sample_size=ev.sample_size if ev else None,
        retracted=item.retracted,
    )
