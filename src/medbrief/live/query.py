"""A PubMed query from a :class:`~medbrief.types.Reading`.

Shape (the block-building of systematic-review search strategies, e.g. the
Cochrane Handbook, chapter 4.4)::

    ("Restless Legs Syndrome"[mh] OR "restless legs syndrome"[tiab] OR "RLS"[tiab])
    AND ("Iron"[mh] OR "iron"[tiab] OR "ferritin"[tiab])

one parenthesised OR-block per concept, the blocks ANDed. A concept with a
MeSH descriptor (``mesh_ui`` set, ``label`` is then the descriptor name)
searches it as ``[mh]``, which explodes to narrower descriptors; every term
is also searched in title and abstract (``[tiab]``) so that records not yet
MeSH-indexed (in-process, publisher-supplied) are found too.

Publication types are preferred rather than required:
:func:`with_preferred_types` narrows a query to guidelines, systematic reviews,
meta-analyses and randomised trials (``[pt]``, NLM Publication Types); live
search runs that narrowed query first, sorted by relevance, and fills the
remaining places from the unnarrowed query.
"""

from __future__ import annotations

import re

from medbrief.types import Concept, Reading

#: NLM Publication Types for the designs a brief ranks highest.
PREFERRED_TYPES: tuple[str, ...] = (
    "Guideline",
    "Practice Guideline",
    "Systematic Review",
    "Meta-Analysis",
    "Randomized Controlled Trial",
)
#: Terms per concept block: more adds noise (and length) faster than recall.
MAX_TERMS = 8
#: Concept blocks ANDed: each more block divides the hits.
MAX_CONCEPTS = 5

# Characters with a meaning in PubMed's query syntax (phrase quotes, field tags,
# grouping, truncation); inside a term they would change the query.
_SYNTAX = re.compile(r'["\[\]()*{}]')
_STOPWORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "should",
        "than",
        "that",
        "the",
        "their",
        "there",
        "these",
        "this",
        "to",
        "vs",
        "was",
        "were",
        "what",
        "when",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "patients",
        "patient",
        "treatment",
    }
)


def clean_term(term: str) -> str:
    """``term`` without PubMed syntax characters, whitespace collapsed."""
    return " ".join(_SYNTAX.sub(" ", term).split())


def concept_clause(concept: Concept) -> str:
    """One OR-block: the MeSH heading, then each term in title/abstract."""
    parts: list[str] = []
    label = clean_term(concept.label)
    if concept.mesh_ui and label:
        parts.append(f'"{label}"[mh]')
    seen: set[str] = set()
    for term in (concept.label, *concept.terms):
        cleaned = clean_term(term)
        key = cleaned.lower()
        if len(cleaned) < 2 or key in seen:
            continue
        seen.add(key)
        parts.append(f'"{cleaned}"[tiab]')
        if len(seen) >= MAX_TERMS:
            break
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def pubmed_query_for(reading: Reading, *, max_concepts: int = MAX_CONCEPTS) -> str:
    """The PubMed query for ``reading``: concept blocks ANDed (see module doc).

    A reading without concepts falls back to its content words, which
    PubMed's Automatic Term Mapping then maps to MeSH itself. Returns ``""``
    when nothing searchable is left.
    """
    clauses = [c for c in (concept_clause(c) for c in reading.concepts) if c]
    if clauses:
        return " AND ".join(clauses[:max_concepts])
    text = reading.search_text or reading.corrected or reading.question
    words = [w for w in clean_term(text).split() if w.lower().strip("?.,;:!") not in _STOPWORDS]
    return " ".join(w.strip("?.,;:!") for w in words if len(w.strip("?.,;:!")) > 1)


def with_preferred_types(query: str) -> str:
    """``query`` narrowed to the publication types a brief ranks highest."""
    types = " OR ".join(f'"{t}"[pt]' for t in PREFERRED_TYPES)
    return f"({query}) AND ({types})"


def relaxations(reading: Reading) -> list[str]:
    """Queries to try in turn: all concept blocks, then dropping the last ones.

    ANDing every concept of a long question can leave nothing; the first
    concepts are the question's subject, so the tail is dropped first.
    """
    n = min(len([c for c in reading.concepts if concept_clause(c)]), MAX_CONCEPTS)
    queries = [pubmed_query_for(reading, max_concepts=k) for k in range(max(n, 1), 1, -1)]
    if not queries:
        queries = [pubmed_query_for(reading)]
    return [q for i, q in enumerate(queries) if q and q not in queries[:i]]
