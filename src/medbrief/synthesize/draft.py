"""Draft values of the writer, before numbering: sources are named by store id.

The writer drafts findings with the source sentence behind each citation; the
cite stage checks every (claim, source) pair; the composer then numbers the
surviving sources and builds the Brief.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from medbrief.types import StanceLabel

#: a source's own reference markers ("[12]", "[3, 4]", "[5-7]") would read
#: as medbrief's citations, so quoted sentences lose them
_SOURCE_REFS = re.compile(r"\s*\[\d+(?:\s*[,\u2013-]\s*\d+)*\]")
_LABEL = re.compile(r"^(?:[A-Z][A-Z /&-]{2,40}|[A-Z][a-z]+(?: [a-z]+){0,3}):\s+")


def strip_label(sentence: str) -> str:
    """A sentence without the abstract section heading it may start with."""
    return _LABEL.sub("", sentence.strip())


#: what stands where a record has no title ("[Untitled]" in BioASQ's
#: snippet records, "[No title available]" in PubMed); a bracketed title
#: otherwise is PubMed's English translation of a foreign one, a real title
_NO_TITLE = re.compile(r"^\[(?:untitled|no title(?: available)?)\]\.?$", re.IGNORECASE)


def usable_title(title: str | None) -> str | None:
    """The title, or None where the record has none."""
    text = (title or "").strip()
    return None if not text or _NO_TITLE.match(text) else text


def clean_sentence(sentence: str) -> str:
    """A source sentence as quoted in a brief: no section label, no ref markers."""
    return " ".join(strip_label(_SOURCE_REFS.sub("", sentence.strip())).split())


@dataclass(frozen=True, slots=True)
class Support:
    """One source behind a claim, and the source's own sentence that says it."""

    item_id: str
    sentence: str
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class Finding:
    """A claim taken from a source: its sentence and the stance it carries."""

    text: str
    stance: StanceLabel
    supports: tuple[Support, ...]
    level: int = 99
    year: int | None = None
    kind: Literal["finding", "summary"] = "finding"

    def with_supports(self, supports: tuple[Support, ...]) -> Finding:
        return replace(self, supports=supports)

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(s.item_id for s in self.supports)
