"""The writer's events on the HTTP stream: the extractive brief, then the prose."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx

from api_support import running
from fake_engine import FakeEngine, inline_corpus
from medbrief.interfaces.api import create_app
from medbrief.interfaces.api_schemas import BriefOut
from medbrief.types import Brief, Bullet, Citation, Filters, WriterInfo
from medbrief.write import WriterEvent

QUESTION = "oral iron and restless legs syndrome"
KEPT = (
    Bullet("The guideline recommends oral iron [1].", (1,), (Citation(1, "x", 0.9),), "summary"),
)


class Writing(FakeEngine):
    def answer(
        self,
        question: str,
        *,
        filters: Filters | None = None,
        live: bool = False,
        on_stage: Callable[[str, Any], None] | None = None,
    ) -> Brief:
        emit = on_stage or (lambda name, value: None)
        brief = super().answer(
            question, filters=filters, on_stage=lambda n, v: n != "brief" and emit(n, v)
        )
        emit("extractive", brief)
        emit("writer", WriterEvent("guidelines", "guidelines", delta="The guideline "))
        emit("writer", WriterEvent("guidelines", "guidelines", done=True, sentences=KEPT))
        final = replace(
            brief,
            guidelines_synthesis=KEPT,
            research=tuple(replace(f, synthesis=KEPT) for f in brief.research),
            writer=WriterInfo("tiny", "127.0.0.1", ("guidelines",), (), 1, 0),
        )
        emit("brief", final)
        return final


def events(text: str) -> list[tuple[str, Any]]:
    out = []
    for block in text.strip().split("\n\n"):
        name = re.search(r"^event: (.*)$", block, re.M)
        data = re.search(r"^data: (.*)$", block, re.M)
        assert name and data, block
        out.append((name.group(1), json.loads(data.group(1))))
    return out


def test_the_stream_sends_the_extractive_brief_then_the_writers_events() -> None:
    engine = Writing(*inline_corpus())
    with running(create_app(engine)) as url, httpx.Client(base_url=url, timeout=30) as client:
        got = events(client.post("/api/ask/stream", json={"question": QUESTION}).text)
        assert [n for n, _ in got] == [
            "reading", "guidelines", "research", "extractive", "writer", "writer", "brief"
        ]  # fmt: skip
        extractive, final = got[3][1], got[-1][1]
        assert "writer" not in extractive and final["writer"]["model"] == "tiny"
        assert got[4][1]["delta"] == "The guideline " and got[4][1]["done"] is False
        done = got[5][1]
        assert done["done"] and done["sentences"][0]["refs"] == [1] and not done["fell_back"]
        assert done["sentences"][0]["citations"][0]["n"] == 1
        # every field of a brief with the model's prose is in the OpenAPI schema
        from test_api_routes import _documented

        BriefOut.model_validate(final)
        assert _documented(BriefOut, final, "brief") == []
