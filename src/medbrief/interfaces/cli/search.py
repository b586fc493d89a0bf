"""medbrief search: hybrid search, single query or batch (TREC run files)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from medbrief.interfaces.cli import CliContext, pass_cli
from medbrief.interfaces.cli.options import filter_options, filters_from


def _read_queries(path: Path) -> list[tuple[str, str]]:
    from medbrief.errors import InputError

    queries = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read queries: {exc}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            queries.append((str(obj["_id"]), str(obj["text"])))
        except (json.JSONDecodeError, KeyError, TypeError):
            raise InputError(
                f'{path}: line {n}: expected a BEIR query {{"_id": ..., "text": ...}}'
            ) from None
    return queries


@click.command()
@click.argument("query", required=False)
@click.option("-k", "--k", "k", type=int, default=10, show_default=True, help="Results to return.")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.option("--explain", is_flag=True, help="Show the reading and each side's rank and score.")
@click.option(
    "--batch",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="BEIR queries file (JSON lines with _id and text); writes a TREC run file.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where --batch writes its run (default: stdout).",
)
@click.option("--tag", default="medbrief", show_default=True, help="Run tag in TREC output.")
@click.option(
    "--no-reading",
    is_flag=True,
    help="Search the query text as given: no spelling correction or expansion.",
)
@filter_options
@pass_cli
def search(
    cli: CliContext,
    query: str | None,
    k: int,
    as_json: bool,
    explain: bool,
    batch: Path | None,
    output: Path | None,
    tag: str,
    no_reading: bool,
    **filters: Any,
) -> None:
    """Search the store with hybrid (BM25 + dense) retrieval.

    \b
    One query:
      medbrief search "metformin in chronic kidney disease" --k 5 --explain
    Batch evaluation (BEIR queries in, TREC run out: qid Q0 docid rank score tag):
      medbrief search --batch queries.jsonl --k 100 --output run.tsv
    Document ids in runs are as ingested: BEIR ids for BEIR corpora, PMIDs for PubMed.
    """
    from medbrief.engine import Engine
    from medbrief.errors import InputError

    if (query is None) == (batch is None):
        raise InputError("give either a QUERY or --batch FILE")
    if not 1 <= k <= 1000:
        raise InputError(f"--k must be between 1 and 1000, not {k}")
    flt = filters_from(**filters)
    with Engine(cli.settings(max_k=max(k, 200))) as engine:
        if batch is not None:
            _batch(engine, _read_queries(batch), k, flt, output, tag, no_reading)
            return
        assert query is not None
        result = engine.search(query, k=k, filters=flt, raw=no_reading)
    if as_json:
        from medbrief.codec import to_builtins

        payload = to_builtins(result)
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    r = result.reading
    if explain or r.corrections:
        for fix in r.corrections:
            click.echo(f"corrected: {fix.original} -> {fix.corrected}")
    if explain:
        for e in r.expansions:
            click.echo(f"expanded: {e.abbreviation} -> {e.expansion}")
        click.echo(f"concepts: {'; '.join(c.label for c in r.concepts)}")
        click.echo(f"searched: {r.search_text}")
    for note in result.notes:
        click.echo(f"note: {note}")
    for hit in result.hits:
        item: Any = hit.document or hit.recommendation
        title = str(getattr(item, "title", None) or getattr(item, "statement", ""))
        year = getattr(item, "year", None) or ""
        click.echo(f"{hit.rank:>3}. {hit.id}  {year}  {title[:100]}")
        if explain:
            click.echo(
                f"     score {hit.score:.4f}  lexical #{hit.lexical_rank or '-'} "
                f"({hit.lexical_score or 0:.3f})  dense #{hit.dense_rank or '-'} "
                f"({hit.dense_score or 0:.3f})  kind {hit.kind}"
            )


def _batch(
    engine: Any,
    queries: list[tuple[str, str]],
    k: int,
    flt: Any,
    output: Path | None,
    tag: str,
    no_reading: bool,
) -> None:
    from rich.progress import Progress

    out = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        with Progress(disable=output is None, transient=True) as progress:
            task = progress.add_task("queries", total=len(queries))
            for qid, text in queries:
                result = engine.search(text, k=k, filters=flt, raw=no_reading)
                for hit in result.hits:
                    docid = hit.document.source_id if hit.document else hit.id
                    out.write(f"{qid} Q0 {docid} {hit.rank} {hit.score:.6f} {tag}\n")
                progress.advance(task)
    finally:
        if output:
            out.close()
