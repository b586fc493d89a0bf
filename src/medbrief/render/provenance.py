"""What produced a brief, in the same words in every export and on the page:
medbrief's version, the corpus (counts, newest record, last ingest), the
filters applied, and when it was written."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from medbrief.codec import to_builtins
from medbrief.types import DESIGN_LABELS, Filters, Provenance

_KINDS = {"guideline": "guidelines", "recommendation": "recommendations", "research": "research"}


def now() -> str:
    """The current time, ISO 8601 in UTC to the second ("2025-05-01T09:30:00Z")."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def filters_text(f: Filters | None) -> str:
    """ "none", or "years 2015-any; sources: research; designs: rct"."""
    if f is None or f == Filters():
        return "none"
    parts = []
    if f.year_min is not None or f.year_max is not None:
        parts.append(f"years {f.year_min or 'any'}-{f.year_max or 'any'}")
    if f.kinds:
        parts.append("sources: " + ", ".join(_KINDS.get(k, k) for k in f.kinds))
    if f.designs:
        parts.append("designs: " + ", ".join(DESIGN_LABELS.get(d, d) for d in f.designs))
    if f.publication_types:
        parts.append("publication types: " + ", ".join(f.publication_types))
    return "; ".join(parts)


def corpus_text(p: Provenance) -> str:
    """ "1,943 documents and 966 recommendations; newest published 2025; starter corpus v2"."""
    parts = [f"{p.documents:,} documents and {p.recommendations:,} recommendations"]
    if p.newest_year:
        parts.append(f"newest published {p.newest_year}")
    if p.starter:
        parts.append(f"starter corpus v{p.starter}")
    if p.last_ingest:
        parts.append(f"last ingest {p.last_ingest}")
    return "; ".join(parts)


def provenance_lines(p: Provenance) -> list[tuple[str, str]]:
    """(label, text) pairs, in the order every format prints them."""
    return [
        ("Generated", p.generated),
        ("medbrief", p.version),
        ("Corpus", corpus_text(p)),
        ("Filters", filters_text(p.filters)),
    ]


def provenance_text(p: Provenance) -> str:
    """One line: "Generated ... by medbrief 0.1.0 from ...; filters: none"."""
    return (
        f"Generated {p.generated} by medbrief {p.version} from {corpus_text(p)}; "
        f"filters: {filters_text(p.filters)}"
    )


def provenance_dict(p: Provenance) -> dict[str, Any]:
    out: dict[str, Any] = to_builtins(p)
    out["filters"] = None if p.filters is None else to_builtins(p.filters)
    out["corpus"] = corpus_text(p)
    out["filters_text"] = filters_text(p.filters)
    out["text"] = provenance_text(p)
    return out
