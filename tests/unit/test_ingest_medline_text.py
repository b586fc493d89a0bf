"""MEDLINE text export reader."""

from __future__ import annotations

import io

import pytest

from medbrief.errors import IngestError
from medbrief.ingest.medline_text import iter_medline_text, split_labels

TEXT = """
PMID- 23039619
OWN - NLM
DP  - 2012 Oct
VI  - 39
IP  - 10
PG  - 6113-20
TI  - Effects of different parameters in the fast scanning method for HIFU
      treatment.
LID - 10.1118/1.4748329 [doi]
AB  - PURPOSE: High-intensity focused ultrasound is a promising method. METHODS: Two
      transducers were used. CONCLUSIONS: It works.
FAU - Qiao, Shan
AU  - Qiao S
CN  - HIFU Study Group
AU  - Shen G
LA  - eng
PT  - Journal Article
PT  - Practice Guideline
TA  - Med Phys
JT  - Medical physics
RN  - 0 (Proteins)
RN  - EC 2.7.1.1 (Hexokinase)
MH  - *Computational Biology
MH  - Information Storage and Retrieval/*methods/standards
OT  - ultrasound
PMC - PMC1373603
RIN - Med Phys. 2013 Jan;40(1):017001. PMID: 23298102

PMID- 12230038
TI  - The Bio* toolkits--a brief overview.
DP  - 1998 Dec-1999 Jan
AB  - Plain abstract without labels: nothing to split.
"""


def parse(text: str) -> list:
    return list(iter_medline_text(io.BytesIO(text.encode()), name="export.txt"))


def test_fields_and_continuation_lines() -> None:
    doc, second = parse(TEXT)
    assert (doc.id, doc.pmid, doc.version, doc.source) == ("pmid:23039619", "23039619", 1, "pubmed")
    assert (
        doc.title
        == "Effects of different parameters in the fast scanning method for HIFU treatment."
    )
    assert [(s.label, s.text) for s in doc.abstract] == [
        ("PURPOSE", "High-intensity focused ultrasound is a promising method."),
        ("METHODS", "Two transducers were used."),
        ("CONCLUSIONS", "It works."),
    ]
    assert doc.authors == ("Qiao S", "HIFU Study Group", "Shen G")
    assert (doc.year, doc.pub_date, doc.doi, doc.pmcid) == (
        2012,
        "2012 Oct",
        "10.1118/1.4748329",
        "PMC1373603",
    )
    assert doc.journal == "Medical physics"
    assert (doc.volume, doc.issue, doc.pages) == ("39", "10", "6113-20")
    assert doc.kind == "guideline"
    assert doc.chemicals == ("Proteins", "Hexokinase")
    assert doc.keywords == ("ultrasound",)
    assert (doc.mesh[0].descriptor, doc.mesh[0].major) == ("Computational Biology", True)
    quals = doc.mesh[1].qualifiers
    assert [(q.name, q.major) for q in quals] == [("methods", True), ("standards", False)]
    assert doc.mesh[1].major is False
    assert [(c.ref_type, c.pmid) for c in doc.corrections] == [("RetractionIn", "23298102")]
    assert doc.retracted
    assert (second.year, second.pub_date) == (1998, "1998 Dec-1999 Jan")
    assert second.abstract[0].label is None


def test_split_labels_only_from_the_start() -> None:
    assert split_labels("We used HIV: a virus.")[0].label is None
    assert [s.label for s in split_labels("AIMS: a. METHODS AND RESULTS: b.")] == [
        "AIMS",
        "METHODS AND RESULTS",
    ]


def test_garbage_line_names_line_and_pmid() -> None:
    with pytest.raises(IngestError, match=r"export\.txt: line 3 \(PMID 1\)"):
        parse("PMID- 1\nTI  - t\nthis is not a field\n")


def test_record_without_pmid() -> None:
    with pytest.raises(IngestError, match="without a numeric PMID"):
        parse("TI  - only a title\n")
