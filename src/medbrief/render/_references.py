"""Facts about a reference or guideline item that every renderer shows the same way."""

from __future__ import annotations

from urllib.parse import urlsplit

from medbrief.types import DESIGN_LABELS, GuidelineItem, Reference, canonical_link

WORDING = {
    "paraphrase": "paraphrased from a secondary source, not the guideline's own words",
    "summary": "a summary of the guideline, not the publisher's text",
    "excerpt": "an excerpt of the guideline's abstract; grading not given there",
}
#: Shown instead of "strength: not stated" for an excerpt: its text may quote
#: a grade ("SGLT2 Inhibitors (Recommendation 9.18-9.20, Grade A): ...").
UNGRADED_EXCERPT = "no grading recorded apart from any quoted in the text"


def wording(g: GuidelineItem) -> str:
    """How the statement's words relate to the guideline's own."""
    return WORDING.get(g.statement_type.split(" ")[0], g.statement_type)


def ungraded_excerpt(g: GuidelineItem) -> bool:
    return g.statement_type in ("summary", "excerpt") and not (g.strength or g.certainty)


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
