"""Word and bigram frequencies of the indexed corpus.

The corpus tells the speller which words this collection actually uses (a
drug or gene name missing from every dictionary, or a British spelling) and
how often, so that common medical words win over rare look-alikes; bigram
counts let the phrase corrector leave alone a phrase that the literature
really uses.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import pairwise

from medbrief.types import Document, Recommendation
from medbrief.understand.text import STOP_WORDS

_WORD = re.compile(r"[a-z](?:[a-z']*[a-z])?")
#: Counts kept: a word or bigram seen once is as likely a typo as a term.
MIN_COUNT = 2
MAX_BIGRAMS = 200_000
_PRUNE_AT = 3_000_000


@dataclass(frozen=True, slots=True)
class CorpusCounts:
    words: dict[str, int]
    bigrams: dict[str, int]
    tokens: int
    documents: int


def document_texts(doc: Document) -> list[str]:
    texts = [doc.title, *(s.text for s in doc.abstract), *doc.keywords, *doc.chemicals]
    texts.extend(h.descriptor for h in doc.mesh)
    return texts


def recommendation_texts(rec: Recommendation) -> list[str]:
    return [rec.guideline_title, rec.statement, *rec.key_points, rec.population or ""]


def count_corpus(
    documents: Iterable[Document],
    recommendations: Iterable[Recommendation] = (),
    progress: Callable[[int], None] | None = None,
) -> CorpusCounts:
    words: Counter[str] = Counter()
    bigrams: Counter[str] = Counter()
    tokens = 0
    n = 0

    def absorb(texts: list[str]) -> None:
        nonlocal tokens
        for text in texts:
            found = [w.strip("'") for w in _WORD.findall(text.lower())]
            tokens += len(found)
            words.update(found)
            bigrams.update(
                f"{a} {b}"
                for a, b in pairwise(found)
                if a not in STOP_WORDS and b not in STOP_WORDS
            )
        if len(bigrams) > _PRUNE_AT:
            # lossy counting: a bigram seen once so far rarely becomes frequent
            for key in [k for k, c in bigrams.items() if c < MIN_COUNT]:
                del bigrams[key]

    for doc in documents:
        absorb(document_texts(doc))
        n += 1
        if progress is not None and n % 1000 == 0:
            progress(n)
    for rec in recommendations:
        absorb(recommendation_texts(rec))
    kept_bigrams = dict((k, c) for k, c in bigrams.most_common(MAX_BIGRAMS) if c >= MIN_COUNT)
    return CorpusCounts(
        words={w: c for w, c in words.items() if c >= MIN_COUNT},
        bigrams=kept_bigrams,
        tokens=tokens,
        documents=n,
    )
