"""The reference list as a reader cites from it: one entry per guideline document.

``compose`` numbers every recommendation as its own source, so a guideline
with six listed recommendations filled six references with one title. This
pass, run on the finished brief, gives each guideline *document* one number
(its recommendations are listed under it), puts guidelines the source marks
as superseded last, completes every reference with what citing it needs
(authors, volume, issue, pages) and, where a recommendation carries no
certainty field but the source's own text states it ("The USPSTF concludes
with moderate certainty that ..."), fills it from that sentence, quoted.

Every number in the brief is renumbered together (guideline items, bullets,
citations, the ``[n]`` markers of computed summaries and of the bottom line);
a source's own sentences are never rewritten. Nothing is added that the
stored records do not say.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from medbrief.grade import split_sentences
from medbrief.types import (
    BottomLine,
    Brief,
    Bullet,
    Citation,
    Document,
    Facet,
    GuidelineItem,
    Recommendation,
    Reference,
)

Item = Document | Recommendation
#: finds the stored record of a guideline document by PMID or DOI, or None
Lookup = Callable[[str], Document | None]

_SUPERSEDED = re.compile(r"\bsuperseded\b|\breplaced by\b", re.IGNORECASE)
_MARKERS = re.compile(r"\[(\d+(?:, \d+)*)\]")
#: the USPSTF's own wording of its certainty of net benefit ("The USPSTF
#: concludes with moderate certainty that ..."); a bare "certainty" elsewhere
#: (tables, rationale on other populations) is not taken for it
_CERTAINTY = re.compile(
    r"\bconclude[sd]? with ((?:at least )?(?:high|moderate|low) certainty)\b", re.IGNORECASE
)
_NUMBER = re.compile(r"\d+")
#: a section heading run into the sentence ("USPSTF Assessment of ...: The USPSTF ...")
_HEADING = re.compile(r"^[A-Z][A-Za-z /&-]{1,60}:\s+(?=[A-Z])")
_NOT_STATED = ("not stated", "n/a", "none")


def document_key(item: Item) -> str:
    """Which guideline document an item belongs to: its PMID, DOI, else its
    body, title and year (recommendations of one document share all three)."""
    if item.pmid:
        return f"pmid:{item.pmid}"
    if item.doi:
        return f"doi:{item.doi.lower()}"
    if isinstance(item, Recommendation):
        return f"title:{item.body.lower()}|{item.guideline_title.lower()}|{item.year}"
    return item.id


def superseded(item: Item) -> bool:
    """The source itself says a newer guideline replaces this one."""
    if isinstance(item, Recommendation):
        fields: Iterable[str | None] = (
            item.body,
            item.guideline_title,
            item.statement_type,
            item.strength,
        )
    else:
        fields = (item.title, item.note)
    return any(_SUPERSEDED.search(f) for f in fields if f)


def finish_references(
    brief: Brief, items: Mapping[str, Item], lookup: Lookup | None = None
) -> Brief:
    """``brief`` with one reference per guideline document, superseded ones
    last, references completed for citing, certainty filled from the text."""
    if brief.abstained or not brief.references:
        return brief
    old = {r.n: r for r in brief.references}
    groups: dict[str, list[Reference]] = {}
    for ref in brief.references:
        if ref.kind == "guideline":
            item = items.get(ref.id)
            groups.setdefault(document_key(item) if item else ref.id, []).append(ref)
    late = {k for k, refs in groups.items() if any(_is_superseded(r, items) for r in refs)}
    order = [k for k in groups if k not in late] + [k for k in groups if k in late]
    new_n: dict[int, int] = {}
    references: list[Reference] = []
    for n, key in enumerate(order, 1):
        members = groups[key]
        new_n.update((r.n, n) for r in members)
        references.append(_merged(n, members, items, lookup, key in late))
    studies = [r for r in brief.references if r.kind != "guideline"]
    for n, ref in enumerate(studies, len(order) + 1):
        new_n[ref.n] = n
        references.append(_completed(replace(ref, n=n), items.get(ref.id)))
    references = _distinct_titles(references)
    guidelines = sorted(
        (_guideline(g, new_n, old, items) for g in brief.guidelines), key=lambda g: g.ref
    )
    return replace(
        brief,
        bottom_line=_bottom_line(brief.bottom_line, new_n),
        guidelines=tuple(guidelines),
        research=tuple(_facet(f, new_n) for f in brief.research),
        key_findings=tuple(_bullet(b, new_n) for b in brief.key_findings),
        references=tuple(references),
    )


def _is_superseded(ref: Reference, items: Mapping[str, Item]) -> bool:
    item = items.get(ref.id)
    return ref.superseded or (item is not None and superseded(item))


def _merged(
    n: int,
    members: Sequence[Reference],
    items: Mapping[str, Item],
    lookup: Lookup | None,
    late: bool,
) -> Reference:
    first = members[0]
    single = len(members) == 1
    sources = {r.text_source for r in members}
    ref = replace(
        first,
        n=n,
        population=first.population if single else None,
        text_source=first.text_source if len(sources) == 1 else None,
        recommendations=tuple(r.id for r in members if isinstance(items.get(r.id), Recommendation)),
        superseded=late,
    )
    for r in members:  # the first member with a PMID or DOI names the document
        if not (ref.pmid or ref.doi) and (r.pmid or r.doi):
            ref = replace(ref, pmid=r.pmid, doi=r.doi, url=r.url)
    doc = items.get(first.id)
    if not isinstance(doc, Document) and lookup is not None:
        doc = next((d for d in (lookup(k) for k in _ids(ref)) if d is not None), None)
    return _completed(ref, doc)


def _ids(ref: Reference) -> list[str]:
    return [x for x in (f"pmid:{ref.pmid}" if ref.pmid else None, ref.doi) if x]


def _completed(ref: Reference, item: Item | None) -> Reference:
    """Authors, journal, volume, issue and pages from the stored document."""
    if not isinstance(item, Document):
        return ref
    return replace(
        ref,
        authors=ref.authors or item.authors,
        journal=ref.journal or item.journal,
        volume=ref.volume or item.volume,
        issue=ref.issue or item.issue,
        pages=ref.pages or item.pages,
        doi=ref.doi or item.doi,
        pmid=ref.pmid or item.pmid,
    )


def _distinct_titles(refs: list[Reference]) -> list[Reference]:
    """Two documents with one title ("Colorectal Cancer: Screening" of 2016 and
    of 2021) get the year, then the issuing body, after it."""
    out = list(refs)
    for name in ("year", "body"):
        counts = Counter(r.title.lower() for r in out)
        out = [_qualified(r, getattr(r, name)) if counts[r.title.lower()] > 1 else r for r in out]
    return out


def _qualified(ref: Reference, extra: object) -> Reference:
    if not extra or f"({extra})" in ref.title:
        return ref
    return replace(ref, title=f"{ref.title} ({extra})")


# ------------------------------------------------------------- renumbering


def _numbers(refs: Iterable[int], new_n: Mapping[int, int]) -> tuple[int, ...]:
    return tuple(sorted({new_n.get(n, n) for n in refs}))


def _markers(text: str, new_n: Mapping[int, int]) -> str:
    def swap(m: re.Match[str]) -> str:
        found = _numbers((int(x) for x in m.group(1).split(", ")), new_n)
        return "[" + ", ".join(map(str, found)) + "]"

    return _MARKERS.sub(swap, text)


def _citations(cs: Sequence[Citation], new_n: Mapping[int, int]) -> tuple[Citation, ...]:
    out: list[Citation] = []
    for c in cs:
        moved = replace(c, n=new_n.get(c.n, c.n))
        if moved not in out:
            out.append(moved)
    return tuple(out)


def _bullet(b: Bullet, new_n: Mapping[int, int]) -> Bullet:
    # a finding is a source's own sentence: its words are never rewritten
    text = _markers(b.text, new_n) if b.kind == "summary" else b.text
    return replace(
        b, text=text, refs=_numbers(b.refs, new_n), citations=_citations(b.citations, new_n)
    )


def _facet(f: Facet, new_n: Mapping[int, int]) -> Facet:
    return replace(f, bullets=tuple(_bullet(b, new_n) for b in f.bullets))


def _bottom_line(b: BottomLine | None, new_n: Mapping[int, int]) -> BottomLine | None:
    if b is None:
        return None
    return replace(
        b,
        text=_markers(b.text, new_n),
        refs=_numbers(b.refs, new_n),
        citations=_citations(b.citations, new_n),
    )


def _guideline(
    g: GuidelineItem,
    new_n: Mapping[int, int],
    old: Mapping[int, Reference],
    items: Mapping[str, Item],
) -> GuidelineItem:
    item_id = g.item_id or (old[g.ref].id if g.ref in old else None)
    out = replace(g, ref=new_n.get(g.ref, g.ref), item_id=item_id)
    item = items.get(item_id) if item_id else None
    if isinstance(item, Recommendation) and _unstated(g.certainty):
        found = certainty_in_text(item)
        if found:
            out = replace(out, certainty=found[0], certainty_quote=found[1])
    return out


def _unstated(certainty: str | None) -> bool:
    return certainty is None or certainty.strip().lower().startswith(_NOT_STATED)


def certainty_in_text(rec: Recommendation) -> tuple[str, str] | None:
    """The certainty the recommendation's own text states, and the sentence.

    USPSTF statements give the grade as a field and the certainty of net
    benefit only in their rationale ("The USPSTF concludes with moderate
    certainty that screening ... in adults aged 45 to 49 years has moderate
    net benefit"). One rationale may state several, one per population: the
    sentence that best matches the statement's numbers (its ages: shared
    numbers count for, other numbers against) is taken, and when that does
    not single one out, none is (a certainty is never guessed). A sentence
    that names ages and none of the statement's is about another population:
    "moderate certainty ... in women aged 40 to 74 years" is no certainty for
    the Grade I statement on women 75 years or older.
    """
    wanted = set(_NUMBER.findall(f"{rec.statement} {rec.population or ''}"))
    found: list[tuple[int, str, str]] = []
    for text in (rec.statement, *rec.key_points):
        for sentence in split_sentences(text):
            m = _CERTAINTY.search(sentence)
            if m:
                numbers = set(_NUMBER.findall(sentence))
                if numbers and not numbers & wanted:
                    continue
                score = 2 * len(wanted & numbers) - len(numbers - wanted)
                found.append((score, m.group(1).lower(), _HEADING.sub("", sentence.strip())))
    if not found:
        return None
    best = max(s for s, _, _ in found)
    top = {(words, sentence) for s, words, sentence in found if s == best}
    if len({words for words, _ in top}) != 1:
        return None
    words, sentence = min(top, key=lambda t: len(t[1]))
    return words, sentence
