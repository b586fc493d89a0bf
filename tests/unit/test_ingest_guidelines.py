"""Guideline formats: medbrief JSONL, USPSTF, structured JSONL, Markdown."""
# ruff: noqa: E501  (inline XML/JSON test data keeps the real files' line shapes)

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from medbrief.errors import IngestError, SchemaVersionError
from medbrief.ingest.guidelines import iter_guidelines
from medbrief.types import Document, Recommendation


def jsonl(path: Path, *rows: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


OURS = {
    "schema_version": 1,
    "id": "aan-2016-iron",
    "guideline_title": "Treatment of RLS",
    "body": "American Academy of Neurology (AAN)",
    "year": 2016,
    "statement": "Clinicians should consider ferrous sulfate with vitamin C.",
    "direction": "for",
    "strength": "Level B",
    "certainty": "moderate evidence",
    "population": "Adults with RLS and ferritin <=75 ug/L",
    "pmid": "27856776",
    "doi": "10.1212/WNL.0000000000003388",
    "key_points": ["Check ferritin first."],
}


def test_medbrief_jsonl(tmp_path: Path) -> None:
    (rec,) = iter_guidelines(jsonl(tmp_path / "g.jsonl", OURS))
    assert isinstance(rec, Recommendation)
    assert rec.id == "aan-2016-iron"
    assert (rec.strength, rec.strength_norm) == ("Level B", "conditional")
    assert (rec.certainty, rec.certainty_norm) == ("moderate evidence", "moderate")
    assert rec.doi == "10.1212/wnl.0000000000003388"
    assert rec.key_points == ("Check ferritin first.",)
    assert (rec.statement_type, rec.source) == ("verbatim", "jsonl")


def test_given_normalised_forms_are_kept_and_checked(tmp_path: Path) -> None:
    row = dict(OURS, strength_norm="strong")
    (rec,) = iter_guidelines(jsonl(tmp_path / "g.jsonl", row))
    assert isinstance(rec, Recommendation) and rec.strength_norm == "strong"
    with pytest.raises(IngestError, match="strength_norm must be one of"):
        list(iter_guidelines(jsonl(tmp_path / "h.jsonl", dict(OURS, strength_norm="mighty"))))


def test_unknown_schema_version(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "g.jsonl", OURS, dict(OURS, id="x", schema_version=2))
    with pytest.raises(SchemaVersionError, match=r"g\.jsonl: line 2: guideline schema_version 2"):
        list(iter_guidelines(path))


def test_unknown_field_and_wrong_type(tmp_path: Path) -> None:
    with pytest.raises(
        IngestError, match=r"line 1: invalid record: Object contains unknown field `strenght`"
    ):
        list(iter_guidelines(jsonl(tmp_path / "a.jsonl", dict(OURS, strenght="A"))))
    with pytest.raises(
        IngestError,
        match=r"line 1: invalid record: Expected `int \| null`, got `str` - at `\$.year`",
    ):
        list(iter_guidelines(jsonl(tmp_path / "b.jsonl", dict(OURS, year="2016"))))


def test_unrecognised_and_wrong_kind(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="unrecognised guideline format"):
        list(iter_guidelines(jsonl(tmp_path / "a.jsonl", {"foo": 1})))
    xml = tmp_path / "b.xml"
    xml.write_text("<PubmedArticleSet/>")
    with pytest.raises(IngestError, match="not guideline JSON or JSONL: it is XML of another kind"):
        list(iter_guidelines(xml))


def test_bad_json_line(tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    path.write_text(json.dumps(OURS) + "\n{oops\n")
    with pytest.raises(IngestError, match=r"g\.jsonl: line 2: invalid JSON"):
        list(iter_guidelines(path))


STRUCTURED = {
    "id": "AASM2024-GPS1",
    "issuing_body": "American Academy of Sleep Medicine (AASM)",
    "year": 2024,
    "title": "Treatment of RLS: an AASM guideline",
    "guideline_citation": "J Clin Sleep Med 2024. doi:10.5664/jcsm.11390. PMID 39324694",
    "recommendation_statement": "Supplement iron if ferritin is between 75 ng/mL and [stored copy truncated here]",
    "statement_type": "verbatim (partial: stored copy ends mid-sentence)",
    "direction": "against (standard use)",
    "strength": "Good practice statement",
    "certainty_of_evidence": "not graded",
    "population": "Adults with RLS",
    "source_url": "https://example.org/39324694",
}


def test_structured_jsonl_keeps_words(tmp_path: Path) -> None:
    (rec,) = iter_guidelines(jsonl(tmp_path / "r.jsonl", STRUCTURED))
    assert isinstance(rec, Recommendation)
    assert rec.statement.endswith("[stored copy truncated here]")
    assert rec.statement_type == "verbatim (partial: stored copy ends mid-sentence)"
    assert rec.direction == "against (standard use)"
    assert (rec.strength_norm, rec.certainty_norm) == ("good-practice", "not-graded")
    assert (rec.pmid, rec.doi, rec.population) == (
        "39324694",
        "10.5664/jcsm.11390",
        "Adults with RLS",
    )


def test_structured_missing_field(tmp_path: Path) -> None:
    row = {k: v for k, v in STRUCTURED.items() if k != "title"}
    with pytest.raises(IngestError, match=r"line 1: missing field\(s\): title"):
        list(iter_guidelines(jsonl(tmp_path / "r.jsonl", row)))


TOPIC_HTML = (
    "<h2>Rationale</h2><h3>Importance</h3>\r\n<p>Cancer is common.<sup>1</sup> "
    "Obesity is BMI 30 kg/m<sup>2</sup> or more.</p><h3>Benefits</h3><p>Screening &amp; "
    "treatment help.<sup>2-4</sup></p>"
)


def uspstf_dump() -> dict[str, Any]:
    return {
        "specificRecommendations": [
            {"id": 7, "title": "X Cancer: Screening -- Adults aged 50 years", "grade": "B",
             "text": "The USPSTF recommends screening.<br><br> <br><br>See the text.", "general": "3"},
            {"id": 8, "title": "X Cancer: Screening -- Adults 85 or older", "grade": "D",
             "text": "The USPSTF recommends against screening.", "general": "3"},
        ],
        "generalRecommendations": {
            "3": {"title": "X Cancer: Screening", "topicYear": 2021, "topicType": "Screening",
                  "uspstfAlias": "x-cancer-screening", "rationale": TOPIC_HTML,
                  "clinical": "<h2>Clinical Considerations</h2><h3>Tests</h3><p>Use a test.</p>"},
        },
    }  # fmt: skip


def test_uspstf_api_dump(tmp_path: Path) -> None:
    path = tmp_path / "uspstf.json"
    path.write_text(json.dumps(uspstf_dump(), indent=2))
    first, second = iter_guidelines(path)
    assert isinstance(first, Recommendation) and isinstance(second, Recommendation)
    assert first.id == "uspstf:7"
    assert first.statement == "The USPSTF recommends screening.\n\nSee the text."
    assert (first.strength, first.strength_norm, first.certainty, first.direction) == (
        "Grade B",
        "strong",
        None,
        "for",
    )
    assert second.direction == "against"
    assert first.population == "Adults aged 50 years"
    assert first.guideline_title == "X Cancer: Screening"
    assert first.year == 2021
    assert first.url and first.url.endswith("/x-cancer-screening")
    assert first.key_points == (
        "Importance: Cancer is common. Obesity is BMI 30 kg/m2 or more.",
        "Benefits: Screening & treatment help.",
        "Tests: Use a test.",
    )


def test_uspstf_flat_jsonl(tmp_path: Path) -> None:
    topic = {
        "id": "3", "title": "X Cancer: Screening", "topicType": "Screening", "topicYear": 2021,
        "uspstfAlias": "x-cancer-screening",
        "recommendations": [{"id": 7, "title": "X Cancer: Screening -- Adults", "grade": "I",
                             "text": "The USPSTF concludes the evidence is insufficient."}],
        "rationale": "Rationale\n Importance\n\n Cancer is common. 1 \n\n Benefits\n\n Help. 2, 3 \n",
        "clinical_considerations": "Clinical Considerations\n Tests\n\n Use a test.",
    }  # fmt: skip
    (rec,) = iter_guidelines(jsonl(tmp_path / "flat.jsonl", topic))
    assert isinstance(rec, Recommendation)
    assert (rec.id, rec.strength, rec.strength_norm, rec.direction) == (
        "uspstf:7",
        "Grade I",
        "insufficient",
        None,
    )
    assert rec.key_points == (
        "Importance: Cancer is common.",
        "Benefits: Help.",
        "Tests: Use a test.",
    )


SECTION_MD = """# Anticoagulation — ACC/AHA 2023

## Stroke Risk

Intro text with **bold**.

- CHA2DS2-VASc = 0: No antithrombotic therapy is recommended (Class III: No Benefit).
- DOACs are recommended over warfarin (Class I, LOE A).
  - Apixaban 5 mg BID.
- Warfarin when DOACs are contraindicated.

Obtain cultures in adults who:
- Are treated for MRSA (Strong recommendation, Very low quality of evidence).

### Glycemia

- **Recommendation 6.1 (Grade E):** Assess glycemic status.

```
Flow -> YES -> Thrombolysis (Rec 6, Strong)
```

| a | b |
|---|---|
| NYHA (Class III-IV) | x |
"""


def collection(tmp_path: Path) -> Path:
    root = tmp_path / "collection"
    (root / "content" / "acc_af").mkdir(parents=True)
    (root / "content" / "acc_af" / "anticoagulation.md").write_text(SECTION_MD)
    (root / "registry.json").write_text(
        json.dumps(
            [
                {
                    "id": "acc_af",
                    "title": "2023 AF Guideline",
                    "doi": "10.1161/CIR.1",
                    "year": 2023,
                    "organization": "ACC/AHA",
                    "topics": ["AF"],
                    "sections": ["anticoagulation"],
                }
            ]
        )
    )
    (root / "LICENSE").write_text("MIT License\n\nCopyright (c) 2026 Jane Doe\n")
    return root


def test_markdown_collection(tmp_path: Path) -> None:
    records = list(iter_guidelines(collection(tmp_path)))
    doc = records[0]
    assert isinstance(doc, Document)
    assert (doc.id, doc.kind, doc.year, doc.doi, doc.journal) == (
        "guideline:acc_af:anticoagulation",
        "guideline",
        2023,
        "10.1161/cir.1",
        "2023 AF Guideline",
    )
    assert doc.title == "2023 AF Guideline: Anticoagulation"
    assert doc.authors == ("ACC/AHA",)
    assert (
        doc.note is not None
        and "Jane Doe" in doc.note
        and "not the guideline publisher" in doc.note
    )
    assert doc.abstract[0].label == "Stroke Risk"
    assert "Intro text with bold." in doc.abstract[0].text
    assert "Flow" not in doc.abstract_text  # fenced flowcharts are not prose

    recs = [r for r in records if isinstance(r, Recommendation)]
    assert [(r.strength, r.certainty) for r in recs] == [
        ("Class III: No Benefit", None),
        ("Class I", "LOE A"),
        ("Strong recommendation", "Very low quality of evidence"),
        ("Grade E", None),
    ]  # the ungraded warfarin bullet, the fenced flowchart and NYHA class give none
    assert recs[0].statement == "CHA2DS2-VASc = 0: No antithrombotic therapy is recommended."
    assert recs[0].direction == "against"
    assert (recs[1].strength_norm, recs[1].certainty_norm) == ("strong", "high")
    assert recs[1].key_points == ("Apixaban 5 mg BID.",)
    assert recs[2].statement == "Obtain cultures in adults who: Are treated for MRSA."
    assert recs[3].statement == "Recommendation 6.1: Assess glycemic status."
    assert {r.statement_type for r in recs} == {"summary"}
    assert recs[0].id == "guideline:acc_af:anticoagulation:1"
    assert recs[0].section == "Stroke Risk"
    assert recs[3].section == "Stroke Risk > Glycemia"


def test_markdown_missing_section_file(tmp_path: Path) -> None:
    root = collection(tmp_path)
    (root / "content" / "acc_af" / "anticoagulation.md").unlink()
    with pytest.raises(
        IngestError, match=r"anticoagulation\.md: section file listed in registry\.json is missing"
    ):
        list(iter_guidelines(root))
