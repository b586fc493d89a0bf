"""``--workers`` and ``--ray [ADDRESS]``: the options of commands that build in parallel."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from medbrief.errors import InputError

F = Callable[..., Any]


def parallel_options(f: F) -> F:
    f = click.option(
        "--ray",
        "ray_address",
        is_flag=False,
        flag_value="",
        default=None,
        metavar="[ADDRESS]",
        help="Run the work on a Ray cluster (pip install 'medbrief[ray]'): ADDRESS as "
        "'ray start' printed it (HOST:PORT, ray://HOST:10001, or 'auto' for the cluster "
        "this machine belongs to); without ADDRESS, a running local cluster or a new one "
        "on this machine. Write the option last or as --ray=ADDRESS.",
    )(f)
    return click.option(
        "--workers",
        type=click.IntRange(min=0),
        default=None,
        metavar="N",
        help="Worker processes (default: settings workers; 0 = one per CPU).",
    )(f)


def ray_address(value: str | None) -> str | None:
    """The address to give ``ray.init`` (``None`` for Ray's own discovery)."""
    if value is not None and value and Path(value).exists():
        raise InputError(
            f"--ray took {value!r} as the Ray cluster's address, but it is a file: put --ray "
            "after the files, or write --ray=ADDRESS"
        )
    return value or None


@contextmanager
def open_cli_pool(workers: int, ray: str | None) -> Iterator[Any]:
    """The pool ``--workers``/``--ray`` ask for (``ray`` as the option gave it)."""
    from medbrief.workers import LocalPool, RayPool

    pool: Any = RayPool(ray_address(ray)) if ray is not None else LocalPool(workers)
    try:
        yield pool
    finally:
        pool.close()
