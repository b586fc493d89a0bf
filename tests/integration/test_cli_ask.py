"""`medbrief ask` and `medbrief search` from the command line, on the starter corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from medbrief.interfaces.cli import main


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli") / "home"


def run(home: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--home", str(home), *args])
    return result.exit_code, result.stdout, result.stderr


def test_ask_json_follows_the_contract(home: Path) -> None:
    code, out, _ = run(
        home, "ask", "--json", "Should adults aged 45 to 49 be screened for colorectal cancer?"
    )
    assert code == 0
    brief = json.loads(out)
    assert brief["schema"] == "1.0"
    assert {
        "question",
        "reading",
        "guidelines",
        "research",
        "key_findings",
        "references",
        "dropped_claims",
    } <= brief.keys()
    first = brief["guidelines"][0]
    assert (first["ref"], first["strength"]) == (1, "Grade B")
    assert "45 to 49" in first["statement"]
    assert brief["references"][0]["kind"] == "guideline"


def test_ask_markdown_has_the_sections(home: Path) -> None:
    code, out, _ = run(home, "ask", "iron, blood drain barrier and restless legs syndrome")
    assert code == 0
    for heading in (
        "## How the question was read",
        "## From the Guidelines",
        "## From the Research",
        "## Key Findings",
        "## References",
    ):
        assert heading in out
    assert "Corrected: blood drain barrier → blood-brain barrier" in out


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "empty"), ("   \t ", "empty"), ("x" * 100_000, "the limit is 2,000 characters")],
)
def test_bad_questions_get_one_clear_error(home: Path, question: str, message: str) -> None:
    code, out, err = run(home, "ask", question)
    assert code == 2 and out == ""
    assert err.startswith("medbrief: error:") and message in err.lower()
    assert len(err.strip().splitlines()) == 1


def test_markup_in_a_question_is_text(home: Path) -> None:
    code, out, _ = run(
        home, "ask", "<img src=x onerror=alert(1)> **statins** for [cardiovascular disease](x)"
    )
    assert code == 0
    assert "\\<img src=x onerror=alert(1)\\>" in out
    assert "<img" not in out.replace("\\<img", "")
    code, out, _ = run(home, "ask", "--json", "<b>statins</b>")
    assert json.loads(out)["question"] == "<b>statins</b>"


def test_filters_are_checked(home: Path) -> None:
    code, _, err = run(home, "ask", "statins", "--year-min", "2020", "--year-max", "2010")
    assert code == 2 and "year-min" in err


def test_search_single_and_batch(home: Path, tmp_path: Path) -> None:
    code, out, _ = run(home, "search", "ferric carboxymaltose restless legs", "--k", "3", "--json")
    assert code == 0
    hits = json.loads(out)["hits"]
    assert len(hits) == 3 and all(h["id"] for h in hits)
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"_id": "q1", "text": "iron restless legs syndrome"}\n'
        '{"_id": "q2", "text": "colorectal cancer screening"}\n',
        encoding="utf-8",
    )
    run_file = tmp_path / "run.tsv"
    code, _, _ = run(home, "search", "--batch", str(queries), "--k", "5", "--output", str(run_file))
    assert code == 0
    lines = [line.split() for line in run_file.read_text().splitlines()]
    assert [line[0] for line in lines] == ["q1"] * 5 + ["q2"] * 5
    assert [line[3] for line in lines[:5]] == ["1", "2", "3", "4", "5"]
    assert all(line[1] == "Q0" and line[5] == "medbrief" for line in lines)
    # run files name documents as ingested: bare PMIDs, not store ids
    assert all(not line[2].startswith("pmid:") for line in lines)
    scores = [float(line[4]) for line in lines[:5]]
    assert scores == sorted(scores, reverse=True)


def test_search_batch_bad_line(home: Path, tmp_path: Path) -> None:
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"_id": "q1", "text": "iron"}\nnot json\n', encoding="utf-8")
    code, _, err = run(home, "search", "--batch", str(queries))
    assert code == 2 and "line 2" in err
