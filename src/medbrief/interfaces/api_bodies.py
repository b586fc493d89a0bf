"""Request values in, response bodies out: the API's conversions, kept apart
from the routes so that each is small and testable.

Every body reuses the library's own serialisers (``brief_to_dict``,
``codec.to_builtins``), so the HTTP shapes are the documented JSON contract.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Query

from medbrief.codec import to_builtins
from medbrief.errors import QueryError
from medbrief.interfaces import api_schemas as s
from medbrief.render._references import safe_url
from medbrief.render.json import brief_to_dict
from medbrief.types import (
    Brief,
    Document,
    Filters,
    Provenance,
    Reading,
    Recommendation,
    SearchResult,
)

EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "markdown": ("text/markdown; charset=utf-8", "md"),
    "json": ("application/json", "json"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "bibtex": ("application/x-bibtex; charset=utf-8", "bib"),
    "csl": ("application/vnd.citationstyles.csl+json", "csl.json"),
    "html": ("text/html; charset=utf-8", "html"),
}


def to_filters(
    year_min: int | None = None,
    year_max: int | None = None,
    designs: Sequence[str] = (),
    kinds: Sequence[str] = (),
) -> Filters | None:
    """Filters from validated request values; None when nothing is filtered."""
    if year_min is not None and year_max is not None and year_min > year_max:
        raise QueryError(f"year_min ({year_min}) is after year_max ({year_max})")
    filters = Filters(
        year_min=year_min,
        year_max=year_max,
        designs=tuple(dict.fromkeys(designs)),
        kinds=tuple(dict.fromkeys(kinds)),  # type: ignore[arg-type]  # validated as Kind
    )
    return None if filters == Filters() else filters


def body_filters(f: s.FiltersIn | None) -> Filters | None:
    return None if f is None else to_filters(f.year_min, f.year_max, f.designs, f.kinds)


def query_filters(
    year_min: Annotated[int | None, Query(ge=s.YEAR_MIN, le=s.YEAR_MAX)] = None,
    year_max: Annotated[int | None, Query(ge=s.YEAR_MIN, le=s.YEAR_MAX)] = None,
    designs: Annotated[list[s.Design] | None, Query()] = None,
    kinds: Annotated[list[s.Kind] | None, Query()] = None,
) -> Filters | None:
    return to_filters(year_min, year_max, designs or (), kinds or ())


def clean_question(text: str) -> str:
    question = " ".join(text.split())
    if not question:
        raise QueryError("the question is empty")
    return question


def reading_dict(question: str, reading: Reading) -> dict[str, Any]:
    reading_out: dict[str, Any] = brief_to_dict(Brief(question=question, reading=reading))[
        "reading"
    ]
    return reading_out


def stage_payload(question: str, name: str, value: Any) -> Any:
    """One streamed stage as JSON, in the same shapes as the brief's contract."""
    if name == "reading":
        return reading_dict(question, value)
    if name in {"brief", "extractive"}:  # "extractive": the brief before the model's prose
        return brief_to_dict(value)
    if name in {"guidelines", "research"}:
        stub = Brief(question=question, reading=Reading(question, question), **{name: value})
        return brief_to_dict(stub)[name]
    return to_builtins(value)


def sse(event: str, data: Any) -> str:
    """One server-sent event (WHATWG HTML, "Server-sent events": event + data lines)."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60].rstrip("-") or "brief"


def export_text(
    brief: Brief, fmt: str, provenance: Provenance | None = None, related: Sequence[str] = ()
) -> str:
    """The brief in format ``fmt``, each naming what produced it (``provenance``)."""
    if fmt == "markdown":
        from medbrief.render.markdown import render_markdown

        return render_markdown(brief, provenance, related)
    if fmt == "json":
        return json.dumps(brief_to_dict(brief, provenance), ensure_ascii=False, indent=2) + "\n"
    if fmt == "ris":
        from medbrief.render.ris import render_ris

        return render_ris(brief.references, provenance)
    if fmt == "bibtex":
        from medbrief.render.bibtex import render_bibtex

        return render_bibtex(brief.references, provenance)
    if fmt == "csl":
        from medbrief.render.csl import render_csl

        return render_csl(brief.references, provenance)
    from medbrief.render.html import render_html

    return render_html(brief, provenance, related)


def item_dict(item: Document | Recommendation) -> dict[str, Any]:
    if isinstance(item, Recommendation):
        link = safe_url(item.url) or (f"https://doi.org/{item.doi}" if item.doi else None)
        return {
            "kind": "recommendation",
            "id": item.id,
            "retracted": False,
            "link": link,
            "item": to_builtins(item),
        }
    return {
        "kind": item.kind,
        "id": item.id,
        "retracted": item.retracted,
        "link": safe_url(item.link),
        "item": to_builtins(item),
    }


def search_dict(query: str, result: SearchResult) -> dict[str, Any]:
    return {
        "query": query,
        "reading": reading_dict(query, result.reading),
        "hits": [to_builtins(h) for h in result.hits],
        "notes": list(result.notes),
    }
