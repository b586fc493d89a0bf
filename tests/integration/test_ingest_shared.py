"""Ingest the real files under ../shared and check counts and field values
looked up in the files themselves."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from medbrief.ingest import ingest_paths, ingest_records
from medbrief.store import Store
from medbrief.types import Document, Recommendation

pytestmark = pytest.mark.integration


def test_pubmed_update_file(store: Store, shared: Path) -> None:
    path = shared / "pubmed" / "pubmed21n1298.xml.gz"
    # one of the 20 PMIDs the file's DeleteCitation names, stored beforehand
    ingest_records(
        store,
        [Document(id="pmid:31688362", source_id="31688362", source="pubmed", pmid="31688362")],
        path="seed",
        fmt="test",
    )
    (report,) = ingest_paths(store, "pubmed", [path])
    # 20,788 articles; PMID 30271887 comes in versions 2, 3 and 4, and
    # 33728380 and 34017925 twice: 20,783 distinct records
    assert report.records == 20_788
    assert report.deleted == 1
    assert store.count() == 20_783
    assert store.stats()["deleted"] == 20

    newest = store.get_document("pmid:30271887")
    assert (newest.version, newest.doi, newest.pmcid) == (
        4,
        "10.12688/wellcomeopenres.14677.4",
        "PMC6134338.4",
    )
    retracted = store.get_document("pmid:27602157")
    assert retracted.retracted
    assert [(c.ref_type, c.pmid) for c in retracted.corrections] == [("RetractionIn", "34093767")]
    assert "Retracted Publication" in retracted.publication_types
    medline_date = store.get_document("pmid:29426732")
    assert (medline_date.pub_date, medline_date.year) == ("2018 Jul-Aug", 2018)
    assert [s.category for s in medline_date.abstract] == [
        "OBJECTIVE",
        "METHODS",
        "RESULTS",
        "CONCLUSIONS",
    ]
    assert medline_date.abstract[1].label == "MATERIAL AND METHOD"
    assert store.get_document("pmid:33309418").kind == "guideline"
    assert store.stats()["guideline_documents"] == 10
    mathml = store.get_document("pmid:31993508")
    assert "left ventricular end systolic and diastolic volumes (R2 = 0.74 and R2 = 0.70)" in (
        mathml.abstract_text
    )
    assert store.get_document("pmid:34097368").doi == "10.1056/nejmoa2028564"

    (again,) = ingest_paths(store, "pubmed", [path])
    assert (again.inserted, again.updated, again.unchanged, again.skipped) == (0, 0, 20_783, 5)
    assert store.count() == 20_783


def test_efetch_samples_and_medline_text(store: Store, shared: Path) -> None:
    reports = ingest_paths(
        store,
        "pubmed",
        [
            shared / "pubmed" / "medline_text",
            str(shared / "pubmed" / "efetch_samples" / "pubmed*.xml"),
        ],
    )
    assert [r.records for r in reports] == [1, 4, 1, 1, 2, 2, 1, 1, 1, 1]
    trial = store.get_document("pmid:29768149")
    assert trial.title == "Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma."
    assert trial.doi == "10.1056/nejmoa1715274"
    assert len(trial.mesh) == 23
    assert "Randomized Controlled Trial" in trial.publication_types
    assert trial.abstract[0].text.endswith("fast-acting β2-agonist may be an alternative to "
                                           "conventional treatment strategies.")  # fmt: skip
    text = store.get_document("pmid:16403221")
    assert (text.journal, text.year, text.pmcid, text.doi) == (
        "BMC bioinformatics",
        2006,
        "PMC1373603",
        "10.1186/1471-2105-7-10",
    )
    assert [s.label for s in text.abstract] == ["BACKGROUND", "RESULTS", "CONCLUSION"]
    assert text.authors == ("Casbon JA", "Crooks GE", "Saqi MA")


def test_uspstf_raw_and_flat(store: Store, shared: Path) -> None:
    folder = shared / "guidelines" / "uspstf"
    (raw,) = ingest_paths(
        store, "guidelines", [folder / "uspstf_prevention_taskforce_api_2024-05-02.json"]
    )
    assert (raw.records, raw.inserted) == (143, 143)
    recs = list(store.iter_recommendations())
    assert Counter(r.strength for r in recs) == {
        "Grade I": 58, "Grade B": 40, "Grade D": 23, "Grade A": 14, "Grade C": 8
    }  # fmt: skip
    assert len({r.guideline_title for r in recs}) == 90
    assert all(r.certainty is None for r in recs)
    cervical = store.get_recommendation("uspstf:426")
    assert (cervical.guideline_title, cervical.year, cervical.population) == (
        "Cervical Cancer: Screening",
        2018,
        "Women aged 21 to 65 years",
    )
    assert (cervical.direction, cervical.strength_norm) == ("for", "strong")
    assert cervical.statement.endswith("strategies for women 21 years or older.")
    assert "<" not in " ".join(cervical.key_points)
    assert any(
        p.startswith("Screening Tests: Current evidence indicates") for p in cervical.key_points
    )
    assert store.get_recommendation("uspstf:427").direction == "against"

    (flat,) = ingest_paths(store, "guidelines", [folder / "uspstf_topics_flat.jsonl"])
    assert flat.records == 143 and flat.inserted == 0  # same ids: the flat export updates them
    assert store.count("recommendations") == 143


def test_open_medicine_markdown(store: Store, shared: Path) -> None:
    (report,) = ingest_paths(store, "guidelines", [shared / "guidelines" / "open_medicine"])
    docs = list(store.iter_documents())
    assert len(docs) == 145
    assert {d.kind for d in docs} == {"guideline"}
    assert all(d.note and "not the guideline publisher's text" in d.note for d in docs)
    af = store.get_document("guideline:acc_aha_af_2023:anticoagulation")
    assert (af.year, af.doi, af.authors, af.journal) == (
        2023,
        "10.1161/cir.0000000000001193",
        ("ACC/AHA",),
        "2023 ACC/AHA/ACCP/HRS Guideline for Diagnosis and Management of Atrial Fibrillation",
    )
    recs = list(store.iter_recommendations())
    assert report.records == 145 + len(recs)
    assert len(recs) > 500
    assert {r.statement_type for r in recs} == {"summary"}
    oac = store.get_recommendation("guideline:acc_aha_af_2023:anticoagulation:3")
    assert (
        oac.statement
        == "CHA2DS2-VASc ≥ 2: OAC is recommended to reduce thromboembolic stroke risk."
    )
    assert (oac.strength, oac.strength_norm, oac.body) == ("Class I", "strong", "ACC/AHA")
    no_benefit = store.get_recommendation("guideline:acc_aha_af_2023:anticoagulation:1")
    assert (no_benefit.strength, no_benefit.direction) == ("Class III: No Benefit", "against")
    # every printed grade is kept verbatim as printed in the Markdown
    md = (shared / "guidelines" / "open_medicine" / "content").rglob("*.md")
    text = "\n".join(p.read_text(encoding="utf-8") for p in md)
    assert all(r.strength and r.strength in text for r in recs)


def test_rls_articles_and_recommendations(store: Store, shared: Path) -> None:
    rls = shared / "rls"
    (articles,) = ingest_paths(store, "articles", [rls / "articles.jsonl"])
    (recs,) = ingest_paths(store, "guidelines", [rls / "guideline_recommendations.jsonl"])
    assert (articles.records, recs.records) == (41, 29)
    bbb = store.get_document("pmid:31229168")
    assert bbb.title == "Iron uptake at the blood-brain barrier is influenced by sex and genotype."
    assert sum(1 for d in store.iter_documents() if d.note and d.note.startswith("Partial")) == 9
    all_recs = list(store.iter_recommendations())
    assert sum(r.statement_type.startswith("verbatim") for r in all_recs) == 13
    assert sum(r.statement_type.startswith("paraphrase") for r in all_recs) == 16
    gps = store.get_recommendation("AASM2024-GPS1")
    assert gps.statement.endswith("[stored copy truncated here]")
    assert (gps.strength_norm, gps.certainty_norm, gps.pmid) == (
        "good-practice",
        "not-graded",
        "39324694",
    )
    feso4 = store.get_recommendation("AAN2016-FESO4")
    assert (feso4.strength, feso4.strength_norm, feso4.certainty_norm) == (
        "Level B",
        "conditional",
        "moderate",
    )
    assert feso4.population == "Adults with RLS and serum ferritin ≤75 μg/L"
    assert isinstance(feso4, Recommendation)


def test_scifact_beir(store: Store, shared: Path) -> None:
    (report,) = ingest_paths(store, "beir", [shared / "scifact" / "beir_corpus.jsonl"])
    assert report.records == 5_183 and store.count() == 5_183
    doc = store.get_document("beir:scifact:4983")
    assert doc.title.startswith(
        "Microstructural development of human newborn cerebral white matter"
    )
    assert (doc.source, doc.source_id) == ("beir:scifact", "4983")
