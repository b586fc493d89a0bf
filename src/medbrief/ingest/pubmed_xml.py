"""NLM PubmedArticleSet XML: baseline and update files, efetch output.

Element names and meanings follow the PubMed DTD (pubmed_250101.dtd and
earlier; https://dtd.nlm.nih.gov/ncbi/pubmed/) and NLM's "MEDLINE/PubMed XML
Element Descriptions". The file is fed in chunks to an ``lxml.etree.XMLPullParser``
filtered to the record tags; each record is cleared after use and the
records before it are unlinked from the root, so memory stays flat however
large the file is (the lxml FAQ's "iterparse and clear" pattern).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

from medbrief.errors import IngestError
from medbrief.ingest.records import Deletion, number_problem
from medbrief.ingest.sources import (
    GZIP_ERRORS,
    RECORD_LIMIT,
    describe,
    head,
    open_binary,
    too_large,
)
from medbrief.types import AbstractSection, Correction, Document, MeshHeading, MeshQualifier

_RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")
_ROOTS = frozenset({"PubmedArticleSet", "PubmedArticle", "PubmedBookArticle"})
_MATHML = "{http://www.w3.org/1998/Math/MathML}"
#: Publication types that make a record a guideline document.
GUIDELINE_TYPES = frozenset({"Practice Guideline", "Guideline"})
#: CommentsCorrections kept: all but reference-list links ("Cites"), which
#: are bibliography rather than comments, errata or retractions.
_SKIP_REFTYPES = frozenset({"Cites"})
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
# space before closing punctuation or after an opening bracket
_LOOSE_SPACE = re.compile(r" (?=[,.;:!?)\]])|(?<=[(\[]) ")
_BROKEN_LINE = re.compile(r"\S[ \t]*\n\s*$")
#: Bytes fed to the parser at a time.
_CHUNK = 1 << 16


def iter_pubmed_xml(
    source: Path | BinaryIO, *, name: str | None = None
) -> Iterator[Document | Deletion]:
    """Documents and deletions of a PubmedArticleSet, in file order.

    ``source`` is a path (``.xml`` or gzipped) or a binary stream. Errors are
    :class:`IngestError` naming ``name`` (default: the path), the line, and
    the last PMID read completely.
    """
    label = name or (str(source) if isinstance(source, Path) else "<stream>")
    stream = open_binary(source, label)
    try:
        yield from _parse(stream, label)
    finally:
        if isinstance(source, Path):
            stream.close()


def _parse(stream: BinaryIO, label: str) -> Iterator[Document | Deletion]:
    start = head(stream, label).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start.startswith(b"<"):
        raise IngestError(label, f"not PubMed XML: {describe(start)}", "line 1")
    parser = etree.XMLPullParser(
        events=("end",),
        tag=_RECORD_TAGS,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=True,
    )
    last = "none yet"
    checked_root = False
    roots: list[Any] = []
    try:
        for el in _records(stream, parser, roots, RECORD_LIMIT.get()):
            if not checked_root:
                _check_root(el.getroottree().getroot(), label)
                checked_root = True
            tag = el.tag
            if tag == "PubmedArticle":
                doc = _checked(_article(el, label), el, label)
                last = doc.source_id
                yield doc
            elif tag == "DeleteCitation":
                ids = tuple(f"pmid:{p.text.strip()}" for p in el.iterfind("PMID") if p.text)
                yield Deletion(ids)
            else:
                doc = _checked(_book(el, label), el, label)
                last = doc.source_id
                yield doc
            el.clear()
            parent = el.getparent()
            if parent is not None:
                while el.getprevious() is not None:
                    del parent[0]
        if not checked_root:
            _check_root(roots[0] if roots else None, label)
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else exc.lineno
        raise IngestError(
            label, f"malformed XML: {exc.msg} (last complete record: PMID {last})", f"line {line}"
        ) from None
    except GZIP_ERRORS as exc:
        raise IngestError(
            label, f"damaged or truncated gzip data: {exc}", f"after PMID {last}"
        ) from None
    except _OversizedError as exc:
        what = f"the record after PMID {last}"
        raise IngestError(label, too_large(what, exc.limit), f"after PMID {last}") from None


class _OversizedError(Exception):
    def __init__(self, limit: int) -> None:
        self.limit = limit


def _records(stream: BinaryIO, parser: Any, roots: list[Any], limit: int) -> Iterator[Any]:
    """The record elements of ``stream``, each as soon as its end tag is read.

    The stream is fed to a pull parser in chunks so that the records complete
    before a syntax error are yielded before the error is raised: with
    ``iterparse``, an error in the parser's first read (libxml2 2.14 reads
    further ahead) lost the records before it. More than ``limit`` bytes
    without a record ending stop the file before the parser holds them all.
    The root element is appended to ``roots`` once the stream ends.
    """
    pending = 0  # bytes fed since a record last ended
    for chunk in _without_references(stream):
        try:
            if chunk:
                parser.feed(chunk)
                pending += len(chunk)
            else:
                roots.append(parser.close())
        finally:
            # the records completed before any error come out before it
            for _, el in parser.read_events():
                pending = 0
                yield el
        if pending > limit:
            raise _OversizedError(limit)


_REFERENCE_LIST = b"ReferenceList>"
#: bytes held back at the end of a chunk: a tag name cut there is completed
#: by the next chunk
_HOLD = len(b"</ReferenceList>") - 1


def _without_references(stream: BinaryIO) -> Iterator[bytes]:
    """The chunks of ``stream`` with every ``<ReferenceList>`` element (the
    article's own bibliography, in ``PubmedData`` or ``BookDocument``)
    replaced by the line breaks it held; ends with an empty chunk.

    Nothing reads reference lists, and in recent files they are about 30% of
    the bytes: not building their elements saves ~25% of the XML parser's
    time. Line breaks are kept so that error messages give the file's real
    line numbers. Lists nest (the DTD allows ``ReferenceList*`` inside one),
    so the depth is counted; the element has no attributes in the DTD, and
    an empty one written ``<ReferenceList/>`` is left to the parser.
    """
    depth = 0
    carry = b""
    while True:
        chunk = stream.read(_CHUNK)
        data = carry + chunk if carry else chunk
        # tags starting before ``limit`` are complete in ``data``
        limit = len(data) - _HOLD if chunk else len(data)
        out = []
        pos = 0  # data before pos is emitted
        found = data.find(_REFERENCE_LIST)
        while found >= 0:
            closing = data[found - 2 : found] == b"</"
            start = found - 2 if closing else found - 1
            if start >= limit:
                break
            if start >= pos and (closing or data[start : start + 1] == b"<"):
                if not closing:
                    if depth == 0:
                        out.append(data[pos:start])
                        pos = start
                    depth += 1
                elif depth:
                    depth -= 1
                    if depth == 0:
                        end = found + len(_REFERENCE_LIST)
                        out.append(b"\n" * data.count(b"\n", pos, end))
                        pos = end
            found = data.find(_REFERENCE_LIST, found + len(_REFERENCE_LIST))
        cut = max(pos, limit)
        out.append(b"\n" * data.count(b"\n", pos, cut) if depth else data[pos:cut])
        carry = data[cut:]
        yield b"".join(out)
        if not chunk:
            yield b""
            return


def _checked(doc: Document, el: Any, label: str) -> Document:
    problem = number_problem(doc)
    if problem is not None:
        raise IngestError(label, problem, f"line {el.sourceline} (PMID {doc.source_id})")
    return doc


def _check_root(root: etree._Element | None, label: str) -> None:
    tag = None if root is None else root.tag
    if tag not in _ROOTS:
        raise IngestError(
            label, f"not PubMed XML: root element is <{tag}>, expected <PubmedArticleSet>", "line 1"
        )


# ------------------------------------------------------------------ records


def _article(el: etree._Element, label: str) -> Document:
    # Children are walked once and dispatched on tag: several times faster
    # than one ElementPath find() per field, which dominates parse time.
    mc = pubmed_data = None
    for child in el:
        if child.tag == "MedlineCitation":
            mc = child
        elif child.tag == "PubmedData":
            pubmed_data = child
    pmid_el = art = mesh = chemicals = corrections = None
    keyword_lists = []
    for child in () if mc is None else mc:
        tag = child.tag
        if tag == "PMID":
            pmid_el = child
        elif tag == "Article":
            art = child
        elif tag == "MeshHeadingList":
            mesh = child
        elif tag == "ChemicalList":
            chemicals = child
        elif tag == "KeywordList":
            keyword_lists.append(child)
        elif tag == "CommentsCorrectionsList":
            corrections = child
    pmid = _strip(pmid_el.text) if pmid_el is not None else ""
    if not pmid:
        raise IngestError(label, "PubmedArticle without a PMID", f"line {el.sourceline}")
    if art is None:
        raise IngestError(label, "PubmedArticle without an Article", f"PMID {pmid}")
    f = _ArticleFields(art)
    title = _text(f.title) or _text(f.vernacular_title)
    id_list = None
    for child in () if pubmed_data is None else pubmed_data:
        if child.tag == "ArticleIdList":
            id_list = child
            break
    ids = _article_ids(id_list)
    doi = ids.get("doi") or f.elocation_doi
    pub_types = f.publication_types
    return Document(
        id=f"pmid:{pmid}",
        source_id=pmid,
        source="pubmed",
        kind="guideline" if GUIDELINE_TYPES.intersection(pub_types) else "research",
        title=title,
        abstract=_abstract(f.abstract),
        pmid=pmid,
        version=_int(pmid_el.get("Version")) or 1,  # type: ignore[union-attr]
        doi=doi.lower() if doi else None,
        pmcid=ids.get("pmc"),
        journal=f.journal,
        year=f.year,
        pub_date=f.pub_date,
        authors=_authors(f.authors),
        volume=f.volume,
        issue=f.issue,
        pages=f.pages,
        language=f.language,
        publication_types=pub_types,
        mesh=_mesh(mesh),
        keywords=_keywords(keyword_lists),
        chemicals=_chemicals(chemicals),
        corrections=_corrections(corrections),
    )


class _ArticleFields:
    """The parts of an ``Article`` element, found in one pass over it."""

    __slots__ = (
        "abstract",
        "authors",
        "elocation_doi",
        "issue",
        "journal",
        "language",
        "pages",
        "pub_date",
        "publication_types",
        "title",
        "vernacular_title",
        "volume",
        "year",
    )

    def __init__(self, art: etree._Element) -> None:
        self.title: Any = None
        self.vernacular_title: Any = None
        self.abstract: Any = None
        self.authors: Any = None
        self.journal: str | None = None
        self.volume: str | None = None
        self.issue: str | None = None
        self.pages: str | None = None
        self.language: str | None = None
        self.elocation_doi: str | None = None
        self.pub_date: str | None = None
        self.year: int | None = None
        self.publication_types: tuple[str, ...] = ()
        article_year = None
        for child in art:
            tag = child.tag
            if tag == "ArticleTitle":
                self.title = child
            elif tag == "Abstract":
                self.abstract = child
            elif tag == "AuthorList":
                self.authors = child
            elif tag == "Journal":
                self._journal(child)
            elif tag == "Language":
                if self.language is None and child.text:
                    self.language = _strip(child.text)
            elif tag == "PublicationTypeList":
                self.publication_types = tuple(_strip(p.text) for p in child if p.text)
            elif tag == "ELocationID":
                if (
                    self.elocation_doi is None
                    and child.get("EIdType") == "doi"
                    and child.get("ValidYN", "Y") == "Y"
                    and child.text
                ):
                    self.elocation_doi = _strip(child.text)
            elif tag == "Pagination":
                self.pages = _pages(child)
            elif tag == "VernacularTitle":
                self.vernacular_title = child
            elif tag == "ArticleDate":
                article_year = _int(child.findtext("Year"))
        if self.year is None:
            self.year = article_year

    def _journal(self, journal: etree._Element) -> None:
        for child in journal:
            if child.tag == "Title":
                self.journal = _strip(child.text) or None
            elif child.tag == "JournalIssue":
                self.pub_date, self.year = _pub_date(child.find("PubDate"))
                self.volume = _strip(child.findtext("Volume")) or None
                self.issue = _strip(child.findtext("Issue")) or None


def _book(el: etree._Element, label: str) -> Document:
    """A PubmedBookArticle (NCBI Bookshelf chapter or book, e.g. GeneReviews)."""
    bd = el.find("BookDocument")
    pmid_el = None if bd is None else bd.find("PMID")
    if bd is None or pmid_el is None or not (pmid_el.text or "").strip():
        raise IngestError(label, "PubmedBookArticle without a PMID", f"line {el.sourceline}")
    pmid = pmid_el.text.strip()
    book = bd.find("Book")
    book_title = _text(None if book is None else book.find("BookTitle"))
    pub_date, year = _pub_date(None if book is None else book.find("PubDate"))
    pub_types = tuple(_strip(p.text) for p in bd.iterfind("PublicationType"))
    ids = _article_ids(bd.find("ArticleIdList"))
    return Document(
        id=f"pmid:{pmid}",
        source_id=pmid,
        source="pubmed",
        kind="guideline" if GUIDELINE_TYPES.intersection(pub_types) else "research",
        title=_text(bd.find("ArticleTitle")) or book_title,
        abstract=_abstract(bd.find("Abstract")),
        pmid=pmid,
        version=_int(pmid_el.get("Version")) or 1,
        doi=ids["doi"].lower() if "doi" in ids else None,
        journal=book_title or None,
        year=year,
        pub_date=pub_date,
        authors=_authors(bd.find("AuthorList")),
        language=_strip(bd.findtext("Language")) or None,
        publication_types=pub_types,
        keywords=_keywords(bd.findall("KeywordList")),
    )


# ------------------------------------------------------------------- fields


def _pub_date(node: etree._Element | None) -> tuple[str | None, int | None]:
    """Raw date and year. ``MedlineDate`` holds free forms such as
    "1998 Dec-1999 Jan" or "2021 3rd Quarter": the year is its first one."""
    if node is None:
        return None, None
    parts = {child.tag: child.text for child in node}
    medline = parts.get("MedlineDate")
    if medline:
        raw = _strip(medline)
        found = _YEAR.search(raw)
        return raw, int(found.group(1)) if found else None
    fields = (parts.get("Year"), parts.get("Month") or parts.get("Season"), parts.get("Day"))
    date = " ".join(_strip(p) for p in fields if p) or None
    return date, _int(parts.get("Year"))


def _pages(node: etree._Element) -> str | None:
    """``MedlinePgn`` as NLM prints it ("137-152", "e0198775"); else the
    StartPage-EndPage pair of newer records."""
    medline = _strip(node.findtext("MedlinePgn"))
    if medline:
        return medline
    start, end = _strip(node.findtext("StartPage")), _strip(node.findtext("EndPage"))
    return (f"{start}-{end}" if start and end else start) or None


def _abstract(node: etree._Element | None) -> tuple[AbstractSection, ...]:
    if node is None:
        return ()
    sections = []
    for part in node:
        if part.tag != "AbstractText":
            continue  # CopyrightInformation
        text = _text(part)
        if text:
            sections.append(
                AbstractSection(text, part.get("Label") or None, part.get("NlmCategory") or None)
            )
    return tuple(sections)


def _authors(node: etree._Element | None) -> tuple[str, ...]:
    """ "Last Initials" as PubMed prints them; collective names as given."""
    if node is None:
        return ()
    names = []
    for author in node:
        if author.get("ValidYN") == "N":
            continue  # an erroneous name NLM keeps only for searching
        last = initials = collective = None
        for part in author:
            tag = part.tag
            if tag == "LastName":
                last = part.text
            elif tag == "Initials":
                initials = part.text
            elif tag == "CollectiveName":
                collective = _text(part)
        if last:
            names.append(_strip(f"{last} {initials}" if initials else last))
        elif collective:
            names.append(collective)
    return tuple(names)


def _article_ids(node: etree._Element | None) -> dict[str, str]:
    if node is None:
        return {}
    ids: dict[str, str] = {}
    for aid in node:
        kind = aid.get("IdType")
        if kind and aid.text and kind not in ids:
            ids[kind] = _strip(aid.text)
    return ids


def _keywords(lists: list[etree._Element]) -> tuple[str, ...]:
    words = (_text(k) for kl in lists for k in kl)
    return tuple(w for w in words if w)


def _chemicals(node: etree._Element | None) -> tuple[str, ...]:
    if node is None:
        return ()
    return tuple(
        _strip(part.text)
        for chem in node
        for part in chem
        if part.tag == "NameOfSubstance" and part.text
    )


def _mesh(node: etree._Element | None) -> tuple[MeshHeading, ...]:
    if node is None:
        return ()
    headings = []
    for mh in node:
        desc = None
        qualifiers = []
        for part in mh:
            if part.tag == "DescriptorName":
                desc = part
            elif part.tag == "QualifierName" and part.text:
                qualifiers.append(
                    MeshQualifier(
                        _strip(part.text), part.get("UI"), part.get("MajorTopicYN") == "Y"
                    )
                )
        if desc is not None and desc.text:
            headings.append(
                MeshHeading(
                    _strip(desc.text),
                    desc.get("UI"),
                    desc.get("MajorTopicYN") == "Y",
                    tuple(qualifiers),
                )
            )
    return tuple(headings)


def _corrections(node: etree._Element | None) -> tuple[Correction, ...]:
    if node is None:
        return ()
    found = []
    for cc in node:
        ref_type = cc.get("RefType")
        if not ref_type or ref_type in _SKIP_REFTYPES:
            continue
        pmid = cc.findtext("PMID")
        source = cc.findtext("RefSource")
        found.append(
            Correction(ref_type, _strip(pmid) if pmid else None, _strip(source) if source else None)
        )
    return tuple(found)


# --------------------------------------------------------------------- text


def _text(node: etree._Element | None) -> str:
    """The element's text with inline markup (``<i>``, ``<sup>``, ``<sub>``,
    ``<b>``, MathML) flattened: markup adds no spaces, MathML's layout
    whitespace is dropped, and runs of whitespace collapse to one space."""
    if node is None:
        return ""
    if len(node) == 0:
        return _strip(node.text or "")
    parts: list[str] = []
    _walk(node, parts)
    text = " ".join("".join(parts).split())
    # Markup boundaries often leave "( x" or "x ," in the source layout.
    return _LOOSE_SPACE.sub("", text)


def _walk(node: etree._Element, parts: list[str]) -> None:
    if node.text:
        parts.append(node.text)
    for child in node:
        tag = child.tag
        if isinstance(tag, str):
            if tag in ("sub", "sup") and parts and _BROKEN_LINE.search(parts[-1]):
                # "β\n\t\t<sub>2</sub>": a line break from pretty-printing, not a space
                parts[-1] = parts[-1].rstrip()
            if tag.startswith(_MATHML):
                parts.append("".join(s.strip() for s in child.itertext()))
            else:
                _walk(child, parts)
        if child.tail:
            parts.append(child.tail)


def _strip(text: str | None) -> str:
    """Whitespace runs collapsed to one space; most XML texts have none, and
    four substring tests are far cheaper than split() and join()."""
    if not text:
        return ""
    text = text.strip()
    if "  " in text or "\n" in text or "\t" in text or "\r" in text:
        return " ".join(text.split())
    return text


def _int(text: str | None) -> int | None:
    if not text:
        return None
    text = text.strip()
    # isdigit() alone lets "²" through, which int() refuses
    return int(text) if text.isascii() and text.isdigit() else None
