"""Stance benchmark: held-out accuracy on PubMedQA PQA-L and speed.

The shipped stance weights are trained on all 500 PQA-L questions, so
``medbrief eval pubmedqa`` on that file measures fit. This script gives the
honest figures: k-fold cross-validation (train on k-1 folds, predict the
held-out fold, pool the predictions), for both PubMedQA settings, with the
confusion matrix; then the speed of ``stance`` on whole abstracts.

    .venv/bin/python bench/stance.py [../shared/data/pubmedqa/pqal_dev500.json]
        [--folds 10] [--seeds 0,1,2] [--l2 0.02] [--json]

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

from medbrief.evaluate.pubmedqa import LABELS, SETTINGS, confusion, load, score
from medbrief.grade import training
from medbrief.grade.stance import stance

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "pubmedqa" / "pqal_dev500.json"


def cross_validated(path: Path, folds: int, seeds: list[int], l2: float) -> dict[str, object]:
    items = load(path)
    out: dict[str, object] = {}
    for setting in SETTINGS:
        data = training.examples(items, setting)
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


def speed(path: Path, repeat: int = 3) -> dict[str, float]:
    items = load(path)
    pairs = [(i.question, i.abstract("reasoning-free")) for i in items]
    stance(*pairs[0])  # load the weights outside the timing
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for question, abstract in pairs:
            stance(question, abstract)
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
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"no PubMedQA file at {args.file}", file=sys.stderr)
        return 2
    seeds = [int(s) for s in args.seeds.split(",")]
    result = {
        "file": str(args.file),
        "folds": args.folds,
        "seeds": seeds,
        "l2": args.l2,
        "cross_validated": cross_validated(args.file, args.folds, seeds, args.l2),
        "speed": speed(args.file),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"PubMedQA PQA-L, {args.folds}-fold CV, mean of seeds {seeds}, l2={args.l2}")
    for setting, r in result["cross_validated"].items():
        print(
            f"  {setting:19s} accuracy {r['accuracy']:.3f} ± {r['accuracy_sd']:.3f}   "
            f"macro-F1 {r['macro_f1']:.3f} ± {r['macro_f1_sd']:.3f}"
        )
        print("    confusion (seed 0; rows gold, columns predicted yes/no/maybe):")
        for gold in LABELS:
            row = r["confusion_seed0"][gold]
            print(f"      {gold:5s} " + " ".join(f"{row[p]:4d}" for p in LABELS))
    s = result["speed"]
    print(
        f"speed: {s['abstracts_per_second']:.0f} abstracts/s "
        f"({s['ms_per_abstract']:.2f} ms each, {s['ms_for_40_studies']:.0f} ms for 40 studies)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
