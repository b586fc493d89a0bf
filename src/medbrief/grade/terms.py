"""Content terms of questions and sentences, for matching one to the other.

Matching is on crude stems (the first six letters of a word), which is
enough to equate "improve", "improved" and "improvement", or "association"
and "associated", and on abbreviations defined in the text itself
("restless legs syndrome (RLS)"), found with the rule of Schwartz & Hearst
(2003): the long form ends right before the parenthesis and its first word
starts with the abbreviation's first letter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

_TOKEN = re.compile(r"[A-Za-z0-9\u00C0-\u024F\u0370-\u03FF]+(?:['\u2019][a-z]+)?")
_ABBREV_DEF = re.compile(r"\(\s*([A-Za-z][\w-]{1,9})\s*[;,)]")
_WORDS_BEFORE = re.compile(r"[\w\u0370-\u03FF'-]+")
STEM_LENGTH = 6


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _wordset(
    """
    a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers him his how i if in into is it its itself
    just me more most my no nor not now of off on once only or other our ours out over own same
    she should so some such than that the their theirs them then there these they this those
    through to too under until up very was we were what when where which while who whom why will
    with would you your yours there's it's versus vs among within without whether upon via per
    either neither yet ever really still actually indeed truly
    """
)

#: Words that occur in nearly every clinical abstract; they count, but little,
#: towards whether a text bears on a question.
GENERIC = _wordset(
    """
    patient patients study studies effect effects effective outcome outcomes result results use
    used using treatment treat treated therapy risk associated association factor factors group
    groups clinical disease level levels improve improves improved improvement increase increased
    decrease decreased reduce reduced change changes role value impact new case cases data
    analysis evidence affect affects predict predicts adult adults people human humans individual
    individuals subjects population one two three first second after time year years rate rates
    high higher low lower significant significantly difference different compared versus
    associated related relationship influence need needed necessary useful benefit beneficial
    good better best factor can may might is are does do should must help symptom symptoms
    sign signs severity severe status
    """
)
_GENERIC_STEMS = frozenset(w.lower()[:STEM_LENGTH] for w in GENERIC) | frozenset(
    (w[:-1] if w.endswith("s") else w)[:STEM_LENGTH] for w in GENERIC
)
_UNIT_SPLIT = re.compile(r"[;,]|\band\b|\bor\b|\bvs\.?|\bversus\b", re.I)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    word = word.lower()
    if word.endswith("'s") or word.endswith("\u2019s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word[:STEM_LENGTH]


def abbreviations(text: str) -> dict[str, tuple[str, ...]]:
    """Abbreviations defined in ``text`` -> stems of their long forms."""
    found: dict[str, tuple[str, ...]] = {}
    for match in _ABBREV_DEF.finditer(text):
        short = match.group(1)
        letters = [c.lower() for c in short if c.isalpha()]
        if not letters or not any(c.isupper() for c in short):
            continue
        window = text[max(0, match.start() - 160) : match.start()]
        words = [w for p in _WORDS_BEFORE.findall(window) for w in p.split("-") if w][-12:]
        if not words:
            continue
        # Take the shortest tail of the preceding words whose first word
        # starts with the abbreviation's first letter, no longer than it.
        for n in range(1, min(len(words), len(letters) + 2) + 1):
            tail = words[-n:]
            if tail[0][0].lower() == letters[0] and n >= min(len(letters), 2) - 1:
                content = [stem(w) for w in tail if w.lower() not in STOPWORDS]
                if content:
                    found.setdefault(short.lower(), tuple(content))
                break
    return found


def content_stems(text: str, abbrev: Mapping[str, tuple[str, ...]] | None = None) -> list[str]:
    """Stems of the content words of ``text``, abbreviations expanded."""
    out: list[str] = []
    for tok in tokens(text):
        low = tok.lower()
        if low in STOPWORDS or (len(low) < 2 and not low.isdigit()):
            continue
        if abbrev and low in abbrev:
            out.extend(abbrev[low])
            continue
        out.append(stem(low))
    return out


def weights(stems: Iterable[str]) -> dict[str, float]:
    """Each distinct stem with its weight: 1 for specific words, 0.25 for generic ones."""
    return {s: (0.25 if s in _GENERIC_STEMS else 1.0) for s in dict.fromkeys(stems)}


def coverage(query: Mapping[str, float], stems: Iterable[str]) -> float:
    """Weighted share of ``query`` stems present in ``stems`` (0..1)."""
    total = sum(query.values())
    if total == 0:
        return 0.0
    present = set(stems)
    return sum(w for s, w in query.items() if s in present) / total


def concept_units(
    question: str, abbrev: Mapping[str, tuple[str, ...]] | None = None
) -> list[tuple[str, ...]]:
    """The specific concepts a question is about, each as a tuple of stems.

    A question given as concept terms separated by ";", ",", "and", "or"
    ("iron; restless legs syndrome") has one unit per part. Within a part,
    or in a question written as a sentence, every specific word is its own
    unit, except that an abbreviation is one unit with its long form. Generic
    words ("patients", "effect", "improve") are not units.
    """
    parts = [p for p in _UNIT_SPLIT.split(question) if p.strip()]
    multi = len(parts) > 1 and not is_sentence(question)
    units: list[tuple[str, ...]] = []
    for part in parts:
        words: list[tuple[str, ...]] = []
        for tok in tokens(part):
            low = tok.lower()
            if low in STOPWORDS or low in GENERIC or (len(low) < 2 and not low.isdigit()):
                continue
            if abbrev and low in abbrev:
                words.append(abbrev[low])
            elif stem(low) not in _GENERIC_STEMS:
                words.append((stem(low),))
        if multi and words:
            units.append(tuple(dict.fromkeys(s for w in words for s in w)))
        else:
            units.extend(words)
    return list(dict.fromkeys(units))


def units_present(units: Iterable[tuple[str, ...]], stems: list[str]) -> list[bool]:
    """Whether each unit occurs in ``stems`` (the content stems of a text).

    A unit of up to three stems needs all of them, a longer one all but one.
    A single-stem unit that looks like an abbreviation the text never defines
    ("rls") also counts as present when the text has words with those
    initials in a row ("restless legs syndrome").
    """
    present = set(stems)
    initials = "".join(s[0] for s in stems if s)
    out: list[bool] = []
    for unit in units:
        hits = sum(1 for s in unit if s in present)
        found = hits >= (len(unit) if len(unit) <= 3 else len(unit) - 1)
        if not found and len(unit) == 1 and 2 <= len(unit[0]) <= 6 and unit[0].isalpha():
            found = _spelled_out(unit[0], stems, initials)
        out.append(found)
    return out


def names_subject(
    units: Sequence[tuple[str, ...]], text: str, abbrev: Mapping[str, tuple[str, ...]] | None = None
) -> bool:
    """Whether ``text`` names the first of a question's ``units`` (its
    subject: "exercise" in "Does exercise reduce recurrence?"); true when the
    question has none."""
    return not units or units_present(units[:1], content_stems(text, abbrev))[0]


def _spelled_out(abbrev: str, stems: list[str], initials: str) -> bool:
    start = initials.find(abbrev)
    while start != -1:
        # Accept only where every word of the run is a real word, not a
        # single letter, so "rls" does not match "r", "l", "s".
        if all(len(s) > 2 for s in stems[start : start + len(abbrev)]):
            return True
        start = initials.find(abbrev, start + 1)
    return False


_SENTENCE_START = re.compile(
    r"^(?:is|are|was|were|do|does|did|can|could|should|would|will|has|have|had|may|might|"
    r"must|what|which|who|whom|whose|when|where|why|how)\b",
    re.I,
)


def is_sentence(question: str) -> bool:
    """A question written as a sentence, rather than a list of concept terms."""
    text = question.strip()
    return text.endswith("?") or bool(_SENTENCE_START.match(text)) or len(text.split()) > 8


def addressed(present: list[bool], sentence: bool = False) -> bool:
    """Whether a text bears on a question whose units are ``present``.

    Every unit of a one- or two-concept question must occur. Of a longer
    list of concept terms one in three may be missing; a question written as
    a sentence is paraphrased more by the abstracts that answer it, so half
    its units are enough.
    """
    n = len(present)
    if n <= 2:
        return sum(present) == n
    need = (n + 1) // 2 if sentence else n - n // 3
    return sum(present) >= need
