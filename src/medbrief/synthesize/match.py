"""Does a text mention a concept? Term matching that tolerates inflection.

A study is put under a sub-topic only when its title, abstract or MeSH
headings mention every concept of the sub-topic; a dense-retrieval hit that
never names the concept is not evidence *on* it. Matching is lexical on
purpose: it is explainable and cannot drift.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING

from medbrief.types import Concept, Document

if TYPE_CHECKING:  # facets uses this module to find concepts in a question
    from medbrief.synthesize.facets import FacetPlan

# Light suffix stripping (a few English inflections) so that "screening"
# matches "screened", "supplements" matches "supplementation" and "pregnancy"
# matches "pregnant". Words of five letters or fewer are matched whole, with
# an optional plural.
_SUFFIXES = ("ancy", "ency", "ations", "ation", "ings", "ing", "ies", "ed", "es", "s", "al", "ic")
_HYPHENS = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_HYPHENS).lower()


def _word_pattern(word: str) -> str:
    if len(word) <= 5 or not word.isalpha():
        return re.escape(word) + r"(?:s|es)?"
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return re.escape(word[: -len(suffix)]) + r"\w*"
    # "anticoagulant" names "anticoagulation", "transplant" "transplantation";
    # a short stem would not be specific ("implant": "implement")
    for suffix in ("ants", "ant"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 7:
            return re.escape(word[: -len(suffix)]) + r"\w*"
    return re.escape(word) + r"\w*"


def term_pattern(term: str) -> str:
    words = re.findall(r"[\w']+", normalise(term))
    if not words:
        return ""
    # an all-caps abbreviation must match as a whole word, case-insensitively
    # "pre-exposure", "pre exposure" and "preexposure" are one term; an initial
    # may take its full stop ("S. aureus", "E. coli")
    pattern = r"\b" + _word_pattern(words[0])
    for before, word in pairwise(words):
        pattern += (r"\.?" if len(before) == 1 else "") + r"[\s\-/]*" + _word_pattern(word)
    return pattern + r"\b"


@lru_cache(maxsize=4096)
def _compiled(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = sorted({p for p in (term_pattern(t) for t in terms) if p}, key=len, reverse=True)
    return re.compile("|".join(parts)) if parts else None


@lru_cache(maxsize=4096)
def _negated(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    # "non-diabetic adults", "adults without diabetes"; not "with or without",
    # nor a compound that only starts with the name: a "non-PCI-capable
    # hospital" excludes no patient who has PCI
    # ("women who have never smoked" are no smokers: "never" before a name,
    # or before "ever smoked")
    parts = sorted({p[2:] for p in (term_pattern(t) for t in terms) if p}, key=len, reverse=True)
    if not parts:
        return None
    ever = [p for p in parts if p.startswith("ever")]
    negated = (
        r"\b(?:non[\s\-]?|(?<!with or )(?<!with and )without\s+|never\s+)(?:"
        + "|".join(parts)
        + ")"
    )
    if ever:
        negated = rf"(?:{negated}|\bn(?:{'|'.join(ever)}))"
    return re.compile(negated + r"(?!-\w)")


@dataclass(frozen=True, slots=True)
class ConceptMatcher:
    """Matches one concept: its label and every term the reading gave it."""

    concept: Concept

    @property
    def terms(self) -> tuple[str, ...]:
        return (self.concept.label, *self.concept.terms)

    def in_text(self, text: str) -> bool:
        return self.in_normalised(normalise(text))

    def in_normalised(self, text: str) -> bool:
        pattern = _compiled(self.terms)
        return bool(pattern and pattern.search(text))

    def in_document(self, doc: Document) -> bool:
        return self.concept.label in Matcher((self.concept,)).in_document(doc)

    def first_span(self, text: str) -> tuple[int, int] | None:
        """Where ``text`` (normalised) first names the concept, if it does."""
        pattern = _compiled(self.terms)
        found = pattern.search(text) if pattern else None
        return found.span() if found else None

    def opens(self, text: str) -> bool:
        """Whether ``text`` begins with one of the concept's names."""
        pattern = _compiled(self.terms)
        return bool(pattern and pattern.match(normalise(text)))

    def negated_in(self, text: str) -> bool:
        """Whether ``text`` names the concept only as excluded ("for
        non-diabetic adults"); not where it names it as included too
        ("fasting or nonfasting lipid levels")."""
        pattern = _negated(self.terms)
        normal = normalise(text)
        if pattern is None or not pattern.search(normal):
            return False
        return not self.in_normalised(pattern.sub(" ", normal))


def _document_text(doc: Document) -> str:
    headings = " ; ".join(m.descriptor for m in doc.mesh)
    return normalise(f"{doc.text}\n{headings}\n{' ; '.join(doc.keywords)}")


class Matcher:
    """Which of the question's concepts a text or a document names.

    One per brief: a document's answer is remembered by id, since the same
    candidates are tested for every sub-topic and every section.
    """

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self.concepts = {c.label: ConceptMatcher(c) for c in concepts}
        self._documents: dict[str, frozenset[str]] = {}

    def __len__(self) -> int:
        return len(self.concepts)

    def in_text(self, text: str) -> frozenset[str]:
        normal = normalise(text)
        return frozenset(label for label, m in self.concepts.items() if m.in_normalised(normal))

    def excluded(self, text: str) -> frozenset[str]:
        """Concepts the text names as excluded: a recommendation "for
        non-diabetic adults" is none for a question about diabetics."""
        return frozenset(label for label, m in self.concepts.items() if m.negated_in(text))

    def names_any(self, doc: Document, subtopics: Iterable[FacetPlan]) -> bool:
        """Does ``doc`` name every concept of at least one of ``subtopics``?"""
        named = self.in_document(doc)
        return any(set(s.concepts) <= named for s in subtopics)

    def in_document(self, doc: Document) -> frozenset[str]:
        """Concepts named in the title, abstract, MeSH headings or keywords."""
        found = self._documents.get(doc.id)
        if found is None:
            text = _document_text(doc)
            found = frozenset(
                label
                for label, m in self.concepts.items()
                if (m.concept.mesh_ui and any(h.ui == m.concept.mesh_ui for h in doc.mesh))
                or m.in_normalised(text)
            )
            self._documents[doc.id] = found
        return found
