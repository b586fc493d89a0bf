"""Facts about a reference that every renderer shows the same way."""

from __future__ import annotations

from urllib.parse import urlsplit

from medbrief.types import DESIGN_LABELS, Reference, canonical_link


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL, else None (never a script URL)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() in {"http", "https"} and parts.netloc:
        return url.strip()
    return None


def reference_link(ref: Reference) -> str | None:
    """The best link for a reference: PubMed, else doi.org, else its own URL."""
    return safe_url(canonical_link(ref.pmid, ref.doi, ref.url))


def reference_note(ref: Reference) -> str | None:
    """Design, size and retraction in one line, for a reference manager's note field."""
    parts = []
    if ref.design:
        parts.append(f"Study design: {DESIGN_LABELS.get(ref.design, ref.design)}")
    if ref.sample_size:
        parts.append(f"sample size: {ref.sample_size}")
    if ref.retracted:
        parts.append("RETRACTED")
    return "; ".join(parts) or None


def study_facts(ref: Reference) -> str:
    """Design, size, year (and a retraction) as shown beside a citation."""
    parts = [DESIGN_LABELS.get(ref.design, ref.design)] if ref.design else []
    if ref.sample_size:
        parts.append(f"n = {ref.sample_size:,}")
    if ref.year:
        parts.append(str(ref.year))
    if ref.retracted:
        parts.append("RETRACTED")
    return ", ".join(parts)
