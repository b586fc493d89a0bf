"""``medbrief pubmed sync``: all of PubMed from NLM's baseline and update files."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import click

from medbrief.interfaces.cli import CliContext, pass_cli
from medbrief.interfaces.cli.parallel import parallel_options


@click.group(name="pubmed")
def pubmed() -> None:
    """Keep a local copy of all of PubMed (about 36 million records)."""


@pubmed.command(name="sync")
@click.option(
    "--dry-run", is_flag=True, help="List what would be fetched and ingested; do nothing."
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=0,
    metavar="N",
    help="Only the next N files not yet in the store (0: all), e.g. to try it out.",
)
@click.option(
    "--keep-files",
    is_flag=True,
    help="Keep the downloaded files after ingesting them (default: delete them, keeping "
    "their checksums; the baseline alone is ~40 GB).",
)
@click.option("--lexical-only", is_flag=True, help="Update the lexical index only; no embedding.")
@click.option(
    "--no-index", is_flag=True, help="Do not update the indexes ('medbrief index' later)."
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary on stdout.")
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@parallel_options
@pass_cli
def sync(
    cli: CliContext,
    dry_run: bool,
    limit: int,
    keep_files: bool,
    lexical_only: bool,
    no_index: bool,
    as_json: bool,
    quiet: bool,
    workers: int | None,
    ray_address: str | None,
) -> None:
    """Download NLM's PubMed baseline and daily update files, ingest them, index.

    \b
    From settings pubmed_base_url (NLM's https://ftp.ncbi.nlm.nih.gov/pubmed/,
    holding baseline/ and updatefiles/): every file not yet in the store is
    downloaded (at most pubmed_connections at once), checked against its
    published .md5, resumed and retried when a connection drops, ingested in
    the order the files apply (the baseline, then the updates; deletions
    applied), and then indexed (lexical, then dense with every core).
    Downloads, parsing and writing overlap.
      medbrief pubmed sync --dry-run     # what would be fetched
      medbrief pubmed sync --limit 2     # try two files
      medbrief pubmed sync               # everything new (run it daily)
      medbrief pubmed sync --ray         # parse and embed on a Ray cluster

    A re-run fetches only what is new. A file whose checksum does not match
    is not stored: the others are synced, and the command exits non-zero
    (6) naming it; run it again to retry. Ctrl-C is safe: everything
    committed is kept, and a partial download resumes. The baseline is about
    40 GB to download and, indexed, ~5-7 GB per million records on disk (see
    docs/scale.md).
    """
    from medbrief.engine import Engine
    from medbrief.index.lock import home_lock
    from medbrief.interfaces.cli.parallel import open_cli_pool
    from medbrief.sync import client, plan, sync_pubmed
    from medbrief.workers import cpu_count

    settings = cli.settings(load_starter=False)
    with Engine(settings) as engine, ExitStack() as stack:
        if dry_run:
            with client(settings) as http:
                found = plan(engine.store, settings, http, limit)
            _print_plan(found, settings.pubmed_base_url, as_json)
            return
        stack.enter_context(home_lock(settings, "pubmed-sync", "PubMed sync"))
        n = (settings.workers if workers is None else workers) or cpu_count()
        pool = None
        if n > 1 or ray_address is not None:
            pool = stack.enter_context(open_cli_pool(n, ray_address))
        index = "none" if no_index else "lexical" if lexical_only else "all"
        with _progress(quiet or as_json or not sys.stderr.isatty()) as callbacks:
            report = sync_pubmed(
                engine.store,
                settings,
                pool=pool,
                limit=limit,
                keep_files=keep_files,
                index=index,  # type: ignore[arg-type]
                callbacks=callbacks,
            )
    _print_report(report, as_json)


def _print_plan(found: Any, base_url: str, as_json: bool) -> None:
    fetch = [f.key for f in found.to_fetch]
    if as_json:
        out = {
            "base_url": base_url,
            "listed": found.listed,
            "already_ingested": found.done,
            "to_ingest": [f.key for f in found.todo],
            "to_fetch": fetch,
            "downloaded": list(found.downloaded),
        }
        click.echo(json.dumps(out, indent=2))
        return
    click.echo(
        f"{base_url}: {found.listed:,} files listed, {found.done:,} already in the store; "
        f"would ingest {len(found.todo):,} ({len(found.downloaded):,} already downloaded) "
        f"and fetch {len(fetch):,}:"
    )
    for key in fetch:
        click.echo(f"  {key}")


def _print_report(report: Any, as_json: bool) -> None:
    if as_json:
        from dataclasses import asdict

        out = asdict(report)
        out["complete"] = not report.failed
        click.echo(json.dumps(out, indent=2))
        return
    ingested = [f for f in report.files if f.status == "ingested"]
    rate = report.records / report.seconds if report.seconds else 0.0
    click.echo(
        f"{len(ingested):,} files ingested ({report.fetched:,} downloaded, "
        f"{report.bytes / 1e6:,.1f} MB), {report.records:,} records in {report.seconds:,.1f} s "
        f"({rate:,.0f} records/s); {report.already:,} of {report.listed:,} files were in "
        "the store already."
    )
    for label, n in report.indexed.items():
        click.echo(f"{label} index: {n:,} changes absorbed")


@contextmanager
def _progress(disabled: bool) -> Iterator[Any]:
    """Downloads (bytes, MB/s) and ingest (files, records, records/s)."""
    from medbrief.sync import Callbacks

    if disabled:
        yield Callbacks()
        return
    import time

    from rich.console import Console
    from rich.progress import DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    with Progress(
        TextColumn("pubmed sync"),
        DownloadColumn(),
        TransferSpeedColumn(),
        TextColumn("{task.fields[info]}"),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("sync", total=None, info="")
        started = time.monotonic()
        done = [0, 0]  # records, files

        def on_records(n: int) -> None:
            done[0] += n
            rate = done[0] / max(time.monotonic() - started, 1e-6)
            info = f"ingested {done[1]:,} files, {done[0]:,} records ({rate:,.0f}/s)"
            bar.update(task, info=info)

        def on_file(result: Any) -> None:
            done[1] += result.status == "ingested"
            on_records(0)

        yield Callbacks(lambda n: bar.advance(task, n), on_records, on_file)
