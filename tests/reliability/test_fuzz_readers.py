"""Property tests: whatever bytes a file holds, a reader yields records or
raises one IngestError, never anything else, and an ingest of it leaves the
store whole (issue 16).

Inputs are valid files of each format mutated at random (bytes flipped,
inserted, deleted, cut; pieces of the format's own syntax and of numbers
too large to store spliced in), or random bytes.
"""
# ruff: noqa: E501  (inline file contents keep their real line shapes)

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medbrief.errors import IngestError
from medbrief.ingest import ingest_paths, read
from medbrief.ingest.records import Deletion
from medbrief.store import Store
from medbrief.types import Document, Recommendation

PUBMED_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2019//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_190101.dtd">
<PubmedArticleSet>
<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">101</PMID><Article PubModel="Print">
<Journal><JournalIssue CitedMedium="Print"><PubDate><Year>2001</Year><Month>Feb</Month></PubDate></JournalIssue><Title>J Tests</Title></Journal>
<ArticleTitle>Iron in <i>RLS</i>.</ArticleTitle><ELocationID EIdType="doi" ValidYN="Y">10.1/x.101</ELocationID>
<Abstract><AbstractText Label="RESULTS" NlmCategory="RESULTS">Ferritin rose (<sup>2</sup>).</AbstractText></Abstract>
<AuthorList><Author ValidYN="Y"><LastName>Smith</LastName><Initials>J</Initials></Author></AuthorList>
<Language>eng</Language><PublicationTypeList><PublicationType UI="D016449">Randomized Controlled Trial</PublicationType></PublicationTypeList>
<ArticleDate><Year>2000</Year></ArticleDate></Article>
<MeshHeadingList><MeshHeading><DescriptorName UI="D1" MajorTopicYN="Y">Iron</DescriptorName><QualifierName MajorTopicYN="N">blood</QualifierName></MeshHeading></MeshHeadingList>
<CommentsCorrectionsList><CommentsCorrections RefType="RetractionIn"><RefSource>J 2020</RefSource><PMID Version="1">9</PMID></CommentsCorrections></CommentsCorrectionsList>
</MedlineCitation><PubmedData><ArticleIdList><ArticleId IdType="doi">10.1/X.101</ArticleId><ArticleId IdType="pmc">PMC1</ArticleId></ArticleIdList></PubmedData></PubmedArticle>
<PubmedBookArticle><BookDocument><PMID Version="1">102</PMID><Book><BookTitle>GeneReviews</BookTitle><PubDate><MedlineDate>1998 Dec-1999 Jan</MedlineDate></PubDate></Book>
<ArticleTitle>RLS</ArticleTitle><Abstract><AbstractText>Text.</AbstractText></Abstract></BookDocument></PubmedBookArticle>
<DeleteCitation><PMID Version="1">103</PMID></DeleteCitation>
</PubmedArticleSet>
"""

MEDLINE = b"""PMID- 201
OWN - NLM
DP  - 2001 Feb
TI  - Iron in restless legs
      syndrome.
AB  - BACKGROUND: Iron matters. RESULTS: Ferritin rose.
AU  - Smith J
CN  - RLS Group
LA  - eng
PT  - Randomized Controlled Trial
MH  - *Iron/blood
RN  - 0 (Ferritin)
AID - 10.1/x.201 [doi]
RIN - J Tests. 2020;1:1. PMID: 9

PMID- 202
TI  - Second.
DP  - 1999
"""

ARTICLES = b"""{"pmid": "301", "title": "Iron and RLS", "abstract": "BACKGROUND: Iron.\\nRESULTS: Ferritin rose.", "year": 2001, "doi": "10.1/X.301", "publication_types": ["Randomized Controlled Trial"], "authors": ["Smith J"], "version": 2}
{"doi": "10.1/x.302", "title": "Second", "abstract": [{"text": "Text", "label": "L"}], "kind": "guideline"}
{"id": "a3", "source": "mine", "title": "Third", "year": "2003", "keywords": ["iron"]}
"""

GUIDELINES = b"""{"schema_version": 1, "id": "g1", "guideline_title": "RLS", "body": "AAN", "statement": "Give iron.", "year": 2016, "strength": "Level B", "certainty": "moderate", "key_points": ["Check ferritin."]}
{"id": "g2", "guideline_title": "RLS", "body": "AASM", "statement": "Consider IV iron.", "strength_norm": "strong"}
"""

STRUCTURED = b"""{"id": "s1", "issuing_body": "AASM", "year": 2024, "title": "RLS", "recommendation_statement": "Use IV iron.", "strength": "strong", "certainty_of_evidence": "moderate", "guideline_citation": "PMID: 1 doi:10.1/X"}
"""

USPSTF_FLAT = json.dumps(
    {
        "id": "3", "title": "X: Screening", "topicType": "Screening", "topicYear": 2021, "uspstfAlias": "x",
        "recommendations": [{"id": 7, "title": "X -- Adults", "grade": "B", "text": "Screen."}],
        "rationale": "Rationale\n Importance\n\n Common. 1 \n", "clinical_considerations": "Tests\n\n Use one.",
    }
).encode() + b"\n"  # fmt: skip

USPSTF_API = json.dumps(
    {
        "specificRecommendations": [{"id": 7, "title": "X -- Adults", "grade": "B", "text": "<p>Screen.</p>", "general": "3"}],
        "generalRecommendations": {"3": {"title": "X", "topicYear": 2021, "uspstfAlias": "x", "rationale": "<h3>A</h3><p>B.</p>", "clinical": ""}},
    }
).encode()  # fmt: skip

REGISTRY = json.dumps(
    [{"id": "g1", "title": "Guide", "doi": "10.1/G", "year": 2020, "organization": "Org", "topics": ["iron"], "sections": ["intro"]}]
).encode()  # fmt: skip

SECTION = b"""# Intro \xe2\x80\x94 Org 2020

## Treatment

- Give iron to adults with RLS (Class I, LOE B-NR).
  - Check ferritin first.
- Consider IV iron (Grade 2C).
"""

#: Pieces of each format's syntax, and values a store cannot hold.
TOKENS = {
    "xml": [
        b"<",
        b">",
        b"</",
        b"<PubmedArticle>",
        b"</PubmedArticle>",
        b'<PMID Version="99999999999999999999">',
        b"<Year>99999999999999999999</Year>",
        b"<Year>\xc2\xb2</Year>",
        b"&",
        b"&#0;",
        b"&#x1F;",
        b"<![CDATA[",
        b"]]>",
        b"<!ENTITY a 'b'>",
        b"&a;",
        b"\x00",
        b"\xff",
        b'"',
        b"<MedlineCitation>",
    ],
    "medline": [
        b"PMID- ",
        b"PMID- x",
        b"\n\n",
        b"\n      ",
        b"AB  - ",
        b"DP  - 99999999999999999999",
        b"AID - 1 [doi]",
        b"\xff",
        b"\x00",
        b"\r\n",
        b"TI  -",
        b"-",
    ],
    "json": [
        b"{",
        b"}",
        b"[",
        b"]",
        b'"',
        b":",
        b",",
        b"1e400",
        b"9" * 30,
        b"-" + b"9" * 25,
        b"null",
        b"true",
        b"\\u0000",
        b"\\ud800",
        b'"year": ',
        b'"version": ',
        b"NaN",
        b"\n",
        b"\xff",
        b'"sections": "x"',
        b'"id": "../../x"',
        b'"id": "/etc"',
    ],
}


def mutations(seed: bytes, tokens: list[bytes]) -> st.SearchStrategy[bytes]:
    edit = st.tuples(
        st.sampled_from(["flip", "insert", "delete", "splice", "cut"]),
        st.integers(0, len(seed)),
        st.binary(max_size=8),
        st.sampled_from(tokens),
    )

    def apply(edits: list[tuple[str, int, bytes, bytes]]) -> bytes:
        data = bytearray(seed)
        for op, where, noise, token in edits:
            pos = min(where, len(data))
            if op == "flip" and pos < len(data):
                data[pos] ^= 1 << (noise[0] % 8 if noise else 0)
            elif op == "insert":
                data[pos:pos] = noise
            elif op == "delete":
                del data[pos : pos + 1 + len(noise)]
            elif op == "splice":
                data[pos:pos] = token
            elif op == "cut":
                del data[pos:]
        return bytes(data)

    return st.one_of(st.lists(edit, max_size=6).map(apply), st.binary(max_size=600))


#: Any JSON value, numbers too large to store and strings with control
#: characters and lone surrogates among them.
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(["", "../../x", "/etc/passwd", "\ud800", "2021", "\x00"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def retyped(seed: bytes) -> st.SearchStrategy[bytes]:
    """The seed's JSON (a document, or one per line) with values replaced by
    arbitrary JSON: valid syntax, any shape."""
    lines = seed.decode().splitlines()
    objects = (
        [json.loads(line) for line in lines]
        if len(lines) > 1 or seed.endswith(b"\n")
        else [json.loads(seed)]
    )

    def replace(value: object, draws: list[tuple[int, object]], counter: list[int]) -> object:
        counter[0] += 1
        for at, new in draws:
            if at == counter[0]:
                return new
        if isinstance(value, dict):
            return {k: replace(v, draws, counter) for k, v in value.items()}
        if isinstance(value, list):
            return [replace(v, draws, counter) for v in value]
        return value

    def build(draws: list[tuple[int, object]]) -> bytes:
        counter = [0]
        out = [json.dumps(replace(obj, draws, counter)) for obj in objects]
        return (
            ("\n".join(out) + "\n").encode()
            if len(objects) > 1 or seed.endswith(b"\n")
            else out[0].encode()
        )

    return st.lists(st.tuples(st.integers(1, 40), JSON_VALUES), min_size=1, max_size=4).map(build)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Store]]:
    """A folder for the files under test and a store holding one record that
    every ingest must leave as it is."""
    folder = tmp_path_factory.mktemp("fuzz")
    with Store.open(folder / "store.sqlite3") as store:
        store.write_documents([SENTINEL])
        yield folder, store


#: No reader makes this id from these inputs, so no ingest may change it.
SENTINEL = Document(id="sentinel:kept", source_id="kept", source="sentinel", title="Kept")

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


def outcome(fmt: str, path: Path, store: Store) -> None:
    """Reading gives records or one IngestError; ingesting leaves the store whole."""
    try:
        for record in read(fmt, path):
            assert isinstance(record, Document | Recommendation | Deletion), record
    except IngestError:
        pass
    with contextlib.suppress(IngestError):
        ingest_paths(store, fmt, [path], batch_size=2)
    assert store.get_document(SENTINEL.id) == SENTINEL
    # every stored record reads back
    assert sum(1 for _ in store.iter_documents()) == store.count()
    assert sum(1 for _ in store.iter_recommendations()) == store.count("recommendations")
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not store.conn.in_transaction


def file_case(name: str, fmt: str, seed: bytes, tokens: str) -> Callable[..., None]:
    data = mutations(seed, TOKENS[tokens])
    if tokens == "json":
        data = data | retyped(seed)

    @FUZZ
    @given(data=data)
    def check(workspace: tuple[Path, Store], data: bytes) -> None:
        folder, store = workspace
        path = folder / name
        path.write_bytes(data)
        outcome(fmt, path, store)

    return check


test_pubmed_xml = file_case("pubmed.xml", "pubmed", PUBMED_XML, "xml")
test_medline_text = file_case("medline.txt", "pubmed", MEDLINE, "medline")
test_article_jsonl = file_case("articles.jsonl", "articles", ARTICLES, "json")
test_guideline_jsonl = file_case("guidelines.jsonl", "guidelines", GUIDELINES, "json")
test_structured_jsonl = file_case("structured.jsonl", "guidelines", STRUCTURED, "json")
test_uspstf_flat = file_case("uspstf.jsonl", "guidelines", USPSTF_FLAT, "json")
test_uspstf_api = file_case("uspstf.json", "guidelines", USPSTF_API, "json")


@FUZZ
@given(
    registry=mutations(REGISTRY, TOKENS["json"]) | retyped(REGISTRY),
    section=mutations(SECTION, TOKENS["medline"]),
)
def test_markdown_collection(
    workspace: tuple[Path, Store], registry: bytes, section: bytes
) -> None:
    folder, store = workspace
    collection = folder / "collection"
    shutil.rmtree(collection, ignore_errors=True)
    (collection / "content" / "g1").mkdir(parents=True)
    (collection / "registry.json").write_bytes(registry)
    (collection / "content" / "g1" / "intro.md").write_bytes(section)
    outcome("guidelines", collection, store)


def test_the_store_survives_the_fuzzing(workspace: tuple[Path, Store]) -> None:
    folder, _ = workspace
    with sqlite3.connect(folder / "store.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
