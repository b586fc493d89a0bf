from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from medbrief.interfaces.cli import main
from medbrief.settings import Settings
from medbrief.store import Store
from medbrief.types import AbstractSection, Document


@pytest.fixture
def home(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MEDBRIEF_LOAD_STARTER", "0")
    monkeypatch.setenv("MEDBRIEF_EMBEDDER", "hash")
    with Store.open(settings.db_path) as store:
        store.write_documents(
            [
                Document(
                    id=f"pmid:{i}",
                    source_id=str(i),
                    source="pubmed",
                    title=f"iron study {i}",
                    abstract=(AbstractSection("ferritin"),),
                )
                for i in range(50)
            ]
        )
    return settings.home


def run(home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--home", str(home), "index", *args])
    return result.exit_code, result.output


def test_index_then_status_then_nothing_to_do(home: Path) -> None:
    code, out = run(home, "--json")
    assert code == 0, out
    summary = json.loads(out)
    assert summary["lexical"]["items"] == 50
    assert summary["dense"]["items"] == 50
    assert summary["dense"]["indexed"] == 50
    assert summary["total_bytes"] > 0
    code, out = run(home, "--status", "--json")
    status = json.loads(out)
    assert status["lexical"]["pending"] == 0
    assert status["dense"]["model"] == "hash-64"
    code, out = run(home)
    assert code == 0
    assert "lexical (tantivy): up to date, 50 items." in out
    assert "dense (auto): up to date, 50 items." in out


def test_lexical_only_and_rebuild(home: Path) -> None:
    code, out = run(home, "--lexical-only", "--json")
    assert code == 0
    assert set(json.loads(out)) == {"lexical", "index_dir", "total_bytes"}
    code, out = run(home, "--status")
    assert "50 changes pending" not in out.split("\n")[1]
    assert "dense (auto, model hash-64): 0 items" in out
    code, out = run(home, "--rebuild", "--json")
    assert json.loads(out)["lexical"]["items"] == 50


def test_model_mismatch_is_a_clear_error(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(home)[0] == 0
    monkeypatch.setenv("MEDBRIEF_VECTOR_BACKEND", "ivf-pq")
    code, out = run(home)
    assert code == 5
    assert "medbrief index --rebuild" in out
    code, out = run(home, "--rebuild", "--json")
    assert code == 0, out
    assert json.loads(out)["dense"]["backend"] == "ivf-pq"


def test_status_of_a_fresh_home_creates_nothing(home: Path) -> None:
    code, out = run(home, "--status", "--json")
    assert code == 0, out
    status = json.loads(out)
    assert status["documents"] == 50
    assert status["lexical"]["pending"] == 50
    assert status["dense"]["items"] == 0
    assert not (home / "index").exists()
