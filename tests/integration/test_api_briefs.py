"""Briefs through the real server on the engine the suite is switched to (the
real pipeline with the starter corpus once it exists; the fake over the RLS
records before): what the page relies on must hold for real answers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from api_support import RLS_QUESTION, make_engine, running
from medbrief.interfaces.api import create_app
from medbrief.interfaces.api_schemas import BriefOut

pytestmark = pytest.mark.integration

QUESTIONS = [
    RLS_QUESTION,
    "Should adults aged 45 to 49 be screened for colorectal cancer?",
    "Does oral iron improve restless legs syndrome?",
    "intravenous iron for restless legs syndrome in dialysis patients",
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    engine = make_engine(Path(tmp_path_factory.mktemp("home")))
    with running(create_app(engine)) as url:
        yield url
    close = getattr(engine, "close", None)
    if close is not None:
        close()


@pytest.fixture(scope="module")
def briefs(base_url: str) -> dict[str, dict[str, Any]]:
    """Each question answered once, one after the other."""
    with httpx.Client(base_url=base_url, timeout=120) as c:
        out = {}
        for q in QUESTIONS:
            r = c.post("/api/ask", json={"question": q})
            assert r.status_code == 200, r.text
            out[q] = content(r.json())
        return out


def content(brief: dict[str, Any]) -> dict[str, Any]:
    """The brief without its provenance, which names the time it was written."""
    assert brief["provenance"]["version"] and brief["provenance"]["generated"]
    return {k: v for k, v in brief.items() if k != "provenance"}


LABEL = re.compile(r"^[A-Z][A-Za-z /&-]{1,40}:\s+")  # the same rule as app.js


def squash(text: str) -> str:
    return " ".join(text.split())


def test_briefs_follow_the_contract(briefs: dict[str, dict[str, Any]]) -> None:
    for brief in briefs.values():
        BriefOut.model_validate(brief)
        refs = brief["references"]
        assert [r["n"] for r in refs] == list(range(1, len(refs) + 1))
        numbers = {r["n"] for r in refs}
        cited = {g["ref"] for g in brief["guidelines"]}
        for bullet in [
            *brief["key_findings"],
            *(b for f in brief["research"] for b in f["bullets"]),
        ]:
            cited |= set(bullet["refs"]) | {c["n"] for c in bullet["citations"]}
        assert cited <= numbers


def test_every_reference_opens_and_every_quoted_sentence_is_in_its_source(
    base_url: str, briefs: dict[str, dict[str, Any]]
) -> None:
    """The evidence card fetches each reference and highlights the cited sentence in it."""
    brief = briefs[RLS_QUESTION]
    assert brief["references"], "the RLS question must find sources"
    texts: dict[int, str] = {}
    with httpx.Client(base_url=base_url, timeout=30) as c:
        for ref in brief["references"]:
            r = c.get(f"/api/documents/{ref['id']}")
            assert r.status_code == 200, (ref["id"], r.text)
            body = r.json()
            assert body["id"] == ref["id"]
            item = body["item"]
            parts = [item.get("title", ""), item.get("statement", ""), *item.get("key_points", [])]
            parts += [s["text"] for s in item.get("abstract", [])]
            texts[ref["n"]] = squash(" ".join(parts))
    quoted = [
        c for f in brief["research"] for b in f["bullets"] for c in b["citations"] if c["sentence"]
    ]
    assert quoted, "research findings must quote the sentences they rest on"
    for c in quoted:
        # the page highlights the sentence, or the sentence without the section
        # heading a pipeline may quote it with ("CONCLUSIONS: ...")
        sentence = squash(c["sentence"])
        bare = LABEL.sub("", sentence)
        assert sentence in texts[c["n"]] or bare in texts[c["n"]], c


def test_the_stream_ends_with_the_same_brief(
    base_url: str, briefs: dict[str, dict[str, Any]]
) -> None:
    with httpx.Client(base_url=base_url, timeout=120) as c:
        text = c.post("/api/ask/stream", json={"question": RLS_QUESTION}).text
    blocks = [b for b in text.split("\n\n") if b.strip()]
    names = [b.split("\n")[0].removeprefix("event: ") for b in blocks]
    assert names == ["reading", "guidelines", "research", "brief"]
    final = json.loads(blocks[-1].split("\n", 1)[1].removeprefix("data: "))
    assert content(final) == briefs[RLS_QUESTION]


def test_concurrent_answers_equal_the_serial_ones(
    base_url: str, briefs: dict[str, dict[str, Any]]
) -> None:
    """Many threads of the server answer at once; each answer is what it is alone."""

    def ask(q: str) -> dict[str, Any]:
        r = httpx.post(f"{base_url}/api/ask", json={"question": q}, timeout=120)
        assert r.status_code == 200, r.text
        result: dict[str, Any] = content(r.json())
        return result

    questions = QUESTIONS * 3
    with ThreadPoolExecutor(max_workers=len(questions)) as pool:
        answers = list(pool.map(ask, questions))
    for q, answer in zip(questions, answers, strict=True):
        assert answer == briefs[q]
