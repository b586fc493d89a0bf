"""Generic article JSONL, schema version 1 (docs/formats.md): one article
per line, e.g. ``../shared/data/rls/articles.jsonl``.

Identity: a ``pmid`` gives ``pmid:<PMID>`` (so a later PubMed XML ingest of
the same record updates it, and the reverse); else a ``doi`` gives
``doi:<doi>``; else ``id`` is namespaced by ``source``: ``<source>:<id>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medbrief.errors import IngestError, SchemaVersionError
from medbrief.ingest.pubmed_xml import GUIDELINE_TYPES
from medbrief.ingest.records import checked
from medbrief.ingest.sources import iter_json_lines, require_json_lines
from medbrief.types import AbstractSection, Document

SCHEMA_VERSION = 1
#: "STUDY OBJECTIVES: ..." or "Background: ..." at the start of a line
_LABEL = re.compile(r"^([A-Z][A-Za-z0-9 ,&/()'-]{1,60}):\s+(.+)$")
#: placeholders meaning "not known" rather than a publication type
_NO_TYPE = frozenset({"", "unknown", "n/a"})


def iter_articles(path: Path) -> Iterator[Document]:
    name = str(path)
    require_json_lines(path, name, "article JSON lines")
    for lineno, obj in iter_json_lines(path, name):
        yield checked(article(obj, name, lineno), name, f"line {lineno}")


def article(obj: dict[str, Any], name: str, lineno: int) -> Document:
    where = f"line {lineno}"
    version = obj.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise SchemaVersionError(
            name,
            f"article schema_version {version!r} is not supported; "
            f"this medbrief reads schema_version {SCHEMA_VERSION}",
            where,
        )
    title = _str(obj.get("title"))
    if not title:
        raise IngestError(name, "article without a title", where)
    pmid = _str(obj.get("pmid"))
    if pmid and not pmid.isdigit():
        raise IngestError(name, f"pmid must be digits, got {pmid!r}", where)
    doi = _str(obj.get("doi")).lower() or None
    source = _str(obj.get("source")) or "articles"
    given = _str(obj.get("id"))
    if pmid:
        id_, source_id = f"pmid:{pmid}", pmid
    elif doi:
        id_, source_id = f"doi:{doi}", doi
    elif given:
        id_, source_id = f"{source}:{given}", given
    else:
        raise IngestError(name, "article needs a pmid, a doi or an id", where)
    pub_types = tuple(
        t for t in _strings(obj, "publication_types", name, where) if t.lower() not in _NO_TYPE
    )
    kind: Any = obj.get("kind") or (
        "guideline" if GUIDELINE_TYPES.intersection(pub_types) else "research"
    )
    if kind not in ("research", "guideline"):
        raise IngestError(name, f"kind must be research or guideline, got {kind!r}", where)
    try:
        year = int(obj["year"]) if obj.get("year") not in (None, "") else None
        doc_version = int(obj.get("version") or 1)
    except (TypeError, ValueError, OverflowError):
        raise IngestError(name, "year and version must be whole numbers", where) from None
    return Document(
        id=id_,
        source_id=source_id,
        source=source,
        kind=kind,
        title=title,
        abstract=_abstract(obj.get("abstract"), name, where),
        pmid=pmid or None,
        version=doc_version,
        doi=doi,
        pmcid=_str(obj.get("pmcid")) or None,
        journal=_str(obj.get("journal")) or None,
        year=year,
        pub_date=_str(obj.get("pub_date")) or (str(year) if year else None),
        authors=_strings(obj, "authors", name, where),
        volume=_str(obj.get("volume")) or None,
        issue=_str(obj.get("issue")) or None,
        pages=_str(obj.get("pages")) or None,
        language=_str(obj.get("language")) or None,
        publication_types=pub_types,
        keywords=_strings(obj, "keywords", name, where),
        chemicals=_strings(obj, "chemicals", name, where),
        url=_str(obj.get("url") or obj.get("source_url")) or None,
        note=_note(obj),
    )


def _abstract(value: Any, name: str, where: str) -> tuple[AbstractSection, ...]:
    """A string (one section per line, "Label: text" lines labelled) or a
    list of ``{"text", "label", "category"}``."""
    if value is None:
        return ()
    if isinstance(value, str):
        sections = []
        for raw in value.splitlines():
            line = raw.strip()
            if not line:
                continue
            found = _LABEL.match(line)
            sections.append(
                AbstractSection(found.group(2), found.group(1)) if found else AbstractSection(line)
            )
        return tuple(sections)
    if isinstance(value, list):
        try:
            return tuple(
                AbstractSection(str(s["text"]), s.get("label"), s.get("category"))
                for s in value
                if str(s.get("text") or "").strip()
            )
        except (TypeError, KeyError, AttributeError):
            pass
    raise IngestError(name, "abstract must be a string or a list of {text, label}", where)


def _note(obj: dict[str, Any]) -> str | None:
    parts = []
    if obj.get("partial"):
        parts.append("Partial record: the source copy stops early; text kept up to that point.")
    for key in ("note", "source_notes"):
        if _str(obj.get(key)):
            parts.append(_str(obj.get(key)))
    return " ".join(parts) or None


def _strings(obj: dict[str, Any], key: str, name: str, where: str) -> tuple[str, ...]:
    """A list of texts (blank ones dropped); one text counts as a list of one."""
    value = obj.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise IngestError(name, f"{key} must be a list of texts", where)
    return tuple(t for t in (_str(x) for x in value) if t)


def _str(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""
