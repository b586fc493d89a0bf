"""The "From the Guidelines" section: which recommendations bear on the question.

A recommendation is listed when its statement, guideline title or population
names at least two of the question's concepts (one when the question has a
single concept): a guideline on the condition that is about another treatment
is not an answer. Strength and certainty are carried exactly as stored (the
source's words); nothing here rewrites them. Practical key points are the
source's own sentences that name a concept of the question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from medbrief.grade import split_sentences
from medbrief.synthesize.match import ConceptMatcher
from medbrief.types import Document, Recommendation

MAX_ITEMS = 10
MAX_KEY_POINTS = 3
MAX_KEY_POINT_CHARS = 400
MAX_EXCERPT_SENTENCES = 2


@dataclass(frozen=True, slots=True)
class GuidelineDraft:
    """A recommendation, or an excerpt of a guideline document, to list."""

    item_id: str
    body: str
    year: int | None
    statement: str
    strength: str | None
    certainty: str | None
    direction: str | None
    statement_type: str
    key_points: tuple[str, ...]
    rank: int


def _needed(n_concepts: int) -> int:
    return 1 if n_concepts <= 1 else 2


def _matched(text: str, matchers: dict[str, ConceptMatcher]) -> int:
    return sum(1 for m in matchers.values() if m.in_text(text))


def _key_points(texts: Sequence[str], matchers: dict[str, ConceptMatcher]) -> tuple[str, ...]:
    points: list[str] = []
    for text in texts:
        for sentence in split_sentences(text):
            if len(sentence) > MAX_KEY_POINT_CHARS or sentence in points:
                continue
            if _matched(sentence, matchers):
                points.append(sentence)
            if len(points) == MAX_KEY_POINTS:
                return tuple(points)
    return tuple(points)


def recommendation_drafts(
    recs: Sequence[Recommendation], matchers: dict[str, ConceptMatcher]
) -> list[GuidelineDraft]:
    need = _needed(len(matchers))
    drafts = []
    for rank, rec in enumerate(recs):
        scope = " ".join(filter(None, (rec.statement, rec.guideline_title, rec.population)))
        if _matched(scope, matchers) < need:
            continue
        drafts.append(
            GuidelineDraft(
                item_id=rec.id,
                body=rec.body,
                year=rec.year,
                statement=rec.statement,
                strength=rec.strength,
                certainty=rec.certainty,
                direction=rec.direction,
                statement_type=rec.statement_type,
                key_points=_key_points(rec.key_points, matchers),
                rank=rank,
            )
        )
    return drafts


def document_drafts(
    docs: Sequence[Document],
    matchers: dict[str, ConceptMatcher],
    covered_pmids: set[str],
    start_rank: int,
) -> list[GuidelineDraft]:
    """Guideline documents without graded recommendations: a short excerpt.

    The excerpt is the document's own sentences that name the most concepts;
    the document's grades, if any, are not in our data, so none are shown.
    """
    need = _needed(len(matchers))
    drafts = []
    for i, doc in enumerate(docs):
        if doc.pmid and doc.pmid in covered_pmids:
            continue
        if sum(1 for m in matchers.values() if m.in_document(doc)) < need:
            continue
        sentences = split_sentences(doc.abstract_text)
        scored = sorted(
            ((-_matched(s, matchers), j, s) for j, s in enumerate(sentences)),
        )
        best = sorted((j, s) for score, j, s in scored[:MAX_EXCERPT_SENTENCES] if score < 0)
        if not best:
            continue
        drafts.append(
            GuidelineDraft(
                item_id=doc.id,
                body=doc.journal if doc.source != "pubmed" and doc.journal else _body_of(doc),
                year=doc.year,
                statement=" ".join(s for _, s in best),
                strength=None,
                certainty=None,
                direction=None,
                statement_type="summary" if doc.note else "excerpt",
                key_points=(),
                rank=start_rank + i,
            )
        )
    return drafts


def _body_of(doc: Document) -> str:
    return doc.journal or "guideline"


def order(drafts: Sequence[GuidelineDraft]) -> list[GuidelineDraft]:
    """Best-ranked issuing body first; within a body, the newest guideline first."""
    best: dict[str, int] = {}
    for d in drafts:
        best[d.body] = min(best.get(d.body, d.rank), d.rank)
    ordered = sorted(drafts, key=lambda d: (best[d.body], -(d.year or 0), d.rank))
    return ordered[:MAX_ITEMS]
