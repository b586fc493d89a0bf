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
from medbrief.render.markdown import DISCLAIMER, writer_note
from medbrief.render.provenance import provenance_lines
from medbrief.types import Brief, Bullet, Facet, GuidelineItem, Provenance, Reference

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
.chip { display: inline-block; border: 1px solid #777; border-radius: 1em; padding: 0 .5em;
        font-size: .85em; }
.superseded { color: #6b4e00; }
dl.legend dt { font-weight: bold; } dl.legend dd { margin: 0 0 .3rem 1rem; }
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


def _grade(kind: str, value: str | None, body: str) -> str:
    if not value:
        return f"{kind}: not stated"
    chip = (strength_chip if kind == "Strength" else certainty_chip)(value, body)
    note = f' <span class="note">(curator\'s note: {_e(chip.note)})</span>' if chip.note else ""
    return f'{kind}: <span class="chip">{_e(chip.label)}</span>{note}'


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
            f"{_grade('Strength', g.strength, g.body)}; "
            f"{_grade('certainty of evidence', g.certainty, g.body)}"
        )
    text, truncated = statement(g.statement)
    mark = superseded_mark(g)
    out = [
        f"<h3>{_e(g.body)}{_e(year)}{_e(mark)}{_cites([g.ref])}</h3>",
        f"<blockquote>{_e(text)}</blockquote>",
    ]
    if truncated:
        out.append(f'<p class="note">{_e(TRUNCATED_NOTE)}</p>')
    out.append(f'<p class="meta">As graded by the source: {grade}</p>')
    if g.certainty_quote:
        out.append(
            f'<p class="meta">Certainty as the source\'s text states it: '
            f"<q>{_e(g.certainty_quote)}</q></p>"
        )
    if g.direction:
        out.append(f'<p class="meta">Direction: {_e(g.direction)}</p>')
    if g.statement_type != "verbatim":
        out.append(f'<p class="meta">Wording: {_e(wording(g))}</p>')
    if g.key_points:
        points = "".join(f"<li>{_e(p)}</li>" for p in g.key_points)
        out.append(f"<p>Key points:</p><ul>{points}</ul>")
    return "".join(out)


def _legend(brief: Brief) -> str:
    out = []
    for _, name, entries in legends(brief.guidelines):
        rows = "".join(f"<dt>{_e(c)}</dt><dd>{_e(t)}</dd>" for c, t, used in entries if used)
        out.append(f'<h3>{_e(name)}</h3><dl class="legend">{rows}</dl>')
    return "".join(out)


def _synthesis(sentences: Sequence[Bullet]) -> str:
    if not sentences:
        return ""
    text = " ".join(_inline_markers(b.text) for b in sentences)
    return f'<p class="synthesis"><strong>Summary:</strong> {text}</p>'


def _facet(f: Facet, refs: dict[int, Reference]) -> str:
    status = _STATUS_LABELS.get(f.status, f.status)
    return (
        f'<h3>{_e(f.facet)}</h3><p class="status">{_e(status)}</p>'
        f"{_synthesis(f.synthesis)}{_bullets(f.bullets, refs)}"
    )


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


def _reference(ref: Reference, sentences: Sequence[str], brief: Brief) -> str:
    link = reference_link(ref)
    line = _e(vancouver(ref))
    if link and link not in line:
        line += " " + _link(link, link)
    if ref.kind == "study" and study_facts(ref):
        line += f' <span class="meta">({_e(study_facts(ref))})</span>'
    source = safe_url(ref.text_source)
    if source:
        line += f" Wording as stored taken from {_link(source, source)}."
    if ref.superseded:
        line += ' <span class="superseded">Superseded by a newer guideline.</span>'
    if ref.retracted:
        line += ' <span class="retracted">Retracted.</span>'
    recs = [first_sentence(g.statement) for g in brief.guidelines if g.ref == ref.n]
    listed = "".join(f"<li>{_e(r)}</li>" for r in recs)
    under = f"<ul>{listed}</ul>" if listed else ""
    quotes = "".join(f"<blockquote>{_e(s)}</blockquote>" for s in sentences)
    return f'<li id="ref-{ref.n}" value="{ref.n}">{line}{under}{quotes}</li>'


def _key_findings(brief: Brief, refs: dict[int, Reference]) -> str:
    return "<h2>Key Findings</h2>" + _bullets(brief.key_findings, refs)


def _sections(brief: Brief, related: Sequence[str]) -> list[str]:
    if brief.abstained:
        notes = "".join(f"<p>{_e(n)}</p>" for n in abstention_notes(brief))
        ways = []
        search = pubmed_search(brief.reading)
        if search:
            ways.append(f"<li>{_link(search, 'Search PubMed for the same concepts')}</li>")
        ways.append(f"<li>{_e(LOOK_FURTHER)}</li>")
        if related:
            ways.append(f"<li>The store does hold: {_e('; '.join(related))}</li>")
        return [f"<h2>No relevant evidence found</h2>{notes}<ul>{''.join(ways)}</ul>"]
    refs = {r.n: r for r in brief.references}
    out = []
    if brief.bottom_line is not None:
        out.append(_bottom_line(brief))
    elif brief.key_findings:
        out.append(_key_findings(brief, refs))
    guidelines = "".join(_guideline(g) for g in brief.guidelines) or (
        "<p>No guideline recommendation among those stored addresses this question.</p>"
    )
    synthesis = _synthesis(brief.guidelines_synthesis)
    out.append(f"<h2>From the Guidelines</h2>{synthesis}{guidelines}{_legend(brief)}")
    if brief.research:
        out.append("<h2>From the Research</h2>" + "".join(_facet(f, refs) for f in brief.research))
    if brief.bottom_line is not None and brief.key_findings:
        out.append(_key_findings(brief, refs))
    return out


def _tail(brief: Brief) -> list[str]:
    out = []
    if brief.references:
        sentences = _cited_sentences(brief)
        items = "".join(_reference(r, sentences.get(r.n, ()), brief) for r in brief.references)
        out.append(f'<h2>References</h2><ol class="refs">{items}</ol>')
    if brief.dropped_claims:
        out.append(
            f'<p class="note">{brief.dropped_claims} statement(s) dropped: their sources did '
            "not support them.</p>"
        )
    if not brief.abstained:
        out.extend(f'<p class="note">Note: {_e(n)}</p>' for n in brief.notes)
    if brief.writer is not None:
        out.append(f'<p class="note">{_e(writer_note(brief.writer))}</p>')
    return out


def _provenance(p: Provenance | None) -> str:
    if p is None:
        return ""
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in provenance_lines(p))
    return f'<h2>Provenance</h2><dl class="legend provenance">{rows}</dl>'


def render_html(
    brief: Brief, provenance: Provenance | None = None, related: Sequence[str] = ()
) -> str:
    """The brief as a complete, standalone HTML5 document: the answer first."""
    body = [
        f"<h1>Evidence brief: {_e(brief.question)}</h1>",
        *_sections(brief, related),
        _reading(brief),
        *_tail(brief),
        _provenance(provenance),
    ]
    body.append(f'<p class="note"><i>{_e(DISCLAIMER)}</i></p>')
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(brief.question)} · medbrief</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{chr(10).join(body)}\n</main>\n</body>\n</html>\n"
    )
