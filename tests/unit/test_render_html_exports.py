"""The reference exports of the page and the print view: RIS and BibTeX."""

from __future__ import annotations

from medbrief.render.bibtex import render_bibtex, tex_escape
from medbrief.render.ris import render_ris
from medbrief.types import Reference

STUDY = Reference(
    n=2,
    kind="study",
    id="pmid:19230757",
    title="Oral iron for restless legs:\na randomised trial",
    journal="Sleep Medicine",
    year=2009,
    pmid="19230757",
    doi="10.1016/j.sleep.2008.09.007",
    design="rct",
    sample_size=18,
)
GUIDELINE = Reference(
    n=1,
    kind="guideline",
    id="AASM2024-R-FCM",
    title="Treatment of restless legs syndrome",
    year=2024,
    body="American Academy of Sleep Medicine (AASM)",
    url="https://jcsm.aasm.org/doi/10.5664/jcsm.11390",
    design="guideline",
)


def test_ris_records() -> None:
    assert render_ris([GUIDELINE, STUDY]) == "\r\n".join(
        [
            "TY  - GEN",
            "AU  - American Academy of Sleep Medicine (AASM)",
            "TI  - Treatment of restless legs syndrome",
            "PY  - 2024",
            "UR  - https://jcsm.aasm.org/doi/10.5664/jcsm.11390",
            "N1  - Study design: guideline",
            "ER  - ",
            "",
            "TY  - JOUR",
            "TI  - Oral iron for restless legs: a randomised trial",
            "T2  - Sleep Medicine",
            "PY  - 2009",
            "DO  - 10.1016/j.sleep.2008.09.007",
            "AN  - 19230757",
            "DB  - PubMed",
            "UR  - https://pubmed.ncbi.nlm.nih.gov/19230757/",
            "N1  - Study design: randomised controlled trial; sample size: 18",
            "ER  - ",
            "",
        ]
    )


def test_ris_never_lets_a_value_start_a_new_tag() -> None:
    sneaky = Reference(1, "study", "x", "Title\r\nER  - \nTY  - JOUR", retracted=True)
    lines = render_ris([sneaky]).split("\r\n")
    assert lines == [
        "TY  - GEN",
        "TI  - Title ER - TY - JOUR",
        "N1  - RETRACTED",
        "ER  - ",
        "",
    ]


def test_bibtex_entries() -> None:
    assert render_bibtex([GUIDELINE, STUDY]) == (
        "@misc{ref1,\n"
        "  author = {{American Academy of Sleep Medicine (AASM)}},\n"
        "  title = {Treatment of restless legs syndrome},\n"
        "  year = {2024},\n"
        "  url = {https://jcsm.aasm.org/doi/10.5664/jcsm.11390},\n"
        "  note = {Study design: guideline},\n"
        "}\n"
        "\n"
        "@article{pmid19230757,\n"
        "  title = {Oral iron for restless legs: a randomised trial},\n"
        "  journal = {Sleep Medicine},\n"
        "  year = {2009},\n"
        "  doi = {10.1016/j.sleep.2008.09.007},\n"
        "  pmid = {19230757},\n"
        "  url = {https://pubmed.ncbi.nlm.nih.gov/19230757/},\n"
        "  note = {Study design: randomised controlled trial; sample size: 18},\n"
        "}\n"
    )


def test_bibtex_escapes_tex_and_keeps_entries_balanced() -> None:
    title = r"50% of {RLS} & #1 cost: $5_000 ~ ^x \relax }"
    entry = render_bibtex([Reference(3, "study", "x", title, doi="10.1/{a}\\b")])
    assert tex_escape(title) == (
        r"50\% of \{RLS\} \& \#1 cost: \$5\_000 \textasciitilde{} \textasciicircum{}x "
        r"\textbackslash{}relax \}"
    )
    assert "doi = {10.1/ab}," in entry
    unescaped = entry.replace("\\{", "").replace("\\}", "")
    assert unescaped.count("{") == unescaped.count("}")


def test_bibtex_keys_are_unique() -> None:
    same = [STUDY, STUDY, Reference(5, "study", "y", "t"), Reference(5, "study", "z", "t")]
    keys = [
        line.split("{")[1].rstrip(",")
        for line in render_bibtex(same).splitlines()
        if line.startswith("@")
    ]
    assert keys == ["pmid19230757", "pmid19230757-1", "ref5", "ref5-1"]
