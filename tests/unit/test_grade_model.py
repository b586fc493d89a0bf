import json
from pathlib import Path

import pytest

from medbrief.grade.model import LinearModel, log_loss, train


def test_learns_a_separable_problem_and_round_trips(tmp_path: Path) -> None:
    examples = [{"good": 1.0}, {"good": 1.0, "x": 1.0}, {"bad": 1.0}, {"bad": 1.0, "x": 1.0}]
    labels = ["yes", "yes", "no", "no"]
    model = train(examples, labels, l2=0.001, min_count=1, steps=300, classes=("yes", "no"))
    assert [model.predict(e) for e in examples] == labels
    assert model.proba({"good": 1.0})["yes"] > 0.9
    assert log_loss(model, examples, labels) < 0.2
    path = tmp_path / "m.json"
    model.save(path)
    again = LinearModel.load(path)
    assert again.classes == ("yes", "no")
    assert again.predict({"bad": 1.0}) == "no"
    assert json.loads(path.read_text())["classes"] == ["yes", "no"]
    # unknown features are ignored, not errors
    assert again.predict({"never-seen": 1.0}) in {"yes", "no"}


def test_rare_features_are_dropped() -> None:
    model = train([{"a": 1.0, "once": 1.0}, {"a": 1.0}], ["yes", "no"], min_count=2, steps=10)
    assert "once" not in model.index and "a" in model.index


def test_mismatched_inputs() -> None:
    with pytest.raises(ValueError, match="as many labels"):
        train([{"a": 1.0}], ["yes", "no"])
