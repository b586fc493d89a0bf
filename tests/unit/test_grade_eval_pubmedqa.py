"""``medbrief eval pubmedqa`` and the PubMedQA reader on tiny inline files."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from medbrief.errors import InputError
from medbrief.evaluate.pubmedqa import confusion, evaluate, load, score
from medbrief.grade.cues import p_values, significant_p
from medbrief.interfaces.cli import main

RECORDS = {
    "1": {
        "QUESTION": "Does vitamin D reduce fractures in older adults?",
        "CONTEXTS": [
            "We randomized 400 adults aged 70 years or older to vitamin D or placebo.",
            "Fractures were fewer with vitamin D (12% vs 21%; p = 0.002).",
        ],
        "LABELS": ["METHODS", "RESULTS"],
        "final_decision": "yes",
        "LONG_ANSWER": "Vitamin D significantly reduced fractures in older adults.",
    },
    "2": {
        "QUESTION": "Does vitamin D reduce fractures in older adults?",
        "CONTEXTS": [
            "We randomized 400 adults aged 70 years or older to vitamin D or placebo.",
            "Fractures did not differ between groups (15% vs 16%; p = 0.42).",
        ],
        "LABELS": ["METHODS", "RESULTS"],
        "final_decision": "no",
        "LONG_ANSWER": "Vitamin D did not reduce fractures in older adults.",
    },
    "3": {
        "QUESTION": "Do statins prevent dementia?",
        "CONTEXTS": ["We surveyed 300 nurses about influenza vaccination."],
        "LABELS": ["METHODS"],
        "final_decision": "maybe",
        "LONG_ANSWER": "Vaccination coverage among nurses was low.",
    },
}


@pytest.fixture
def qa_file(tmp_path: Path) -> Path:
    path = tmp_path / "qa.json"
    path.write_text(json.dumps(RECORDS))
    return path


def test_evaluate_reasoning_free(qa_file: Path) -> None:
    report = evaluate(load(qa_file), "reasoning-free")
    assert report.n == 3
    assert report.accuracy == 1.0
    assert report.not_addressed == 1  # record 3, scored as maybe
    assert report.confusion["maybe"]["maybe"] == 1
    assert report.training_overlap == 0 and report.notes == ()


def test_abstract_layout_per_setting(qa_file: Path) -> None:
    item = load(qa_file)[0]
    free = item.abstract("reasoning-free")
    assert free.splitlines()[-1].startswith("CONCLUSIONS: Vitamin D significantly")
    assert "CONCLUSIONS" not in item.abstract("reasoning-required")


def test_cli_json_and_text(qa_file: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["eval", "pubmedqa", str(qa_file), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["accuracy"] == 1.0 and data["n"] == 3
    assert data["setting"] == "reasoning-free"
    text = runner.invoke(
        main, ["eval", "pubmedqa", str(qa_file), "--setting", "reasoning-required"]
    )
    assert text.exit_code == 0, text.output
    assert "accuracy" in text.output and "macro-F1" in text.output


def test_cli_flags_training_overlap(tmp_path: Path) -> None:
    from medbrief.grade.stance import training_pmids

    pmid = sorted(training_pmids())[0]
    path = tmp_path / "overlap.json"
    path.write_text(json.dumps({pmid: RECORDS["1"]}))
    result = CliRunner().invoke(main, ["eval", "pubmedqa", str(path)])
    assert result.exit_code == 0, result.output
    assert "training data" in " ".join(result.output.split())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not a readable PubMedQA JSON file"),
        ("[]", "expected a JSON object"),
        (json.dumps({"9": {"QUESTION": "Q?", "CONTEXTS": []}}), "PMID 9: final_decision"),
        (json.dumps({"9": {"final_decision": "yes", "CONTEXTS": []}}), "PMID 9: QUESTION"),
    ],
)
def test_bad_files_name_file_and_record(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        load(path)
    result = CliRunner().invoke(main, ["eval", "pubmedqa", str(path)])
    assert result.exit_code == 2
    assert str(path) in result.output


def test_score_and_confusion() -> None:
    gold = ["yes", "yes", "no", "maybe"]
    pred = ["yes", "no", "no", "yes"]
    accuracy, macro, per_class = score(gold, pred)
    assert accuracy == 0.5
    assert per_class["yes"]["f1"] == 0.5
    assert per_class["no"]["f1"] == pytest.approx(0.6667)
    assert per_class["maybe"]["f1"] == 0.0
    assert macro == pytest.approx((0.5 + 0.6667) / 3, abs=1e-4)
    assert confusion(gold, pred)["yes"] == {"yes": 1, "no": 1, "maybe": 0}


def test_p_values() -> None:
    text = "p = 0.42; P<0.001; p value = .03; p > 0.05; p < or = 0.01"
    assert p_values(text) == [("=", 0.42), ("<", 0.001), ("=", 0.03), (">", 0.05), ("<", 0.01)]
    assert significant_p(text) == (3, 2)
