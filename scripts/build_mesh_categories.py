"""Build src/medbrief/data/mesh/categories.tsv: MeSH descriptor UI -> top-level tree categories.

Source: ../shared/data/mesh/tree-numbers.tsv (MeSH 2015 descriptors with tree numbers, CC0,
derived from NLM MeSH). The first letter of a tree number is the MeSH category
(https://www.nlm.nih.gov/mesh/intro_trees.html): A anatomy, B organisms, C diseases,
D chemicals and drugs, E techniques and equipment, F psychiatry and psychology, G phenomena and
processes, ... The brief uses it to tell interventions (D, E, and psychotherapy F04.754) from
conditions (C, F03).

Usage: python scripts/build_mesh_categories.py [../shared/data/mesh/tree-numbers.tsv]
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "mesh" / "tree-numbers.tsv"
TARGET = ROOT / "src" / "medbrief" / "data" / "mesh" / "categories.tsv"


def main(source: Path = SOURCE) -> None:
    cats: dict[tuple[str, str], set[str]] = defaultdict(set)
    with source.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            # "F03" (mental disorders) counts as a condition alongside C, and
            # "F04.754" (psychotherapy, behaviour therapy) as a treatment beside E
            tree = row["mesh_tree_number"]
            cat = next((p for p in ("F03", "F04.754") if tree.startswith(p)), tree[0])
            cats[(row["mesh_id"], row["mesh_name"])].add(cat)
    with TARGET.open("w", encoding="utf-8", newline="") as out:
        out.write("# MeSH descriptor UI, name, top-level tree categories. Built by\n")
        out.write(
            "# scripts/build_mesh_categories.py from MeSH 2015 tree numbers (CC0, NLM MeSH).\n"
        )
        for (ui, name), c in sorted(cats.items()):
            out.write(f"{ui}\t{name}\t{','.join(sorted(c))}\n")
    print(f"wrote {len(cats)} descriptors to {TARGET}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)
