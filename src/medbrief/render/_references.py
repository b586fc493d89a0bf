"""Facts about a reference or guideline item that every renderer shows the same way."""

from __future__ import annotations

import re
from urllib.parse import quote_plus, urlsplit

from medbrief.synthesize.fit import superseded
from medbrief.types import (
    DESIGN_LABELS,
    Brief,
    GuidelineItem,
    Reading,
    Reference,
    canonical_link,
)

WORDING = {
    "verbatim": "the guideline's own words",
    "paraphrase": "paraphrased from a secondary source, not the guideline's own words",
    "summary": "a summary of the guideline, not the publisher's text",
    "excerpt": "an excerpt of the guideline's abstract; grading not given there",
}
#: Shown instead of "strength: not stated" for an excerpt: its text may quote
#: a grade ("SGLT2 Inhibitors (Recommendation 9.18-9.20, Grade A): ...").
UNGRADED_EXCERPT = "no grading recorded apart from any quoted in the text"


def superseded_mark(g: GuidelineItem) -> str:
    """ " (superseded)" after the body and year, unless the body's name as
    stored already says so ("AASM (superseded by 2024 guideline)")."""
    return " (superseded)" if g.superseded and not superseded(g.body) else ""


#: Where a curated copy of a statement stops part-way, the curator wrote this
#: marker into the text: it is not the source's words, so it is never shown as
#: part of the quotation (the quotation ends with an ellipsis and a note).
TRUNCATION = re.compile(r"\s*\[stored copy truncated here\]\s*$", re.IGNORECASE)
TRUNCATED_NOTE = "The stored copy of this statement ends here; the source has the rest."


def wording(g: GuidelineItem) -> str:
    """How the statement's words relate to the guideline's own; a curator's
    remark in brackets ("verbatim (partial: ...)") follows as a note."""
    first, _, rest = g.statement_type.partition(" ")
    if first not in WORDING:
        return g.statement_type
    remark = rest.strip().strip("()")
    return f"{WORDING[first]} (curator's note: {remark})" if remark else WORDING[first]


def first_sentence(text: str) -> str:
    """The statement's first sentence, as listed under its guideline's reference."""
    first = statement(text)[0].split(". ")[0].rstrip(".")
    return first if first.endswith("…") else f"{first}."


def statement(text: str) -> tuple[str, bool]:
    """The statement as quoted, and whether the stored copy stops part-way."""
    cut = TRUNCATION.search(text)
    if cut is None:
        return text, False
    return text[: cut.start()].rstrip(" ,;:") + " …", True


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


def pubmed_search(reading: Reading) -> str | None:
    """A PubMed search for the concepts of the question, as live search would
    send it (one OR-block per concept, ANDed), for a reader to look further."""
    from medbrief.live.query import pubmed_query_for

    query = pubmed_query_for(reading) or reading.corrected
    return f"https://pubmed.ncbi.nlm.nih.gov/?term={quote_plus(query)}" if query.strip() else None


#: What to do when the store holds nothing on a question (CLI words; the page
#: and the HTTP API say the same).
LOOK_FURTHER = (
    'Fetch fresh PubMed records for it first: medbrief ask "..." --live (needs network); '
    "or add records you have: medbrief ingest pubmed FILE (NLM XML or MEDLINE text), "
    "medbrief ingest guidelines FILE."
)


_NO_EVIDENCE = "No relevant evidence found: "


def abstention_notes(brief: Brief) -> list[str]:
    """An abstaining brief's notes, without repeating the heading's words."""
    out = []
    for note in brief.notes:
        rest = note.removeprefix(_NO_EVIDENCE)
        out.append(rest[:1].upper() + rest[1:])
    return out
