"""Hostile text and failures in a real browser, on the fake engine (controlled data).

Titles, abstracts, journals, guideline bodies and the question itself carry
``<script>``, ``<img onerror>``, Markdown and ``javascript:`` links: all must
show as text, none may run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fake_engine import XSS_TITLE, FakeEngine
from medbrief.errors import IndexStateError

pytestmark = pytest.mark.browser

HOSTILE_QUESTION = 'iron and restless legs syndrome <img src=x onerror="window.__xss = 9">'


@pytest.fixture
def watched(page: Any) -> Iterator[Any]:
    """The page, failing the test if any script-opened dialog appears."""
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    yield page
    assert dialogs == []


def no_script_ran(page: Any) -> None:
    assert page.evaluate("window.__xss") is None
    assert page.locator("#brief img, #card img, #brief script, #card script").count() == 0
    hrefs = page.locator("a[href]").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")], hrefs


def test_hostile_source_text_renders_as_text(
    watched: Any, served_fake: str, fake: FakeEngine, shots: Path
) -> None:
    page = watched
    fake.fail = None
    page.goto(served_fake + "/")
    page.fill("#question", HOSTILE_QUESTION)
    page.click("#ask-button")
    page.wait_for_selector("ol.refs > li")
    # the brief is drawn again as its stages arrive: read it once the answer is done
    page.wait_for_function("() => !document.getElementById('ask-button').disabled")
    assert page.locator("#brief-title").inner_text() == HOSTILE_QUESTION
    titles = page.locator("ol.refs .ref-title").all_inner_texts()
    assert XSS_TITLE in titles  # every character, shown as typed
    guideline = page.locator("li.guideline").filter(has_text="Society").inner_text()
    assert "<img src=x onerror=window.__xss=7> Society" in guideline
    chips = page.locator("li.guideline").filter(has_text="Society").locator(".chip")
    assert [" ".join(c.split()) for c in chips.all_inner_texts()] == [
        "Strength: **weak**",
        "Certainty: <em>low</em>",
    ]
    no_script_ran(page)
    page.screenshot(path=str(shots / "xss-brief.png"), full_page=True)

    # the hostile study's evidence card: title, journal and abstract as text
    n = next(i + 1 for i, t in enumerate(titles) if t == XSS_TITLE)
    page.locator(f"#ref-{n} .evidence-button").click()
    page.wait_for_selector("#card-body .abstract")
    assert page.locator("#card-title").inner_text() == f"[{n}] {XSS_TITLE}"
    assert "<i>Journal</i> of *Markdown*" in page.locator("#card-meta").inner_text()
    abstract = page.locator("#card-body .abstract").inner_text()
    assert "<b>Iron</b> <script>window.__xss = 4</script> improved" in abstract
    assert "Retracted" in page.locator("#card-body .warning").first.inner_text()
    no_script_ran(page)
    page.screenshot(path=str(shots / "xss-card.png"))


def test_server_errors_are_shown_not_thrown(
    watched: Any, served_fake: str, fake: FakeEngine
) -> None:
    page = watched
    page.goto(served_fake + "/")
    page.fill("#question", "   ")
    page.click("#ask-button")
    assert page.locator("#error").inner_text() == "Type a question first."
    fake.fail = IndexStateError("the index is being rebuilt; try again in a minute")
    try:
        page.fill("#question", "iron and restless legs syndrome")
        page.keyboard.press("Enter")
        page.wait_for_selector("#error:not([hidden])")
        page.wait_for_function("() => !document.getElementById('ask-button').disabled")
        assert page.locator("#error").inner_text() == (
            "the index is being rebuilt; try again in a minute"
        )
        assert page.locator("#brief").is_hidden()
    finally:
        fake.fail = None
    page.keyboard.press("Enter")  # the same question again, now that the engine works
    page.wait_for_selector("ol.refs > li")
    assert page.locator("#error").is_hidden()


def test_over_long_question_gets_the_servers_message(watched: Any, served_fake: str) -> None:
    page = watched
    page.goto(served_fake + "/")
    page.wait_for_function("() => document.getElementById('question').maxLength === 2000")
    # typing stops at maxlength; a pasted-in value set by script reaches the server
    page.evaluate("document.getElementById('question').value = 'iron '.repeat(500)")
    page.click("#ask-button")
    page.wait_for_selector("#error:not([hidden])")
    assert "at most 2000 characters" in page.locator("#error").inner_text()
