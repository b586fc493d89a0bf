"""What the readers yield besides documents and recommendations, and what an
ingest reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from medbrief.errors import IngestError
from medbrief.types import Document, Recommendation

R = TypeVar("R", bound=Document | Recommendation)
#: SQLite stores an integer in at most 8 bytes, signed (sqlite.org/datatype3.html);
#: a larger one makes the whole batch's INSERT fail.
INT_RANGE = (-(2**63), 2**63 - 1)


@dataclass(frozen=True, slots=True)
class Deletion:
    """A PubMed ``DeleteCitation``: store ids (``pmid:<PMID>``) to remove."""

    ids: tuple[str, ...]


#: One item a reader yields.
Record = Document | Recommendation | Deletion


@dataclass(frozen=True, slots=True)
class IngestReport:
    """The outcome of ingesting one file (or one Markdown collection).

    ``records`` counts documents and recommendations read; ``deleted`` counts
    stored documents removed by ``DeleteCitation``; ``skipped`` counts records
    older than the stored version or deleted earlier (tombstoned).
    """

    path: str
    format: str
    records: int
    inserted: int
    updated: int
    unchanged: int
    skipped: int
    deleted: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0


def number_problem(record: Document | Recommendation) -> str | None:
    """What makes ``record``'s year or version unstorable, or None."""
    for field in ("year", "version"):
        value = getattr(record, field, None)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            return f"{field} must be a whole number, got {value!r:.40}"
        if not INT_RANGE[0] <= value <= INT_RANGE[1]:
            shown = value if value.bit_length() <= 128 else f"of {value.bit_length()} bits"
            return f"{field} {shown} is out of range (at most 64-bit numbers can be stored)"
    return None


def checked(record: R, name: str, where: str) -> R:
    """``record``, or an :class:`IngestError` at ``where`` if it cannot be stored."""
    problem = number_problem(record)
    if problem is not None:
        raise IngestError(name, problem, where)
    return record
