"""Fixtures for the browser tests: Debian's Chromium driven by Playwright, and
real servers (uvicorn on loopback) in front of the real or the fake engine.

Playwright cannot download its own browser here, so it launches the system
Chromium (scripts/install-browser.sh installs it); the tests skip with a clear
message when it is absent. Screenshots go to test-output/browser/.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api_support import ROOT, make_engine, running
from fake_engine import ConstructedEngine, FakeEngine, inline_corpus
from medbrief.interfaces.api import create_app

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "test-output" / "browser"
#: Flags for a headless browser on a machine without network or GPU: nothing
#: in the background may try to reach the internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} not found: run scripts/install-browser.sh to run the browser tests"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The page on the engine the suite is switched to (real once the pipeline exists)."""
    engine = make_engine(tmp_path_factory.mktemp("home"))
    with running(create_app(engine, warm=True)) as url:
        yield url
    close = getattr(engine, "close", None)
    if close is not None:
        close()


@pytest.fixture(scope="session")
def fake() -> FakeEngine:
    """A fake engine over inline records with hostile titles, for controlled tests."""
    return FakeEngine(*inline_corpus())


@pytest.fixture(scope="session")
def served_fake(fake: FakeEngine) -> Iterator[str]:
    with running(create_app(fake)) as url:
        yield url


@pytest.fixture(scope="session")
def served_constructed() -> Iterator[str]:
    """The page over a brief built by hand: bottom line, tallies, every grading system."""
    with running(create_app(ConstructedEngine())) as url:
        yield url


DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture(params=["desktop", "phone"])
def sized(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    """The page at desktop and at phone size; ``page.size`` says which."""
    for page in _page(browser, **(DESKTOP if request.param == "desktop" else PHONE)):
        page.size = request.param
        yield page


def _page(browser: Any, **context: Any) -> Iterator[Any]:
    ctx = browser.new_context(accept_downloads=True, **context)
    ctx.set_default_timeout(60_000)  # the real engine's first answer builds its indexes
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    # Stray values stringified into the page are rendering bugs.
    text = page.evaluate("document.body.innerText") if not page.is_closed() else ""
    ctx.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"
    assert "[object " not in text and "undefined" not in text, text


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """``open_page(size, **context)``: a page in a new context (dark colour
    scheme, clipboard permissions), checked like the others when the test ends."""
    opened: list[Iterator[Any]] = []

    def make(size: str = "desktop", **context: Any) -> Any:
        pages = _page(browser, **(DESKTOP if size == "desktop" else PHONE), **context)
        page = next(pages)
        page.size = size
        opened.append(pages)
        return page

    yield make
    for pages in opened:
        with contextlib.suppress(StopIteration):
            next(pages)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    yield from _page(browser, **DESKTOP)


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    yield from _page(browser, **PHONE)
