"""The page a clinician uses every day, at desktop and phone sizes: the answer
on the first screen, every [n] backed by its sentence, grades explained, dark
mode, tap targets, no accessibility violations (axe-core), copying and
exporting citations that reference managers read back.

Most tests run on a brief built by hand (tests/fake_engine.py
``constructed_brief``: a bottom line, tallies whose studies are cited only by
number, four grading systems, a truncated statement, a superseded guideline);
the first-screen, axe and export tests also run on the real engine.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import pytest

from api_support import RLS_QUESTION
from fake_engine import constructed_brief

pytestmark = pytest.mark.browser

QUESTION = "iron and restless legs syndrome"
MIN_TAP = {"desktop": 24, "phone": 44}


def ask(page: Any, base: str, question: str = QUESTION) -> None:
    page.goto(base + "/")
    page.fill("#question", question)
    page.click("#ask-button")
    page.wait_for_selector("#brief:not([hidden]) #brief-body section", timeout=60_000)
    page.wait_for_function("() => !document.getElementById('ask-button').disabled")
    page.evaluate("window.scrollTo(0, 0)")


def in_first_screen(page: Any, selector: str) -> bool:
    """The element's heading and first line are on the first screen, unscrolled."""
    top = page.evaluate(
        "(s) => document.querySelector(s).getBoundingClientRect().top + window.scrollY", selector
    )
    return bool(top + 80 <= page.viewport_size["height"])


def axe_violations(page: Any) -> list[dict[str, Any]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations: list[dict[str, Any]] = results.response["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in violations
    )


# ------------------------------------------------------------ the answer


def test_the_answer_is_on_the_first_screen(sized: Any, served: str, shots: Path) -> None:
    """The real engine, the RLS question: the bottom line or Key Findings
    starts on the first screen, and the menu leads to every section."""
    ask(sized, served, RLS_QUESTION)
    answer = "#sec-bottom-line, #sec-key-findings"
    first = sized.locator("#brief-body > section").first.get_attribute("id")
    assert first in ("sec-bottom-line", "sec-key-findings")
    assert in_first_screen(sized, f"#{first}")
    links = sized.locator("#toc a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert links[0] == f"#{first}" and "#sec-references" in links
    assert sized.locator(answer).first.is_visible()
    sized.screenshot(path=str(shots / f"answer-{sized.size}.png"))


def test_the_bottom_line_comes_first(sized: Any, served_constructed: str, shots: Path) -> None:
    ask(sized, served_constructed)
    ids = sized.locator("#brief-body > section").evaluate_all("els => els.map(e => e.id)")
    assert ids == [
        "sec-bottom-line",
        "sec-guidelines",
        "sec-research",
        "sec-key-findings",
        "sec-references",
    ]
    assert in_first_screen(sized, "#sec-bottom-line")
    text = sized.locator("#sec-bottom-line").inner_text()
    assert "the trials disagree" in text and "Evidence says: mixed" in text
    assert sized.locator("#toc a").first.inner_text() == "Bottom line"
    sized.screenshot(path=str(shots / f"bottom-line-{sized.size}.png"))


def test_key_findings_come_first_without_a_bottom_line(page: Any, served_constructed: str) -> None:
    ask(page, served_constructed, f"{QUESTION} without bottom line")
    first = page.locator("#brief-body > section").first
    assert first.get_attribute("id") == "sec-key-findings"
    assert in_first_screen(page, "#sec-key-findings")


def test_every_citation_shows_its_supporting_sentence(sized: Any, served_constructed: str) -> None:
    """Tallies included: [4] and [5] in "1 study reports a benefit [4]; 1 study
    reports no benefit [5]" show the sentence each study was counted on."""
    ask(sized, served_constructed)
    brief = constructed_brief(QUESTION)
    statements = {
        g.ref: g.statement.replace(" [stored copy truncated here]", "") for g in brief.guidelines
    }
    sentences = {r.n: r.stance.sentence for r in brief.references if r.stance}
    buttons = sized.locator("#brief-body button.cite")
    assert buttons.count() >= 12
    for i in range(buttons.count()):
        button = buttons.nth(i)
        n = int(button.inner_text())
        button.click()
        support = sized.locator("#card-body blockquote.support")
        support.wait_for()
        quoted = " ".join(support.inner_text().split())
        expected = sentences.get(n) or statements[n]
        assert quoted.startswith(expected[:40]), (n, quoted)
        sized.keyboard.press("Escape")
        assert not sized.locator("dialog#card").is_visible()


# ------------------------------------------------------------ grades


def test_grades_are_chips_with_a_legend(page: Any, served_constructed: str, shots: Path) -> None:
    ask(page, served_constructed)
    chips = page.locator("#sec-guidelines .chip").all_inner_texts()
    labels = [re.sub(r"^(Strength|Certainty):\s*", "", c) for c in chips]
    assert labels[:2] == ["Grade B", "moderate certainty"]
    assert "Good practice statement" in labels and "OPTION" in labels
    # a curator's bracketed remark is a note beside the grade, never the grade
    notes = page.locator("#sec-guidelines .chip-note").all_inner_texts()
    assert "(curator's note: lowest of STANDARD/GUIDELINE/OPTION)" in notes
    page.click("#grade-legend summary")
    legend = page.locator("#grade-legend").inner_text()
    for system in ("USPSTF grades", "GRADE", "AASM levels of recommendation"):
        assert system in legend
    assert "Recommended: high certainty that the net benefit is moderate" in legend
    # the curator's cut mark is not quoted as the guideline's words
    text = page.locator("#brief-body").inner_text()
    assert "[stored copy truncated here]" not in text
    assert "The stored copy of this statement ends here" in text
    # one card per guideline document; the superseded one marked and last
    cards = page.locator("li.guideline")
    assert cards.count() == 3
    assert "Superseded" in cards.nth(2).inner_text()
    assert "Superseded" not in cards.nth(0).inner_text() + cards.nth(1).inner_text()
    page.locator("#sec-guidelines").screenshot(path=str(shots / "guideline-grades.png"))


def test_a_curation_note_is_not_shown_as_content(page: Any, served_constructed: str) -> None:
    ask(page, served_constructed)
    page.click("#ref-4 .evidence-button")
    page.wait_for_selector("#card-body .abstract")
    note = page.locator("#card-body details.curation")
    assert note.count() == 1 and not note.locator("p").is_visible()
    assert "curator" not in page.locator("#card-body .abstract").inner_text()


# --------------------------------------------------- look, size and reach


def test_dark_mode_follows_the_system(open_page: Any, served_constructed: str, shots: Path) -> None:
    for size in ("desktop", "phone"):
        page = open_page(size, color_scheme="dark")
        ask(page, served_constructed)
        colours = page.evaluate(
            "() => [getComputedStyle(document.body).backgroundColor,"
            " getComputedStyle(document.body).color]"
        )
        background, ink = ([int(x) for x in re.findall(r"\d+", c)[:3]] for c in colours)
        assert sum(background) < 3 * 60 and sum(ink) > 3 * 180, colours
        violations = axe_violations(page)
        assert violations == [], describe(violations)
        page.screenshot(path=str(shots / f"dark-{size}.png"))


def test_tap_targets(sized: Any, served_constructed: str) -> None:
    """WCAG 2.2 target size (2.5.8): 24 x 24 px; 44 x 44 on a phone."""
    ask(sized, served_constructed)
    least = MIN_TAP[sized.size]
    selector = "#brief button, #toc a, #sec-export .action, #ask-button, #filters summary"
    small = sized.locator(selector).evaluate_all(
        """(els, least) => els.filter(e => e.getClientRects().length).map(e => {
             const r = e.getBoundingClientRect();
             const name = e.id || e.className || e.textContent.trim();
             return [name, Math.round(r.width), Math.round(r.height)];
           }).filter(([, w, h]) => w < least || h < least)""",
        least,
    )
    assert small == [], small


def test_no_accessibility_violations(sized: Any, served: str, served_constructed: str) -> None:
    for base, question in ((served_constructed, QUESTION), (served, RLS_QUESTION)):
        ask(sized, base, question)
        violations = axe_violations(sized)
        assert violations == [], describe(violations)
    sized.locator("#brief-body button.cite").first.click()
    sized.wait_for_selector("#card-body .abstract, #card-body .note, #card-body blockquote")
    violations = axe_violations(sized)
    assert violations == [], describe(violations)


# --------------------------------------------------- abstention, progress


def test_abstention_offers_ways_on(page: Any, served_constructed: str, shots: Path) -> None:
    ask(page, served_constructed, "nothing on iron and restless legs syndrome")
    text = page.locator("#brief").inner_text()
    assert text.count("No relevant evidence found") == 1
    link = page.locator("#sec-bottom-line a", has_text="Search PubMed").get_attribute("href")
    assert link.startswith("https://pubmed.ncbi.nlm.nih.gov/?term=")
    assert "--live" in text and "medbrief ingest pubmed" in text
    page.wait_for_selector("#related li")
    related = page.locator("#related a").first
    assert related.get_attribute("href").startswith("/?q=")
    assert page.locator("#sec-export").is_hidden()  # nothing to export
    assert page.locator("#toc a").count() == 0
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    page.screenshot(path=str(shots / "abstention.png"), full_page=True)


# --------------------------------------------------- copying and exporting


def test_copy_a_citation_and_the_brief(open_page: Any, served_constructed: str) -> None:
    page = open_page(permissions=["clipboard-read", "clipboard-write"])
    ask(page, served_constructed)
    clipboard = "() => navigator.clipboard.readText()"
    page.click("#ref-4 .copy-citation")
    assert page.evaluate(clipboard) == (
        "Wang J, O'Reilly B. Oral iron for restless legs syndrome: a randomized trial. "
        "Sleep Medicine. 2009;10(9):973-5. PMID: 2001."
    )
    page.select_option("#citation-style", "ama")
    page.click("#ref-4 .copy-citation")
    assert page.evaluate(clipboard) == (
        "Wang J, O'Reilly B. Oral iron for restless legs syndrome: a randomized trial. "
        "Sleep Medicine. 2009;10(9):973-5. https://pubmed.ncbi.nlm.nih.gov/2001/"
    )
    page.click("#copy-markdown")
    page.wait_for_function(
        "() => document.getElementById('status').textContent.startsWith('The brief')"
    )
    markdown = page.evaluate(clipboard)
    assert markdown.startswith(f"# Evidence brief: {QUESTION}\n\n## Bottom line\n")
    assert "## Provenance" in markdown


def test_exports_read_back_with_their_authors(page: Any, served_constructed: str) -> None:
    """RIS, BibTeX and CSL-JSON as downloaded, parsed by reference-manager libraries."""
    import rispy
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON
    from pybtex.database import parse_string

    ask(page, served_constructed)
    files = {}
    for fmt in ("ris", "bibtex", "csl"):
        with page.expect_download() as info:
            page.click(f"#export-{fmt}")
        files[fmt] = Path(info.value.path()).read_text(encoding="utf-8")

    ris = rispy.loads(files["ris"])
    assert [r.get("authors") for r in ris] == [
        ["U.S. Preventive Services Task Force (USPSTF)"],
        ["Winkelman, J.W.", "Berkowski, J.A."],
        ["American Academy of Sleep Medicine (AASM) (superseded by 2024 guideline)"],
        ["Wang, J.", "O'Reilly, B."],
        ["Davis, B.J.", "Rajput, A."],
    ]
    assert (ris[3]["volume"], ris[3]["number"], ris[3]["start_page"], ris[3]["end_page"]) == (
        "10", "9", "973", "975",
    )  # fmt: skip

    bib = parse_string(files["bibtex"], "bibtex")
    assert list(bib.entries) == ["ref1", "pmid39324694", "ref3", "pmid2001", "pmid2002"]
    study = bib.entries["pmid2001"]
    assert [str(p) for p in study.persons["author"]] == ["Wang, J.", "O'Reilly, B."]
    assert (study.fields["volume"], study.fields["number"], study.fields["pages"]) == (
        "10", "9", "973--5",
    )  # fmt: skip

    items = json.loads(files["csl"])
    assert items[3]["author"] == [
        {"family": "Wang", "given": "J"},
        {"family": "O'Reilly", "given": "B"},
    ]
    assert items[3]["custom"]["medbrief"]["version"]
    with warnings.catch_warnings():
        # citeproc-py predates CSL 1.0.2's "custom" field (where the provenance goes)
        warnings.filterwarnings("ignore", message=".*unsupported: custom", category=UserWarning)
        source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(x) for x in bibliography.bibliography()]
    assert any(line.startswith("Wang, J. and O'Reilly, B. (2009)") for line in rendered), rendered


def test_a_key_finding_opens_the_recommendation_it_quotes(page: Any, served: str) -> None:
    """Six AASM recommendations share reference [1]: the [1] after a Key Finding
    shows the one that finding repeats, not the document's first."""
    ask(page, served, RLS_QUESTION)
    findings = page.locator("#sec-key-findings li").filter(has_text="(2024)")
    assert findings.count() >= 2
    for i in range(findings.count()):
        finding = findings.nth(i)
        text = " ".join(finding.inner_text().split())
        finding.locator("button.cite").first.click()
        support = page.locator("#card-body blockquote.support")
        support.wait_for()
        quoted = " ".join(support.inner_text().split())
        assert quoted[:50] in text, (quoted, text)
        page.wait_for_selector("#card-body dl.facts-list")
        page.keyboard.press("Escape")
