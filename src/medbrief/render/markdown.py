"""The brief as Markdown, the default in a terminal.

Text from sources and questions is escaped so that it renders as text, never
as markup (CommonMark backslash escapes, spec section 2.4).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from medbrief.render._references import (
    LOOK_FURTHER,
    TRUNCATED_NOTE,
    UNGRADED_EXCERPT,
    abstention_notes,
    first_sentence,
    pubmed_search,
    reference_link,
    safe_url,
    statement,
    study_facts,
    superseded_mark,
    ungraded_excerpt,
    wording,
)
from medbrief.render.citation import vancouver
from medbrief.render.grades import certainty_chip, legends, strength_chip
from medbrief.render.provenance import provenance_lines
from medbrief.types import Brief, Bullet, GuidelineItem, Provenance, Reference, WriterInfo

# Source text is only ever placed inline (after a list marker or heading
# marker), so line-start constructs (#, -, +, 1.) cannot trigger; these can.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
DISCLAIMER = (
    "medbrief reports what the sources it found say; it does not give personal medical advice."
)


def writer_note(w: WriterInfo) -> str:
    """Who wrote the paragraphs marked "Summary" (only with a language model configured)."""
    return (
        f"Paragraphs marked Summary were written by the language model {w.model} "
        f"({w.base_url_host}); each sentence was checked against the sources it cites "
        f"({w.dropped_claims} of {w.sentences} dropped)."
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


def _grading(g: GuidelineItem) -> str:
    if ungraded_excerpt(g):
        return f"As graded by the source: {UNGRADED_EXCERPT}"
    parts = []
    for kind, value in (("strength", g.strength), ("certainty of evidence", g.certainty)):
        chip = None
        if value:
            chip = (strength_chip if kind == "strength" else certainty_chip)(value, g.body)
        if chip is None:
            parts.append(f"{kind}: not stated")
            continue
        text = f"{kind}: {md_escape(chip.label)}"
        if chip.note:
            text += f" (curator's note: {md_escape(chip.note)})"
        parts.append(text)
    line = f"As graded by the source: {'; '.join(parts)}"
    if g.certainty_quote:
        quote = md_escape(g.certainty_quote)
        line += f" (certainty as the source's text states it: \u201c{quote}\u201d)"
    return line


def _synthesis(sentences: tuple[Bullet, ...]) -> list[str]:
    if not sentences:
        return []
    return ["", "**Summary:** " + " ".join(_escape_keep_markers(b.text) for b in sentences), ""]


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
    text, truncated = statement(g.statement)
    mark = superseded_mark(g)
    lines = [f"- **{md_escape(g.body)}{year}{mark}**: {md_escape(text)} {_marks((g.ref,))}"]
    if truncated:
        lines.append(f"  - {TRUNCATED_NOTE}")
    lines.append(f"  - {_grading(g)}")
    if g.direction:
        lines.append(f"  - Direction: {md_escape(g.direction)}")
    if g.statement_type != "verbatim":
        lines.append(f"  - Wording: {md_escape(wording(g))}")
    for point in g.key_points:
        lines.append(f"  - Key point: {md_escape(point)} {_marks((g.ref,))}")
    return lines


def _legend(brief: Brief) -> list[str]:
    out = []
    for _, name, entries in legends(brief.guidelines):
        used = " ".join(f"{md_escape(code)}: {md_escape(text)}" for code, text, u in entries if u)
        out.append(f"- {md_escape(name)}: {used}")
    return ["", "### What the grades mean", *out] if out else []


def _reference(ref: Reference, brief: Brief, live: frozenset[str] = frozenset()) -> str:
    bits = [md_escape(vancouver(ref))]
    if ref.superseded:
        bits.append("Superseded: the source says a newer guideline replaces it.")
    if ref.kind == "study":
        facts = study_facts(ref)
        if facts:
            bits.append(md_escape(facts[:1].upper() + facts[1:]) + ".")
    link = reference_link(ref)
    if link and link not in bits[0]:
        bits.append(f"<{link}>")
    source = safe_url(ref.text_source)
    if source:
        bits.append(f"Wording as stored taken from <{source}>.")
    if ref.id in live:
        bits.append("(fetched live from PubMed for this brief)")
    lines = [f"{ref.n}. " + " ".join(b for b in bits if b)]
    for g in brief.guidelines:
        if g.ref == ref.n and ref.kind == "guideline":
            lines.append(f"   - Recommendation: {md_escape(first_sentence(g.statement))}")
    return "\n".join(lines)


def _reading(brief: Brief) -> list[str]:
    r = brief.reading
    out = ["## How the question was read"]
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
    return [*out, ""]


def _provenance(p: Provenance | None) -> list[str]:
    if p is None:
        return []
    return ["## Provenance", *(f"- {k}: {md_escape(v)}" for k, v in provenance_lines(p)), ""]


def _abstained(brief: Brief, related: Sequence[str]) -> list[str]:
    out = ["## No relevant evidence found", ""]
    out.extend(md_escape(n) for n in abstention_notes(brief))
    search = pubmed_search(brief.reading)
    if search:
        out.extend(["", f"- Search PubMed for the same concepts: <{search}>"])
    out.append(f"- {md_escape(LOOK_FURTHER)}")
    if related:
        out.append("- The store does hold: " + "; ".join(md_escape(x) for x in related))
    return [*out, ""]


def _key_findings(brief: Brief, refs: dict[int, Reference]) -> list[str]:
    return ["## Key Findings", *(_bullet(b, refs) for b in brief.key_findings), ""]


def render_markdown(
    brief: Brief, provenance: Provenance | None = None, related: Sequence[str] = ()
) -> str:
    """The brief as Markdown: the answer first (the bottom line, else Key
    Findings), then the guidelines, the research, how the question was read,
    the references and what produced the brief."""
    out = [f"# Evidence brief: {md_escape(brief.question)}", ""]
    if brief.abstained:
        out.extend(_abstained(brief, related))
        out.extend(_reading(brief))
        out.extend(_provenance(provenance))
        out.extend([f"_{DISCLAIMER}_", ""])
        return "\n".join(out)
    refs = {ref.n: ref for ref in brief.references}
    if brief.bottom_line is not None:
        out.extend(_bottom_line(brief))
    elif brief.key_findings:
        out.extend(_key_findings(brief, refs))
    out.append("## From the Guidelines")
    out.extend(_synthesis(brief.guidelines_synthesis))
    if brief.guidelines:
        for g in brief.guidelines:
            out.extend(_guideline(g))
        out.extend(_legend(brief))
    else:
        out.append("- No guideline recommendation among those stored addresses this question.")
    out.extend(["", "## From the Research"])
    for facet in brief.research:
        out.extend(["", f"### {md_escape(facet.facet)}"])
        out.extend(_synthesis(facet.synthesis))
        out.extend(_bullet(b, refs) for b in facet.bullets)
    out.append("")
    if brief.bottom_line is not None and brief.key_findings:
        out.extend(_key_findings(brief, refs))
    out.extend(_reading(brief))
    out.append("## References")
    guidelines = [x for x in brief.references if x.kind == "guideline"]
    studies = [x for x in brief.references if x.kind == "study"]
    if guidelines:
        out.extend(["", "**Guidelines**", ""])
        out.extend(_reference(x, brief) for x in guidelines)
    if studies:
        out.extend(["", "**Studies**", ""])
        live = frozenset(brief.live_fetched)
        out.extend(_reference(x, brief, live) for x in studies)
    out.append("")
    if brief.dropped_claims:
        out.append(
            f"_{brief.dropped_claims} statement(s) dropped: their sources did not support them._"
        )
    out.extend(f"_Note: {md_escape(n)}_" for n in brief.notes)
    if brief.writer is not None:
        out.append(f"_{md_escape(writer_note(brief.writer))}_")
    out.append("")
    out.extend(_provenance(provenance))
    out.extend([f"_{DISCLAIMER}_", ""])
    return "\n".join(out)
