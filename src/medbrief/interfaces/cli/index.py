"""``medbrief index``: bring the lexical and dense indexes up to the store."""

from __future__ import annotations

import json
import time
from contextlib import ExitStack
from typing import Any

import click

from medbrief.interfaces.cli import CliContext, pass_cli
from medbrief.interfaces.cli.parallel import parallel_options


@click.command(name="index")
@click.option(
    "--rebuild",
    is_flag=True,
    help="Delete the indexes and recreate them from the store. Cached vectors are "
    "kept, so only passages never embedded before go through the model again.",
)
@click.option("--lexical-only", is_flag=True, help="Only the lexical (BM25) index; no embedding.")
@click.option(
    "--status", "show_status", is_flag=True, help="Show each index's state; change nothing."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@parallel_options
@pass_cli
def index(
    cli: CliContext,
    rebuild: bool,
    lexical_only: bool,
    show_status: bool,
    as_json: bool,
    workers: int | None,
    ray_address: str | None,
) -> None:
    """Index what the store holds, for lexical and dense search.

    The lexical index (BM25; settings lexical_backend) is kept up to date by
    every ingest already; this command also embeds every new or changed
    document and recommendation with the embedding model (settings embedder)
    and adds them to the vector index (settings vector_backend). Only
    changes since the last run are processed.

    \b
      medbrief index                 # after 'medbrief ingest ...'
      medbrief index --status        # what is indexed, what is pending
      medbrief index --rebuild       # after changing model or backend

    Embedding runs in worker processes, one per CPU (--workers), each with
    its own single-threaded model, so the vectors are the same as one
    process would compute; --ray runs them on a Ray cluster instead. With
    the minilm-fp32 embedder and a CUDA GPU (index_device), it runs batched
    on the GPU. Another process writing the same index is waited for.

    Ctrl-C is safe: embedded passages are kept, and running the command again
    continues where it stopped. Indexes are derived data: --rebuild recreates
    them from the store at any time.
    """
    from medbrief.engine import Engine
    from medbrief.index import open_lexical, open_vector, pending, remove, status, sync
    from medbrief.index.build import POOL_MIN_ITEMS, build_embedder
    from medbrief.index.lock import index_lock
    from medbrief.index.state import dir_size
    from medbrief.interfaces.cli.parallel import open_cli_pool
    from medbrief.workers import cpu_count

    settings = cli.settings()
    with Engine(settings) as engine, ExitStack() as stack:
        store = engine.store
        if show_status:
            _print_status(status(store, settings), as_json)
            return
        _remove_stale_temporaries(settings)
        if rebuild:
            remove(settings, lexical=True, dense=not lexical_only)
        summary: dict[str, Any] = {}
        targets: list[tuple[str, Any]] = [("lexical", open_lexical(settings))]
        if not lexical_only:
            vector = open_vector(settings)
            if vector is not None and (
                ray_address is not None or pending(vector, store) >= POOL_MIN_ITEMS
            ):
                n = (settings.workers if workers is None else workers) or cpu_count()
                pool = stack.enter_context(open_cli_pool(n, ray_address))
                vector = open_vector(settings, build_embedder(settings, pool))
            if vector is not None:
                targets.append(("dense", vector))
        for label, idx in targets:
            todo = pending(idx, store)
            started = time.perf_counter()
            with _Progress(f"{label} ({idx.name})", todo, quiet=as_json) as bar:
                items = sync(idx, store, bar.advance, lock=index_lock(settings, label))
            seconds = time.perf_counter() - started
            info = idx.status()
            summary[label] = {
                "backend": idx.name,
                "items": items,
                "seconds": round(seconds, 2),
                "items_per_s": round(items / seconds, 1) if seconds > 0 and items else 0.0,
                "indexed": info.get("items", 0),
                "bytes": info.get("bytes", 0) + info.get("cache_bytes", 0),
                "watermark": info.get("watermark", 0),
            }
        summary["index_dir"] = str(settings.index_dir)
        summary["total_bytes"] = dir_size(settings.index_dir)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    for label, _ in targets:
        s = summary[label]
        if not s["items"]:
            click.echo(f"{label} ({s['backend']}): up to date, {s['indexed']:,} items.")
            continue
        click.echo(
            f"{label} ({s['backend']}): {s['items']:,} changes in {s['seconds']:.1f} s "
            f"({s['items_per_s']:,.1f}/s); {s['indexed']:,} items, {_size(s['bytes'])} on disk."
        )


def _remove_stale_temporaries(settings: Any) -> None:
    """Delete what a killed write left (``faiss.tmp``), only while no other
    process writes an index: a live writer's temporaries are its work."""
    from medbrief.index.lock import index_lock
    from medbrief.index.state import remove_temporaries

    locks = [index_lock(settings, name) for name in ("lexical", "dense")]
    try:
        if all(lock.try_acquire() for lock in locks):
            remove_temporaries(settings.index_dir)
    finally:
        for lock in locks:
            lock.release()


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return f"{n} B"  # pragma: no cover


def _print_status(info: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    click.echo(
        f"store: {info['documents']:,} documents, {info['recommendations']:,} recommendations, "
        f"change seq {info['store_seq']:,}"
    )
    for label in ("lexical", "dense"):
        s = info[label]
        if "error" in s:
            click.echo(f"{label} ({s['backend']}): {s['error']}")
        elif s["backend"] == "none":
            click.echo(f"{label}: disabled (vector_backend = none)")
        else:
            model = f", model {s['model']}" if "model" in s else ""
            click.echo(
                f"{label} ({s['backend']}{model}): {s['items']:,} items, watermark "
                f"{s['watermark']:,}, {s['pending']:,} changes pending, "
                f"{_size(s['bytes'] + s.get('cache_bytes', 0))} on disk"
            )


class _Progress:
    """Rich progress on stderr: items, items/s, ETA; silent when not a terminal."""

    def __init__(self, label: str, total: int, quiet: bool) -> None:
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
            TextColumn(f"indexing {label}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=console,
            disable=quiet or not console.is_terminal,
            transient=True,
        )
        self._task = self._progress.add_task(label, total=total, rate="")

    def __enter__(self) -> _Progress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def advance(self, n: int) -> None:
        self._progress.update(self._task, advance=n)
        speed = self._progress.tasks[0].speed
        if speed:
            self._progress.update(self._task, rate=f"{speed:,.1f} items/s")
