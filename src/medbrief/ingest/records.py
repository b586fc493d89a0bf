"""What the readers yield besides documents and recommendations, and what an
ingest reports."""

from __future__ import annotations

from dataclasses import dataclass

from medbrief.types import Document, Recommendation


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
