"""One writer per index at a time; readers never wait.

Several processes may use one home at once: ``medbrief serve`` or
``search`` reading while ``ingest`` or ``index`` writes, or two ingests
started together. The store serialises its own writes (SQLite), but an
index has one writer at a time (tantivy's own lock makes a second writer
fail at once; two dense builds would embed the same passages twice). So a
writer of an index takes that index's lock file, waiting its turn up to
``settings.lock_timeout`` seconds, and a reader that finds the lock taken
does not write at all: it serves the index as last committed, and the
writer brings it up to date.

The lock is an advisory ``flock`` (POSIX) on ``index/locks/<name>.lock``;
the kernel drops it when its holder exits, however it exits, so a killed
process never leaves a stale lock. The holder writes its pid and command
into the file, for the message a waiting process prints.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from medbrief.errors import BusyError
from medbrief.settings import Settings

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, one writer is up to the user
    fcntl = None  # type: ignore[assignment]

_POLL = 0.1


class WriteLock:
    """The write lock of one index: ``with lock:`` waits (up to ``timeout``
    seconds, then raises :class:`BusyError`); :meth:`try_acquire` does not."""

    def __init__(self, path: Path, what: str, timeout: float) -> None:
        self.path = path
        self.what = what
        self.timeout = timeout
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; True when held (by this object)."""
        if self._fd is not None:
            raise RuntimeError(f"{self.what} lock taken twice by one holder")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
        self._fd = fd
        holder = {"pid": os.getpid(), "command": " ".join(sys.argv)[:200], "since": time.time()}
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(holder).encode(), 0)
        except OSError:
            # who holds it only words the busy message; a full disk must not
            # turn taking the lock into the error (the job's own is the one to say)
            pass
        return True

    def acquire(self) -> None:
        """Wait for the lock up to ``timeout`` seconds."""
        deadline = time.monotonic() + self.timeout
        while not self.try_acquire():
            if time.monotonic() >= deadline:
                raise BusyError(self._busy_message())
            time.sleep(_POLL)

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> WriteLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    def holder(self) -> dict[str, Any]:
        """Who holds (or last held) the lock, as its holder wrote it."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _busy_message(self) -> str:
        who = self.holder()
        since = who.get("since")
        by = f"process {who['pid']} ({who.get('command') or '?'})" if "pid" in who else "a process"
        when = f" since {time.strftime('%H:%M:%S', time.localtime(since))}" if since else ""
        return (
            f"the {self.what} is being written by another medbrief {by}{when}; waited "
            f"{self.timeout:g} s for it. Run this again when that process has finished, or "
            "set MEDBRIEF_LOCK_TIMEOUT to wait longer"
        )


def index_lock(settings: Settings, name: str) -> WriteLock:
    """The write lock of index ``name`` (``lexical`` or ``dense``) in this home."""
    return WriteLock(
        settings.index_dir / "locks" / f"{name}.lock", f"{name} index", settings.lock_timeout
    )


def home_lock(settings: Settings, name: str, what: str) -> WriteLock:
    """A lock for other one-at-a-time jobs of a home (e.g. ``pubmed sync``)."""
    return WriteLock(settings.home / "locks" / f"{name}.lock", what, settings.lock_timeout)
