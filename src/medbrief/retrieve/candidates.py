"""What a brief retrieves: recommendations, guideline documents, and studies
for the whole question and for each of its sub-topics.

Each sub-topic is searched on its own (its concepts and their terms) besides
the question as a whole, so that a sub-topic the question mentions in passing
still gets candidates of its own rather than only the whole question's best.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from medbrief.retrieve.hybrid import Retriever, expansion_terms
from medbrief.types import Document, Filters, Hit, ItemKind, Reading, Recommendation

GUIDELINE_CANDIDATES = 25
FACET_CANDIDATES = 15


@dataclass(frozen=True, slots=True)
class GuidelineCandidates:
    recommendations: tuple[Recommendation, ...]
    documents: tuple[Document, ...]


def _only(filters: Filters | None, kind: ItemKind) -> Filters | None:
    """``filters`` narrowed to one kind, or None if the user filtered it out."""
    base = filters or Filters()
    if base.kinds and kind not in base.kinds:
        return None
    return replace(base, kinds=(kind,))


def guideline_candidates(
    retriever: Retriever,
    reading: Reading,
    filters: Filters | None,
    extra_terms: Sequence[str] = (),
) -> GuidelineCandidates:
    """``extra_terms`` widen the search (the question's population as
    guidelines name it: "Black adults" for "african american patients")."""
    expansions = list(dict.fromkeys([*expansion_terms(reading), *extra_terms]))
    recs: list[Recommendation] = []
    docs: list[Document] = []
    only_recs = _only(filters, "recommendation")
    if only_recs is not None:
        hits = retriever.search(
            reading.corrected, GUIDELINE_CANDIDATES, only_recs, expansions=expansions
        )
        recs = [h.recommendation for h in hits if h.recommendation]
    only_docs = _only(filters, "guideline")
    if only_docs is not None:
        hits = retriever.search(
            reading.corrected, GUIDELINE_CANDIDATES, only_docs, expansions=expansions
        )
        docs = [h.document for h in hits if h.document]
    return GuidelineCandidates(tuple(recs), tuple(docs))


def study_candidates(
    retriever: Retriever,
    reading: Reading,
    subtopics: Sequence[Sequence[str]],
    filters: Filters | None,
    k: int,
) -> list[Hit]:
    """Research articles for the question (``k``) and each sub-topic, named by
    its concept labels; each article once, at its first (best) hit."""
    only = _only(filters, "research")
    if only is None:
        return []
    by_label = {c.label: c for c in reading.concepts}
    queries = [(reading.corrected, expansion_terms(reading), k)]
    for labels in subtopics:
        terms = [t for label in labels for t in by_label[label].terms]
        queries.append((" ".join(labels), terms, FACET_CANDIDATES))
    found: dict[str, Hit] = {}
    for text, extra, depth in queries:
        for hit in retriever.search(text, depth, only, expansions=extra):
            if hit.document is not None and hit.id not in found:
                found[hit.id] = hit
    return list(found.values())
