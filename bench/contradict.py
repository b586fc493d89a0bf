"""Contradiction forms on SciFact: how often a contradicting abstract is caught.

SciFact's training claims (Wadden et al. 2020; CC BY-NC, read from
``../shared``, never copied) pair each claim with the abstracts that SUPPORT
or CONTRADICT it. A claim is a statement, like the claim a yes/no question
makes, so ``medbrief.grade.contradict`` should fire on the contradicting
abstracts and stay silent on the supporting ones. Printed: for the claims
outside the untouched fifth (``bench/holdout.py``), or with ``--held-out``
for that fifth, how many CONTRADICT and SUPPORT abstracts the forms fire on,
and the stance labels of each.

    .venv/bin/python bench/contradict.py [--held-out] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

from holdout import held_out
from medbrief.grade.stance import analyse, stance_from_analysis

ROOT = Path(__file__).resolve().parent.parent
SCIFACT = Path(os.environ.get("MEDBRIEF_SHARED", ROOT.parent / "shared")) / "data" / "scifact"


def measure(held: bool) -> dict[str, object]:
    with (SCIFACT / "corpus.jsonl").open(encoding="utf-8") as fh:
        corpus = {d["doc_id"]: d for d in map(json.loads, fh)}
    with (SCIFACT / "claims_train.jsonl").open(encoding="utf-8") as fh:
        claims = [c for c in map(json.loads, fh) if held_out(c["id"]) == held]
    pairs: Counter[str] = Counter()
    fired: Counter[str] = Counter()
    labels: Counter[str] = Counter()
    for claim in claims:
        for doc_id, evidence in claim["evidence"].items():
            doc = corpus[int(doc_id)]
            gold = evidence[0]["label"]
            result = analyse(claim["claim"], " ".join(doc["abstract"]), doc["title"])
            pairs[gold] += 1
            fired[gold] += result.denial is not None
            labels[f"{gold}->{stance_from_analysis(result).label}"] += 1
    return {
        "split": "held-out" if held else "dev",
        "claims": len(claims),
        "pairs": dict(pairs),
        "contradiction_fires": dict(fired),
        "stance": dict(sorted(labels.items())),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--held-out", action="store_true", help="score the untouched fifth")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if not (SCIFACT / "claims_train.jsonl").is_file():
        print(f"skipped: SciFact not found under {SCIFACT}")
        return 0
    result = measure(args.held_out)
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    pairs, fired = result["pairs"], result["contradiction_fires"]
    assert isinstance(pairs, dict) and isinstance(fired, dict)
    print(f"SciFact training claims, {result['split']} ({result['claims']} claims)")
    for gold in ("CONTRADICT", "SUPPORT"):
        print(
            f"  {gold:<10} abstracts: contradiction fires on {fired.get(gold, 0)} "
            f"of {pairs.get(gold, 0)}"
        )
    print(f"  stance labels: {result['stance']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
