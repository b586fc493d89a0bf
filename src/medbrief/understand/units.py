"""Word units: the question's tokens split at hyphens and slashes.

Phrase matching works on units so that "blood-brain barrier", "blood brain
barrier" and MeSH's "Blood-Brain Barrier" line up word for word. Each unit
remembers its token, so a decision about a token (an abbreviation, a gene
symbol) applies to all of its parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medbrief.understand.text import APOSTROPHE, HYPHENS, Token, is_latin

_SPLIT = re.compile(rf"[^\-{HYPHENS}/]+")
_GAP_OK = re.compile(rf"^[\s\-{HYPHENS}]*$")


@dataclass(frozen=True, slots=True)
class Unit:
    text: str
    start: int
    end: int
    #: index of the token the unit comes from
    token: int

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def bare(self) -> str:
        """Lower case without a possessive ending (Alzheimer's -> alzheimer)."""
        low = self.text.lower()
        for suffix in ("'s", f"{APOSTROPHE}s", "'", APOSTROPHE):
            if low.endswith(suffix):
                return low[: -len(suffix)]
        return low

    @property
    def is_word(self) -> bool:
        core = self.bare
        return core.isascii() and core.isalpha()


def split_units(tokens: list[Token]) -> list[Unit]:
    units = []
    for i, tok in enumerate(tokens):
        for m in _SPLIT.finditer(tok.text):
            if any(c.isalnum() for c in m.group()):
                units.append(Unit(m.group(), tok.start + m.start(), tok.start + m.end(), i))
    return units


def runs(text: str, units: list[Unit]) -> list[list[int]]:
    """Indices of units grouped into runs that no punctuation separates
    (a phrase never spans a comma, a bracket or a full stop)."""
    groups: list[list[int]] = []
    for i, unit in enumerate(units):
        if groups and _GAP_OK.match(text[units[i - 1].end : unit.start]):
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def token_is_plain(tok: Token) -> bool:
    """A token the speller may touch: Latin letters only, no digits, and no
    capitals after the first letter of any part (RLS, eGFR, HbA1c, TNF-alpha
    and HLA-B27 are symbols, not misspellings)."""
    if tok.has_digit or not is_latin(tok):
        return False
    for part in _SPLIT.findall(tok.text):
        letters = part.replace("'", "").replace(APOSTROPHE, "")
        if not letters.isalpha() or any(c.isupper() for c in letters[1:]):
            return False
    return True
