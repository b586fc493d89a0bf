"""Every citation is checked against the cited source's own text.

Two checks, after the attribution studies of cited generation (Gao et al.,
"Enabling Large Language Models to Generate Text with Citations", EMNLP 2023;
Rashkin et al., "Measuring Attribution in Natural Language Generation
Models", 2023): a claim must be *supported* by a sentence of the source
(the sentence itself, or close in wording and in meaning), and every number
in the claim must appear in the source, since a changed number is the most
harmful unsupported claim. A citation that fails is removed; a claim left
with no citation is dropped and counted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from medbrief.grade import split_sentences
from medbrief.synthesize.draft import Finding, Support, strip_label
from medbrief.synthesize.research import FacetFindings
from medbrief.types import Brief, Bullet, Document, Recommendation
from medbrief.understand.text import STOP_WORDS

SimilarityFn = Callable[[str, Sequence[str]], list[float]]

#: lexical coverage of the claim's content words by one source sentence
LEXICAL_SUPPORT = 0.6
#: cosine similarity (all-MiniLM-L6-v2) between the claim and one sentence
SEMANTIC_SUPPORT = 0.75
#: a citation is kept when lexical >= LEXICAL_SUPPORT and semantic >= this
SEMANTIC_FLOOR = 0.5

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[a-z0-9]+")
_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(unicodedata.normalize("NFKC", text))}


def _content(text: str) -> set[str]:
    return {w for w in _WORD.findall(_norm(text)) if w not in STOP_WORDS}


def lexical_support(claim: str, sentence: str) -> float:
    words = _content(claim)
    if not words:
        return 0.0
    return len(words & _content(sentence)) / len(words)


@dataclass(frozen=True, slots=True)
class CheckResult:
    findings: tuple[Finding, ...]
    dropped_claims: int
    dropped_citations: int


def lexical_similarity(claim: str, sentences: Sequence[str]) -> list[float]:
    """The similarity used when no embedder is loaded: shared content words."""
    return [lexical_support(claim, s) for s in sentences]


def check_support(claim: str, source_text: str, similarity: SimilarityFn | None) -> Support | None:
    """The source's best sentence for ``claim``, or None if it does not support it."""
    if not numbers(claim) <= numbers(source_text):
        return None
    return best_support(claim, split_sentences(source_text), similarity)


def best_support(
    claim: str, sentences: Sequence[str], similarity: SimilarityFn | None
) -> Support | None:
    """The sentence among ``sentences`` that supports ``claim`` best, if any does
    (the wording and meaning test of :func:`check_support`, numbers aside)."""
    normal = _norm(claim)
    for sentence in sentences:
        if normal and normal in _norm(sentence):
            return Support("", sentence, 1.0)
    if not sentences:
        return None
    lexical = [lexical_support(claim, s) for s in sentences]
    semantic = similarity(claim, sentences) if similarity else [0.0] * len(sentences)
    best_i, best = -1, 0.0
    for i, (lx, sm) in enumerate(zip(lexical, semantic, strict=True)):
        ok = (lx >= LEXICAL_SUPPORT and (similarity is None or sm >= SEMANTIC_FLOOR)) or (
            sm >= SEMANTIC_SUPPORT and lx >= LEXICAL_SUPPORT / 2
        )
        score = max(lx, sm)
        if ok and score > best:
            best_i, best = i, score
    return Support("", sentences[best_i], best) if best_i >= 0 else None


def check_findings(
    findings: Sequence[Finding],
    sources: Mapping[str, str],
    similarity: SimilarityFn | None = None,
) -> CheckResult:
    kept: list[Finding] = []
    dropped_claims = dropped_citations = 0
    for finding in findings:
        supports = []
        for s in finding.supports:
            text = sources.get(s.item_id)
            found = check_support(finding.text, text, similarity) if text else None
            if found is None:
                dropped_citations += 1
                continue
            supports.append(Support(s.item_id, strip_label(found.sentence), found.score))
        if supports:
            kept.append(finding.with_supports(tuple(supports)))
        else:
            dropped_claims += 1
    return CheckResult(tuple(kept), dropped_claims, dropped_citations)


def check_facets(
    facets: Sequence[FacetFindings],
    items: Mapping[str, Document | Recommendation],
    similarity: SimilarityFn | None = None,
) -> tuple[list[FacetFindings], int]:
    """Every sub-topic's findings checked against their sources' own text;
    the findings that survive, and how many claims were dropped."""
    sources = {i: (x.text if isinstance(x, Document) else x.statement) for i, x in items.items()}
    checked = []
    dropped = 0
    for facet in facets:
        result = check_findings(facet.findings, sources, similarity)
        dropped += result.dropped_claims
        checked.append(FacetFindings(facet.plan, result.findings, facet.silent))
    return checked, dropped


def unresolved_markers(brief: Brief) -> list[int]:
    """Citation numbers used anywhere in the brief that have no reference."""
    known = {r.n for r in brief.references}
    used: set[int] = set()
    for g in brief.guidelines:
        used.add(g.ref)
    bullets = [b for f in brief.research for b in (*f.bullets, *f.synthesis)]
    bullets += [*brief.key_findings, *brief.guidelines_synthesis]
    if brief.bottom_line is not None:
        line = brief.bottom_line
        bullets.append(Bullet(line.text, line.refs, line.citations, kind="summary"))
    for b in bullets:
        used.update(b.refs)
        used.update(c.n for c in b.citations)
        for group in _MARKER.findall(b.text):
            used.update(int(x) for x in group.split(","))
    return sorted(used - known)
