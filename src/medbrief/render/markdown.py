"""The brief as Markdown, the default in a terminal.

Text from sources and questions is escaped so that it renders as text, never
as markup (CommonMark backslash escapes, spec section 2.4).
"""

from __future__ import annotations

import re

from medbrief.render._references import (
    UNGRADED_EXCERPT,
    reference_link,
    safe_url,
    study_facts,
    ungraded_excerpt,
    wording,
)
from medbrief.types import Brief, Bullet, GuidelineItem, Reference

# Source text is only ever placed inline (after a list marker or heading
# marker), so line-start constructs (#, -, +, 1.) cannot trigger; these can.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
DISCLAIMER = (
    "medbrief reports what the sources it found say; it does not give personal medical advice."
)


def md_escape(text: str) -> str:
    """Backslash-escape every character that can start inline markup here."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _marks(refs: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(n) for n in refs) + "]" if refs else ""


def _bullet(b: Bullet, refs: dict[int, Reference]) -> str:
    if b.kind == "summary":
        return f"- {_escape_keep_markers(b.text)}"
    facts = "; ".join(f for f in (study_facts(refs[n]) for n in b.refs if n in refs) if f)
    tail = f" {_marks(b.refs)}" if b.refs else ""
    return f"- {md_escape(b.text)}{tail}" + (f" ({md_escape(facts)})" if facts else "")


def _escape_keep_markers(text: str) -> str:
    """Escape a summary but keep its own citation markers as brackets."""
    parts = re.split(r"(\[\d+(?:, \d+)*\])", text)
    return "".join(
        p if re.fullmatch(r"\[\d+(?:, \d+)*\]", p) else _SPECIAL.sub(r"\\\1", p) for p in parts
    )


def _bottom_line(brief: Brief) -> list[str]:
    b = brief.bottom_line
    if b is None or brief.abstained:
        return []
    out = ["## Bottom line", "", _escape_keep_markers(b.text)]
    if b.verdict is not None:
        lean = f", leaning {b.lean}" if b.verdict == "mixed" and b.lean else ""
        out.extend(["", f"_Verdict: {b.verdict}{lean} (confidence {b.confidence:.2f})_"])
    return [*out, ""]


def _guideline(g: GuidelineItem) -> list[str]:
    year = f" ({g.year})" if g.year else ""
    mark = " (superseded)" if g.superseded else ""
    lines = [f"- **{md_escape(g.body)}{year}{mark}**: {md_escape(g.statement)} {_marks((g.ref,))}"]
    if ungraded_excerpt(g):
        lines.append(f"  - As graded by the source: {UNGRADED_EXCERPT}")
    else:
        grading = [
            f"strength: {md_escape(g.strength)}" if g.strength else "strength: not stated",
            f"certainty of evidence: {md_escape(g.certainty)}"
            if g.certainty
            else "certainty of evidence: not stated",
        ]
        lines.append(f"  - As graded by the source: {'; '.join(grading)}")
    if g.direction:
        lines.append(f"  - Direction: {md_escape(g.direction)}")
    if g.statement_type != "verbatim":
        lines.append(f"  - Wording: {md_escape(wording(g))}")
    for point in g.key_points:
        lines.append(f"  - Key point: {md_escape(point)} {_marks((g.ref,))}")
    return lines


def _reference(ref: Reference, live: frozenset[str] = frozenset()) -> str:
    bits = [
        md_escape(ref.body) + "." if ref.body and ref.kind == "guideline" else "",
        md_escape(ref.title.rstrip(".")) + ".",
    ]
    if ref.journal:
        bits.append(f"*{md_escape(ref.journal)}*.")
    if ref.kind == "guideline" and ref.design == "guideline" and ref.body:
        who = f" for {md_escape(ref.population.rstrip('.'))}" if ref.population else ""
        bits.append(f"Recommendation {md_escape(ref.id)}{who}.")
    if ref.year:
        bits.append(f"{ref.year}.")
    if ref.kind == "study":
        facts = study_facts(ref)
        if facts:
            bits.append(md_escape(facts) + ".")
    if ref.pmid:
        bits.append(f"PMID: {ref.pmid}.")
    if ref.doi:
        bits.append(f"doi: {md_escape(ref.doi)}.")
    link = reference_link(ref)
    if link:
        bits.append(f"<{link}>")
    source = safe_url(ref.text_source)
    if source:
        bits.append(f"Wording as stored taken from <{source}>.")
    if ref.id in live:
        bits.append("(fetched live from PubMed for this brief)")
    return f"{ref.n}. " + " ".join(b for b in bits if b)


def render_markdown(brief: Brief) -> str:
    r = brief.reading
    out = [f"# Evidence brief: {md_escape(brief.question)}", "", *_bottom_line(brief)]
    out.append("## How the question was read")
    for fix in r.corrections:
        out.append(f"- Corrected: {md_escape(fix.original)} → {md_escape(fix.corrected)}")
    for exp in r.expansions:
        out.append(f"- Expanded: {md_escape(exp.abbreviation)} → {md_escape(exp.expansion)}")
    if r.concepts:
        out.append("- Concepts searched: " + "; ".join(md_escape(c.label) for c in r.concepts))
    if r.search_text:
        out.append(f"- Searched for: {md_escape(r.search_text)}")
    out.extend(f"- Note: {md_escape(n)}" for n in r.notes)
    if brief.live_fetched:
        out.append(f"- Fetched live from PubMed: {len(brief.live_fetched)} records")
    out.append("")
    if brief.abstained:
        out.extend(["## No relevant evidence found", ""])
        out.extend(f"{md_escape(n)}" for n in brief.notes)
        out.extend(["", f"_{DISCLAIMER}_", ""])
        return "\n".join(out)
    refs = {ref.n: ref for ref in brief.references}
    out.append("## From the Guidelines")
    if brief.guidelines:
        for g in brief.guidelines:
            out.extend(_guideline(g))
    else:
        out.append("- No guideline recommendation among those stored addresses this question.")
    out.extend(["", "## From the Research"])
    for facet in brief.research:
        out.extend(["", f"### {md_escape(facet.facet)}"])
        out.extend(_bullet(b, refs) for b in facet.bullets)
    out.extend(["", "## Key Findings"])
    out.extend(_bullet(b, refs) for b in brief.key_findings)
    out.extend(["", "## References"])
    guidelines = [x for x in brief.references if x.kind == "guideline"]
    studies = [x for x in brief.references if x.kind == "study"]
    if guidelines:
        out.extend(["", "**Guidelines**", ""])
        out.extend(_reference(x) for x in guidelines)
    if studies:
        out.extend(["", "**Studies**", ""])
        live = frozenset(brief.live_fetched)
        out.extend(_reference(x, live) for x in studies)
    out.append("")
    if brief.dropped_claims:
        out.append(
            f"_{brief.dropped_claims} statement(s) dropped: their sources did not support them._"
        )
    out.extend(f"_Note: {md_escape(n)}_" for n in brief.notes)
    out.extend([f"_{DISCLAIMER}_", ""])
    return "\n".join(out)
