"""What the store does hold near a question it cannot answer.

When a brief abstains, a reader needs a way on: the guidelines and topics the
nearest stored records are about, as things to ask instead. They come from a
plain search for the question: the titles of the guidelines among the hits
(with body and year), then the major MeSH topics of the research hits, most
frequent first. These are labels of stored records, never an answer.
"""

from __future__ import annotations

from collections import Counter

from medbrief.types import SearchResult

MAX_RELATED = 6


def related_topics(result: SearchResult, limit: int = MAX_RELATED) -> tuple[str, ...]:
    """Up to ``limit`` labels of what the hits are about, guidelines first."""
    guidelines: list[str] = []
    topics: Counter[str] = Counter()
    asked = {c.label.lower() for c in result.reading.concepts}
    for hit in result.hits:
        rec, doc = hit.recommendation, hit.document
        if rec is not None:
            year = f", {rec.year}" if rec.year else ""
            label = f"{rec.guideline_title} ({rec.body}{year})"
            if label not in guidelines:
                guidelines.append(label)
        elif doc is not None:
            for heading in doc.mesh:
                name = heading.descriptor
                if heading.major and name.lower() not in asked:
                    topics[name] += 1
    ranked = [name for name, n in topics.most_common() if n > 1]
    return tuple([*guidelines, *ranked][:limit])
