"""Where the answer starts on the page, and how long a fresh install's first answer takes.

Serves the page on the real engine (a fresh, empty home: the first answer
loads the starter corpus), asks a question in Chromium at desktop (1280x900)
and phone (375x812) sizes, and prints for each: how many screens down the
answer starts (the bottom line, else Key Findings; 0 = on the first screen)
and how many Tab presses from the top of the page reach it. With --first-run
it also times the first answer from an empty home and lists the progress
messages the page showed while it waited.

    python bench/page.py                      # this checkout's page
    python bench/page.py --static DIR         # another copy of the page's files
    python bench/page.py --first-run

Needs Debian's Chromium (scripts/install-browser.sh). Timings depend on the
machine's load: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

RLS_QUESTION = "iron, blood drain barrier and restless legs syndrome"
SIZES = {"desktop": (1280, 900, False), "phone": (375, 812, True)}
#: the first element of the answer: the bottom line when there is one, else the
#: Key Findings heading (old page: an h3 with that text)
ANSWER_JS = """() => {
  const found = document.querySelector('#sec-bottom-line, #sec-key-findings')
    || [...document.querySelectorAll('#brief-body h3')]
         .find(h => h.textContent.trim() === 'Key Findings');
  if (!found) return null;
  const r = found.getBoundingClientRect();
  return {top: r.top + window.scrollY, height: window.innerHeight};
}"""
#: whether focus is inside the answer
IN_ANSWER_JS = """() => {
  let box = document.querySelector('#sec-bottom-line, #sec-key-findings');
  if (box && /^H\\d$/.test(box.tagName)) box = box.parentElement;
  const a = document.activeElement;
  return !!(box && a && box.contains(a) && a !== box);
}"""
#: focusable elements with a box, in document order, before the first one in
#: the answer (counts controls inside closed <details>, which Tab skips)
TABS_JS = r"""() => {
  let box = document.querySelector('#sec-bottom-line, #sec-key-findings');
  // the old page's ids were on headings
  if (box && /^H\d$/.test(box.tagName)) box = box.parentElement;
  const sel = 'a[href], button:not([disabled]), input:not([disabled]), textarea, select,'
    + ' summary, [tabindex]';
  const stops = [...document.querySelectorAll(sel)].filter(e =>
    e.tabIndex >= 0 && e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden');
  const first = stops.findIndex(e => box && box.contains(e));
  return first < 0 ? null : first;
}"""


def measure(browser: Any, base: str, question: str, size: str) -> dict[str, Any]:
    width, height, mobile = SIZES[size]
    ctx = browser.new_context(
        viewport={"width": width, "height": height}, is_mobile=mobile, has_touch=mobile
    )
    ctx.set_default_timeout(180_000)
    page = ctx.new_page()
    page.goto(f"{base}/")
    page.fill("#question", question)
    page.click("#ask-button")
    page.wait_for_selector("#brief-body section")
    page.wait_for_function("() => !document.getElementById('ask-button').disabled")
    page.evaluate("window.scrollTo(0, 0)")
    found = page.evaluate(ANSWER_JS)
    screens = None if found is None else round(found["top"] / found["height"], 2)
    listed = page.evaluate(TABS_JS)
    # Real Tab presses from the top of the page (closed <details> skipped, as a
    # keyboard user meets them): focus a non-tabbable marker before everything.
    page.evaluate(
        """() => { const top = document.createElement('span'); top.tabIndex = -1;
                   document.body.prepend(top); top.focus(); }"""
    )
    pressed = None
    for n in range(1, 400):
        page.keyboard.press("Tab")
        if page.evaluate(IN_ANSWER_JS):
            pressed = n - 1  # stops before the first one inside the answer
            break
    ctx.close()
    return {
        "size": size,
        "answer_starts_screens_down": screens,
        "tab_presses_before": pressed,
        "focusable_before_in_dom": listed,
    }


def first_run(browser: Any, app_for: Any, question: str) -> dict[str, Any]:
    from api_support import running

    with tempfile.TemporaryDirectory() as home, running(app_for(Path(home))) as base:
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        ctx.set_default_timeout(600_000)
        page = ctx.new_page()
        page.goto(f"{base}/")
        page.evaluate(
            """() => { window.__seen = []; new MutationObserver(() => {
                 const t = document.getElementById('status').textContent;
                 if (t && window.__seen[window.__seen.length - 1]?.text !== t)
                   window.__seen.push({t: performance.now(), text: t}); })
               .observe(document.getElementById('status'),
                        {childList: true, characterData: true, subtree: true}); }"""
        )
        page.fill("#question", question)
        start = time.perf_counter()
        page.click("#ask-button")
        page.wait_for_selector("#brief-body section")
        page.wait_for_function("() => !document.getElementById('ask-button').disabled")
        seconds = time.perf_counter() - start
        seen = page.evaluate("window.__seen")
        ctx.close()
    t0 = seen[0]["t"] if seen else 0
    return {
        "first_answer_seconds": round(seconds, 1),
        "progress": [f"{(s['t'] - t0) / 1000:5.1f} s  {s['text']}" for s in seen],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--static", type=Path, help="serve the page's files from here")
    parser.add_argument("--question", default=RLS_QUESTION)
    parser.add_argument("--first-run", action="store_true")
    parser.add_argument("--home", type=Path, help="an existing home (default: a fresh one)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from api_support import running
    from medbrief.engine import Engine
    from medbrief.interfaces import api
    from medbrief.settings import get_settings

    if args.static:
        api.STATIC_DIR = args.static.resolve()

    def app_for(home: Path) -> Any:
        return api.create_app(Engine(get_settings(home=home, load_starter=True)))

    print(f"load: {os.getloadavg()}", file=sys.stderr)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
        )
        out: dict[str, Any] = {}
        if args.first_run:
            out["first_run"] = first_run(browser, app_for, args.question)
        with tempfile.TemporaryDirectory() as scratch:
            home = args.home or Path(scratch)
            with running(app_for(home)) as base:
                out["layout"] = [measure(browser, base, args.question, s) for s in SIZES]
        browser.close()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
