"""The page in a real browser: ask, read, open evidence, export, on a desktop,
on a phone and with the keyboard only. Runs on the real engine once the
pipeline exists (the fake over the RLS records before that)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from api_support import RLS_QUESTION

pytestmark = pytest.mark.browser

#: the answer first (the bottom line once the pipeline writes one, else Key Findings)
ANSWER = ("Bottom line", "Key Findings")
SECTIONS = ["From the Guidelines", "From the Research"]


def ask(page: Any, base: str, question: str = RLS_QUESTION) -> None:
    page.goto(base + "/")
    page.fill("#question", question)
    page.click("#ask-button")
    page.wait_for_selector("#brief:not([hidden]) #brief-body section", timeout=60_000)
    page.wait_for_function("() => !document.getElementById('ask-button').disabled")


def headings(page: Any) -> list[str]:
    return [h.strip() for h in page.locator("#brief-body h3").all_inner_texts()]


def finding_citation(page: Any) -> Any:
    """The first citation button of a research finding (it carries a source sentence)."""
    return page.locator(".facet li:not(.summary) button.cite").first


def test_ask_and_read_the_brief(page: Any, served: str, shots: Path) -> None:
    ask(page, served)
    assert page.locator("#brief-title").inner_text() == RLS_QUESTION
    shown = headings(page)
    assert shown[0] in ANSWER and shown[1:3] == SECTIONS and shown[-1] == "References"
    reading = page.locator("#reading-summary").inner_text()
    assert "drain" in reading and "brain" in reading  # the correction is shown, in one line
    page.click("#reading summary")
    assert "Searched for" in page.locator("#reading-body").inner_text()
    assert page.locator("li.guideline").count() >= 1
    assert "As graded by the source" in page.locator("li.guideline").first.inner_text()
    assert page.locator(".facet .badge").count() >= 1
    refs = page.locator("ol.refs > li")
    assert refs.count() >= 2
    assert page.locator("#status").inner_text().startswith("Brief ready")
    assert "?q=" in page.url  # the question is in the address, for sharing and reloading
    assert page.locator("#provenance").inner_text().startswith("Generated")
    page.screenshot(path=str(shots / "brief-desktop.png"), full_page=True)


def test_citation_opens_the_evidence_card(page: Any, served: str, shots: Path) -> None:
    ask(page, served)
    cite = finding_citation(page)
    n = cite.inner_text()
    cite.click()
    card = page.locator("dialog#card")
    assert card.is_visible()
    assert page.locator("#card-title").inner_text().startswith(f"[{n}] ")
    meta = page.locator("#card-meta").inner_text()
    assert re.search(r"\b(19|20)\d\d\b", meta), meta  # design, size, year, journal
    page.wait_for_selector("#card-body .abstract, #card-body .note")
    support = page.locator("#card-body blockquote.support").inner_text()
    mark = page.locator("#card-body .abstract mark")
    assert mark.count() == 1
    marked, quoted = " ".join(mark.inner_text().split()), " ".join(support.split())
    # the whole quoted sentence, or all of it but a leading section heading
    assert marked == quoted or (quoted.endswith(marked) and ": " in quoted[: -len(marked)])
    links = page.locator("#card-body .card-links a").evaluate_all("els => els.map(e => e.href)")
    assert links and all(
        h.startswith(
            ("https://pubmed.ncbi.nlm.nih.gov/", "https://doi.org/", "https://", "http://")
        )
        for h in links
    )
    page.screenshot(path=str(shots / "evidence-card.png"))
    page.keyboard.press("Escape")
    assert not card.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('cite')")


def test_bottom_line_comes_first_and_its_markers_show_why(page: Any, served: str) -> None:
    ask(page, served)
    assert page.locator("#brief-body .bottom-line").inner_text().strip()
    cite = page.locator("#brief-body .bottom-line button.cite").first
    cite.click()
    assert page.locator("dialog#card").is_visible()
    # the sentence the source was counted on is quoted on its card
    assert page.locator("#card-body blockquote.support").inner_text().strip()


def test_exports_download_the_brief_and_its_references(page: Any, served: str, shots: Path) -> None:
    ask(page, served)
    brief_refs = page.locator("ol.refs > li").count()
    files: dict[str, str] = {}
    for fmt in ("markdown", "json", "ris", "bibtex", "csl"):
        with page.expect_download() as info:
            page.click(f"#export-{fmt}")
        download = info.value
        assert download.suggested_filename.startswith("medbrief-iron-blood-drain-barrier")
        files[fmt] = Path(download.path()).read_text(encoding="utf-8")
    assert files["markdown"].startswith("# ")
    assert "From the Guidelines" in files["markdown"]
    exported = json.loads(files["json"])
    assert exported["question"] == RLS_QUESTION
    assert len(exported["references"]) == brief_refs
    assert files["ris"].count("ER  - ") == brief_refs
    assert files["bibtex"].count("\n@") == brief_refs  # after the provenance comment lines
    assert len(json.loads(files["csl"])) == brief_refs
    # every export says what produced it
    version = exported["provenance"]["version"]
    generated = exported["provenance"]["generated"]
    for fmt in ("markdown", "ris", "bibtex", "csl"):
        assert version in files[fmt] and generated in files[fmt], fmt
    with page.expect_popup() as popup:
        page.click("#export-html")
    printable = popup.value
    printable.wait_for_load_state()
    assert printable.locator("h1").inner_text() == f"Evidence brief: {RLS_QUESTION}"
    printable.emulate_media(media="print")
    printable.screenshot(path=str(shots / "print-view.png"), full_page=True)


def test_print_stylesheet_keeps_only_the_brief(page: Any, served: str, shots: Path) -> None:
    ask(page, served)
    page.emulate_media(media="print")
    assert not page.locator("#ask-form").is_visible()
    assert not page.locator(".exports").is_visible()
    assert page.locator("#brief-body").is_visible()
    page.screenshot(path=str(shots / "brief-print-media.png"), full_page=True)


def test_readable_on_a_phone(phone: Any, served: str, shots: Path) -> None:
    phone.goto(served + "/")
    box = phone.locator("#ask-button").bounding_box()
    assert box["width"] > 300  # full-width button under the question on a phone
    ask(phone, served)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways: {width}px wide"
    phone.screenshot(path=str(shots / "brief-phone.png"), full_page=True)
    finding_citation(phone).click()
    card = phone.locator("dialog#card").bounding_box()
    assert card["x"] >= 0 and card["x"] + card["width"] <= 375
    phone.wait_for_selector("#card-body .abstract, #card-body .note")
    phone.screenshot(path=str(shots / "evidence-card-phone.png"))


def test_keyboard_only(page: Any, served: str, shots: Path) -> None:
    page.goto(served + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "question"
    page.keyboard.type(RLS_QUESTION)
    page.keyboard.press("Enter")  # Enter asks; Shift+Enter would start a new line
    page.wait_for_selector("#brief-body section", timeout=60_000)
    page.wait_for_function("() => document.activeElement.id === 'brief-title'")
    for _ in range(300):  # tab forward to the first citation of a research finding
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.facet li:not(.summary) button.cite')"):
            break
    else:
        pytest.fail("no citation reachable with Tab")
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert label.startswith("Source ")
    page.keyboard.press("Enter")
    assert page.locator("dialog#card").is_visible()
    assert page.evaluate("document.getElementById('card').contains(document.activeElement)")
    page.screenshot(path=str(shots / "keyboard-card.png"))
    page.keyboard.press("Escape")
    assert not page.locator("dialog#card").is_visible()
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == label


def test_filters_reach_the_brief(page: Any, served: str) -> None:
    page.goto(served + "/")
    page.click("#filters summary")
    page.fill("#year-min", "2015")
    page.uncheck("#kind-guidelines")
    page.fill("#question", RLS_QUESTION)
    page.keyboard.press("Enter")
    page.wait_for_selector("#brief-body section", timeout=60_000)
    assert page.locator("li.guideline").count() == 0
    href = page.get_attribute("#export-json", "href")
    assert "year_min=2015" in href and "kinds=research" in href
    # the shareable address carries the filters: opened again, it asks the same
    assert "year_min=2015" in page.url and "kinds=research" in page.url
    page.goto(page.url)
    page.wait_for_selector("#brief-body section", timeout=60_000)
    assert page.input_value("#year-min") == "2015"
    assert not page.is_checked("#kind-guidelines") and page.is_checked("#kind-research")
    assert page.locator("li.guideline").count() == 0
    brief = page.evaluate("async (u) => (await fetch(u)).json()", href)
    assert brief["guidelines"] == []
    assert all(r["year"] is None or r["year"] >= 2015 for r in brief["references"])
