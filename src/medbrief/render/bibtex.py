"""References as BibTeX entries.

Text fields escape the characters TeX treats as commands (``\\ { } $ & % # _ ~ ^``)
so that a title can never open a group or run a macro; ``url`` and ``doi`` are
verbatim fields in biblatex and the ``url`` package, so they are kept as they
are, minus the braces and backslashes that would unbalance the entry. Keys are
``pmid<PMID>`` when there is one (stable across exports), else ``ref<n>``, with
``-1``, ``-2`` added when two entries would share one. Authors stored as PubMed
prints them ("Winkelman JW") are written "Winkelman, J. W." joined by "and";
a collective name or issuing body is braced so BibTeX does not split it. The
brief's provenance heads the file as ``%`` comment lines, which BibTeX skips.
"""

from __future__ import annotations

from collections.abc import Sequence

from medbrief.render._references import reference_link, reference_note
from medbrief.render.citation import split_author
from medbrief.render.provenance import provenance_lines
from medbrief.types import Provenance, Reference

_TEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def tex_escape(text: object) -> str:
    """``text`` on one line with TeX's special characters escaped."""
    return "".join(_TEX_ESCAPES.get(ch, ch) for ch in " ".join(str(text).split()))


def _verbatim(text: str) -> str:
    return "".join(ch for ch in text.strip() if ch not in "{}\\" and not ch.isspace())


def _key(ref: Reference, taken: set[str]) -> str:
    base = f"pmid{ref.pmid}" if ref.pmid and ref.pmid.isdigit() else f"ref{ref.n}"
    key, suffix = base, 0
    while key in taken:
        suffix += 1
        key = f"{base}-{suffix}"
    taken.add(key)
    return key


def citation_keys(refs: Sequence[Reference]) -> list[str]:
    """One unique key per reference, in order (also the CSL-JSON ids)."""
    taken: set[str] = set()
    return [_key(ref, taken) for ref in refs]


def _person(name: str) -> str:
    split = split_author(name)
    if split is None:  # a collective name: one braced unit
        return "{" + tex_escape(name) + "}"
    family, initials = split
    return f"{tex_escape(family)}, {' '.join(f'{c}.' for c in initials)}"


def _entry(ref: Reference, key: str) -> str:
    kind = "article" if ref.journal else "misc"
    fields: list[tuple[str, str]] = []
    if ref.authors:
        fields.append(("author", " and ".join(_person(a) for a in ref.authors)))
    elif ref.kind == "guideline" and ref.body:
        # Double braces: a corporate author, not "Last, First" to be split.
        fields.append(("author", "{" + tex_escape(ref.body) + "}"))
    fields.append(("title", tex_escape(ref.title)))
    if ref.journal:
        fields.append(("journal", tex_escape(ref.journal)))
    if ref.year:
        fields.append(("year", str(ref.year)))
    if ref.volume:
        fields.append(("volume", tex_escape(ref.volume)))
    if ref.issue:
        fields.append(("number", tex_escape(ref.issue)))
    if ref.pages:
        fields.append(("pages", tex_escape(ref.pages).replace("-", "--")))
    if ref.kind == "guideline" and ref.body and ref.authors:
        fields.append(("organization", tex_escape(ref.body)))
    if ref.doi:
        fields.append(("doi", _verbatim(ref.doi)))
    if ref.pmid:
        fields.append(("pmid", _verbatim(ref.pmid)))
    link = reference_link(ref)
    if link:
        fields.append(("url", _verbatim(link)))
    note = reference_note(ref)
    if note:
        fields.append(("note", tex_escape(note)))
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields)
    return f"@{kind}{{{key},\n{body}}}\n"


def render_bibtex(refs: Sequence[Reference], provenance: Provenance | None = None) -> str:
    """``refs`` as BibTeX entries (UTF-8), in the order given."""
    head = ""
    if provenance is not None:
        head = "".join(
            f"% {label}: {' '.join(text.split())}\n" for label, text in provenance_lines(provenance)
        )
        head += "\n"
    return head + "\n".join(
        _entry(ref, key) for ref, key in zip(refs, citation_keys(refs), strict=True)
    )
