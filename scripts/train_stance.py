"""Retrain the stance classifier: src/medbrief/data/grade/stance.json.

Input: ../shared/data/pubmedqa/pqal_dev500.json (PubMedQA PQA-L, MIT licence). The
questions of the project's untouched fifth (bench/holdout.py, chosen by a hash of the PMID)
are left out, so that bench/stance.py --held-out can score them as unseen data; the file
lists the PMIDs it was trained on and says what was excluded.

Usage: python scripts/train_stance.py [../shared/data/pubmedqa/pqal_dev500.json]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from holdout import held_out  # noqa: E402
from medbrief.evaluate.pubmedqa import load  # noqa: E402
from medbrief.grade import training  # noqa: E402

SOURCE = ROOT.parent / "shared" / "data" / "pubmedqa" / "pqal_dev500.json"


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else SOURCE
    items = load(source)
    kept = [item for item in items if not held_out(item.pmid)]
    excluded = (
        f"{len(items) - len(kept)} of {len(items)} questions: the untouched fifth "
        "(bench/holdout.py)"
    )
    target = training.write(training.build(kept, excluded))
    print(f"wrote {target} ({target.stat().st_size // 1024} KiB) from {len(kept)} questions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
