"""The language-model writer on the page: the extractive brief at once, the
model's raw text as it streams (marked unchecked), then only what was checked."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from api_support import running
from fake_engine import FakeEngine, inline_corpus
from medbrief.interfaces.api import create_app
from medbrief.types import Brief, Bullet, Filters, WriterInfo
from medbrief.write import WriterEvent

pytestmark = pytest.mark.browser

QUESTION = "oral iron and restless legs syndrome"
KEPT = (Bullet("The first guideline recommends oral iron [1].", (1,), (), "summary"),)
NOTE = "The language model's text for the sub-topic was not used (it was too slow)."


class WritingEngine:
    """The fake engine, followed by a scripted writer that waits for the page."""

    def __init__(self, base: FakeEngine) -> None:
        self.base = base
        self.settings = base.settings
        self.drafted = threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)

    def answer(
        self,
        question: str,
        *,
        filters: Filters | None = None,
        live: bool = False,
        on_stage: Callable[[str, Any], None] | None = None,
    ) -> Brief:
        emit = on_stage or (lambda name, value: None)
        brief = self.base.answer(
            question, filters=filters, on_stage=lambda n, v: n != "brief" and emit(n, v)
        )
        emit("extractive", brief)
        for piece in ("The first guide", "line recommends ", "oral iron [1]."):
            emit("writer", WriterEvent("guidelines", "guidelines", delta=piece))
        self.drafted.wait(20)  # the test has seen the unchecked draft
        emit("writer", WriterEvent("guidelines", "guidelines", done=True, sentences=KEPT))
        facet = brief.research[0].facet
        emit("writer", WriterEvent("research:0", facet, done=True, fell_back=True, note=NOTE))
        final = replace(
            brief,
            guidelines_synthesis=KEPT,
            notes=(*brief.notes, NOTE),
            writer=WriterInfo("tiny-model", "127.0.0.1", ("guidelines",), (facet,), 2, 1),
        )
        emit("brief", final)
        return final


@pytest.fixture(scope="module")
def writing() -> Iterator[tuple[str, WritingEngine]]:
    engine = WritingEngine(FakeEngine(*inline_corpus()))
    with running(create_app(engine)) as url:  # type: ignore[arg-type]
        yield url, engine


def test_the_models_prose_streams_in_then_only_what_was_checked_stays(
    page: Any, writing: tuple[str, WritingEngine]
) -> None:
    url, engine = writing
    page.goto(url + "/")
    page.fill("#question", QUESTION)
    page.click("#ask-button")
    # the extractive brief is on the page before the model has finished
    draft = page.wait_for_selector(".llm-draft", timeout=30_000)
    assert "not yet checked" in draft.inner_text()
    # the draft grows piece by piece as the deltas arrive
    page.wait_for_function(
        "() => document.querySelector('.llm-draft').innerText"
        ".includes('The first guideline recommends oral iron')",
        timeout=30_000,
    )
    assert page.locator("li.guideline").count() >= 1
    engine.drafted.set()
    page.wait_for_function("() => !document.getElementById('ask-button').disabled")
    summary = page.locator("[data-llm-section=guidelines] .llm-summary")
    assert "written by tiny-model" in summary.inner_text()
    assert summary.inner_text().endswith("The first guideline recommends oral iron [1].")
    assert summary.locator("a.llm-cite").get_attribute("href") == "#ref-1"
    assert page.locator(".llm-draft").count() == 0
    # the section whose prose failed keeps its own text, with the note
    assert page.locator("#brief-body").inner_text().count(NOTE) >= 1
    assert page.locator("[data-llm-section='research:0']").count() == 0 or NOTE in (
        page.locator("[data-llm-section='research:0']").inner_text()
    )
