"""``medbrief fetch``: records from online sources into the local store."""

from __future__ import annotations

import json
from typing import Any

import click

from medbrief.interfaces.cli import CliContext, pass_cli


@click.group(name="fetch")
def fetch() -> None:
    """Fetch records from online sources into the local store.

    This and 'ask --live' are the only commands that use the network.
    """


@fetch.command(name="pubmed")
@click.argument("query")
@click.option(
    "--max",
    "max_records",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Fetch at most N records (the first N PubMed lists). Default: all hits, up to the "
    "9,999 PubMed's E-utilities serve for one search.",
)
@click.option(
    "--since",
    type=click.IntRange(1800, 2100),
    default=None,
    metavar="YEAR",
    help="Only records published in YEAR or later (publication date, PubMed's [dp]).",
)
@click.option(
    "--api-key",
    default=None,
    metavar="KEY",
    help="NCBI API key (default: $MEDBRIEF_NCBI_API_KEY); raises the rate from 3 to 10 requests/s.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@pass_cli
def pubmed(
    cli: CliContext,
    query: str,
    max_records: int | None,
    since: int | None,
    api_key: str | None,
    as_json: bool,
) -> None:
    """Search PubMed for QUERY and store the records found.

    QUERY is PubMed search syntax, as typed on pubmed.ncbi.nlm.nih.gov, e.g.

    \b
      medbrief fetch pubmed "restless legs syndrome[mh] AND iron" --since 2015
      medbrief fetch pubmed "ferric carboxymaltose" --max 200 --json

    Records already stored are stored again only when PubMed's copy is newer
    or changed. An interrupted fetch (Ctrl-C, lost connection) keeps every
    page stored so far; run the same command again to complete it. Requests
    follow NCBI's rules: at most 3 per second (10 with an API key), with
    'tool' and 'email' (settings ncbi_tool, ncbi_email) on each.
    """
    from medbrief.engine import Engine
    from medbrief.live.eutils import EUtilsClient
    from medbrief.live.fetch import check_query, fetch_pubmed

    query = check_query(query)
    settings = cli.settings(ncbi_api_key=api_key)
    with Engine(settings) as engine, EUtilsClient(settings) as client, _Progress() as bar:
        report = fetch_pubmed(
            engine.store,
            client,
            query,
            max_records=max_records,
            since=since,
            state_dir=settings.home / "live",
            progress=bar.update,
        )
        if report.written:
            engine.after_ingest()
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
        return
    _print_report(report)


def _print_report(report: Any) -> None:
    click.echo(f"PubMed: {report.found:,} hits for {report.query!r}")
    for warning in report.warnings:
        click.echo(f"  NCBI: {warning}")
    if not report.target:
        click.echo("Nothing to fetch.")
        return
    rate = report.records / report.seconds if report.seconds > 0 else 0.0
    resumed = " (resumed)" if report.resumed else ""
    click.echo(
        f"Stored {report.records:,} records{resumed} in {report.seconds:.1f} s "
        f"({rate:,.0f} records/s): {report.inserted:,} new, {report.updated:,} updated, "
        f"{report.unchanged + report.skipped:,} already stored."
    )
    if report.missing:
        click.echo(f"{report.missing:,} PMIDs listed by the search were not served (deleted).")
    if report.note:
        click.echo(f"Note: {report.note}.")


class _Progress:
    """A rich progress bar on stderr (records fetched, rate, ETA); silent when piped."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        console = Console(stderr=True)
        self._progress = Progress(
            TextColumn("fetching PubMed"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=console,
            disable=not console.is_terminal,
            transient=True,
        )
        self._task = self._progress.add_task("fetch", total=None, rate="")

    def __enter__(self) -> _Progress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def update(self, done: int, total: int) -> None:
        task = self._progress.tasks[0]
        speed = task.speed
        rate = f"{speed:,.0f} records/s" if speed else ""
        self._progress.update(self._task, completed=done, total=total, rate=rate)
