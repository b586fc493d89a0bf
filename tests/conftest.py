"""Shared fixtures. Every test gets its own MEDBRIEF_HOME; nothing touches the
user's real data directory. ``shared`` points at ../shared (skips if absent).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from medbrief.settings import Settings, get_settings
from medbrief.store import Store

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDBRIEF_SHARED", ROOT.parent / "shared"))


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDBRIEF_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MEDBRIEF_NCBI_API_KEY", raising=False)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on an empty home without the starter corpus."""
    return get_settings(home=tmp_path / "home", load_starter=False)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    with Store.open(settings.db_path) as s:
        yield s


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "data").is_dir():
        pytest.skip(f"../shared data not found at {SHARED}; set MEDBRIEF_SHARED to run this test")
    return SHARED / "data"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Figures tests record with ``record_property("writer", ...)`` (the language
    model's sentences written, kept and dropped), shown after every run."""
    lines = [
        str(value)
        for report in terminalreporter.stats.get("passed", [])
        for name, value in getattr(report, "user_properties", ())
        if name == "writer"
    ]
    if lines:
        terminalreporter.section("language-model writer")
        for line in lines:
            terminalreporter.write_line(line)
