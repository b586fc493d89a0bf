"""Yes/no answering end to end: the brief's bottom line on BioASQ and PubMedQA.

Builds two stores under --root (once; later runs reuse them):

- ``bioasq``: the BioASQ 12b yes/no pseudo-records
  (``bioasq12b_yesno/corpus.jsonl``, ingested as articles), then both MEDLINE
  files of ../shared as distractors (a PMID in both keeps the full record);
- ``pubmedqa``: both MEDLINE files, then PubMedQA PQA-L's 500 abstracts with
  their conclusions and without a title (the question *is* the title
  rephrased), as bench/retrieval.py builds them.

Then writes each set's questions of the chosen split as a question file
(``<root>/<set>/questions-<split>.jsonl``, the input of ``medbrief eval
yesno``) and scores them with ``medbrief.evaluate.yesno``: verdict and lean
accuracy, confusion matrix, gold-document hit/recall at 5 and 10, seconds
per question. The split is bench/holdout.py's: ``dev`` is the four fifths
that may be tuned on, ``holdout`` the untouched fifth (score it once, at the
end), ``all`` both.

    .venv/bin/python bench/yesno.py [--split dev] [--only bioasq|pubmedqa]
        [--root /tmp/medbrief-yesno] [--lexical-only] [--cv-stance 5] [--json] [--out FILE]

The shipped stance weights were trained on the dev four fifths of PubMedQA
PQA-L (``scripts/train_stance.py``), so dev figures measure fit unless
``--cv-stance K`` is given (held-out figures are honest either way): the
questions are then split in K folds and each fold is asked with stance weights
retrained (``medbrief.grade.training``) on the other dev folds only (never on
the held-out fifth), as bench/stance.py does for stance alone.

``MEDBRIEF_STANCE_ENTAILMENT=true`` asks with the optional entailment feature
(``medbrief.grade.entail``), weights retrained with it in every fold.

Dense indexing of the ~52k records of each store takes long on 2 cores (the
MEDLINE vectors are embedded once and shared by both stores through one
vector cache); ``--lexical-only`` builds and asks without it.
The same figures from the command line, once the stores exist:

    MEDBRIEF_HOME=/tmp/medbrief-yesno/bioasq medbrief eval yesno \\
        /tmp/medbrief-yesno/bioasq/questions-dev.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDBRIEF_SHARED", ROOT.parent / "shared")) / "data"
sys.path.insert(0, str(ROOT / "bench"))

from holdout import held_out  # noqa: E402
from medbrief.engine import Engine  # noqa: E402
from medbrief.evaluate.yesno import Question, Report, evaluate  # noqa: E402
from medbrief.index import sync_dense  # noqa: E402
from medbrief.ingest import ingest_paths  # noqa: E402
from medbrief.settings import Settings, get_settings  # noqa: E402
from retrieval import _pubmedqa_docs  # noqa: E402

SETS = ("bioasq", "pubmedqa")


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _medline() -> list[Path]:
    return sorted((SHARED / "pubmed").glob("*.xml.gz"))


def _settings(home: Path, lexical_only: bool) -> Settings:
    return get_settings(
        home=home, load_starter=False, vector_backend="none" if lexical_only else None
    )


def build(name: str, home: Path, lexical_only: bool, shared_vectors: Path) -> None:
    settings = _settings(home, lexical_only)
    if not lexical_only:
        # one vector cache for both stores: the MEDLINE records are embedded once
        shared_vectors.mkdir(parents=True, exist_ok=True)
        target = settings.index_dir / "vectors"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(shared_vectors)
    with Engine(settings) as engine:
        store = engine.store
        if store.count() == 0:
            t = time.perf_counter()
            if name == "bioasq":
                corpus = SHARED / "bioasq12b_yesno" / "corpus.jsonl"
                ingest_paths(store, "articles", [corpus])
                ingest_paths(store, "pubmed", _medline())
            else:
                ingest_paths(store, "pubmed", _medline())
                # PubMedQA's own copies (with conclusions) win over MEDLINE's
                store.write_documents(_pubmedqa_docs()[0])
            _say(f"{name}: store built in {time.perf_counter() - t:.0f} s: {store.count()} docs")
        engine.after_ingest()
        if not lexical_only:
            t = time.perf_counter()
            sync_dense(store, settings)
            _say(f"{name}: dense index ready in {time.perf_counter() - t:.0f} s")


def questions(name: str, split: str) -> list[Question]:
    def keep(key: str) -> bool:
        return split == "all" or held_out(key) == (split == "holdout")

    if name == "bioasq":
        path = SHARED / "bioasq12b_yesno" / "questions.jsonl"
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        return [
            Question(r["id"], r["question"], r["answer"], tuple(r.get("gold_pmids", ())))
            for r in rows
            if keep(r["id"])
        ]
    data = json.loads((SHARED / "pubmedqa" / "pqal_dev500.json").read_text(encoding="utf-8"))
    return [
        Question(pmid, rec["QUESTION"], rec["final_decision"], (pmid,))
        for pmid, rec in data.items()
        if keep(pmid)
    ]


def write_questions(path: Path, items: list[Question]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for q in items:
            row = {"id": q.id, "question": q.question, "answer": q.answer}
            f.write(json.dumps({**row, "gold_pmids": list(q.gold_pmids)}) + "\n")


def run(name: str, root: Path, split: str, lexical_only: bool, cv: int = 0) -> dict[str, Any]:
    home = root / name
    build(name, home, lexical_only, root / "vectors")
    items = questions(name, split)
    write_questions(home / f"questions-{split}.jsonl", items)
    with Engine(_settings(home, lexical_only)) as engine:
        engine.answer(items[0].question)  # warm-up: indexes and models load
        t = time.perf_counter()
        if cv and name == "pubmedqa":
            every_fold = split != "holdout"  # the held-out fifth: weights from all dev folds
            report = _cross_validated(engine, items, cv, every_fold, _progress(name, len(items), t))
        else:
            report = evaluate(engine, items, on_item=_progress(name, len(items), t))
    cross_validated = cv and name == "pubmedqa"
    notes = {"stance": f"{cv}-fold retrained on the other dev folds"} if cross_validated else {}
    return {"set": name, "split": split, "lexical_only": lexical_only, **notes, **report.to_json()}


def _cross_validated(
    engine: Engine, items: list[Question], k: int, folds: bool, tick: Any
) -> Report:
    """Each fold asked with stance weights trained on the other dev folds."""
    import medbrief.grade.stance as stance_module
    from medbrief.evaluate.pubmedqa import load as load_pqal
    from medbrief.grade import training

    pqal = [i for i in load_pqal(SHARED / "pubmedqa" / "pqal_dev500.json") if not held_out(i.pmid)]
    fold_of = {q.id: int(q.id) % k for q in items}
    # each weight set's examples, read once (with the entailment feature too when it is on)
    variants = [("", None)]
    if engine.settings.stance_entailment:
        from medbrief.grade import entail

        variants.append((f"+{stance_module.ENTAILMENT}", entail.shared()))
    examples = {
        name + suffix: training.examples(pqal, setting, model)
        for suffix, model in variants
        for name, setting in training.SETTING_OF_MODEL.items()
    }
    shipped = stance_module.models
    outcomes = []
    try:
        for fold in range(k):
            models = {
                name: training.fit([e for e in data if not folds or int(e.pmid) % k != fold])
                for name, data in examples.items()
            }
            stance_module.models = lambda m=models: m  # type: ignore[misc]
            asked = [q for q in items if fold_of[q.id] == fold]
            outcomes.extend(evaluate(engine, asked).outcomes)
            tick(len(outcomes))
    finally:
        stance_module.models = shipped  # type: ignore[misc]
    return Report(tuple(outcomes))


def _progress(name: str, total: int, start: float) -> Any:
    def tick(done: int) -> None:
        if done % 20 == 0 or done == total:
            rate = done / max(time.perf_counter() - start, 1e-9)
            _say(f"{name}: {done}/{total} questions, {rate:.2f} q/s")

    return tick


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=Path("/tmp/medbrief-yesno"))
    parser.add_argument("--split", choices=["dev", "holdout", "all"], default="dev")
    parser.add_argument("--only", choices=SETS)
    parser.add_argument("--lexical-only", action="store_true", help="no dense index")
    parser.add_argument(
        "--cv-stance",
        type=int,
        default=0,
        metavar="K",
        help="PubMedQA: K folds, stance retrained on the other dev folds for each",
    )
    parser.add_argument("--json", action="store_true", help="print every question's result")
    parser.add_argument("--out", type=Path, help="also write the full report here (JSON)")
    args = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"../shared data not found at {SHARED}; set MEDBRIEF_SHARED")
    reports = [
        run(n, args.root, args.split, args.lexical_only, args.cv_stance)
        for n in SETS
        if args.only in (None, n)
    ]
    if args.out:
        args.out.write_text(json.dumps(reports, indent=1), encoding="utf-8")
    for report in reports:
        shown = report if args.json else {k: v for k, v in report.items() if k != "questions"}
        print(json.dumps(shown, indent=1))


if __name__ == "__main__":
    main()
