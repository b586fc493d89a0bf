"""A reference as one citation line: Vancouver and AMA, plain text.

Vancouver follows NLM's *Citing Medicine* (2nd ed., 2007): up to six authors,
then "et al."; "Journal. Year;Volume(Issue):Pages." AMA follows the *AMA
Manual of Style* (11th ed., 2020, section 3.11): all authors up to six, else
the first three and "et al."; the DOI as ``doi:``. A guideline without a
journal is cited as a web document of its issuing body ("[Internet]",
"Available from:"). Authors are stored as PubMed prints them ("Winkelman JW"),
which is already the form both styles use; fields a record lacks are left
out, never filled in.
"""

from __future__ import annotations

import re

from medbrief.render._references import reference_link
from medbrief.types import Reference

_INITIALS = re.compile(r"^[A-Z]{1,4}$")


def split_author(name: str) -> tuple[str, str] | None:
    """("Winkelman", "JW") from "Winkelman JW"; None for a collective name."""
    parts = name.split()
    if len(parts) >= 2 and _INITIALS.match(parts[-1]):
        return " ".join(parts[:-1]), parts[-1]
    return None


def _authors(ref: Reference, show: int, cut: int) -> str:
    names = list(ref.authors)
    if not names:
        return ref.body if ref.kind == "guideline" and ref.body else ""
    if len(names) > cut:
        names = [*names[:show], "et al"]
    return ", ".join(names)


def _sentence(text: str) -> str:
    text = " ".join(text.split()).rstrip()
    return text if text.endswith((".", "?", "!")) else f"{text}."


def _source(ref: Reference) -> str:
    """ "2025;21(1):137-152." — the year and where in the journal."""
    out = str(ref.year) if ref.year else ""
    if ref.volume:
        out += f";{ref.volume}"
        if ref.issue:
            out += f"({ref.issue})"
    if ref.pages:
        out += f":{ref.pages}"
    return f"{out}." if out else ""


def vancouver(ref: Reference) -> str:
    authors = _authors(ref, 6, 6)
    parts = [_sentence(authors)] if authors else []
    if ref.journal:
        parts += [_sentence(ref.title), _sentence(ref.journal), _source(ref)]
        if ref.doi:
            parts.append(f"doi:{ref.doi}.")
        if ref.pmid:
            parts.append(f"PMID: {ref.pmid}.")
    else:
        title = " ".join(ref.title.split()).rstrip(".")
        parts.append(f"{title} [Internet].")
        parts.append(f"{ref.year}." if ref.year else "")
        link = reference_link(ref)
        if link:
            parts.append(f"Available from: {link}")
    return " ".join(p for p in parts if p)


def ama(ref: Reference) -> str:
    authors = _authors(ref, 3, 6)
    parts = [_sentence(authors)] if authors else []
    parts.append(_sentence(ref.title))
    if ref.journal:
        parts += [_sentence(ref.journal), _source(ref)]
    elif ref.year:
        parts.append(f"Published {ref.year}.")
    if ref.doi:
        parts.append(f"doi:{ref.doi}")
    else:
        link = reference_link(ref)
        if link:
            parts.append(link)
    return " ".join(p for p in parts if p)
