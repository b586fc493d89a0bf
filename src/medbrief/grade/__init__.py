"""grade: what kind of study each retrieved record is, and what it found.

For every study: its design (``classify_design``), the participants it
states (``sample_size``), an evidence level (``evidence_level``, OCEBM 2011)
and, given a question, its stance (``medbrief.grade.stance.stance``). The
retraction flag travels with the document (``Document.retracted``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from medbrief.grade.design import classify_design
from medbrief.grade.level import evidence_level, strength_key
from medbrief.grade.sample import sample_size
from medbrief.grade.sentences import split_sentences
from medbrief.types import Document, Evidence, Hit, Stance

__all__ = [
    "classify_design",
    "evidence_level",
    "grade",
    "grade_hits",
    "sample_size",
    "split_sentences",
    "strength_key",
]


def grade(doc: Document, question: str | None = None) -> Evidence:
    """``doc`` graded; its stance on ``question`` when one is given.

    ``Evidence.relevance`` is, with a question, the share of the question's
    concepts found in the title and abstract (0..1), else 0.
    """
    design = classify_design(doc)
    stance = Stance("not_addressed")
    relevance = 0.0
    if question is not None:
        from medbrief.grade.stance import analyse, stance_from_analysis

        result = analyse(question, doc.abstract_text, doc.title)
        stance = stance_from_analysis(result)
        relevance = result.coverage
    return Evidence(
        document=doc,
        design=design,
        level=evidence_level(design),
        sample_size=sample_size(doc),
        stance=stance,
        relevance=round(relevance, 4),
    )


def grade_hits(hits: Iterable[Hit], designs: Iterable[str] = ()) -> dict[str, Evidence]:
    """Retrieved studies graded, keyed by id, relevance = retrieval score;
    when ``designs`` are given, only studies of those designs."""
    wanted = set(designs)
    out: dict[str, Evidence] = {}
    for hit in hits:
        if hit.document is None:
            continue
        ev = grade(hit.document)
        if not wanted or ev.design in wanted:
            out[hit.id] = replace(ev, relevance=hit.score)
    return out
