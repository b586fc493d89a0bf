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
#: Question words that carry no topic: function words and the verbs of
#: "does X reduce Y" questions.
_STOP_TEXT = (
    "a an and are as at be been by can could did do does for from has have how in into is "
    "it its of on or should than that the their there these this those to vs versus was "
    "were what when which who why will with would "
    "patient patients treatment treat treating use used using help helps effect effects "
    "effective reduce reduces reducing increase increases improve improves compared better"
)
_STOPWORDS = frozenset(_STOP_TEXT.split())
_EDGE = "?.,;:!'"


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

    With a single concept the query would be the whole topic ("vitamin D"),
    so the question's remaining content words join as one more OR-block
    ("supplementation", "fractures", ...): a record must mention one of them,
    and PubMed's Best Match ranks by all of them. A reading without concepts
    falls back to its content words, which PubMed's Automatic Term Mapping
    maps to MeSH itself. Returns ``""`` when nothing searchable is left.
    """
    clauses = _concept_clauses(reading)[:max_concepts]
    if len(clauses) == 1 and (rest := leftover_clause(reading)):
        clauses.append(rest)
    if clauses:
        return " AND ".join(clauses)
    return " ".join(_content_words(reading))


def leftover_clause(reading: Reading) -> str:
    """An OR-block of the question's content words no concept covers."""
    covered = {
        word
        for concept in reading.concepts
        for term in (concept.label, *concept.terms)
        for word in clean_term(term).lower().split()
    }
    words = [w for w in _content_words(reading) if w.lower() not in covered]
    return concept_clause(Concept(words[0], tuple(words[1:]))) if words else ""


def _concept_clauses(reading: Reading) -> list[str]:
    return [c for c in (concept_clause(c) for c in reading.concepts) if c]


def _content_words(reading: Reading) -> list[str]:
    text = reading.search_text or reading.corrected or reading.question
    words: dict[str, str] = {}
    for raw in clean_term(text).split():
        word = raw.strip(_EDGE)
        key = word.lower()
        if len(key) > 1 and key not in _STOPWORDS and any(c.isalpha() for c in key):
            words.setdefault(key, word)
    return list(words.values())


def with_preferred_types(query: str) -> str:
    """``query`` narrowed to the publication types a brief ranks highest."""
    types = " OR ".join(f'"{t}"[pt]' for t in PREFERRED_TYPES)
    return f"({query}) AND ({types})"


def relaxations(reading: Reading) -> list[str]:
    """Queries to try in turn, from the narrowest.

    ANDing every concept of a long question can leave nothing. Blocks are
    dropped one at a time, down to two: concepts without a MeSH descriptor
    first (modifiers such as "asymptomatic"), then from the end (the first
    concepts are the question's subject). A single concept sheds its
    leftover-words block.
    """
    blocks = [(c, concept_clause(c)) for c in reading.concepts]
    blocks = [(c, clause) for c, clause in blocks if clause][:MAX_CONCEPTS]
    if len(blocks) < 2:
        queries = [pubmed_query_for(reading)]
        if blocks:
            queries.append(blocks[0][1])
    else:
        kept = list(range(len(blocks)))
        order = sorted(kept, key=lambda i: (blocks[i][0].mesh_ui is not None, -i))
        queries = [" AND ".join(blocks[i][1] for i in kept)]
        for i in order[: len(blocks) - 2]:
            kept.remove(i)
            queries.append(" AND ".join(blocks[i][1] for i in kept))
    return [q for i, q in enumerate(queries) if q and q not in queries[:i]]
