"""``medbrief eval``: measure medbrief's stages on standard test collections.

Subcommands are imported when run, like the top-level commands. To add one,
put it in its own module and add a line to ``EVAL_COMMANDS``.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from medbrief.types import Stance

#: Lazily imported subcommands: name -> "module:attribute" (e.g. "beir":
#: "medbrief.interfaces.cli.evaluate_ir:beir"). ``pubmedqa`` lives here.
EVAL_COMMANDS: dict[str, str] = {"yesno": "medbrief.interfaces.cli.evaluate_yesno:yesno"}


class _EvalGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*EVAL_COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        target = EVAL_COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attr)
        return command


@click.group(name="eval", cls=_EvalGroup)
def evaluate() -> None:
    """Measure medbrief on standard test collections (accuracy, F1, speed).

    \b
    Stance on PubMedQA (Jin et al. 2019):
      medbrief eval pubmedqa ori_pqal.json --setting reasoning-free
      medbrief eval pubmedqa ori_pqal.json --stance llm --limit 50
    Yes/no questions answered end to end (the brief's bottom line):
      medbrief eval yesno questions.jsonl
    """


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option(
    "--setting",
    type=click.Choice(["reasoning-free", "reasoning-required"]),
    default="reasoning-free",
    show_default=True,
    help="reasoning-free: the question with the whole abstract, its conclusion included "
    "(CONTEXTS + LONG_ANSWER); reasoning-required: the question with CONTEXTS only.",
)
@click.option(
    "--stance",
    "reader",
    type=click.Choice(["offline", "entail", "llm"]),
    default="offline",
    show_default=True,
    help="offline: medbrief's own stance reader; entail: the same with the optional "
    "entailment feature (pip install 'medbrief[entail]'; medbrief/grade/entail.py); "
    "llm: the configured language model "
    "(MEDBRIEF_LLM_MODEL, docs/llm-writer.md) labels each abstract the offline reader finds "
    "addressed, the offline label standing in when the model fails.",
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=None, help="Only the first N questions."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
def pubmedqa(file: Path, setting: str, reader: str, limit: int | None, as_json: bool) -> None:
    """Accuracy and macro-F1 of stance() on a PubMedQA-format FILE.

    FILE maps PMIDs to {QUESTION, CONTEXTS, LABELS, final_decision, LONG_ANSWER}
    (PubMedQA's ori_pqal.json / test_set.json layout). Each question is put to
    medbrief.stance() with its abstract and the answer compared to
    final_decision (yes / no / maybe). 'not_addressed' counts as 'maybe'.

    The stance weights were trained on 394 of PubMedQA PQA-L's 500 questions
    outside the official test split. Questions of FILE that the weights were trained
    on are counted and flagged: on those, the figures measure fit, not
    accuracy (bench/stance.py gives 10-fold cross-validated figures).
    """
    from medbrief.evaluate.pubmedqa import evaluate as run
    from medbrief.evaluate.pubmedqa import load

    items = load(file)[:limit]
    model: Callable[[str, str], Stance] | None = None
    llm = None
    name = "offline"
    if reader == "entail":
        from medbrief.errors import DependencyError
        from medbrief.grade import entail

        if not entail.available():
            raise DependencyError("--stance entail", entail.INSTALL)
        model, name = entail.stance, "offline+entail"
    elif reader == "llm":
        from medbrief.settings import get_settings
        from medbrief.write.client import ChatClient
        from medbrief.write.stance import ModelStance

        settings = get_settings()
        model = llm = ModelStance(ChatClient.from_settings(settings))
        name = f"llm:{settings.llm_model}"
    with _Progress(len(items), quiet=as_json) as tick:
        report = run(items, setting, on_item=tick, reader=model, reader_name=name)  # type: ignore[arg-type]
    if llm is not None and llm.fell_back:
        from dataclasses import replace

        fallback = f"the offline label stood in for {llm.fell_back} of {llm.asked} model replies"
        report = replace(report, notes=(*report.notes, fallback))
    if as_json:
        click.echo(json.dumps({"file": str(file), **report.to_json()}, indent=2))
        return
    _print(file, report)


class _Progress:
    """A rich progress bar with questions/s and ETA on stderr (none for --json)."""

    def __init__(self, total: int, quiet: bool, label: str = "stance", every: int = 10) -> None:
        self.total = total
        self.label = label
        self.every = every
        self.bar: Any = None
        if not quiet and sys.stderr.isatty():
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn(label),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                transient=True,
            )

    def __enter__(self) -> Any:
        if self.bar is None:
            return None
        import time

        self.bar.start()
        task = self.bar.add_task(self.label, total=self.total, rate="")
        start = time.perf_counter()

        def tick(done: int) -> None:
            if done % self.every == 0 or done == self.total:
                elapsed = max(time.perf_counter() - start, 1e-9)
                self.bar.update(task, completed=done, rate=f"{done / elapsed:,.1f} q/s")

        return tick

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _print(file: Path, report: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    speed = report.n / report.seconds if report.seconds else 0.0
    console.print(
        f"[bold]PubMedQA[/bold] {file} ({report.setting}, {report.n} questions, "
        f"stance: {report.reader})"
    )
    console.print(f"accuracy  {report.accuracy:.3f}")
    console.print(f"macro-F1  {report.macro_f1:.3f}")
    console.print(f"speed     {speed:,.0f} abstracts/s")
    if report.not_addressed:
        console.print(f"not_addressed (scored as maybe): {report.not_addressed}")
    table = Table(title="confusion (rows: gold, columns: predicted)")
    table.add_column("gold")
    for label in ("yes", "no", "maybe"):
        table.add_column(label, justify="right")
    table.add_column("F1", justify="right")
    for gold, row in report.confusion.items():
        f1 = report.per_class[gold]["f1"]
        table.add_row(gold, *(str(row[p]) for p in ("yes", "no", "maybe")), f"{f1:.3f}")
    console.print(table)
    for note in report.notes:
        console.print(f"[yellow]caveat:[/yellow] {note}")


evaluate.add_command(pubmedqa)
