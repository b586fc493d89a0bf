"""References as RIS, the tagged format every reference manager imports.

Format (RIS specification, Research Information Systems / Clarivate): one
``TAG  - value`` per line (two upper-case characters, two spaces, a hyphen, a
space), each record opened by ``TY`` and closed by ``ER``; lines end in CR LF.
A value must stay on one line, so embedded line breaks are folded to spaces.
"""

from __future__ import annotations

from collections.abc import Sequence

from medbrief.render._references import reference_link, reference_note
from medbrief.types import Reference

_EOL = "\r\n"


def _one_line(value: object) -> str:
    return " ".join(str(value).split())


def _record(ref: Reference) -> list[tuple[str, object | None]]:
    # JOUR for anything published in a journal; GEN (generic) otherwise, which
    # is what a guideline web page or registry entry is in RIS terms.
    fields: list[tuple[str, object | None]] = [("TY", "JOUR" if ref.journal else "GEN")]
    if ref.kind == "guideline" and ref.body:
        # The issuing body is the (corporate) author of a guideline.
        fields.append(("AU", ref.body))
    fields += [
        ("TI", ref.title),
        ("T2", ref.journal),
        ("PY", ref.year),
        ("DO", ref.doi),
        ("AN", ref.pmid),
        ("DB", "PubMed" if ref.pmid else None),
        ("UR", reference_link(ref)),
        ("N1", reference_note(ref)),
        ("ER", None),
    ]
    return fields


def render_ris(refs: Sequence[Reference]) -> str:
    """``refs`` as RIS records, in the order given."""
    lines: list[str] = []
    for ref in refs:
        for tag, value in _record(ref):
            text = "" if value is None else _one_line(value)
            if text or tag == "ER":
                lines.append(f"{tag}  - {text}")
        lines.append("")
    return _EOL.join(lines)
