"""MEDLINE text ("PubMed format" export: ``PMID- ``, ``TI  - ``, ``AB  - ``).

Field tags and meanings follow NLM's "MEDLINE/PubMed Data Element (Field)
Descriptions": a tag of up to four characters, padded, then ``- `` and the
value; lines indented by six spaces continue the previous field; a blank
line ends a record. Structured abstracts arrive flattened as
"BACKGROUND: ... RESULTS: ..."; the upper-case labels are split back out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from medbrief.errors import IngestError
from medbrief.ingest.pubmed_xml import GUIDELINE_TYPES
from medbrief.ingest.sources import RECORD_LIMIT, text_lines, too_large
from medbrief.types import AbstractSection, Correction, Document, MeshHeading, MeshQualifier

_FIELD = re.compile(r"^([A-Z][A-Z0-9]{0,3}) {0,3}- ?(.*)$")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_ID_KIND = re.compile(r"^(.*?)\s*\[(\w+)\]$")
_REF_PMID = re.compile(r"\bPMID:\s*(\d+)")
# An upper-case label at the start or after a sentence: "METHODS: ".
_LABEL = re.compile(r"(?:^|(?<=[.?!]\s))([A-Z][A-Z0-9 ,&/'()-]{2,60}):\s+")

#: Comment/correction tags -> the XML CommentsCorrections RefType.
REF_TYPES = {
    "CIN": "CommentIn",
    "CON": "CommentOn",
    "EIN": "ErratumIn",
    "EFR": "ErratumFor",
    "RIN": "RetractionIn",
    "ROF": "RetractionOf",
    "ECI": "ExpressionOfConcernIn",
    "ECF": "ExpressionOfConcernFor",
    "UIN": "UpdateIn",
    "UOF": "UpdateOf",
    "RPI": "RepublishedIn",
    "RPF": "RepublishedFrom",
    "CRI": "CorrectedandRepublishedIn",
    "CRF": "CorrectedandRepublishedFrom",
    "RRI": "RetractedandRepublishedIn",
    "RRF": "RetractedandRepublishedFrom",
    "SPIN": "SummaryForPatientsIn",
    "ORI": "OriginalReportIn",
}


def iter_medline_text(source: Path | BinaryIO, *, name: str | None = None) -> Iterator[Document]:
    label = name or (str(source) if isinstance(source, Path) else "<stream>")
    limit = RECORD_LIMIT.get()
    with text_lines(source, label) as lines:
        fields: list[tuple[str, str]] = []
        start = size = 0
        for lineno, raw in lines:
            line = raw.rstrip("\r\n")
            if not line.strip():
                if fields:
                    yield _record(fields, label, start)
                    fields, size = [], 0
                continue
            size += len(line)
            if size > limit:
                where = f"line {start if fields else lineno} (PMID {_pmid(fields)})"
                raise IngestError(label, too_large("the record", limit), where)
            if line.startswith("      ") and fields:
                tag, value = fields[-1]
                fields[-1] = (tag, f"{value} {line.strip()}")
                continue
            found = _FIELD.match(line)
            if found is None:
                where = f"line {lineno}" + (f" (PMID {_pmid(fields)})" if fields else "")
                raise IngestError(label, "not a MEDLINE 'TAG - value' line", where)
            if not fields:
                start = lineno
            fields.append((found.group(1), found.group(2).strip()))
        if fields:
            yield _record(fields, label, start)


def _pmid(fields: list[tuple[str, str]]) -> str:
    return next((v for t, v in fields if t == "PMID"), "?")


def _record(fields: list[tuple[str, str]], label: str, start: int) -> Document:
    values: dict[str, list[str]] = {}
    authors: list[str] = []
    corrections: list[Correction] = []
    for tag, value in fields:
        values.setdefault(tag, []).append(value)
        if tag in ("AU", "CN"):
            authors.append(value)  # CN (collective name) keeps its place in the list
        elif tag in REF_TYPES:
            ref = _REF_PMID.search(value)
            source = _REF_PMID.sub("", value).strip().rstrip(".").strip() or None
            corrections.append(Correction(REF_TYPES[tag], ref.group(1) if ref else None, source))

    def first(tag: str) -> str | None:
        found = values.get(tag)
        return found[0] if found else None

    pmid = first("PMID")
    if not pmid or not pmid.isdigit():
        raise IngestError(label, "record without a numeric PMID", f"line {start}")
    ids = _ids(values.get("AID", []) + values.get("LID", []))
    pub_date = first("DP")
    year = _YEAR.search(pub_date) if pub_date else None
    pub_types = tuple(values.get("PT", ()))
    pmc = first("PMC")
    return Document(
        id=f"pmid:{pmid}",
        source_id=pmid,
        source="pubmed",
        kind="guideline" if GUIDELINE_TYPES.intersection(pub_types) else "research",
        title=first("TI") or first("BTI") or first("VTI") or "",
        abstract=split_labels(first("AB") or ""),
        pmid=pmid,
        doi=ids["doi"].lower() if "doi" in ids else None,
        pmcid=pmc or ids.get("pmc"),
        journal=first("JT") or first("TA"),
        year=int(year.group(1)) if year else None,
        pub_date=pub_date,
        authors=tuple(authors),
        volume=first("VI"),
        issue=first("IP"),
        pages=first("PG"),
        language=first("LA"),
        publication_types=pub_types,
        mesh=tuple(_mesh(v) for v in values.get("MH", ())),
        keywords=tuple(values.get("OT", ())),
        chemicals=tuple(_chemical(v) for v in values.get("RN", ())),
        corrections=tuple(corrections),
    )


def split_labels(text: str) -> tuple[AbstractSection, ...]:
    """ "BACKGROUND: a. METHODS: b." -> labelled sections; plain text -> one."""
    text = " ".join(text.split())
    if not text:
        return ()
    marks = list(_LABEL.finditer(text))
    if not marks or marks[0].start() != 0:
        return (AbstractSection(text),)
    sections = []
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        body = text[mark.end() : end].strip()
        if body:
            sections.append(AbstractSection(body, mark.group(1).strip()))
    return tuple(sections)


def _ids(values: list[str]) -> dict[str, str]:
    ids: dict[str, str] = {}
    for value in values:
        found = _ID_KIND.match(value)
        if found:
            ids.setdefault(found.group(2).lower(), found.group(1).strip())
    return ids


def _mesh(value: str) -> MeshHeading:
    """ "Information Storage and Retrieval/*methods": a star marks major topic."""
    descriptor, *qualifiers = value.split("/")
    return MeshHeading(
        descriptor.lstrip("*").strip(),
        major=descriptor.startswith("*"),
        qualifiers=tuple(
            MeshQualifier(q.lstrip("*").strip(), major=q.startswith("*")) for q in qualifiers
        ),
    )


def _chemical(value: str) -> str:
    """ "0 (Proteins)" or "EC 2.7.1.1 (Hexokinase)" -> the substance name."""
    _, sep, name = value.partition(" (")
    return name[:-1] if sep and name.endswith(")") else value
