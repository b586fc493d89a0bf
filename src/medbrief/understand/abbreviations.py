"""Clinical abbreviations: recognising them and choosing their sense.

The table is ``medbrief/data/understand/abbreviations.tsv``. An abbreviation
with one sense and no cues is expanded wherever it appears; one with cues
(PD: Parkinson disease or peritoneal dialysis) is expanded only when a cue
word of that sense is in the question, and otherwise reported as ambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass

from medbrief.understand import sources
from medbrief.understand.sources import AbbreviationSense


@dataclass(frozen=True, slots=True)
class Resolution:
    """What an abbreviation in a question means, if we can tell."""

    abbreviation: str
    sense: AbbreviationSense | None
    #: the candidate senses when no cue decided between them
    ambiguous: tuple[AbbreviationSense, ...] = ()


class AbbreviationTable:
    def __init__(
        self,
        senses: list[AbbreviationSense] | None = None,
        english: frozenset[str] | set[str] | dict[str, int] | None = None,
    ) -> None:
        self._exact: dict[str, list[AbbreviationSense]] = {}
        for sense in senses if senses is not None else sources.abbreviations():
            self._exact.setdefault(sense.abbreviation, []).append(sense)
        # "copd" and "ckd" are read as COPD and CKD, "hba1c" and "egfr" as
        # HbA1c and eGFR (capitals inside a word, or a digit, mark them);
        # "cap" and "all" are words. A row marked "lower" is read in lower
        # case all the same ("hf", "ra": two letters the ward writes so).
        words = english if english is not None else {}
        self._lower: dict[str, str] = {}
        for abbr, rows in self._exact.items():
            marked = (
                abbr.isupper() or abbr[1:] != abbr[1:].lower() or any(c.isdigit() for c in abbr)
            )
            if (marked and len(abbr) >= 3 and abbr.lower() not in words) or any(
                r.lower for r in rows
            ):
                self._lower[abbr.lower()] = abbr

    def canonical(self, text: str) -> str | None:
        """The table's spelling of ``text`` if it is an abbreviation (RLS,
        NSAIDs -> NSAID, copd -> COPD), else None."""
        for form in (text, text[:-1] if text.endswith("s") and len(text) > 2 else None):
            if not form:
                continue
            if form in self._exact:
                return form
            if form in self._lower:
                return self._lower[form]
        return None

    def is_abbreviation(self, text: str) -> bool:
        return self.canonical(text) is not None

    def resolve(self, text: str, context: set[str], previous: str | None) -> Resolution | None:
        """The sense of abbreviation ``text`` given the question's other words
        (lower case) and the word right before it."""
        abbr = self.canonical(text)
        if abbr is None:
            return None
        senses = self._exact[abbr]
        prev = (previous or "").lower()
        senses = [s for s in senses if prev not in s.not_after]
        if not senses:
            return None
        if len(senses) == 1 and not senses[0].cues:
            return Resolution(abbr, senses[0])
        cued = [s for s in senses if any(_has_cue(cue, context) for cue in s.cues)]
        if len(cued) == 1:
            return Resolution(abbr, cued[0])
        # a sense listed without cues beside cued ones is the usual one, read
        # when no other's cue is present (SBP: systolic blood pressure, unless
        # the question speaks of cirrhosis or ascites)
        usual = [s for s in senses if not s.cues]
        if not cued and len(usual) == 1:
            return Resolution(abbr, usual[0])
        return Resolution(abbr, None, tuple(cued or senses))


def _has_cue(cue: str, context: set[str]) -> bool:
    if " " in cue:
        return all(any(w.startswith(part) for w in context) for part in cue.split(" "))
    return any(w.startswith(cue) for w in context)
