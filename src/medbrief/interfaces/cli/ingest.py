"""medbrief ingest pubmed|guidelines|beir|articles PATH..."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import click

from medbrief.interfaces.cli import CliContext, pass_cli
from medbrief.interfaces.cli.parallel import parallel_options

_PATHS = click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
_JSON = click.option("--json", "as_json", is_flag=True, help="Print a JSON summary on stdout.")
_QUIET = click.option("--quiet", "-q", is_flag=True, help="No progress display.")
_BATCH = click.option(
    "--batch-size",
    type=click.IntRange(1, 100_000),
    default=2000,
    show_default=True,
    help="Records per committed transaction.",
)


@click.group()
def ingest() -> None:
    """Load files into the store (the source of truth every index derives from).

    \b
    Folders are searched recursively and quoted globs expand. Each file
    commits in whole-record batches: an error or Ctrl-C keeps everything
    committed before it, and running the same command again completes the
    job (re-ingesting is idempotent; a newer PMID version wins).
    Formats are described in docs/formats.md and docs/guidelines-schema.md.
    """


@ingest.command()
@_PATHS
@_JSON
@_QUIET
@_BATCH
@parallel_options
@pass_cli
def pubmed(
    cli: CliContext,
    paths: tuple[Path, ...],
    as_json: bool,
    quiet: bool,
    batch_size: int,
    **parallel: Any,
) -> None:
    """PubMed records: NLM XML or MEDLINE text.

    \b
    Reads PubmedArticleSet XML as NCBI ships it (baseline and daily update
    files, .xml or .xml.gz, efetch output) and the MEDLINE text export of
    the PubMed site ("PMID- ", "TI  - "), told apart by content.
    DeleteCitation blocks remove the records they name.
      medbrief ingest pubmed pubmed24n0001.xml.gz updates/ 'more/*.xml.gz'
    """
    _run(cli, "pubmed", paths, as_json, quiet, batch_size, parallel)


@ingest.command()
@_PATHS
@_JSON
@_QUIET
@_BATCH
@parallel_options
@pass_cli
def guidelines(
    cli: CliContext,
    paths: tuple[Path, ...],
    as_json: bool,
    quiet: bool,
    batch_size: int,
    **parallel: Any,
) -> None:
    """Guideline recommendations and guideline summaries.

    \b
    The format is recognised from the content:
      - medbrief guideline JSONL (docs/guidelines-schema.md, schema_version 1)
      - the USPSTF Prevention TaskForce API JSON, raw dump or one topic per line
      - structured guideline-recommendation JSONL (recommendation_statement,
        issuing_body, strength, certainty_of_evidence, ...)
      - a folder of Markdown summaries with registry.json + content/<id>/<section>.md
    """
    _run(cli, "guidelines", paths, as_json, quiet, batch_size, parallel)


@ingest.command()
@_PATHS
@_JSON
@_QUIET
@_BATCH
@parallel_options
@click.option(
    "--collection",
    help="Collection name for ids beir:<collection>:<_id> (default: the file's folder name).",
)
@pass_cli
def beir(
    cli: CliContext,
    paths: tuple[Path, ...],
    as_json: bool,
    quiet: bool,
    batch_size: int,
    collection: str | None,
    **parallel: Any,
) -> None:
    """A BEIR corpus (corpus.jsonl: {"_id", "title", "text"}), ids kept as given.

    \b
      medbrief ingest beir datasets/scifact/corpus.jsonl
    Stored ids are beir:<collection>:<_id>; search run files print the _id.
    """
    _run(cli, "beir", paths, as_json, quiet, batch_size, parallel, collection=collection)


@ingest.command()
@_PATHS
@_JSON
@_QUIET
@_BATCH
@parallel_options
@pass_cli
def articles(
    cli: CliContext,
    paths: tuple[Path, ...],
    as_json: bool,
    quiet: bool,
    batch_size: int,
    **parallel: Any,
) -> None:
    """Articles as JSON lines (docs/formats.md): pmid/doi/id, title, abstract...

    \b
    A record with a PMID is stored as pmid:<PMID>, else doi:<DOI>, else
    <source>:<id>.
    """
    _run(cli, "articles", paths, as_json, quiet, batch_size, parallel)


def _run(
    cli: CliContext,
    fmt: str,
    paths: tuple[Path, ...],
    as_json: bool,
    quiet: bool,
    batch_size: int,
    parallel: dict[str, Any],
    **options: Any,
) -> None:
    from medbrief.engine import Engine
    from medbrief.errors import MedbriefError
    from medbrief.ingest import IngestReport, expand, ingest_paths
    from medbrief.ingest.parallel import worth_parallel
    from medbrief.workers import cpu_count

    files = expand(fmt, paths)  # every path is checked before anything is written
    settings = cli.settings(load_starter=False)
    workers = parallel.get("workers")
    workers = (settings.workers if workers is None else workers) or cpu_count()
    ray = parallel.get("ray_address")
    engine = Engine(settings)
    reports: list[IngestReport] = []
    try:
        if ray is not None or worth_parallel(files, workers):
            limits = {**options, "max_record_bytes": settings.max_record_bytes}
            _run_parallel(engine, fmt, files, workers, ray, quiet, batch_size, limits, reports)
        else:
            with _progress(len(files), quiet or not sys.stderr.isatty()) as track:
                for path in files:
                    with track(path) as on_records:
                        reports += ingest_paths(
                            engine.store,
                            fmt,
                            [path],
                            progress=on_records,
                            batch_size=batch_size,
                            max_record_bytes=settings.max_record_bytes,
                            **options,
                        )
    except MedbriefError as exc:
        partial = exc.partial if isinstance(exc.partial, IngestReport) else None
        if partial is not None:  # what the failing file committed before its error
            reports.append(partial)
        # committed records are indexed too where possible; the error reported is the ingest's
        with contextlib.suppress(MedbriefError):
            engine.after_ingest()
        engine.close()
        _summary(reports, as_json, failed=True, partial=partial is not None)
        raise
    except BaseException:
        engine.close()
        raise
    try:
        engine.after_ingest()
    except MedbriefError:
        _summary(reports, as_json)  # the store has every record; only indexing failed
        raise
    finally:
        engine.close()
    _summary(reports, as_json)


def _run_parallel(
    engine: Any,
    fmt: str,
    files: list[Path],
    workers: int,
    ray: str | None,
    quiet: bool,
    batch_size: int,
    options: dict[str, Any],
    reports: list[Any],
) -> None:
    """Files parsed by worker processes (or Ray), written here in file order;
    each file's report is appended to ``reports`` as it completes."""
    from medbrief.ingest.parallel import ingest_parallel
    from medbrief.interfaces.cli.parallel import open_cli_pool

    with (
        open_cli_pool(workers, ray) as pool,
        _file_progress(len(files), quiet or not sys.stderr.isatty()) as (on_records, on_file),
    ):

        def done(report: Any) -> None:
            reports.append(report)
            on_file(report)

        ingest_parallel(
            engine.store,
            fmt,
            files,
            pool,
            batch_size=batch_size,
            progress=on_records,
            on_file=done,
            **options,
        )


def _summary(
    reports: list[Any], as_json: bool, failed: bool = False, partial: bool = False
) -> None:
    """Per file and in total; with ``partial``, the last report is the failing
    file's, counting the records it committed before its error."""
    total = {
        k: sum(getattr(r, k) for r in reports)
        for k in ("records", "inserted", "updated", "unchanged", "skipped", "deleted")
    }
    seconds = sum(r.seconds for r in reports)
    stopped = len(reports) - 1 if partial else None
    if as_json:
        from medbrief import codec

        out = {
            "files": [
                dict(codec.to_builtins(r), rate=round(r.rate, 1), complete=i != stopped)
                for i, r in enumerate(reports)
            ],
            "total": dict(total, seconds=round(seconds, 3), files=len(reports)),
            "complete": not failed,
        }
        click.echo(json.dumps(out, indent=2))
        return
    for i, r in enumerate(reports):
        note = " (stopped by the error below; these records are kept)" if i == stopped else ""
        click.echo(
            f"{r.path}: {r.records:,} records ({r.inserted:,} new, {r.updated:,} updated, "
            f"{r.unchanged:,} unchanged, {r.skipped:,} skipped), {r.deleted:,} deleted, "
            f"{r.seconds:.1f} s, {r.rate:,.0f} records/s{note}"
        )
    if len(reports) > 1:
        click.echo(
            f"total: {len(reports)} files, {total['records']:,} records "
            f"({total['inserted']:,} new, {total['updated']:,} updated), "
            f"{total['deleted']:,} deleted, {seconds:.1f} s"
        )


Tracker = Callable[[Path], AbstractContextManager[Callable[[int], None] | None]]


@contextmanager
def _progress(n_files: int, disabled: bool) -> Iterator[Tracker]:
    """Per file: bytes read (so an ETA), records and records/s; with several
    files, files done too."""

    @contextmanager
    def silent(path: Path) -> Iterator[None]:
        yield None

    if disabled:
        yield silent
        return
    import time

    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    from medbrief.ingest.sources import BYTES_READ

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(bar_width=20),
        TaskProgressColumn(),
        TextColumn("{task.fields[records]}"),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        files = bar.add_task("files", total=n_files, records="") if n_files > 1 else None

        @contextmanager
        def track(path: Path) -> Iterator[Callable[[int], None]]:
            size = path.stat().st_size if path.is_file() else None
            task = bar.add_task(path.name, total=size, records="")
            started = time.monotonic()
            done = [0]

            def on_records(n: int) -> None:
                done[0] += n
                rate = done[0] / max(time.monotonic() - started, 1e-6)
                bar.update(task, records=f"{done[0]:,} records {rate:,.0f}/s")
                if size is None:
                    bar.update(task, completed=done[0])

            token = BYTES_READ.set(lambda pos: bar.update(task, completed=pos))
            try:
                yield on_records
            finally:
                BYTES_READ.reset(token)
                bar.remove_task(task)
                if files is not None:
                    bar.advance(files)

        yield track


@contextmanager
def _file_progress(
    n_files: int, disabled: bool
) -> Iterator[tuple[Callable[[int], None], Callable[[Any], None]]]:
    """Files done, records and records/s, for ingests that parse in workers."""
    if disabled:
        yield (lambda n: None), (lambda r: None)
        return
    import time

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("files"),
        BarColumn(bar_width=20),
        MofNCompleteColumn(),
        TextColumn("{task.fields[records]}"),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("files", total=n_files, records="")
        started = time.monotonic()
        done = [0]

        def on_records(n: int) -> None:
            done[0] += n
            rate = done[0] / max(time.monotonic() - started, 1e-6)
            bar.update(task, records=f"{done[0]:,} records {rate:,.0f}/s")

        yield on_records, lambda report: bar.advance(task)
