"""Every sentence the model writes is checked against the sources it cites.

A sentence is kept only if all of these hold (the attribution tests of cited
generation: Gao et al., EMNLP 2023; Rashkin et al., 2023), else it is
dropped and counted:

1. it carries ``[n]`` markers, and every ``n`` is a source of its section;
2. it reports rather than advises: no first or second person advice, no
   imperative (medbrief never gives personal advice);
3. every number in it (digits, or two to twenty in words) appears in a cited
   source or is a count medbrief computed (the number of sources it cites,
   the counts of the section's own summary);
4. a grade word in a grading phrase ("strong recommendation", "moderate
   certainty", "Level B") is the cited source's own grading word;
5. each cited source supports the clause its marker closes ("A [2], while
   B [3]": [2] supports A, [3] supports B): one of the source's sentences is
   close in wording and meaning (``medbrief.cite.check.best_support``, the
   test every extractive citation passes), and says it with the same
   polarity (a negation in one and not the other is a contradiction);
6. words of certainty and obligation ("all", "always", "cure", "proven",
   "should", "must") appear only where the supporting sentence has them too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from medbrief.cite.check import SimilarityFn, best_support, numbers
from medbrief.grade import split_sentences
from medbrief.types import Bullet, Citation
from medbrief.write.pack import INJECTION, Section, Source, strip_markers

_MARKER = re.compile(r"\[(\d+(?:\s*[,\u2013-]\s*\d+)*)\]")
# a marker group put after the full stop moves before it: "... [3]." not ". [3]"
_TRAILING_MARKERS = re.compile(r"([.!?])((?:\s*\[\d+(?:\s*[,\u2013-]\s*\d+)*\])+)")
_LIST_ITEM = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*\u2022])\s+", re.MULTILINE)
_SOURCE_WORD = re.compile(r"[\[(]\s*sources?\s*\[?(\d+(?:\s*,\s*\d+)*)\]?\s*[\])]", re.I)
_ADVICE = re.compile(
    r"\b(?:I|we)\b(?: would| strongly)? (?:recommend|suggest|advise|urge)|\byou(?:r|rs)?\b|"
    r"\bshould (?:you|patients consider)\b|"
    r"^(?:please |always |never )?(?:recommend|prescribe|give|take|start|stop|use|avoid|"
    r"consider|ignore|disregard|talk|ask|consult|try|make sure|remember)\b(?! of\b)",
    re.IGNORECASE,
)
_COUNTS = """two three four five six seven eight nine ten eleven twelve thirteen fourteen
fifteen sixteen seventeen eighteen nineteen twenty"""
#: "one" is left out: it is a pronoun as often as a count
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(_COUNTS.split(), 2)}
_WORDS = re.compile(r"[a-z]+(?:-[a-z]+)*")
_GRADE_WORD = r"(strong(?:ly)?|conditional(?:ly)?|weak(?:ly)?|very low|low|moderate|high)"
_GRADE_PHRASES = (
    re.compile(rf"\b{_GRADE_WORD}[\s-]+(?:recommendations?|recommend(?:s|ed)?|strength)\b", re.I),
    re.compile(rf"\b{_GRADE_WORD}[\s-]+(?:certainty|quality|confidence|evidence)\b", re.I),
    re.compile(
        rf"\b(?:certainty|quality|strength)(?: of (?:the )?(?:evidence|recommendation))?"
        rf"(?: (?:is|was|were|rated|graded|as))* {_GRADE_WORD}\b",
        re.I,
    ),
    re.compile(r"\b((?:grade|level|class)\s+(?:[A-D]|I{1,3}V?|U)\b)", re.I),
)
_NEGATION = re.compile(
    r"\b(?:no|not|none|neither|nor|without|never|fail(?:s|ed)? to|did not|does not|do not|"
    r"cannot|unable|lack(?:s|ed)?|absence of|insufficient)\b|n't\b",
    re.IGNORECASE,
)
_ABSOLUTE = re.compile(
    r"\b(?:all|every|always|never|cures?d?|proven|prove[sd]?|definitive(?:ly)?|guarantee[sd]?|"
    r"eliminate[sd]?|completely|entirely|certainly|should|must|ought|need to)\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"(.*?)((?:\s*\[\d+(?:\s*[,\u2013-]\s*\d+)*\])+)")


@dataclass(frozen=True, slots=True)
class Verified:
    """What survived of one section's prose."""

    kept: tuple[Bullet, ...]
    #: (sentence, why it was dropped)
    dropped: tuple[tuple[str, str], ...]

    @property
    def written(self) -> int:
        return len(self.kept) + len(self.dropped)


def sentences(text: str) -> list[str]:
    """The model's reply as sentences, markers kept with the sentence they end.

    List markers at line starts and Markdown emphasis are dropped, "[Source 3]"
    is read as "[3]", and what is left of a list ("3.") is not a sentence.
    """
    text = _LIST_ITEM.sub("", text.replace("**", ""))
    text = _SOURCE_WORD.sub(r"[\1]", " ".join(text.split()))
    text = _TRAILING_MARKERS.sub(r"\2\1", text)
    text = re.sub(r"\]([.!?])(?=[A-Z])", r"]\1 ", text)
    out = [s.strip() for s in split_sentences(text)]
    return [s for s in out if len(re.findall(r"[A-Za-z]{2,}", strip_markers(s))) >= 3]


def _refs(sentence: str) -> set[int]:
    refs: set[int] = set()
    for group in _MARKER.findall(sentence):
        for part in re.split(r"\s*,\s*", group):
            bounds = re.split(r"\s*[\u2013-]\s*", part)
            if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
                lo, hi = int(bounds[0]), int(bounds[1])
                refs.update(range(lo, hi + 1) if 0 < hi - lo < 20 else (lo, hi))
            elif part.isdigit():
                refs.add(int(part))
    return refs


def _numbers(claim: str) -> set[str]:
    found = numbers(claim)
    found.update(_NUMBER_WORDS[w] for w in _WORDS.findall(claim.lower()) if w in _NUMBER_WORDS)
    return found


def _grade_ok(claim: str, cited: Sequence[Source]) -> bool:
    grading = " ".join(s.grading for s in cited).lower().replace("-", " ")
    for pattern in _GRADE_PHRASES:
        for match in pattern.finditer(claim):
            word = match.group(1).lower().replace("-", " ")
            word = re.sub(r"ly$", "", word) if word.endswith("ly") else word
            if not re.search(rf"\b{re.escape(word)}", grading):
                return False
    return True


def _negated(text: str) -> bool:
    return bool(_NEGATION.search(text))


def clauses(sentence: str) -> list[tuple[str, set[int]]]:
    """The sentence's clauses, each with the markers that close it."""
    out = []
    for match in _CLAUSE.finditer(sentence):
        text = match.group(1).strip(" ,;:")
        if text:
            out.append((text, _refs(match.group(2))))
        elif out:  # "[2] [3]" or "[2], [3]": more sources for the same clause
            out[-1][1].update(_refs(match.group(2)))
    return out


def check_sentence(
    sentence: str, section: Section, similarity: SimilarityFn | None
) -> Bullet | str:
    """The sentence as a checked bullet, or the reason it is dropped."""
    refs = _refs(sentence)
    claim = strip_markers(sentence)
    if not refs:
        return "cites no source"
    unknown = refs - section.refs
    if unknown:
        return f"cites {sorted(unknown)}, not a source of this section"
    if INJECTION.search(claim) or _ADVICE.search(claim):
        return "gives advice or instructions instead of reporting"
    by_n = section.by_n()
    citations: list[Citation] = []
    for clause, cited_ns in clauses(sentence):
        problem = _check_clause(clause, [by_n[n] for n in sorted(cited_ns)], section, similarity)
        if isinstance(problem, str):
            return problem
        citations.extend(problem)
    tail = strip_markers(sentence[sentence.rfind("]") + 1 :]).strip(" .!?;:")
    if tail:  # words after the last marker rest on no source
        return "cites no source for its last clause"
    text = _MARKER.sub(lambda m: "[" + ", ".join(map(str, sorted(_refs(m.group())))) + "]",
                       sentence.rstrip(".!?;: "))  # fmt: skip
    return Bullet(text + ".", tuple(sorted(refs)), tuple(citations), kind="summary")


def _check_clause(
    claim: str, cited: list[Source], section: Section, similarity: SimilarityFn | None
) -> list[Citation] | str:
    allowed = set(section.extra_numbers) | {str(len(cited))}
    for source in cited:
        allowed |= source.numbers
    missing = _numbers(claim) - allowed
    if missing:
        return f"states {', '.join(sorted(missing))}, not in its sources"
    if not _grade_ok(claim, cited):
        return "states a grade its source does not"
    citations = []
    for source in cited:
        units = list(source.units)
        units += [strip_markers(c) for c in section.computed if source.n in _refs(c)]
        found = best_support(claim, units, similarity)
        if found is None:
            return f"[{source.n}] does not say it"
        if _negated(claim) != _negated(found.sentence):
            return f"[{source.n}] says it with the opposite polarity"
        strong = {w.lower() for w in _ABSOLUTE.findall(claim)}
        if strong - {w.lower() for w in _ABSOLUTE.findall(found.sentence)}:
            return f"[{source.n}] does not say it so absolutely"
        citations.append(Citation(source.n, found.sentence, found.score))
    return citations


def verify(text: str, section: Section, similarity: SimilarityFn | None) -> Verified:
    kept: list[Bullet] = []
    dropped: list[tuple[str, str]] = []
    for sentence in sentences(text):
        result = check_sentence(sentence, section, similarity)
        if isinstance(result, Bullet):
            kept.append(result)
        else:
            dropped.append((sentence, result))
    return Verified(tuple(kept), tuple(dropped))
