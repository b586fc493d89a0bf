"""Text handling shared by the reading steps: cleaning, validation,
tokenisation, script detection and the key folding used for lookups.

A question is cleaned once (Unicode NFKC, control and format characters
removed, whitespace collapsed) and then cut into :class:`Token` objects that
keep their character span, so that corrections can be applied to the text
without disturbing anything else in it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from dataclasses import dataclass
from functools import lru_cache

from medbrief.errors import QueryError

# Words the lexical query and the concept extractor ignore (a short general
# English list in the spirit of the SMART/Lucene stop lists, plus the words
# clinical questions are framed with).
_STOP_TEXT = """
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing done down during each either
few for from further had has have having he her here hers him his how i if in into is it
its itself just may me might more most much must my neither no nor not of off on once only
or other our ours out over own per same shall she should so some such than that the their
theirs them then there there's these they this those through thus to too under until up
upon us very via vs versus was we were what what's when where whether which while who whom
whose why will with within without would yet you your yours
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

_CONTROL_KEEP = {"\t", "\n", "\r"}
_SPACES = re.compile(r"\s+")

#: Hyphen-like characters (hyphen, non-breaking hyphen, en dash) and the
#: typographic apostrophe, which questions pasted from documents contain.
HYPHENS = "\u2010\u2011\u2013"
APOSTROPHE = "\u2019"

# A token: letters/digits with internal hyphens, apostrophes, dots, slashes,
# plus signs and Greek letters (HLA-B27, TNF-alpha in Greek, mg/kg, 5.5).
TOKEN_RE = re.compile(rf"[^\W_](?:[\w'{APOSTROPHE}./+\-{HYPHENS}]*[^\W_])?")
_LATIN_WORD = re.compile(rf"^[A-Za-z]+(?:['{APOSTROPHE}][A-Za-z]+)*$")


@dataclass(frozen=True, slots=True)
class Token:
    """One token of the cleaned question and where it sits in it."""

    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def is_word(self) -> bool:
        """Only Latin letters (an apostrophe inside is allowed)."""
        return bool(_LATIN_WORD.match(self.text))

    @property
    def has_digit(self) -> bool:
        return any(c.isdigit() for c in self.text)


def clean(text: str) -> tuple[str, tuple[str, ...]]:
    """NFKC-normalise, drop control/format characters, collapse whitespace.

    Returns the cleaned text and notes on anything removed. A control
    character (Unicode category Cc: NUL, escapes) stands between words, so it
    becomes a space: "iron\0rls" is two words, not "ironrls". Format
    characters (Cf: zero-width spaces, BOMs, bidirectional overrides) are
    invisible and can hide text from a reader, so they are dropped.
    """
    text = unicodedata.normalize("NFKC", text)
    kept: list[str] = []
    removed = 0
    for ch in text:
        category = unicodedata.category(ch)
        if ch in _CONTROL_KEEP:
            kept.append(" ")
        elif category == "Cc":
            kept.append(" ")
            removed += 1
        elif category in ("Cf", "Cs", "Co", "Cn"):
            removed += 1
        else:
            kept.append(ch)
    cleaned = _SPACES.sub(" ", "".join(kept)).strip()
    notes: tuple[str, ...] = ()
    if removed:
        plural = "s" if removed > 1 else ""
        notes = (f"removed {removed} control or invisible character{plural} from the question",)
    return cleaned, notes


def validate_question(text: str, max_chars: int) -> str:
    """The cleaned question, or :class:`QueryError` saying what is wrong."""
    if not isinstance(text, str):
        raise QueryError(f"the question must be text, not {type(text).__name__}")
    if len(text) > max_chars:
        raise QueryError(
            f"the question is {len(text):,} characters long; the limit is {max_chars:,} "
            "characters (setting MEDBRIEF_MAX_QUESTION_CHARS)"
        )
    cleaned, _ = clean(text)
    if not cleaned:
        if text.strip():
            raise QueryError("the question contains only control or invisible characters")
        raise QueryError("the question is empty")
    if not any(c.isalnum() for c in cleaned):
        raise QueryError("the question contains no letters or digits")
    return cleaned


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


_SCRIPT_NAMES = {"CJK": "Chinese/Japanese (CJK)", "HIRAGANA": "Japanese", "KATAKANA": "Japanese"}


@lru_cache(maxsize=4096)
def script_of(ch: str) -> str:
    """The Unicode script of a letter, from its character name (LATIN, CYRILLIC...)."""
    try:
        return unicodedata.name(ch).split(" ", 1)[0]
    except ValueError:
        return "UNKNOWN"


def foreign_scripts(tokens: list[Token]) -> list[str]:
    """Names of the scripts other than Latin that whole words of the question use.

    Single Greek letters (alpha in TNF-alpha, beta-blocker, kappa) are
    ordinary medical notation and do not count.
    """
    found: dict[str, None] = {}
    for tok in tokens:
        foreign = [script_of(c) for c in tok.text if c.isalpha() and script_of(c) != "LATIN"]
        if not foreign or foreign == ["GREEK"]:
            continue
        for script in foreign:
            found.setdefault(_SCRIPT_NAMES.get(script, script.title()))
    return list(found)


def is_latin(tok: Token) -> bool:
    return all(script_of(c) == "LATIN" for c in tok.text if c.isalpha())


# ------------------------------------------------------------------ folding


def singular(word: str) -> str:
    """A crude English singular, only for matching keys (never shown).

    Applied the same way to vocabulary phrases and to questions, so that
    "hip fracture" finds MeSH "Hip Fractures" and "restless leg" finds
    "restless legs".
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is", "ys", "as")):
        return word
    if word.endswith("s"):
        return word[:-1]
    return word


def noun_of_verb(word: str) -> str | None:
    """The noun naming the act of a verb in -ate, -ize, -fuse or -vert
    ("anticoagulate": anticoagulation, "catheterize": catheterization,
    "transfuse": transfusion, "cardiovert": cardioversion), or None."""
    if len(word) < 6 or not word.isalpha():
        return None
    for ending, noun in _NOUN_ENDINGS:
        if word.endswith(ending):
            return word[: -len(ending)] + noun
    return None


_NOUN_ENDINGS = (
    ("ate", "ation"),
    ("ize", "ization"),
    ("ise", "isation"),
    ("fuse", "fusion"),
    ("vert", "version"),
)


def adverb_of(word: str, english: Container[str]) -> bool:
    """An adverb made from an English adjective ("acutely", "aggressively",
    "empirically", "chronically"): how or when something is done, never a
    topic of its own."""
    if len(word) < 6 or not word.endswith("ly"):
        return False
    stem = word[:-2]
    bases = (stem, stem + "le", stem[:-1] + "y", stem[:-2])  # possibly, easily, chronically
    return any(base in english for base in bases if len(base) >= 4)


_KEY_SPLIT = re.compile(rf"[\s\-{HYPHENS}/]+")
_KEY_DROP = re.compile(rf"['{APOSTROPHE}`\"()\[\]{{}},;:.]")


def key_words(phrase: str) -> list[str]:
    """The folded words of a phrase: lower case, hyphens as spaces, singular."""
    phrase = phrase.lower().replace(APOSTROPHE, "'").replace("'s ", " ")
    phrase = _KEY_DROP.sub("", phrase.removesuffix("'s"))
    return [singular(w) for w in _KEY_SPLIT.split(phrase) if w]


def fold(phrase: str) -> str:
    """The lookup key of a phrase (see :func:`key_words`)."""
    return " ".join(key_words(phrase))
