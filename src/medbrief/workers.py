"""Where parallel work runs: worker processes on this machine, or a Ray cluster.

Parsing files and embedding passages are pure functions of their input, so
both run as tasks on a :class:`Pool`, and their results come back *in the
order submitted*: the one writer (the store, the indexes) then applies them
exactly as a single process would, which is what keeps stores and vectors
identical whatever the number of workers. A pool keeps a bounded number of
tasks in flight (``ahead``), so memory stays bounded however many files or
passages there are.

A task function runs in a long-lived worker process (a local one, or a Ray
worker), so state it keeps at module level (a loaded model) is loaded once
per worker, not once per task.

``LocalPool``: ``concurrent.futures`` processes, started with ``spawn`` (no
inherited threads or locks, the same on every OS). ``RayPool``: tasks on a
Ray cluster (optional extra ``medbrief[ray]``); every node needs the same
medbrief installed. Files are sent to Ray workers as bytes, so the cluster
needs no shared file system.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Protocol, TypeVar

from medbrief.errors import ConfigError, DependencyError

T = TypeVar("T")
R = TypeVar("R")


def cpu_count() -> int:
    """CPUs this process may run on (the affinity mask, e.g. under a container limit)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - macOS, Windows


class Pool(Protocol):
    #: tasks that run at once
    workers: int
    #: whether tasks must be given file contents rather than local paths
    ships_files: bool

    def imap(self, fn: Callable[[T], R], items: Iterable[T], ahead: int = 0) -> Iterator[R]:
        """``fn(item)`` for each item, run in parallel, yielded in item order;
        at most ``ahead`` (default ``2 * workers``) tasks are in flight."""
        ...

    def close(self) -> None: ...


class LocalPool:
    """Worker processes on this machine."""

    ships_files = False

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers or cpu_count()
        self._executor: ProcessPoolExecutor | None = None

    def imap(self, fn: Callable[[T], R], items: Iterable[T], ahead: int = 0) -> Iterator[R]:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn")
            )
        executor = self._executor
        window: deque[Future[R]] = deque()
        try:
            for item in items:
                window.append(executor.submit(fn, item))
                if len(window) >= (ahead or 2 * self.workers):
                    yield window.popleft().result()
            while window:
                yield window.popleft().result()
        finally:
            for future in window:  # abandoned early (an error, Ctrl-C): drop the rest
                future.cancel()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class RayPool:
    """Tasks on a Ray cluster: ``address`` as ``ray.init`` takes it (``None``
    finds a running cluster or starts one on this machine; ``auto``,
    ``HOST:PORT`` or ``ray://HOST:10001`` join an existing one). A cluster
    this process already joined (``ray.init`` called before) is used as is."""

    ships_files = True

    def __init__(self, address: str | None = None) -> None:
        try:
            import ray as ray_module
        except ImportError:
            raise DependencyError("--ray", "medbrief[ray]") from None
        ray: Any = ray_module
        self._ray = ray
        self._started = False
        if not ray.is_initialized():
            try:
                ray.init(address=address, include_dashboard=False, log_to_driver=False)
            except (ConnectionError, ValueError, RuntimeError) as exc:
                raise ConfigError(f"cannot join the Ray cluster at {address!r}: {exc}") from None
            self._started = True
        self.workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self._remote: dict[Callable[..., Any], Any] = {}

    def imap(self, fn: Callable[[T], R], items: Iterable[T], ahead: int = 0) -> Iterator[R]:
        ray = self._ray
        remote = self._remote.get(fn)
        if remote is None:
            remote = self._remote[fn] = ray.remote(num_cpus=1, max_retries=2)(fn)
        window: deque[Any] = deque()
        try:
            for item in items:
                window.append(remote.remote(item))
                if len(window) >= (ahead or 2 * self.workers):
                    yield ray.get(window.popleft())
            while window:
                yield ray.get(window.popleft())
        finally:
            for ref in window:
                ray.cancel(ref)

    def close(self) -> None:
        if self._started:
            self._ray.shutdown()
            self._started = False

    def __enter__(self) -> RayPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_pool(workers: int = 0, ray_address: str | None = None, *, ray: bool = False) -> Pool:
    """A Ray pool when ``ray`` is asked for, else ``workers`` local processes
    (0: one per CPU)."""
    if ray or ray_address is not None:
        return RayPool(ray_address)
    return LocalPool(workers)
