"""``ingest pubmed``: NLM XML or MEDLINE text, told apart by content."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from medbrief.errors import IngestError
from medbrief.ingest.records import Deletion
from medbrief.ingest.sources import describe, head, open_binary
from medbrief.types import Document

_MEDLINE_START = re.compile(rb"^\s*PMID- ?\d")


def iter_pubmed(path: Path) -> Iterator[Document | Deletion]:
    name = str(path)
    stream = open_binary(path, name)
    try:
        start = head(stream, name, 4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    finally:
        stream.close()
    if start.startswith(b"<"):
        from medbrief.ingest.pubmed_xml import iter_pubmed_xml

        yield from iter_pubmed_xml(path, name=name)
    elif _MEDLINE_START.match(start):
        from medbrief.ingest.medline_text import iter_medline_text

        yield from iter_medline_text(path, name=name)
    else:
        raise IngestError(
            name,
            f"not PubMed XML or MEDLINE text: {describe(start)}",
            "line 1",
        )
