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

from medbrief.types import Concept, Document

# Light suffix stripping (a few English inflections) so that "screening"
# matches "screened" and "supplements" matches "supplementation". Words of
# five letters or fewer are matched whole, with an optional plural.
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ed", "es", "s", "al", "ic")
_HYPHENS = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_HYPHENS).lower()


def _word_pattern(word: str) -> str:
    if len(word) <= 5 or not word.isalpha():
        return re.escape(word) + r"(?:s|es)?"
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return re.escape(word[: -len(suffix)]) + r"\w*"
    return re.escape(word) + r"\w*"


def term_pattern(term: str) -> str:
    words = re.findall(r"[\w']+", normalise(term))
    if not words:
        return ""
    # an all-caps abbreviation must match as a whole word, case-insensitively
    # "pre-exposure", "pre exposure" and "preexposure" are one term
    return r"\b" + r"[\s\-/]*".join(_word_pattern(w) for w in words) + r"\b"


@lru_cache(maxsize=4096)
def _compiled(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = sorted({p for p in (term_pattern(t) for t in terms) if p}, key=len, reverse=True)
    return re.compile("|".join(parts)) if parts else None


@dataclass(frozen=True, slots=True)
class ConceptMatcher:
    """Matches one concept: its label and every term the reading gave it."""

    concept: Concept

    @property
    def terms(self) -> tuple[str, ...]:
        return (self.concept.label, *self.concept.terms)

    def in_text(self, text: str) -> bool:
        pattern = _compiled(self.terms)
        return bool(pattern and pattern.search(normalise(text)))

    def in_document(self, doc: Document) -> bool:
        if self.concept.mesh_ui and any(m.ui == self.concept.mesh_ui for m in doc.mesh):
            return True
        headings = " ; ".join(m.descriptor for m in doc.mesh)
        return self.in_text(f"{doc.text}\n{headings}\n{' ; '.join(doc.keywords)}")


def matchers(concepts: Iterable[Concept]) -> dict[str, ConceptMatcher]:
    return {c.label: ConceptMatcher(c) for c in concepts}
