"""A fresh install's first answer says what it is waiting for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from medbrief.engine import Engine
from medbrief.ingest.starter import manifest
from medbrief.settings import get_settings


def test_the_first_answer_names_each_step_and_the_next_names_none(tmp_path: Path) -> None:
    stages: list[tuple[str, Any]] = []
    with Engine(get_settings(home=tmp_path / "home", load_starter=True)) as engine:
        engine.answer("ferritin and restless legs", on_stage=lambda n, v: stages.append((n, v)))
        steps = [v["step"] for n, v in stages if n == "preparing"]
        assert steps == ["starter", "reader", "lexical", "dense"]
        first = stages[0][1]["message"]
        assert first.startswith("First run: loading the starter corpus")
        assert f"{manifest()['documents']:,} documents" in first
        assert next(n for n, _ in stages if n != "preparing") == "reading"
        stages.clear()
        engine.answer("ferritin and restless legs", on_stage=lambda n, v: stages.append((n, v)))
        assert "preparing" not in [n for n, _ in stages]
        provenance = engine.provenance()
        assert provenance.documents == manifest()["documents"]
        assert provenance.starter == str(manifest()["starter_version"])
        assert provenance.newest_year and provenance.generated.endswith("Z")
