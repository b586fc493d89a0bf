"""The writer against a real llama.cpp server on this machine (no network).

SmolLM2-135M (tests/llama_server.py) writes poorly; what is checked is that a
brief comes back, that every sentence kept passes verification when checked
again, and how many were dropped (printed at the end of the test run). The
brief without a model is checked to be the extractive brief, unchanged.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import llama_server
import medbrief.write as write
from medbrief.engine import Engine
from medbrief.render.json import brief_to_dict
from medbrief.render.markdown import render_markdown
from medbrief.settings import get_settings
from medbrief.write import WriterEvent
from medbrief.write.client import ChatClient
from medbrief.write.pack import plan_sections
from medbrief.write.stance import ModelStance
from medbrief.write.verify import check_sentence

QUESTION = "ferric carboxymaltose for RLS"


@pytest.fixture(scope="module")
def model_url() -> Iterator[str]:
    why = llama_server.missing()
    if why:
        pytest.skip(why)
    path = llama_server.smollm2_path()
    assert path is not None
    with llama_server.llama_server(path, llama_server.SMOLLM2_SHA256, n_ctx=2048) as url:
        yield url


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("writer") / "home"


def engine(home: Path, **llm: Any) -> Engine:
    return Engine(get_settings(home=home, load_starter=True, **llm))


def test_a_real_model_writes_and_every_kept_sentence_holds(
    model_url: str,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    record_property: Callable[[str, object], None],
) -> None:
    sections: dict[str, Any] = {}

    def recording(*args: Any) -> Any:
        planned = plan_sections(*args)
        sections.update((s.key, s) for s in planned)
        return planned

    monkeypatch.setattr(write, "plan_sections", recording)
    events: list[WriterEvent] = []
    llm = {"llm_model": "smollm2-135m", "llm_base_url": model_url}
    with engine(home, llm_max_tokens=120, llm_timeout=300, **llm) as eng:
        brief = eng.answer(QUESTION, on_stage=lambda n, v: n == "writer" and events.append(v))
        similarity = eng.similarity()
    writer = brief.writer
    assert writer is not None and writer.model == "smollm2-135m"
    assert writer.base_url_host == "127.0.0.1"
    done = [e for e in events if e.done]
    # the bottom line first (every brief that answers has one), then guidelines and each
    # research sub-topic with evidence (ferric carboxymaltose is a drug: its association
    # with RLS, and treatment of RLS with it)
    with_evidence = [i for i, f in enumerate(brief.research) if f.status != "no_evidence"]
    expected = ["bottom_line", "guidelines", *(f"research:{i}" for i in with_evidence)]
    assert len(with_evidence) == 2
    assert [e.section for e in done] == expected == list(sections)
    assert "".join(e.delta or "" for e in events if not e.done), "nothing was streamed"
    kept = [(e.section, b) for e in done for b in e.sentences]
    assert writer.sentences == writer.dropped_claims + len(kept)
    # every kept sentence passes the checks again, against the same pack
    for key, bullet in kept:
        assert not isinstance(check_sentence(bullet.text, sections[key], similarity), str)
    shown = [*brief.guidelines_synthesis, *(b for f in brief.research for b in f.synthesis)]
    paragraphs = [b for k, b in kept if k != "bottom_line" and not _fell_back(done, k)]
    assert paragraphs == shown
    record_property(
        "writer",
        f"SmolLM2-135M on {QUESTION!r}: {writer.sentences} sentences written, "
        f"{len(kept)} kept, {writer.dropped_claims} dropped; fell back: {list(writer.fell_back)}",
    )
    assert "written by the language model smollm2-135m" in render_markdown(brief)


def _fell_back(done: list[WriterEvent], key: str) -> bool:
    return any(e.fell_back for e in done if e.section == key)


def test_stance_by_a_real_model(model_url: str) -> None:
    reader = ModelStance(ChatClient(model_url, "smollm2-135m", timeout=300))
    abstract = (
        "RESULTS: Ferric carboxymaltose improved restless legs symptoms compared with placebo "
        "in 110 patients. CONCLUSIONS: Ferric carboxymaltose is effective for restless legs "
        "syndrome."
    )
    got = reader("ferric carboxymaltose; restless legs syndrome", abstract)
    assert reader.asked == 1
    assert got.label in {"yes", "no", "maybe"}
    assert got.sentence  # the offline reader's sentence, whatever the label


def test_without_a_model_the_brief_is_the_extractive_brief(home: Path) -> None:
    """No model configured: the writer is never imported and the JSON has none of
    its fields. A configured model that cannot be reached changes nothing but
    the notes and the ``writer`` field."""
    code = (
        "import json, sys, medbrief.render.json as j\n"
        "from medbrief.engine import Engine\n"
        f"b = Engine().answer({QUESTION!r})\n"
        "print(json.dumps({'json': j.brief_to_dict(b), "
        "'imported': [m for m in sys.modules if m.startswith('medbrief.write')]}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDBRIEF_LLM")}
    env["MEDBRIEF_HOME"] = str(home)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout)
    assert result["imported"] == []
    data = result["json"]
    assert {"writer", "guidelines_synthesis"}.isdisjoint(data)
    assert all("synthesis" not in f for f in data["research"])

    dead = {"llm_model": "absent", "llm_base_url": "http://127.0.0.1:9/v1"}
    with engine(home) as eng:
        plain = eng.answer(QUESTION)
    with engine(home, **dead) as eng:
        led = eng.answer(QUESTION)
    assert brief_to_dict(plain) == data
    assert led.writer is not None and led.writer.written == ()
    assert replace(led, writer=None, notes=plain.notes) == plain
    assert all("unreachable" in n for n in led.notes[len(plain.notes) :])
