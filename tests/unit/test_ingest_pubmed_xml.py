"""PubMed XML reader: every extracted field, inline markup, deletions, faults."""
# ruff: noqa: E501  (inline XML/JSON test data keeps the real files' line shapes)

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from medbrief.errors import IngestError
from medbrief.ingest.pubmed_xml import iter_pubmed_xml
from medbrief.ingest.records import Deletion
from medbrief.types import Document

ARTICLE = """
<PubmedArticle>
  <MedlineCitation Status="MEDLINE" Owner="NLM">
    <PMID Version="2">111</PMID>
    <Article PubModel="Print">
      <Journal>
        <JournalIssue CitedMedium="Print">
          <Volume>21</Volume>
          <Issue>1</Issue>
          <PubDate><MedlineDate>1998 Dec-1999 Jan</MedlineDate></PubDate>
        </JournalIssue>
        <Title>The Journal of Tests</Title>
      </Journal>
      <ArticleTitle>Effect of CO<sub>2</sub> on <i>E. coli</i> growth.</ArticleTitle>
      <Pagination><StartPage>137</StartPage><EndPage>152</EndPage><MedlinePgn>137-152</MedlinePgn></Pagination>
      <ELocationID EIdType="doi" ValidYN="Y">10.1000/ELOC.1</ELocationID>
      <Abstract>
        <AbstractText Label="BACKGROUND" NlmCategory="BACKGROUND">Iron matters.</AbstractText>
        <AbstractText Label="RESULTS" NlmCategory="RESULTS">We measured (<mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML"> <mml:msup><mml:mi>R</mml:mi> <mml:mn>2</mml:mn></mml:msup> </mml:math> = 0.74) with 10<sup>5</sup> cells , fast-acting &#946;
          <sub>2</sub>-agonist.</AbstractText>
        <CopyrightInformation>(c) 1999 Someone</CopyrightInformation>
      </Abstract>
      <AuthorList CompleteYN="Y">
        <Author ValidYN="Y"><LastName>Smith</LastName><ForeName>John A</ForeName><Initials>JA</Initials></Author>
        <Author ValidYN="N"><LastName>Wrong</LastName><Initials>X</Initials></Author>
        <Author ValidYN="Y"><CollectiveName>RLS <i>Study</i> Group</CollectiveName></Author>
      </AuthorList>
      <Language>eng</Language>
      <PublicationTypeList>
        <PublicationType UI="D016428">Journal Article</PublicationType>
        <PublicationType UI="D017065">Practice Guideline</PublicationType>
      </PublicationTypeList>
    </Article>
    <ChemicalList>
      <Chemical><RegistryNumber>E1UOL152H7</RegistryNumber><NameOfSubstance UI="D007501">Iron</NameOfSubstance></Chemical>
    </ChemicalList>
    <CommentsCorrectionsList>
      <CommentsCorrections RefType="RetractionIn"><RefSource>J Tests. 2020;1:1</RefSource><PMID Version="1">999</PMID></CommentsCorrections>
      <CommentsCorrections RefType="Cites"><RefSource>Other 2000</RefSource></CommentsCorrections>
    </CommentsCorrectionsList>
    <MeshHeadingList>
      <MeshHeading>
        <DescriptorName UI="D012148" MajorTopicYN="Y">Restless Legs Syndrome</DescriptorName>
        <QualifierName UI="Q000188" MajorTopicYN="N">drug therapy</QualifierName>
        <QualifierName UI="Q000097" MajorTopicYN="Y">blood</QualifierName>
      </MeshHeading>
      <MeshHeading><DescriptorName UI="D006801" MajorTopicYN="N">Humans</DescriptorName></MeshHeading>
    </MeshHeadingList>
    <KeywordList Owner="NOTNLM"><Keyword MajorTopicYN="N">ferritin</Keyword><Keyword>RLS</Keyword></KeywordList>
  </MedlineCitation>
  <PubmedData>
    <ArticleIdList>
      <ArticleId IdType="pubmed">111</ArticleId>
      <ArticleId IdType="pmc">PMC123</ArticleId>
    </ArticleIdList>
    <ReferenceList><Reference><Citation>x</Citation><ArticleIdList><ArticleId IdType="doi">10.9/ref</ArticleId></ArticleIdList></Reference></ReferenceList>
  </PubmedData>
</PubmedArticle>
"""

PLAIN = """
<PubmedArticle><MedlineCitation><PMID Version="1">{pmid}</PMID><Article>
<Journal><JournalIssue><PubDate><Year>2001</Year><Month>Feb</Month><Day>3</Day></PubDate></JournalIssue>
<Title>J</Title></Journal><ArticleTitle>Title {pmid}</ArticleTitle>
<Abstract><AbstractText>Plain abstract.</AbstractText></Abstract>
<PublicationTypeList><PublicationType>Journal Article</PublicationType></PublicationTypeList>
</Article></MedlineCitation>
<PubmedData><ArticleIdList><ArticleId IdType="doi">10.1/ABC.{pmid}</ArticleId></ArticleIdList></PubmedData>
</PubmedArticle>
"""


def xml(*records: str) -> bytes:
    body = "".join(records)
    return f'<?xml version="1.0"?>\n<PubmedArticleSet>{body}</PubmedArticleSet>\n'.encode()


def parse(data: bytes, name: str = "test.xml") -> list[Document | Deletion]:
    return list(iter_pubmed_xml(io.BytesIO(data), name=name))


def test_every_field_of_a_rich_record() -> None:
    (doc,) = parse(xml(ARTICLE))
    assert isinstance(doc, Document)
    assert (doc.id, doc.source_id, doc.source, doc.pmid, doc.version) == (
        "pmid:111",
        "111",
        "pubmed",
        "111",
        2,
    )
    assert doc.title == "Effect of CO2 on E. coli growth."
    assert doc.kind == "guideline"
    assert doc.journal == "The Journal of Tests"
    assert doc.year == 1998
    assert doc.pub_date == "1998 Dec-1999 Jan"
    assert doc.doi == "10.1000/eloc.1"  # ELocationID, lower-cased
    assert doc.pmcid == "PMC123"
    assert doc.authors == ("Smith JA", "RLS Study Group")
    assert (doc.volume, doc.issue, doc.pages) == ("21", "1", "137-152")
    assert doc.language == "eng"
    assert doc.publication_types == ("Journal Article", "Practice Guideline")
    assert doc.chemicals == ("Iron",)
    assert doc.keywords == ("ferritin", "RLS")
    heading = doc.mesh[0]
    assert (heading.descriptor, heading.ui, heading.major) == (
        "Restless Legs Syndrome",
        "D012148",
        True,
    )
    assert [(q.name, q.major) for q in heading.qualifiers] == [
        ("drug therapy", False),
        ("blood", True),
    ]
    assert doc.mesh[1].major is False
    assert [(c.ref_type, c.pmid, c.source) for c in doc.corrections] == [
        ("RetractionIn", "999", "J Tests. 2020;1:1")
    ]
    assert doc.retracted


def test_pages_from_start_and_end_page_without_medline_pgn() -> None:
    pagination = "<Pagination><StartPage>e10</StartPage><EndPage>e12</EndPage></Pagination>"
    record = ARTICLE.replace(
        "<Pagination><StartPage>137</StartPage><EndPage>152</EndPage><MedlinePgn>137-152</MedlinePgn></Pagination>",
        pagination,
    )
    (doc,) = parse(xml(record))
    assert doc.pages == "e10-e12"


def test_structured_abstract_and_inline_markup() -> None:
    (doc,) = parse(xml(ARTICLE))
    assert isinstance(doc, Document)
    assert [(s.label, s.category) for s in doc.abstract] == [
        ("BACKGROUND", "BACKGROUND"),
        ("RESULTS", "RESULTS"),
    ]
    assert doc.abstract[0].text == "Iron matters."
    # MathML loses its layout whitespace, <sup>/<sub> add no spaces, the
    # pretty-printed line break before <sub> is not a word boundary.
    assert doc.abstract[1].text == (
        "We measured (R2 = 0.74) with 105 cells, fast-acting β2-agonist."
    )
    assert "Someone" not in doc.abstract_text


def test_dates_ids_and_article_id_list_doi_over_elocation() -> None:
    (doc,) = parse(xml(PLAIN.format(pmid=5)))
    assert isinstance(doc, Document)
    assert (doc.year, doc.pub_date, doc.doi, doc.kind) == (
        2001,
        "2001 Feb 3",
        "10.1/abc.5",
        "research",
    )
    assert doc.abstract[0].label is None


def test_reference_list_ids_are_not_the_articles_ids() -> None:
    (doc,) = parse(xml(ARTICLE))
    assert isinstance(doc, Document)
    assert doc.doi != "10.9/ref"


def test_delete_citation_yields_store_ids_in_order() -> None:
    data = xml(
        PLAIN.format(pmid=1),
        '<DeleteCitation><PMID Version="1">7</PMID><PMID Version="1">8</PMID></DeleteCitation>',
    )
    records = parse(data)
    assert isinstance(records[0], Document)
    assert records[1] == Deletion(("pmid:7", "pmid:8"))


def test_vernacular_title_when_article_title_is_empty() -> None:
    record = PLAIN.format(pmid=3).replace(
        "<ArticleTitle>Title 3</ArticleTitle>",
        "<ArticleTitle/><VernacularTitle>Titre français.</VernacularTitle>",
    )
    (doc,) = parse(xml(record))
    assert isinstance(doc, Document)
    assert doc.title == "Titre français."


def test_gzip_detected_by_content_and_path_source(tmp_path: Path) -> None:
    path = tmp_path / "plain-name.xml"  # gzipped despite the name
    path.write_bytes(gzip.compress(xml(PLAIN.format(pmid=1), PLAIN.format(pmid=2))))
    assert [d.id for d in iter_pubmed_xml(path) if isinstance(d, Document)] == ["pmid:1", "pmid:2"]


MEMORY_PROBE = """
import io, resource, sys
from medbrief.ingest.pubmed_xml import iter_pubmed_xml

RECORD = sys.argv[1].encode()
N = int(sys.argv[2])

class Endless(io.RawIOBase):
    # PubmedArticleSet of N records, generated while it is read
    def __init__(self):
        self.i = 0
        self.buf = b"<PubmedArticleSet>"
    def readable(self):
        return True
    def readinto(self, b):
        while len(self.buf) < len(b) and self.i <= N:
            self.i += 1
            self.buf += RECORD.replace(b"PMIDX", str(self.i).encode()) if self.i <= N else b"</PubmedArticleSet>"
        n = min(len(b), len(self.buf))
        b[:n] = self.buf[:n]
        self.buf = self.buf[n:]
        return n

before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
count = sum(1 for _ in iter_pubmed_xml(io.BufferedReader(Endless()), name="endless"))
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(count, (after - before) // 1024)
"""


def test_memory_stays_flat_while_streaming() -> None:
    # ~60 MB of XML streamed through the reader in a fresh process: with each
    # record cleared and earlier siblings unlinked, peak RSS grows by a few
    # MB; a reader that kept the tree would grow by several hundred.
    import subprocess
    import sys

    record = PLAIN.replace("{pmid}", "PMIDX").replace("Plain abstract.", "Words " * 400)
    n = 20_000
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, record, str(n)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split()
    assert int(out[0]) == n
    assert int(out[1]) < 40, f"peak RSS grew by {out[1]} MB"


def test_malformed_xml_names_file_line_and_last_good_pmid() -> None:
    data = xml(PLAIN.format(pmid=41), PLAIN.format(pmid=42)).replace(
        b"<ArticleTitle>Title 42</ArticleTitle>", b"<ArticleTitle>Title 42</Article>"
    )
    with pytest.raises(IngestError) as err:
        parse(data, "bad.xml")
    msg = str(err.value)
    assert msg.startswith("bad.xml: line ")
    assert "malformed XML" in msg
    assert "PMID 41" in msg
    assert err.value.location is not None and err.value.location.startswith("line ")


def test_malformed_xml_yields_the_complete_records_before_it() -> None:
    data = xml(PLAIN.format(pmid=41), PLAIN.format(pmid=42)).replace(
        b"<ArticleTitle>Title 42</ArticleTitle>", b"<ArticleTitle>Title 42</Article>"
    )
    got = []
    with pytest.raises(IngestError):
        for doc in iter_pubmed_xml(io.BytesIO(data), name="bad.xml"):
            got.append(doc)
    assert [d.id for d in got if isinstance(d, Document)] == ["pmid:41"]


def test_truncated_gzip() -> None:
    blob = gzip.compress(xml(*(PLAIN.format(pmid=i) for i in range(1, 200))))
    with pytest.raises(IngestError) as err:
        parse(blob[: len(blob) // 2], "cut.xml.gz")
    assert "cut.xml.gz" in str(err.value)
    assert "gzip" in str(err.value) or "malformed XML" in str(err.value)


def test_json_is_not_pubmed_xml() -> None:
    with pytest.raises(IngestError, match=r"x\.json: line 1: not PubMed XML: it looks like JSON"):
        parse(b'{"_id": "1", "text": "t"}\n', "x.json")


def test_xml_of_another_kind_is_refused() -> None:
    esearch = b'<?xml version="1.0"?><eSearchResult><Count>1</Count></eSearchResult>'
    with pytest.raises(IngestError, match="root element is <eSearchResult>"):
        parse(esearch, "esearch.xml")


def test_record_without_pmid() -> None:
    with pytest.raises(IngestError, match="without a PMID"):
        parse(xml("<PubmedArticle><MedlineCitation><Article/></MedlineCitation></PubmedArticle>"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file"):
        list(iter_pubmed_xml(tmp_path / "nope.xml"))


def test_book_article() -> None:
    book = """<PubmedBookArticle><BookDocument><PMID Version="1">20301295</PMID>
    <ArticleIdList><ArticleId IdType="bookaccession">NBK1</ArticleId></ArticleIdList>
    <Book><BookTitle>GeneReviews</BookTitle><PubDate><Year>1993</Year></PubDate></Book>
    <ArticleTitle>Iron Overload</ArticleTitle><Language>eng</Language>
    <Abstract><AbstractText Label="SUMMARY">Text.</AbstractText></Abstract>
    <PublicationType>Review</PublicationType></BookDocument></PubmedBookArticle>"""
    (doc,) = parse(xml(book))
    assert isinstance(doc, Document)
    assert (doc.id, doc.title, doc.journal, doc.year) == (
        "pmid:20301295",
        "Iron Overload",
        "GeneReviews",
        1993,
    )


NESTED_REFERENCES = (
    b"<A>\n<PubmedData><X>1</X>\n<ReferenceList>\n<Title>t</Title><Reference>r\n"
    b"</Reference><ReferenceList>\n<Reference>q</Reference></ReferenceList>\n"
    b"</ReferenceList><ReferenceList></ReferenceList>\n</PubmedData>\n"
    b"<ReferenceList/><y>ReferenceList></y></A>\n"
)


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 15, 16, 17, 40, 1 << 16])
def test_reference_lists_are_dropped_at_every_chunk_boundary(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from medbrief.ingest import pubmed_xml

    monkeypatch.setattr(pubmed_xml, "_CHUNK", chunk)
    out = b"".join(pubmed_xml._without_references(io.BytesIO(NESTED_REFERENCES)))
    # nested lists go as one; the line breaks they held stay; an empty
    # <ReferenceList/> and a text that merely ends like the tag stay as they are
    assert out == (
        b"<A>\n<PubmedData><X>1</X>\n\n\n\n\n\n</PubmedData>\n"
        b"<ReferenceList/><y>ReferenceList></y></A>\n"
    )


def test_line_numbers_count_the_dropped_reference_lines() -> None:
    refs = "<ReferenceList>\n" + "<Reference><Citation>c</Citation></Reference>\n" * 5
    with_refs = PLAIN.format(pmid=41).replace(
        "</PubmedArticle>", f"<PubmedData>{refs}</ReferenceList></PubmedData></PubmedArticle>"
    )
    bad = xml(with_refs, PLAIN.format(pmid=42)).replace(
        b"<ArticleTitle>Title 42</ArticleTitle>", b"<ArticleTitle>Title 42</Article>"
    )
    line = next(n for n, text in enumerate(bad.split(b"\n"), 1) if b"Title 42</Article>" in text)
    with pytest.raises(IngestError) as err:
        parse(bad, "bad.xml")
    assert err.value.location == f"line {line}"
