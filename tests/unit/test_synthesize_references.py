"""finish_references: one reference per guideline document, renumbered everywhere."""

from __future__ import annotations

from dataclasses import replace

from medbrief.synthesize.references import certainty_in_text, document_key, finish_references
from medbrief.types import (
    AbstractSection,
    BottomLine,
    Brief,
    Bullet,
    Citation,
    Document,
    Facet,
    GuidelineItem,
    Reading,
    Recommendation,
    Reference,
)


def rec(id_: str, **kw: object) -> Recommendation:
    values: dict[str, object] = {
        "guideline_title": "Treatment of RLS",
        "body": "AASM",
        "statement": f"Statement {id_}.",
        "year": 2024,
        "pmid": "39324694",
    }
    values.update(kw)
    return Recommendation(id=id_, **values)  # type: ignore[arg-type]


RECS = [
    rec("R1", certainty="moderate"),
    rec("OLD", body="AASM (superseded by 2024 guideline)", year=2012, pmid=None,
        doi="10.5665/sleep.1988", guideline_title="RLS update 2012"),
    rec("R2"),
    rec("USPSTF-45", body="U.S. Preventive Services Task Force (USPSTF)", pmid=None,
        guideline_title="Colorectal Cancer: Screening", year=2021,
        statement="The USPSTF recommends screening in adults aged 45 to 49 years.",
        strength="Grade B",
        key_points=("The USPSTF concludes with high certainty that screening in adults aged "
                    "50 to 75 years has substantial net benefit. The USPSTF concludes with "
                    "moderate certainty that screening in adults aged 45 to 49 years has "
                    "moderate net benefit.",)),
    rec("USPSTF-2016", body="U.S. Preventive Services Task Force (USPSTF)", pmid=None,
        guideline_title="Colorectal Cancer: Screening", year=2016),
]  # fmt: skip
STUDY = Document(
    "pmid:5",
    "5",
    "pubmed",
    title="Oral iron trial",
    abstract=(AbstractSection("Iron helped."),),
    pmid="5",
    journal="Sleep Med",
    year=2009,
    authors=("Wang J",),
    volume="10",
    issue="9",
    pages="973-5",
)
GUIDELINE_DOC = Document(
    "pmid:39324694",
    "39324694",
    "pubmed",
    kind="guideline",
    title="Treatment of RLS",
    pmid="39324694",
    journal="J Clin Sleep Med",
    authors=("Winkelman JW",),
    volume="21",
    issue="1",
    pages="137-152",
)


def brief() -> Brief:
    """As compose() numbers it: each recommendation its own reference 1..5, the study 6."""
    guidelines = tuple(
        GuidelineItem(n, r.body, r.year, r.statement, r.strength, r.certainty)
        for n, r in enumerate(RECS, 1)
    )
    refs = (
        *(
            Reference(n, "guideline", r.id, r.guideline_title, year=r.year, pmid=r.pmid,
                      doi=r.doi, body=r.body, population=f"population {n}")
            for n, r in enumerate(RECS, 1)
        ),
        Reference(6, "study", "pmid:5", "Oral iron trial", journal="Sleep Med", pmid="5"),
    )  # fmt: skip
    tally = Bullet("1 study [6] and guidelines [1, 3] agree.", (1, 3, 6), kind="summary")
    finding = Bullet("Iron helped [6].", (6,), (Citation(6, "Iron helped.", 0.9),))
    return Brief(
        "q",
        Reading("q", "q"),
        bottom_line=BottomLine("Yes [1, 3, 6].", refs=(1, 3, 6), citations=(Citation(6, "x"),)),
        guidelines=guidelines,
        research=(Facet("Iron", ("iron",), "evidence", (tally, finding)),),
        key_findings=(Bullet("AASM: statement.", (3,)),),
        references=refs,
    )


def finished() -> Brief:
    items = {r.id: r for r in RECS} | {STUDY.id: STUDY}
    lookup = {"pmid:39324694": GUIDELINE_DOC}
    return finish_references(brief(), items, lookup.get)


def test_one_reference_per_guideline_document_and_superseded_last() -> None:
    out = finished()
    guidelines = [r for r in out.references if r.kind == "guideline"]
    assert [(r.n, r.id, r.recommendations, r.superseded) for r in guidelines] == [
        (1, "R1", ("R1", "R2"), False),
        (2, "USPSTF-45", ("USPSTF-45",), False),
        (3, "USPSTF-2016", ("USPSTF-2016",), False),
        (4, "OLD", ("OLD",), True),
    ]
    # two documents with one title are told apart by their year
    assert [r.title for r in guidelines[1:3]] == [
        "Colorectal Cancer: Screening (2021)",
        "Colorectal Cancer: Screening (2016)",
    ]
    # a merged reference names no single recommendation's population
    assert guidelines[0].population is None and guidelines[1].population == "population 4"
    assert [(g.ref, g.item_id) for g in out.guidelines] == [
        (1, "R1"),
        (1, "R2"),
        (2, "USPSTF-45"),
        (3, "USPSTF-2016"),
        (4, "OLD"),
    ]


def test_every_number_in_the_brief_follows() -> None:
    out = finished()
    study = out.references[-1]
    assert (study.n, study.id) == (5, "pmid:5")
    tally, finding = out.research[0].bullets
    assert (tally.text, tally.refs) == ("1 study [5] and guidelines [1] agree.", (1, 5))
    # a source's own sentence is never rewritten, even if it has brackets
    assert (finding.text, finding.refs, finding.citations[0].n) == ("Iron helped [6].", (5,), 5)
    assert out.key_findings[0].refs == (1,)
    assert out.bottom_line is not None
    assert (out.bottom_line.text, out.bottom_line.refs) == ("Yes [1, 5].", (1, 5))
    assert out.bottom_line.citations[0].n == 5


def test_references_are_completed_for_citing() -> None:
    out = finished()
    aasm, study = out.references[0], out.references[-1]
    assert (aasm.journal, aasm.authors, aasm.volume, aasm.issue, aasm.pages) == (
        "J Clin Sleep Med", ("Winkelman JW",), "21", "1", "137-152",
    )  # fmt: skip
    assert (study.authors, study.volume, study.issue, study.pages) == (
        ("Wang J",), "10", "9", "973-5",
    )  # fmt: skip


def test_certainty_from_the_sources_own_sentence() -> None:
    out = finished()
    uspstf = next(g for g in out.guidelines if g.item_id == "USPSTF-45")
    assert uspstf.certainty == "moderate certainty"
    assert uspstf.certainty_quote == (
        "The USPSTF concludes with moderate certainty that screening in adults aged 45 to 49 "
        "years has moderate net benefit."
    )
    # a stored certainty is left as it is
    assert next(g for g in out.guidelines if g.item_id == "R1").certainty == "moderate"
    assert next(g for g in out.guidelines if g.item_id == "R1").certainty_quote is None


def test_no_certainty_when_the_text_does_not_single_one_out() -> None:
    two = rec("X", statement="Screening is recommended.", key_points=(
        "The USPSTF concludes with high certainty that screening has substantial benefit. "
        "The USPSTF concludes with moderate certainty that screening has moderate benefit.",
    ))  # fmt: skip
    assert certainty_in_text(two) is None
    assert certainty_in_text(rec("Y")) is None


def test_no_certainty_from_a_sentence_about_other_ages() -> None:
    # USPSTF breast cancer screening (2024): the only certainty stated is for
    # ages 40 to 74; the Grade I statement on 75 and older states none
    older = rec(
        "I",
        statement="The USPSTF concludes that the current evidence is insufficient to assess the "
        "balance of benefits and harms of screening mammography in women 75 years or older.",
        key_points=(
            "The USPSTF concludes with moderate certainty that biennial screening mammography in "
            "women aged 40 to 74 years has a moderate net benefit.",
        ),
    )
    assert certainty_in_text(older) is None
    younger = replace(
        older,
        statement="The USPSTF recommends biennial screening mammography for women aged 40 to 74.",
    )
    assert certainty_in_text(younger) == (
        "moderate certainty",
        "The USPSTF concludes with moderate certainty that biennial screening mammography in "
        "women aged 40 to 74 years has a moderate net benefit.",
    )


def test_document_key() -> None:
    assert document_key(RECS[0]) == "pmid:39324694"
    assert document_key(RECS[1]) == "doi:10.5665/sleep.1988"
    assert document_key(RECS[3]) == (
        "title:u.s. preventive services task force (uspstf)|colorectal cancer: screening|2021"
    )


def test_an_abstaining_brief_is_left_alone() -> None:
    empty = Brief("q", Reading("q", "q"), abstained=True)
    assert finish_references(empty, {}) is empty
