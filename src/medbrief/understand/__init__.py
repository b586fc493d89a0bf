"""understand: how a question is read before it is searched.

Spelling is corrected against a medical vocabulary (MeSH descriptor names,
drug names and the corpus's own words), abbreviations and synonyms are
expanded, and the question's concepts are extracted; the result is a
:class:`medbrief.types.Reading`, which travels with every search result.

::

    reader = load_reader(settings, store)
    reading = reader.read("metfromin and restles legs")
"""

from __future__ import annotations

from medbrief.settings import Settings
from medbrief.store import Store
from medbrief.understand.cache import load_vocabulary
from medbrief.understand.reader import Reader
from medbrief.understand.text import validate_question
from medbrief.understand.vocabulary import Vocabulary, build_vocabulary

__all__ = [
    "Reader",
    "Vocabulary",
    "build_vocabulary",
    "load_reader",
    "load_vocabulary",
    "validate_question",
]


def load_reader(settings: Settings, store: Store | None = None) -> Reader:
    """A Reader over the cached vocabulary for ``store`` (built if missing or
    stale; see :mod:`medbrief.understand.cache`)."""
    return Reader(load_vocabulary(settings, store), max_chars=settings.max_question_chars)
