"""Stance benchmark: cross-validated accuracy on PubMedQA PQA-L, BioASQ, speed.

The shipped stance weights are trained on the PQA-L questions outside the
project's untouched fifth (``bench/holdout.py``), so ``medbrief eval
pubmedqa`` on the whole file measures mostly fit. This script gives the
honest figures on the other four fifths: k-fold cross-validation (train on
k-1 folds, predict the left-out fold, pool the predictions), for both
PubMedQA settings, with the confusion matrix; a BioASQ question-level figure
(each gold document of a yes/no question read with ``stance``, the majority
of its yes/no labels taken as the answer); then the speed of ``stance``.

``--held-out`` instead trains on those four fifths and scores the untouched
fifth of PubMedQA and BioASQ: run it once, for the final report.

``--entail`` adds the optional entailment feature (``medbrief.grade.entail``,
``pip install -e '.[entail]'``) everywhere: features, weights and speed.

    .venv/bin/python bench/stance.py [../shared/data/pubmedqa/pqal_dev500.json]
        [--folds 10] [--seeds 0,1,2] [--l2 0.02] [--held-out] [--entail] [--json]

Reference points (Jin et al. 2019, PubMedQA test set): majority 0.552;
reasoning-free single human 0.904; reasoning-required single human 0.780,
BioBERT 0.681.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from holdout import held_out
from medbrief.evaluate.pubmedqa import LABELS, SETTINGS, Item, confusion, load, score
from medbrief.grade import entail, training
from medbrief.grade.entail import Entailment, with_entailment
from medbrief.grade.model import LinearModel
from medbrief.grade.stance import (
    ENTAILMENT,
    Analysis,
    analyse,
    decide,
    model_name,
    models,
    stance,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "pubmedqa" / "pqal_dev500.json"
BIOASQ = ROOT.parent / "shared" / "data" / "bioasq12b_yesno"


def split(items: list[Item]) -> tuple[list[Item], list[Item]]:
    """The four fifths to develop on, and the untouched fifth."""
    return [i for i in items if not held_out(i.pmid)], [i for i in items if held_out(i.pmid)]


def cross_validated(
    items: list[Item], folds: int, seeds: list[int], l2: float, entailment: Entailment | None
) -> dict[str, object]:
    out: dict[str, object] = {}
    for setting in SETTINGS:
        data = training.examples(items, setting, entailment)
        gold = [e.answer for e in data]
        runs = []
        for seed in seeds:
            predicted = training.cross_validate(data, k=folds, seed=seed, l2=l2)
            accuracy, macro, per_class = score(gold, predicted)
            runs.append((accuracy, macro, per_class, confusion(gold, predicted)))
        accs = [r[0] for r in runs]
        f1s = [r[1] for r in runs]
        out[setting] = {
            "accuracy": round(statistics.mean(accs), 4),
            "accuracy_sd": round(statistics.pstdev(accs), 4),
            "macro_f1": round(statistics.mean(f1s), 4),
            "macro_f1_sd": round(statistics.pstdev(f1s), 4),
            "per_class_seed0": runs[0][2],
            "confusion_seed0": runs[0][3],
            "not_addressed_as_maybe": sum(not e.addressed for e in data),
        }
    return out


def held_out_scores(
    weights: dict[str, LinearModel], test: list[Item], entailment: Entailment | None
) -> dict[str, object]:
    """Score ``test`` once with weights trained as scripts/train_stance.py does."""
    out: dict[str, object] = {}
    for name, setting in training.SETTING_OF_MODEL.items():
        model = weights[name + (f"+{ENTAILMENT}" if entailment else "")]
        data = training.examples(test, setting, entailment)
        gold = [e.answer for e in data]
        predicted = [training.predict(model, e) for e in data]
        accuracy, macro, per_class = score(gold, predicted)
        out[setting] = {
            "n": len(data),
            "accuracy": round(accuracy, 4),
            "macro_f1": round(macro, 4),
            "per_class": per_class,
            "confusion": confusion(gold, predicted),
        }
    return out


def bioasq(
    questions: list[dict[str, Any]],
    weights: dict[str, LinearModel],
    entailment: Entailment | None = None,
) -> dict[str, object]:
    """Question-level accuracy of reading each gold document with ``stance``.

    A question's answer is "no" when more of its gold documents read "no"
    than "yes", else "yes" (the majority answer of BioASQ yes/no sets). The
    documents are BioASQ's golden snippets, not whole abstracts, so most
    have no labelled conclusion.
    """
    corpus: dict[str, dict[str, Any]] = {}
    with (BIOASQ / "corpus.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            corpus[rec["pmid"]] = rec
    right = 0
    labels: dict[str, int] = dict.fromkeys(("yes", "no", "maybe", "not_addressed"), 0)
    for q in questions:
        tally = dict.fromkeys(labels, 0)
        for pmid in q["gold_pmids"]:
            rec = corpus.get(pmid)
            if rec is None:
                continue
            title = None if rec["title"] == "[Untitled]" else rec["title"]
            result = analyse(q["question"], rec["abstract"], title)
            if entailment is not None:
                result = with_entailment(q["question"], result, entailment)
            label = _label(result, weights)
            tally[label] += 1
            labels[label] += 1
        answer = "no" if tally["no"] > tally["yes"] else "yes"
        right += answer == q["answer"]
    n = len(questions)
    return {
        "questions": n,
        "accuracy": round(right / n, 4) if n else 0.0,
        "always_yes": round(sum(q["answer"] == "yes" for q in questions) / n, 4) if n else 0.0,
        "document_labels": labels,
    }


def _label(result: Analysis, weights: dict[str, LinearModel]) -> str:
    """What ``stance_from_analysis`` answers, with these weights."""
    if not result.addressed or result.focus is None:
        return "not_addressed"
    return decide(weights[model_name(result)], result)[0]


def bioasq_questions(part: str) -> list[dict[str, Any]]:
    path = BIOASQ / "questions.jsonl"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [r for r in rows if held_out(r["id"]) == (part == "held-out")]


def speed(path: Path, repeat: int = 3, entailed: bool = False) -> dict[str, float]:
    items = load(path)
    pairs = [(i.question, i.abstract("reasoning-free")) for i in items]
    reader = entail.stance if entailed else stance
    if entailed:  # two model runs an abstract: one pass over a fifth is enough
        pairs, repeat = pairs[:100], 1
    reader(*pairs[0])  # load the weights outside the timing
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for question, abstract in pairs:
            reader(question, abstract)
        best = min(best, time.perf_counter() - start)
    return {
        "abstracts": len(pairs),
        "abstracts_per_second": round(len(pairs) / best, 1),
        "ms_per_abstract": round(1000 * best / len(pairs), 3),
        "ms_for_40_studies": round(40 * 1000 * best / len(pairs), 1),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--seeds", default="0,1,2", help="fold shuffles to average over")
    parser.add_argument("--l2", type=float, default=training.L2)
    parser.add_argument(
        "--held-out",
        action="store_true",
        help="train on the four fifths and score the untouched fifth (once, for the report)",
    )
    parser.add_argument(
        "--entail",
        action="store_true",
        help="with the entailment feature (pip install -e '.[entail]'; grade/entail.py)",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"no PubMedQA file at {args.file}", file=sys.stderr)
        return 2
    seeds = [int(s) for s in args.seeds.split(",")]
    develop, untouched = split(load(args.file))
    entailment = entail.shared() if args.entail else None
    suffix = f"+{ENTAILMENT}" if args.entail else ""
    if args.held_out:
        weights = {
            name + suffix: training.fit(training.examples(develop, setting, entailment))
            for name, setting in training.SETTING_OF_MODEL.items()
        }
        held = {
            "file": str(args.file),
            "trained_on": len(develop),
            "entailment": args.entail,
            "pubmedqa": held_out_scores(weights, untouched, entailment),
            "bioasq_question_level": bioasq(bioasq_questions("held-out"), weights, entailment),
        }
        print(json.dumps(held, indent=2))
        return 0
    result: dict[str, Any] = {
        "file": str(args.file),
        "questions": len(develop),
        "folds": args.folds,
        "seeds": seeds,
        "l2": args.l2,
        "entailment": args.entail,
        "cross_validated": cross_validated(develop, args.folds, seeds, args.l2, entailment),
        # The shipped weights were trained on these questions: a fit, not a CV figure.
        "bioasq_question_level_dev": bioasq(bioasq_questions("develop"), models(), entailment),
        "speed": speed(args.file, entailed=args.entail),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(
        f"PubMedQA PQA-L, {len(develop)} questions outside the untouched fifth, "
        f"{args.folds}-fold CV, mean of seeds {seeds}, l2={args.l2}"
        + (", with the entailment feature" if args.entail else "")
    )
    for setting, r in result["cross_validated"].items():
        print(
            f"  {setting:19s} accuracy {r['accuracy']:.3f} ± {r['accuracy_sd']:.3f}   "
            f"macro-F1 {r['macro_f1']:.3f} ± {r['macro_f1_sd']:.3f}"
        )
        print("    confusion (seed 0; rows gold, columns predicted yes/no/maybe):")
        for gold in LABELS:
            row = r["confusion_seed0"][gold]
            print(f"      {gold:5s} " + " ".join(f"{row[p]:4d}" for p in LABELS))
    b = result["bioasq_question_level_dev"]
    print(
        f"BioASQ yes/no, {b['questions']} dev questions, majority of gold documents' "
        f"stances: accuracy {b['accuracy']:.3f} (always yes {b['always_yes']:.3f}); "
        f"document labels {b['document_labels']}"
    )
    s = result["speed"]
    print(
        f"speed: {s['abstracts_per_second']:.0f} abstracts/s "
        f"({s['ms_per_abstract']:.2f} ms each, {s['ms_for_40_studies']:.0f} ms for 40 studies)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
