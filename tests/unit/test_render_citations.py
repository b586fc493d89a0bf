"""Citations, exports with authors, provenance and grade chips: exact output."""

from __future__ import annotations

import json

import pytest

from medbrief.render.bibtex import render_bibtex
from medbrief.render.citation import ama, split_author, vancouver
from medbrief.render.csl import render_csl
from medbrief.render.grades import certainty_chip, chips, legends, split_remark, strength_chip
from medbrief.render.markdown import render_markdown
from medbrief.render.provenance import filters_text, provenance_text
from medbrief.render.ris import render_ris
from medbrief.types import (
    Brief,
    Concept,
    Filters,
    GuidelineItem,
    Provenance,
    Reading,
    Reference,
)

AUTHORS = ("Winkelman JW", "Berkowski JA", "DelRosso LM", "Koo BB", "Scharf MT", "Sharon D",
           "Zak RS")  # fmt: skip
GUIDELINE = Reference(
    1,
    "guideline",
    "AASM2024-R-FCM",
    "Treatment of restless legs syndrome and periodic limb movement disorder",
    journal="J Clin Sleep Med",
    year=2025,
    pmid="39324694",
    doi="10.5664/jcsm.11390",
    design="guideline",
    body="American Academy of Sleep Medicine (AASM)",
    authors=AUTHORS,
    volume="21",
    issue="1",
    pages="137-152",
)
STUDY = Reference(
    2,
    "study",
    "pmid:8085504",
    "Iron status and restless legs syndrome in the elderly",
    journal="Age Ageing",
    year=1994,
    pmid="8085504",
    design="case-control",
    authors=("O'Keeffe ST", "Gavin K", "Lavan JN"),
    volume="23",
    issue="3",
    pages="200-3",
)
WEB = Reference(
    3,
    "guideline",
    "uspstf:1929",
    "Colorectal Cancer: Screening",
    year=2021,
    url="https://www.uspreventiveservicestaskforce.org/uspstf/recommendation/crc",
    design="guideline",
    body="U.S. Preventive Services Task Force (USPSTF)",
)
USPSTF = "U.S. Preventive Services Task Force (USPSTF)"
PROVENANCE = Provenance(
    version="0.1.0",
    generated="2025-05-01T09:30:00Z",
    documents=1941,
    recommendations=966,
    newest_year=2025,
    starter="2",
    filters=Filters(year_min=2015, kinds=("research",), designs=("rct",)),
)


def test_vancouver() -> None:
    assert vancouver(GUIDELINE) == (
        "Winkelman JW, Berkowski JA, DelRosso LM, Koo BB, Scharf MT, Sharon D, et al. "
        "Treatment of restless legs syndrome and periodic limb movement disorder. "
        "J Clin Sleep Med. 2025;21(1):137-152. doi:10.5664/jcsm.11390. PMID: 39324694."
    )
    assert vancouver(STUDY) == (
        "O'Keeffe ST, Gavin K, Lavan JN. Iron status and restless legs syndrome in the "
        "elderly. Age Ageing. 1994;23(3):200-3. PMID: 8085504."
    )
    assert vancouver(WEB) == (
        "U.S. Preventive Services Task Force (USPSTF). Colorectal Cancer: Screening "
        "[Internet]. 2021. Available from: "
        "https://www.uspreventiveservicestaskforce.org/uspstf/recommendation/crc"
    )


def test_ama() -> None:
    assert ama(GUIDELINE) == (
        "Winkelman JW, Berkowski JA, DelRosso LM, et al. Treatment of restless legs syndrome "
        "and periodic limb movement disorder. J Clin Sleep Med. 2025;21(1):137-152. "
        "doi:10.5664/jcsm.11390"
    )
    assert ama(WEB) == (
        "U.S. Preventive Services Task Force (USPSTF). Colorectal Cancer: Screening. "
        "Published 2021. https://www.uspreventiveservicestaskforce.org/uspstf/recommendation/crc"
    )


def test_split_author() -> None:
    assert split_author("O'Keeffe ST") == ("O'Keeffe", "ST")
    assert split_author("van der Berg AB") == ("van der Berg", "AB")
    assert split_author("RLS Study Group") is None
    assert split_author("Plato") is None


def test_ris_has_authors_volume_issue_pages_and_provenance() -> None:
    assert render_ris([STUDY], PROVENANCE).split("\r\n") == [
        "TY  - JOUR",
        "AU  - O'Keeffe, S.T.",
        "AU  - Gavin, K.",
        "AU  - Lavan, J.N.",
        "TI  - Iron status and restless legs syndrome in the elderly",
        "T2  - Age Ageing",
        "PY  - 1994",
        "VL  - 23",
        "IS  - 3",
        "SP  - 200",
        "EP  - 203",  # NLM's elided "200-3" written out
        "AN  - 8085504",
        "DB  - PubMed",
        "UR  - https://pubmed.ncbi.nlm.nih.gov/8085504/",
        "N1  - Study design: case-control study",
        "N1  - Generated 2025-05-01T09:30:00Z by medbrief 0.1.0 from 1,941 documents and 966 "
        "recommendations; newest published 2025; starter corpus v2; filters: years 2015-any; "
        "sources: research; designs: randomised controlled trial",
        "ER  - ",
        "",
    ]


def test_bibtex_has_authors_pages_and_a_provenance_header() -> None:
    assert render_bibtex([STUDY], PROVENANCE) == (
        "% Generated: 2025-05-01T09:30:00Z\n"
        "% medbrief: 0.1.0\n"
        "% Corpus: 1,941 documents and 966 recommendations; newest published 2025; "
        "starter corpus v2\n"
        "% Filters: years 2015-any; sources: research; designs: randomised controlled trial\n"
        "\n"
        "@article{pmid8085504,\n"
        "  author = {O'Keeffe, S. T. and Gavin, K. and Lavan, J. N.},\n"
        "  title = {Iron status and restless legs syndrome in the elderly},\n"
        "  journal = {Age Ageing},\n"
        "  year = {1994},\n"
        "  volume = {23},\n"
        "  number = {3},\n"
        "  pages = {200--3},\n"
        "  pmid = {8085504},\n"
        "  url = {https://pubmed.ncbi.nlm.nih.gov/8085504/},\n"
        "  note = {Study design: case-control study},\n"
        "}\n"
    )


def test_bibtex_author_of_a_guideline_with_authors_keeps_the_body_as_organization() -> None:
    entry = render_bibtex([GUIDELINE])
    assert "  author = {Winkelman, J. W. and Berkowski, J. A. and " in entry
    assert "  organization = {American Academy of Sleep Medicine (AASM)},\n" in entry
    assert "{{" not in entry.split("author = ")[1].split("\n")[0]
    assert "author = {{U.S. Preventive Services Task Force (USPSTF)}}" in render_bibtex([WEB])


def test_csl_json() -> None:
    items = json.loads(render_csl([STUDY, WEB], PROVENANCE))
    custom = items[0].pop("custom")
    assert items[0] == {
        "id": "pmid8085504",
        "type": "article-journal",
        "title": "Iron status and restless legs syndrome in the elderly",
        "author": [
            {"family": "O'Keeffe", "given": "ST"},
            {"family": "Gavin", "given": "K"},
            {"family": "Lavan", "given": "JN"},
        ],
        "container-title": "Age Ageing",
        "volume": "23",
        "issue": "3",
        "page": "200-3",
        "PMID": "8085504",
        "URL": "https://pubmed.ncbi.nlm.nih.gov/8085504/",
        "note": "Study design: case-control study",
        "issued": {"date-parts": [[1994]]},
    }
    assert custom["medbrief"]["version"] == "0.1.0"
    assert custom["medbrief"]["filters"]["designs"] == ["rct"]
    assert items[1]["type"] == "document"
    assert items[1]["author"] == [{"literal": "U.S. Preventive Services Task Force (USPSTF)"}]
    assert items[1]["publisher"] == "U.S. Preventive Services Task Force (USPSTF)"


def test_provenance_words() -> None:
    assert filters_text(None) == "none"
    assert filters_text(Filters()) == "none"
    assert filters_text(Filters(year_max=2020, kinds=("guideline", "recommendation"))) == (
        "years any-2020; sources: guidelines, recommendations"
    )
    assert provenance_text(Provenance("1.2", "2025-01-01T00:00:00Z", 3, 4)) == (
        "Generated 2025-01-01T00:00:00Z by medbrief 1.2 from 3 documents and 4 "
        "recommendations; filters: none"
    )


@pytest.mark.parametrize(
    ("body", "words", "expected"),
    [
        (USPSTF, "Grade B", ("uspstf", "B", "strong")),
        (USPSTF, "Grade I", ("uspstf", "I", "insufficient")),
        (USPSTF, "Grade D", ("uspstf", "D", "against")),
        ("ACC/AHA", "Class IIa", ("acc-aha", "Class 2a (IIa)", "conditional")),
        ("AHA/AAP", "COR 3: No Benefit", ("acc-aha", "Class 3: No Benefit", "against")),
        ("AHA/ACC/HFSA", "Class III — Harm", ("acc-aha", "Class 3: Harm", "against")),
        ("ESC", "Class III", ("acc-aha", "Class 3 (III)", "against")),
        ("AASM (superseded)", "OPTION (lowest of STANDARD/GUIDELINE/OPTION)",
         ("aasm", "OPTION", "conditional")),
        ("KDIGO", "Grade 2C", ("grade-code", "2", "conditional")),
        ("IDSA", "Weak", ("grade", "conditional", "conditional")),
        ("ATS/IDSA", "Strong recommendation", ("grade", "strong", "strong")),
        ("AASM", "Good practice statement (consensus)", ("grade", "good practice", "neutral")),
        # a letter grade outside the USPSTF is not read as one: shown as text
        ("ADA", "Grade A", (None, None, "neutral")),
        ("BTF", "Level IIA", (None, None, "neutral")),
    ],
)  # fmt: skip
def test_strength_chips(body: str, words: str, expected: tuple[object, ...]) -> None:
    chip = strength_chip(words, body)
    assert (chip.system, chip.code, chip.tone) == expected


@pytest.mark.parametrize(
    ("body", "words", "expected"),
    [
        ("ACC/AHA", "Level of Evidence B-R", ("acc-aha", "LOE B-R")),
        ("ACCF/AHA", "LOE: C", ("acc-aha", "LOE B / C")),
        ("ATS/IDSA", "Very low quality of evidence", ("grade", "very low")),
        ("ACR", "Moderate certainty", ("grade", "moderate")),
        (USPSTF, "moderate certainty", ("uspstf", "moderate certainty")),
        ("AASM", "not stated in abstract", (None, None)),
    ],
)  # fmt: skip
def test_certainty_chips(body: str, words: str, expected: tuple[object, ...]) -> None:
    chip = certainty_chip(words, body)
    assert (chip.system, chip.code) == expected


def test_a_curators_remark_is_kept_apart_from_the_grade() -> None:
    assert split_remark("OPTION (lowest of STANDARD/GUIDELINE/OPTION)") == (
        "OPTION",
        "lowest of STANDARD/GUIDELINE/OPTION",
    )
    assert split_remark("Class I, Level B") == ("Class I, Level B", None)
    chip = certainty_chip("not graded (consensus; 'not empirically tested')", "AASM")
    assert (chip.label, chip.note) == ("not graded", "consensus; 'not empirically tested'")


def test_a_legend_for_each_system_met() -> None:
    items = [
        GuidelineItem(1, "U.S. Preventive Services Task Force (USPSTF)", 2021, "s", "Grade B",
                      "moderate certainty"),
        GuidelineItem(2, "ACC/AHA", 2019, "s", "Class IIa", "LOE B-R"),
        GuidelineItem(3, "BTF", 2016, "s", "Level IIA", None),
    ]  # fmt: skip
    found = legends(items)
    assert [(system, name) for system, name, _ in found] == [
        ("uspstf", "USPSTF grades"),
        ("acc-aha", "ACC/AHA class of recommendation (COR) and level of evidence (LOE)"),
    ]
    used = {system: [code for code, _, u in entries if u] for system, _, entries in found}
    assert used == {
        "uspstf": ["B", "moderate certainty"],
        "acc-aha": ["Class 2a (IIa)", "LOE B-R"],
    }
    assert [c.label for c in chips(items[2])] == ["Level IIA"]


def test_markdown_puts_the_answer_first_and_says_what_produced_it() -> None:
    g = GuidelineItem(1, "AASM", 2024, "Test iron studies if ferritin is between 75 and "
                      "[stored copy truncated here]", "Good practice statement (consensus)",
                      None, statement_type="verbatim (partial)")  # fmt: skip
    brief = Brief(
        "q",
        Reading("q", "q", concepts=(Concept("iron"),)),
        guidelines=(g,),
        references=(GUIDELINE,),
    )
    text = render_markdown(brief, PROVENANCE)
    assert "[stored copy truncated here]" not in text
    assert "between 75 and … [1]\n  - The stored copy of this statement ends here" in text
    assert "strength: Good practice statement (curator's note: consensus)" in text
    assert "Wording: the guideline's own words (curator's note: partial)" in text
    assert "### What the grades mean\n- GRADE: strength of recommendation" in text
    assert text.index("## From the Guidelines") < text.index("## How the question was read")
    assert "## Provenance\n- Generated: 2025-05-01T09:30:00Z\n- medbrief: 0.1.0\n" in text


def test_an_abstaining_brief_offers_ways_on_and_says_so_once() -> None:
    brief = Brief(
        "does aspirin prevent colorectal cancer",
        Reading("q", "q", concepts=(Concept("aspirin"), Concept("colorectal cancer"))),
        abstained=True,
        notes=("No relevant evidence found: no guideline recommendation or study among those "
               "stored addresses this question.",),
    )  # fmt: skip
    text = render_markdown(brief, related=("Aspirin Use to Prevent CVD (USPSTF, 2022)",))
    assert text.count("No relevant evidence found") == 1
    assert "No guideline recommendation or study among those stored addresses" in text
    assert "<https://pubmed.ncbi.nlm.nih.gov/?term=%22aspirin%22%5Btiab%5D+AND+" in text
    assert "--live" in text and "medbrief ingest pubmed FILE" in text
    assert "- The store does hold: Aspirin Use to Prevent CVD (USPSTF, 2022)" in text
