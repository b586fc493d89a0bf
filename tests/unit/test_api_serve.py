"""medbrief serve: binds to loopback unless told otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner

from medbrief.interfaces.cli import main
from medbrief.interfaces.cli.serve import is_loopback


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("example.org", False),
    ],
)
def test_is_loopback(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected


def run_serve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[Any, dict[str, Any]]:
    seen: dict[str, Any] = {}

    def fake_run(app: Any, **kwargs: Any) -> None:  # records what uvicorn would serve
        seen.update(kwargs, app=app)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    result = CliRunner().invoke(main, ["--home", str(tmp_path / "home"), "serve", *args])
    return result, seen


def test_defaults_to_loopback_port_8000(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result, seen = run_serve(tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8000)
    assert "serving http://127.0.0.1:8000/" in result.output
    assert "warning" not in result.output


def test_other_interfaces_only_when_asked_and_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, seen = run_serve(tmp_path, monkeypatch, "--host", "0.0.0.0", "--port", "9001")
    assert result.exit_code == 0, result.output
    assert (seen["host"], seen["port"]) == ("0.0.0.0", 9001)
    assert "anyone who can reach this machine" in result.output


def test_environment_settings_apply(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDBRIEF_PORT", "8123")
    result, seen = run_serve(tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert seen["port"] == 8123


def test_help_reads_like_documentation() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for needle in ("POST /api/ask", "/api/export/", "127.0.0.1", "--port"):
        assert needle in result.output
