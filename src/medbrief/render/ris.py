"""References as RIS, the tagged format every reference manager imports.

Format (RIS specification, Research Information Systems / Clarivate): one
``TAG  - value`` per line (two upper-case characters, two spaces, a hyphen, a
space), each record opened by ``TY`` and closed by ``ER``; lines end in CR LF.
A value must stay on one line, so embedded line breaks are folded to spaces.
Authors go one per ``AU`` line as "Winkelman, J.W." (RIS's "Last, First"
form); volume ``VL``, issue ``IS``, pages ``SP``/``EP``. RIS has no header or
comment, so the brief's provenance is a second ``N1`` note of each record.
"""

from __future__ import annotations

from collections.abc import Sequence

from medbrief.render._references import reference_link, reference_note
from medbrief.render.citation import split_author
from medbrief.render.provenance import provenance_text
from medbrief.types import Provenance, Reference

_EOL = "\r\n"


def _one_line(value: object) -> str:
    return " ".join(str(value).split())


def _person(name: str) -> str:
    split = split_author(name)
    return f"{split[0]}, {'.'.join(split[1])}." if split else name


def _pages(pages: str | None) -> tuple[str | None, str | None]:
    """ "137-152" -> ("137", "152"); NLM's elided "200-3" -> ("200", "203")."""
    if not pages:
        return None, None
    start, _, end = pages.partition("-")
    if end and start.isdigit() and end.isdigit() and len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    return start or None, end or None


def _record(ref: Reference, provenance: Provenance | None) -> list[tuple[str, object | None]]:
    # JOUR for anything published in a journal; GEN (generic) otherwise, which
    # is what a guideline web page or registry entry is in RIS terms.
    fields: list[tuple[str, object | None]] = [("TY", "JOUR" if ref.journal else "GEN")]
    fields += [("AU", _person(a)) for a in ref.authors]
    if ref.kind == "guideline" and ref.body and not ref.authors:
        # The issuing body is the (corporate) author of a guideline.
        fields.append(("AU", ref.body))
    start, end = _pages(ref.pages)
    fields += [
        ("TI", ref.title),
        ("T2", ref.journal),
        ("PY", ref.year),
        ("VL", ref.volume),
        ("IS", ref.issue),
        ("SP", start),
        ("EP", end),
        ("DO", ref.doi),
        ("AN", ref.pmid),
        ("DB", "PubMed" if ref.pmid else None),
        ("UR", reference_link(ref)),
        ("N1", reference_note(ref)),
        ("N1", provenance_text(provenance) if provenance else None),
        ("ER", None),
    ]
    return fields


def render_ris(refs: Sequence[Reference], provenance: Provenance | None = None) -> str:
    """``refs`` as RIS records, in the order given."""
    lines: list[str] = []
    for ref in refs:
        for tag, value in _record(ref, provenance):
            text = "" if value is None else _one_line(value)
            if text or tag == "ER":
                lines.append(f"{tag}  - {text}")
        lines.append("")
    return _EOL.join(lines)
