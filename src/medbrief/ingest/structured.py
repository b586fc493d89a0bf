"""Structured guideline-recommendation JSONL as curated by hand, e.g.
``../shared/data/rls/guideline_recommendations.jsonl`` (fields in its
PROVENANCE.md): ``id, issuing_body, year, title, guideline_citation,
recommendation_statement, statement_type, direction, strength,
certainty_of_evidence, population, source_url, ...``.

Everything is kept as written: ``statement_type`` keeps its qualifiers
("verbatim (partial: stored copy ends mid-sentence)", "paraphrase"), the
statement keeps any "[stored copy truncated here]" marker, and direction,
strength and certainty keep their wording; only the normalised forms are
medbrief's. PMID and DOI are read from the citation when it states them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from medbrief.errors import IngestError
from medbrief.ingest.grading import normalise_certainty, normalise_strength
from medbrief.ingest.records import checked
from medbrief.types import Recommendation

REQUIRED = ("id", "issuing_body", "title", "recommendation_statement")
_PMID = re.compile(r"\bPMID:?\s*(\d{1,9})\b")
_DOI = re.compile(r"\b(?:doi:\s*|https?://doi\.org/)(10\.\d{4,9}/[^\s;,]+[^\s;,.])", re.I)


def looks_structured(obj: dict[str, Any]) -> bool:
    return "recommendation_statement" in obj and "issuing_body" in obj


def iter_structured(
    rows: Iterable[tuple[int, dict[str, Any]]], name: str
) -> Iterator[Recommendation]:
    for lineno, row in rows:
        missing = [f for f in REQUIRED if not row.get(f)]
        if missing:
            raise IngestError(name, f"missing field(s): {', '.join(missing)}", f"line {lineno}")
        body = str(row["issuing_body"])
        strength = _given(row.get("strength"))
        certainty = _given(row.get("certainty_of_evidence"))
        citation = str(row.get("guideline_citation") or "")
        pmid = _PMID.search(citation)
        doi = _DOI.search(citation)
        try:
            year = int(row["year"]) if row.get("year") is not None else None
        except (TypeError, ValueError, OverflowError):
            raise IngestError(
                name, f"year is not a number: {row['year']!r:.40}", f"line {lineno}"
            ) from None
        rec = Recommendation(
            id=str(row["id"]),
            guideline_title=str(row["title"]),
            body=body,
            statement=str(row["recommendation_statement"]).strip(),
            year=year,
            direction=_given(row.get("direction")),
            strength=strength,
            strength_norm=normalise_strength(strength, body),
            certainty=certainty,
            certainty_norm=normalise_certainty(certainty, strength, body),
            population=_given(row.get("population")),
            section=_given(row.get("section")),
            url=_given(row.get("source_url")),
            doi=doi.group(1).lower() if doi else None,
            pmid=pmid.group(1) if pmid else None,
            key_points=tuple(str(p) for p in row.get("key_points") or ()),
            statement_type=str(row.get("statement_type") or "verbatim"),
            source="structured-jsonl",
        )
        yield checked(rec, name, f"line {lineno}")


def _given(value: Any) -> str | None:
    """The value as written, or None when absent. "n/a" is kept: it is the
    source saying there is none, which is information."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None
