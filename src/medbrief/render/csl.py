"""References as CSL-JSON, the input format of citeproc processors (Zotero,
Mendeley, Pandoc): a JSON array of items, CSL 1.0.2 data schema.

Authors stored as PubMed prints them ("Winkelman JW") become
``{"family": "Winkelman", "given": "JW"}``; a collective name or a
guideline's issuing body is a ``literal`` name. The brief's provenance goes
in each item's ``custom`` object (CSL 1.0.2's place for data outside the
schema), since the format has no header.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from medbrief.render._references import reference_link, reference_note
from medbrief.render.citation import split_author
from medbrief.render.provenance import provenance_dict
from medbrief.types import Provenance, Reference


def _name(author: str) -> dict[str, str]:
    split = split_author(author)
    return {"family": split[0], "given": split[1]} if split else {"literal": author}


def csl_item(ref: Reference, key: str, provenance: Provenance | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": key,
        "type": "article-journal" if ref.journal else "document",
        "title": " ".join(ref.title.split()),
    }
    if ref.authors:
        item["author"] = [_name(a) for a in ref.authors]
    elif ref.kind == "guideline" and ref.body:
        item["author"] = [{"literal": ref.body}]
    if ref.kind == "guideline" and ref.body:
        item["publisher"] = ref.body
    optional = {
        "container-title": ref.journal,
        "volume": ref.volume,
        "issue": ref.issue,
        "page": ref.pages,
        "DOI": ref.doi,
        "PMID": ref.pmid,
        "URL": reference_link(ref),
        "note": reference_note(ref),
    }
    item.update({k: v for k, v in optional.items() if v})
    if ref.year:
        item["issued"] = {"date-parts": [[ref.year]]}
    if provenance is not None:
        item["custom"] = {"medbrief": provenance_dict(provenance)}
    return item


def render_csl(refs: Sequence[Reference], provenance: Provenance | None = None) -> str:
    """``refs`` as a CSL-JSON array (UTF-8, indented), ids as the BibTeX keys."""
    from medbrief.render.bibtex import citation_keys

    items = [csl_item(r, k, provenance) for r, k in zip(refs, citation_keys(refs), strict=True)]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"
