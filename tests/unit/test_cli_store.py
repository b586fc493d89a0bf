"""medbrief ingest / stats / show / settings through the CLI."""
# ruff: noqa: E501  (inline XML/JSON test data keeps the real files' line shapes)

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from medbrief.interfaces.cli import main
from medbrief.settings import Settings

XML = """<?xml version="1.0"?>
<PubmedArticleSet>
<PubmedArticle><MedlineCitation><PMID Version="1">31229168</PMID><Article>
<Journal><JournalIssue><PubDate><Year>2019</Year></PubDate></JournalIssue><Title>Sleep</Title></Journal>
<ArticleTitle>Iron and the blood-brain barrier.</ArticleTitle>
<Abstract><AbstractText Label="BACKGROUND" NlmCategory="BACKGROUND">Brain iron.</AbstractText></Abstract>
<AuthorList><Author><LastName>Connor</LastName><Initials>JR</Initials></Author></AuthorList>
<PublicationTypeList><PublicationType>Review</PublicationType></PublicationTypeList>
</Article>
<MeshHeadingList><MeshHeading><DescriptorName UI="D1" MajorTopicYN="Y">Iron</DescriptorName>
<QualifierName UI="Q1" MajorTopicYN="N">metabolism</QualifierName></MeshHeading></MeshHeadingList>
</MedlineCitation>
<PubmedData><ArticleIdList><ArticleId IdType="doi">10.1/SLEEP.1</ArticleId></ArticleIdList></PubmedData>
</PubmedArticle>
<PubmedArticle><MedlineCitation><PMID Version="1">2</PMID><Article>
<Journal><JournalIssue><PubDate><Year>2020</Year></PubDate></JournalIssue><Title>J</Title></Journal>
<ArticleTitle>Guideline.</ArticleTitle>
<PublicationTypeList><PublicationType>Practice Guideline</PublicationType></PublicationTypeList>
</Article></MedlineCitation></PubmedArticle>
</PubmedArticleSet>
"""

GUIDELINE = {
    "id": "aan-iron",
    "guideline_title": "RLS treatment",
    "body": "AAN",
    "year": 2016,
    "statement": "Consider ferrous sulfate with vitamin C.",
    "strength": "Level B",
    "key_points": ["Check ferritin."],
}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MEDBRIEF_LOAD_STARTER", "false")
    return tmp_path / "home"


def run(home: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--home", str(home), *args])
    return result.exit_code, result.stdout, result.stderr


def files(tmp_path: Path) -> tuple[Path, Path]:
    xml = tmp_path / "sample.xml"
    xml.write_text(XML)
    gl = tmp_path / "g.jsonl"
    gl.write_text(json.dumps(GUIDELINE) + "\n")
    return xml, gl


def test_ingest_json_summary_and_stats(home: Path, tmp_path: Path) -> None:
    xml, gl = files(tmp_path)
    code, out, _ = run(home, "ingest", "pubmed", str(xml), "--json")
    assert code == 0
    summary = json.loads(out)
    assert summary["total"]["records"] == 2 and summary["total"]["inserted"] == 2
    assert summary["files"][0]["path"] == str(xml) and summary["complete"] is True
    assert run(home, "ingest", "guidelines", str(gl))[0] == 0

    code, out, _ = run(home, "stats", "--json")
    stats = json.loads(out)
    assert (stats["documents"], stats["research"], stats["guideline_documents"]) == (2, 1, 1)
    assert stats["recommendations"] == 1
    assert stats["by_publication_type"] == {"Practice Guideline": 1, "Review": 1}
    assert stats["by_year"] == {"2019": 1, "2020": 1}
    assert stats["by_source"] == {"pubmed": 2}

    code, out, _ = run(home, "stats")
    assert code == 0
    assert "documents        2 (1 research, 1 guideline documents)" in out
    assert "recommendations  1" in out


def test_reingest_reports_unchanged(home: Path, tmp_path: Path) -> None:
    xml, _ = files(tmp_path)
    run(home, "ingest", "pubmed", str(xml))
    code, out, _ = run(home, "ingest", "pubmed", str(xml))
    assert code == 0
    assert "2 records (0 new, 0 updated, 2 unchanged, 0 skipped)" in out


@pytest.mark.parametrize(
    "ref",
    ["pmid:31229168", "31229168", "10.1/sleep.1", "10.1/SLEEP.1", "https://doi.org/10.1/Sleep.1"],
)
def test_show_document_by_id_pmid_or_doi(home: Path, tmp_path: Path, ref: str) -> None:
    xml, _ = files(tmp_path)
    run(home, "ingest", "pubmed", str(xml))
    code, out, _ = run(home, "show", ref)
    assert code == 0
    assert out.startswith("Iron and the blood-brain barrier.")
    assert "PMID:           31229168" in out
    assert "authors:        Connor JR" in out
    assert "*Iron/metabolism" in out
    assert "BACKGROUND: Brain iron." in out


def test_show_recommendation_and_json(home: Path, tmp_path: Path) -> None:
    _, gl = files(tmp_path)
    run(home, "ingest", "guidelines", str(gl))
    code, out, _ = run(home, "show", "aan-iron")
    assert code == 0
    assert "strength:       Level B [conditional]" in out
    assert "  - Check ferritin." in out
    code, out, _ = run(home, "show", "aan-iron", "--json")
    assert json.loads(out)["strength_norm"] == "conditional"


def test_show_unknown_is_exit_3(home: Path) -> None:
    code, _, err = run(home, "show", "pmid:1")
    assert code == 3
    assert "nothing stored under 'pmid:1'" in err


def test_bad_file_one_line_message_and_exit_2(home: Path, tmp_path: Path) -> None:
    xml, _ = files(tmp_path)
    run(home, "ingest", "pubmed", str(xml))
    bad = tmp_path / "bad.json"
    bad.write_text('{"a": 1}\n')
    code, _, err = run(home, "ingest", "pubmed", str(bad))
    assert code == 2
    assert err.strip().splitlines() == [
        f"medbrief: error: {bad}: line 1: not PubMed XML or MEDLINE text: it looks like JSON"
    ]
    code, out, _ = run(home, "stats", "--json")
    assert json.loads(out)["documents"] == 2  # nothing already stored was lost


def test_missing_file_checked_before_writing(home: Path, tmp_path: Path) -> None:
    xml, _ = files(tmp_path)
    code, _, err = run(home, "ingest", "pubmed", str(xml), str(tmp_path / "nope.xml"))
    assert code == 2
    assert "nope.xml: no such file or folder" in err
    assert json.loads(run(home, "stats", "--json")[1])["documents"] == 0


def test_settings_lists_every_setting(home: Path) -> None:
    code, out, _ = run(home, "settings", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["name"] for r in rows] == list(Settings.model_fields)
    assert all(r["description"] for r in rows)
    home_row = next(r for r in rows if r["name"] == "home")
    assert (home_row["env"], home_row["value"]) == ("MEDBRIEF_HOME", str(home))
    code, out, _ = run(home, "settings")
    assert "MEDBRIEF_RRF_K = 60" in out


def test_api_key_is_not_printed(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDBRIEF_NCBI_API_KEY", "secret123")
    code, out, _ = run(home, "settings")
    assert code == 0 and "secret123" not in out and "MEDBRIEF_NCBI_API_KEY = (set)" in out


def _faulty(tmp_path: Path, kind: str) -> tuple[str, Path, str]:
    if kind == "malformed":
        path = tmp_path / "bad.xml"
        path.write_text(XML.replace("</ArticleTitle>", "</Article>", 1))
        return "pubmed", path, "malformed XML"
    if kind == "truncated":
        import gzip

        body = XML.replace("</PubmedArticleSet>", "") + "".join(
            XML.split("<PubmedArticleSet>")[1].split("</PubmedArticleSet>", maxsplit=1)[0]
            for _ in range(300)
        )
        blob = gzip.compress((body + "</PubmedArticleSet>").encode())
        path = tmp_path / "cut.xml.gz"
        path.write_bytes(blob[: len(blob) // 2])
        return "pubmed", path, "truncated gzip"
    path = tmp_path / "future.jsonl"
    path.write_text(json.dumps(dict(GUIDELINE, schema_version=9)) + "\n")
    return "guidelines", path, "schema_version 9 is not supported"


@pytest.mark.parametrize("kind", ["malformed", "truncated", "schema"])
def test_faults_exit_2_with_one_line_and_keep_the_store(
    home: Path, tmp_path: Path, kind: str
) -> None:
    xml, gl = files(tmp_path)
    run(home, "ingest", "pubmed", str(xml))
    run(home, "ingest", "guidelines", str(gl))
    fmt, path, words = _faulty(tmp_path, kind)
    code, _, err = run(home, "ingest", fmt, str(path))
    assert code == 2
    (line,) = err.strip().splitlines()
    assert line.startswith(f"medbrief: error: {path}: ")
    assert words in line
    stats = json.loads(run(home, "stats", "--json")[1])
    assert (stats["documents"], stats["recommendations"]) == (2, 1)
