"""``medbrief eval yesno``: the brief's bottom line against yes/no answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from medbrief.interfaces.cli import CliContext, pass_cli


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--limit", type=int, default=None, help="Ask only the first N questions.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@pass_cli
def yesno(cli: CliContext, file: Path, limit: int | None, as_json: bool) -> None:
    """Ask every question of FILE against the current store and score the verdicts.

    FILE is JSON lines, one question an object: {"question": ..., "answer":
    "yes" | "no" | "maybe", "gold_pmids": [...] (optional), "id": ... (optional)}.
    Each question is answered as 'medbrief ask' answers it, and the bottom
    line's verdict compared to the answer. Printed:

    \b
    - verdict accuracy ("mixed" is right only for a gold "maybe";
      "insufficient" and abstentions are wrong);
    - lean accuracy over the yes/no questions (the side the evidence favours);
    - the confusion matrix (rows: gold, columns: verdict);
    - gold-document hit and recall at 5 and 10, where gold_pmids are given
      (the question searched as the brief searches it);
    - seconds per question (the brief alone).

    bench/yesno.py builds the BioASQ and PubMedQA stores these figures are
    reported on (docs/benchmarks.md).
    """
    from medbrief.engine import Engine
    from medbrief.evaluate.yesno import evaluate, load
    from medbrief.interfaces.cli.evaluate import _Progress

    questions = load(file)[:limit] if limit else load(file)
    progress = _Progress(len(questions), as_json, "questions", every=1)
    with Engine(cli.settings()) as engine, progress as tick:
        report = evaluate(engine, questions, on_item=tick)
    if as_json:
        click.echo(json.dumps({"file": str(file), **report.to_json()}, indent=2))
        return
    _print(file, report.to_json())


def _print(file: Path, report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]yes/no[/bold] {file} ({report['n']} questions)")
    console.print(f"verdict accuracy  {report['verdict_accuracy']:.3f}")
    if report["lean_accuracy"] is not None:
        console.print(
            f"lean accuracy     {report['lean_accuracy']:.3f} "
            f"(over {report['binary_n']} yes/no questions)"
        )
    console.print(f"seconds/question  {report['seconds_per_question']:.2f}")
    gold = report["gold"]
    if gold:
        console.print(
            "gold documents    "
            + ", ".join(f"{k} {v:.3f}" for k, v in gold.items())
            + "  (hit: at least one in the top k; recall: share found)"
        )
    table = Table(title="confusion (rows: gold, columns: verdict)")
    confusion = report["confusion"]
    columns = [c for c in next(iter(confusion.values())) if any(r[c] for r in confusion.values())]
    table.add_column("gold")
    for c in columns:
        table.add_column(c, justify="right")
    for gold_label, row in confusion.items():
        table.add_row(gold_label, *(str(row[c]) for c in columns))
    console.print(table)
