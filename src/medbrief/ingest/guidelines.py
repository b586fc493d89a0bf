"""``ingest guidelines``: medbrief's own recommendation JSONL (schema in
docs/guidelines-schema.md) and adapters for other shapes, recognised from
the content rather than the file name:

- medbrief JSONL: records with ``statement`` and ``guideline_title``
  (``schema_version`` 1; absent means 1, any other is refused);
- the USPSTF API dump: one JSON object with ``specificRecommendations``;
- the USPSTF flat export: JSONL topics with ``uspstfAlias``;
- structured recommendation JSONL: ``recommendation_statement`` and
  ``issuing_body`` (see :mod:`medbrief.ingest.structured`);
- a Markdown collection: a folder with ``registry.json`` and
  ``content/<id>/<section>.md`` (see :mod:`medbrief.ingest.markdown`).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

from medbrief.errors import IngestError, SchemaVersionError
from medbrief.ingest.grading import CERTAINTIES, STRENGTHS, normalise_certainty, normalise_strength
from medbrief.ingest.records import checked
from medbrief.ingest.sources import (
    GZIP_ERRORS,
    describe,
    head,
    iter_json_lines,
    load_json,
    open_binary,
)
from medbrief.types import Document, Recommendation

SCHEMA_VERSION = 1


class GuidelineRecordV1(msgspec.Struct, forbid_unknown_fields=True):
    """One line of medbrief guideline JSONL, schema version 1."""

    id: str
    guideline_title: str
    body: str
    statement: str
    schema_version: int = SCHEMA_VERSION
    year: int | None = None
    direction: str | None = None
    strength: str | None = None
    certainty: str | None = None
    strength_norm: str | None = None
    certainty_norm: str | None = None
    population: str | None = None
    section: str | None = None
    url: str | None = None
    doi: str | None = None
    pmid: str | None = None
    key_points: list[str] = []
    statement_type: str = "verbatim"
    source: str = "jsonl"


def is_markdown_collection(path: Path) -> bool:
    if path.is_file() and path.name == "registry.json":
        path = path.parent
    return path.is_dir() and (path / "registry.json").is_file() and (path / "content").is_dir()


def iter_guidelines(path: Path) -> Iterator[Document | Recommendation]:
    name = str(path)
    if is_markdown_collection(path):
        from medbrief.ingest.markdown import iter_markdown_collection

        yield from iter_markdown_collection(path if path.is_dir() else path.parent)
        return
    stream = open_binary(path, name)
    try:
        start = head(stream, name).lstrip(b"\xef\xbb\xbf \t\r\n")
        first_line = _first_line(stream, name) if start.startswith(b"{") else b""
    finally:
        stream.close()
    if not start.startswith(b"{"):
        raise IngestError(name, f"not guideline JSON or JSONL: {describe(start)}", "line 1")
    try:
        first = json.loads(first_line)
    except (ValueError, RecursionError):  # also a 5,000-digit number
        first = None  # a pretty-printed JSON document, not JSONL
    if first is None or "specificRecommendations" in first:
        yield from _uspstf_api(path, name)
        return
    rows = iter_json_lines(path, name)
    peeked = next(rows, None)
    if peeked is None:
        return
    rows = itertools.chain([peeked], rows)
    obj = peeked[1]
    if "uspstfAlias" in obj and "recommendations" in obj:
        from medbrief.ingest.uspstf import iter_uspstf_flat

        yield from iter_uspstf_flat(rows, name)
    else:
        from medbrief.ingest.structured import iter_structured, looks_structured

        if looks_structured(obj):
            yield from iter_structured(rows, name)
        elif "statement" in obj or "schema_version" in obj:
            yield from _medbrief_jsonl(rows, name)
        else:
            keys = ", ".join(sorted(obj)[:8])
            raise IngestError(
                name,
                f"unrecognised guideline format (fields: {keys}); see docs/guidelines-schema.md",
                f"line {peeked[0]}",
            )


def _first_line(stream: Any, name: str) -> bytes:
    from medbrief.ingest.sources import GZIP_ERRORS

    try:
        for line in stream:
            if line.strip():
                return bytes(line)
    except GZIP_ERRORS as exc:
        raise IngestError(name, f"damaged or truncated gzip data: {exc}", "line 1") from None
    return b""


def _uspstf_api(path: Path, name: str) -> Iterator[Recommendation]:
    from medbrief.ingest.uspstf import iter_uspstf_api

    stream = open_binary(path, name)
    try:
        data = load_json(stream.read(), name)
    except GZIP_ERRORS as exc:
        raise IngestError(name, f"damaged or truncated gzip data: {exc}") from None
    finally:
        stream.close()
    if not isinstance(data, dict) or "specificRecommendations" not in data:
        raise IngestError(
            name, "unrecognised guideline JSON: no 'specificRecommendations' (USPSTF API)"
        )
    yield from iter_uspstf_api(data, name)


def _medbrief_jsonl(
    rows: Iterator[tuple[int, dict[str, Any]]], name: str
) -> Iterator[Recommendation]:
    for lineno, obj in rows:
        version = obj.get("schema_version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            raise SchemaVersionError(
                name,
                f"guideline schema_version {version!r} is not supported; "
                f"this medbrief reads schema_version {SCHEMA_VERSION}",
                f"line {lineno}",
            )
        try:
            rec = msgspec.convert(obj, GuidelineRecordV1)
        except msgspec.ValidationError as exc:
            raise IngestError(name, f"invalid record: {exc}", f"line {lineno}") from None
        yield checked(_from_v1(rec, name, lineno), name, f"line {lineno}")


def _from_v1(rec: GuidelineRecordV1, name: str, lineno: int) -> Recommendation:
    where = f"line {lineno}"
    if rec.strength_norm is not None and rec.strength_norm not in STRENGTHS:
        raise IngestError(name, f"strength_norm must be one of {', '.join(STRENGTHS)}", where)
    if rec.certainty_norm is not None and rec.certainty_norm not in CERTAINTIES:
        raise IngestError(name, f"certainty_norm must be one of {', '.join(CERTAINTIES)}", where)
    for field in ("id", "guideline_title", "body", "statement"):
        if not getattr(rec, field).strip():
            raise IngestError(name, f"{field} is empty", where)
    return Recommendation(
        id=rec.id,
        guideline_title=rec.guideline_title,
        body=rec.body,
        statement=rec.statement,
        year=rec.year,
        direction=rec.direction,
        strength=rec.strength,
        strength_norm=rec.strength_norm or normalise_strength(rec.strength, rec.body),
        certainty=rec.certainty,
        certainty_norm=rec.certainty_norm
        or normalise_certainty(rec.certainty, rec.strength, rec.body),
        population=rec.population,
        section=rec.section,
        url=rec.url,
        doi=rec.doi.lower() if rec.doi else None,
        pmid=rec.pmid,
        key_points=tuple(rec.key_points),
        statement_type=rec.statement_type,
        source=rec.source,
    )
