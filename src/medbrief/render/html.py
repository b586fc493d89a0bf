"""A brief as one standalone HTML document: print-friendly, self-contained, escaped.

Used by ``medbrief ask --format html`` and by the web page's print view. The
document loads nothing from anywhere (no scripts, fonts or stylesheets by URL)
so it prints and archives as it is. Every text that comes from a source or from
the question goes through :func:`html.escape`; links are kept only for the
http(s) schemes, so a source URL such as ``javascript:...`` is shown as text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from medbrief.render._references import (
    UNGRADED_EXCERPT,
    reference_link,
    safe_url,
    study_facts,
    ungraded_excerpt,
    wording,
)
from medbrief.render.markdown import DISCLAIMER
from medbrief.types import DESIGN_LABELS, Brief, Bullet, Facet, GuidelineItem, Reference

#: Same words as the Markdown brief, so every format says the same thing.
_STATUS_LABELS = {
    "evidence": "Evidence found",
    "no_evidence": "No study among those retrieved addresses this",
    "inconsistent": "The evidence is inconsistent",
}

# Print rules follow the CSS Paged Media basics: A4/Letter-safe margins, no
# page break inside a bullet or a reference, link targets written after links.
_CSS = """
:root { color-scheme: light; }
body { font: 11pt/1.45 Georgia, "Times New Roman", serif; color: #111; max-width: 46rem;
       margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; border-bottom: 1px solid #999; margin-top: 1.6rem; }
h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
.meta, .status, .note { color: #444; font-size: .9rem; }
.status { font-style: italic; }
blockquote { margin: .3rem 0 .3rem 1rem; padding-left: .6rem; border-left: 3px solid #bbb; }
li { margin: .2rem 0; break-inside: avoid; }
.refs li { margin: .45rem 0; }
.retracted { color: #a00; font-weight: bold; }
sup a { text-decoration: none; }
a { color: #0645ad; overflow-wrap: anywhere; }
@page { margin: 18mm 16mm; }
@media print {
  body { margin: 0; max-width: none; }
  a { color: #111; }
  .refs a[href^="http"]::after { content: " <" attr(href) ">"; font-size: .8em; }
  h2, h3 { break-after: avoid; }
}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _link(url: str | None, text: str) -> str:
    href = safe_url(url)
    if href is None:
        return _e(text)
    return f'<a href="{_e(href)}" rel="noopener noreferrer">{_e(text)}</a>'


def _cites(refs: Iterable[int]) -> str:
    numbers = sorted(set(refs))
    if not numbers:
        return ""
    inner = ", ".join(f'<a href="#ref-{n}">{n}</a>' for n in numbers)
    return f" <sup>[{inner}]</sup>"


_MARKERS = re.compile(r"\[(\d+(?:, \d+)*)\]")


def _inline_markers(text: str) -> str:
    """Escape a summary bullet, turning its own ``[3, 4]`` markers into links."""
    out, last = [], 0
    for m in _MARKERS.finditer(text):
        out.append(_e(text[last : m.start()]))
        out.append(_cites(int(n) for n in m.group(1).split(", ")).strip())
        last = m.end()
    out.append(_e(text[last:]))
    return "".join(out)


def _bullet(b: Bullet, refs: dict[int, Reference]) -> str:
    if b.kind == "summary":
        return f"<li>{_inline_markers(b.text)}</li>"
    facts = "; ".join(f for f in (study_facts(refs[n]) for n in b.refs if n in refs) if f)
    tail = f' <span class="meta">({_e(facts)})</span>' if facts else ""
    return f"<li>{_e(b.text)}{_cites(b.refs)}{tail}</li>"


def _bullets(bullets: Sequence[Bullet], refs: dict[int, Reference]) -> str:
    items = "".join(_bullet(b, refs) for b in bullets)
    return f"<ul>{items}</ul>" if items else ""


def _reading(brief: Brief) -> str:
    r = brief.reading
    parts = [f"<p>Question as asked: <q>{_e(brief.question)}</q></p>"]
    if r.corrections:
        fixes = "".join(f"<li>{_e(c.original)} → {_e(c.corrected)}</li>" for c in r.corrections)
        parts.append(f"<p>Corrected spelling:</p><ul>{fixes}</ul>")
    if r.expansions:
        exps = "".join(f"<li>{_e(x.abbreviation)} = {_e(x.expansion)}</li>" for x in r.expansions)
        parts.append(f"<p>Abbreviations:</p><ul>{exps}</ul>")
    if r.concepts:
        concepts = ", ".join(_e(c.label) for c in r.concepts)
        parts.append(f"<p>Concepts: {concepts}</p>")
    if r.search_text:
        parts.append(f"<p>Searched for: <code>{_e(r.search_text)}</code></p>")
    parts.extend(f'<p class="note">{_e(n)}</p>' for n in r.notes)
    if brief.live_fetched:
        parts.append(f"<p>Fetched live from PubMed: {len(brief.live_fetched)} records</p>")
    return "<h2>How the question was read</h2>" + "".join(parts)


def _bottom_line(brief: Brief) -> str:
    """The bottom line, first: its text with linked markers, and the verdict."""
    b = brief.bottom_line
    if b is None or brief.abstained:
        return ""
    verdict = ""
    if b.verdict is not None:
        lean = f", leaning {b.lean}" if b.verdict == "mixed" and b.lean else ""
        verdict = (
            f'<p class="meta">Verdict: {_e(b.verdict)}{_e(lean)} '
            f"(confidence {b.confidence:.2f})</p>"
        )
    return f'<h2>Bottom line</h2><p class="bottom-line">{_inline_markers(b.text)}</p>{verdict}'


def _guideline(g: GuidelineItem) -> str:
    year = f" ({g.year})" if g.year else ""
    if ungraded_excerpt(g):
        grade = UNGRADED_EXCERPT
    else:
        grade = (
            f"Strength: {_e(g.strength) if g.strength else 'not stated'}; "
            f"certainty of evidence: {_e(g.certainty) if g.certainty else 'not stated'}"
        )
    mark = " (superseded)" if g.superseded else ""
    out = [
        f"<h3>{_e(g.body)}{_e(year)}{_e(mark)}{_cites([g.ref])}</h3>",
        f"<blockquote>{_e(g.statement)}</blockquote>",
        f'<p class="meta">As graded by the source: {grade}</p>',
    ]
    if g.direction:
        out.append(f'<p class="meta">Direction: {_e(g.direction)}</p>')
    if g.statement_type != "verbatim":
        out.append(f'<p class="meta">Wording: {_e(wording(g))}</p>')
    if g.key_points:
        points = "".join(f"<li>{_e(p)}</li>" for p in g.key_points)
        out.append(f"<p>Key points:</p><ul>{points}</ul>")
    return "".join(out)


def _facet(f: Facet, refs: dict[int, Reference]) -> str:
    status = _STATUS_LABELS.get(f.status, f.status)
    return f'<h3>{_e(f.facet)}</h3><p class="status">{_e(status)}</p>{_bullets(f.bullets, refs)}'


def _cited_sentences(brief: Brief) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    citations = [c for b in brief.key_findings for c in b.citations]
    citations.extend(c for f in brief.research for b in f.bullets for c in b.citations)
    if brief.bottom_line is not None:
        citations.extend(brief.bottom_line.citations)
    for c in citations:
        if c.sentence and c.sentence not in found.setdefault(c.n, []):
            found[c.n].append(c.sentence)
    return found


def _reference(ref: Reference, sentences: Sequence[str]) -> str:
    bits = [_link(reference_link(ref), ref.title.rstrip(".") or "(untitled)")]
    if ref.body and ref.kind == "guideline":
        bits.append(_e(ref.body))
    if ref.journal:
        bits.append(f"<i>{_e(ref.journal)}</i>")
    if ref.year:
        bits.append(_e(ref.year))
    kind = DESIGN_LABELS.get(ref.design or "", ref.design) if ref.design else ref.kind
    size = f", n = {ref.sample_size:,}" if ref.sample_size else ""
    bits.append(_e(f"{kind}{size}"))
    if ref.pmid:
        bits.append(_link(f"https://pubmed.ncbi.nlm.nih.gov/{ref.pmid}/", f"PMID {ref.pmid}"))
    if ref.doi:
        bits.append(_link(f"https://doi.org/{ref.doi}", f"doi:{ref.doi}"))
    line = ". ".join(bits) + "."
    source = safe_url(ref.text_source)
    if source:
        line += f" Wording as stored taken from {_link(source, source)}."
    if ref.retracted:
        line += ' <span class="retracted">Retracted.</span>'
    quotes = "".join(f"<blockquote>{_e(s)}</blockquote>" for s in sentences)
    return f'<li id="ref-{ref.n}" value="{ref.n}">{line}{quotes}</li>'


def _sections(brief: Brief) -> list[str]:
    if brief.abstained:
        notes = "".join(f"<p>{_e(n)}</p>" for n in brief.notes)
        return [f"<h2>No relevant evidence found</h2>{notes}"]
    refs = {r.n: r for r in brief.references}
    guidelines = "".join(_guideline(g) for g in brief.guidelines) or (
        "<p>No guideline recommendation among those stored addresses this question.</p>"
    )
    out = [f"<h2>From the Guidelines</h2>{guidelines}"]
    if brief.research:
        out.append("<h2>From the Research</h2>" + "".join(_facet(f, refs) for f in brief.research))
    if brief.key_findings:
        out.append("<h2>Key Findings</h2>" + _bullets(brief.key_findings, refs))
    if brief.references:
        sentences = _cited_sentences(brief)
        items = "".join(_reference(r, sentences.get(r.n, ())) for r in brief.references)
        out.append(f'<h2>References</h2><ol class="refs">{items}</ol>')
    if brief.dropped_claims:
        out.append(
            f'<p class="note">{brief.dropped_claims} statement(s) dropped: their sources did '
            "not support them.</p>"
        )
    out.extend(f'<p class="note">Note: {_e(n)}</p>' for n in brief.notes)
    return out


def render_html(brief: Brief) -> str:
    """The brief as a complete, standalone HTML5 document."""
    body = [f"<h1>Evidence brief: {_e(brief.question)}</h1>", _bottom_line(brief)]
    body.extend([_reading(brief), *_sections(brief)])
    body.append(f'<p class="note"><i>{_e(DISCLAIMER)}</i></p>')
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(brief.question)} · medbrief</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{chr(10).join(body)}\n</main>\n</body>\n</html>\n"
    )
