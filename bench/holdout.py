"""The project's untouched split of its own development data.

Figures measured on data a model or rule was tuned on are optimistic. One
fifth of each labelled set (chosen by a hash of the item's id, so the split
never changes and needs no file) is kept out of all training, tuning and
error reading, and is scored only for the final report:

- PubMedQA PQA-L (``../shared/data/pubmedqa/pqal_dev500.json``): key = PMID
- BioASQ 12b yes/no (``../shared/data/bioasq12b_yesno/questions.jsonl``): key = question id
- SciFact training claims (``../shared/data/scifact/claims_train.jsonl``): key = claim id

    from holdout import held_out      # bench/ on sys.path
    tune = [q for q in questions if not held_out(q["id"])]

Note: stance rules written before 2026-12-05 were read off errors on all 500
PubMedQA questions, so the PubMedQA held-out fifth is untouched only by work
from that date on.
"""

from __future__ import annotations

import hashlib

#: one item in HOLDOUT_MODULUS is held out
HOLDOUT_MODULUS = 5


def held_out(key: object) -> bool:
    """Whether the item with this id belongs to the untouched fifth."""
    digest = hashlib.sha256(str(key).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % HOLDOUT_MODULUS == 0


if __name__ == "__main__":  # print the sizes of the split for each set
    import json
    import sys
    from pathlib import Path

    shared = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
    sets = {
        "pubmedqa": list(json.loads((shared / "pubmedqa/pqal_dev500.json").read_text())),
        "bioasq": [
            json.loads(line)["id"]
            for line in (shared / "bioasq12b_yesno/questions.jsonl").read_text().splitlines()
        ],
        "scifact": [
            json.loads(line)["id"]
            for line in (shared / "scifact/claims_train.jsonl").read_text().splitlines()
        ],
    }
    for name, keys in sets.items():
        n = sum(held_out(k) for k in keys)
        sys.stdout.write(f"{name}: {n} of {len(keys)} held out\n")
