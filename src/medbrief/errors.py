"""The error tree. The library raises these; the CLI turns them into one-line
messages and exit codes, the HTTP layer into one JSON error shape.

::

    MedbriefError                    exit 1
    ├── ConfigError                  bad settings, unknown backend name   (exit 2)
    ├── InputError                   the user's input is unusable          (exit 2, HTTP 400)
    │   ├── QueryError               empty / oversized / unreadable query
    │   └── IngestError              a file that cannot be ingested; names file and record/line
    │       └── SchemaVersionError   a file in a schema version we do not read
    ├── NotFoundError                no such document or recommendation    (exit 3, HTTP 404)
    ├── StoreError                   the store cannot be opened or written (exit 4)
    │   ├── MigrationError           store schema newer than this medbrief
    │   └── DiskFullError            no space left for the store or an index (HTTP 507)
    ├── IndexStateError              index missing or built by another model/schema (exit 5)
    ├── BusyError                    another process kept a write lock past the timeout (exit 7)
    ├── DependencyError              an optional dependency is missing; says what to pip install
    └── RemoteError                  an external service failed (E-utilities)  (exit 6, HTTP 502)
        ├── RateLimitedError         the service kept answering 429
        ├── ModelError               the language-model server failed, was slow or malformed
        └── ChecksumError            a download does not match its published checksum

"No relevant evidence found" is a result (``Brief.abstained``), not an error.
"""

from __future__ import annotations

import errno
import sqlite3


class MedbriefError(Exception):
    """Base of every error medbrief raises on purpose."""

    exit_code = 1
    http_status = 500
    code = "error"
    #: What a long job completed before failing (an ingest's IngestReport),
    #: for the summary the CLI prints with the error; None when not known.
    partial: object = None


class ConfigError(MedbriefError):
    exit_code = 2
    http_status = 500
    code = "config"


class InputError(MedbriefError):
    exit_code = 2
    http_status = 400
    code = "bad_input"


class QueryError(InputError):
    code = "bad_query"


class IngestError(InputError):
    """A file that cannot be (fully) ingested.

    The message always names the file, and the record or line where known.
    Records before ``location`` in whole committed batches stay stored.
    """

    code = "bad_file"

    def __init__(self, path: str, message: str, location: str | None = None) -> None:
        self.path = path
        self.location = location
        self.detail = message
        where = f"{path}: {location}" if location else path
        super().__init__(f"{where}: {message}")


class SchemaVersionError(IngestError):
    code = "schema_version"


class NotFoundError(MedbriefError):
    exit_code = 3
    http_status = 404
    code = "not_found"


class StoreError(MedbriefError):
    exit_code = 4
    code = "store"


class MigrationError(StoreError):
    code = "migration"


class DiskFullError(StoreError):
    """The disk (or quota) filled up while writing the store or an index.

    What was committed before stays; the work in flight is rolled back, and
    running the same command again once space is freed completes it.
    """

    http_status = 507
    code = "disk_full"


class IndexStateError(MedbriefError):
    """An index is missing, stale, or was built with another model or schema."""

    exit_code = 5
    http_status = 503
    code = "index"


class BusyError(MedbriefError):
    """Another process held a write lock (an index, a sync) past the wait allowed."""

    exit_code = 7
    http_status = 503
    code = "busy"


class DependencyError(MedbriefError):
    exit_code = 2
    code = "dependency"

    def __init__(self, what: str, install: str) -> None:
        self.install = install
        super().__init__(f"{what} needs an optional dependency: pip install '{install}'")


class RemoteError(MedbriefError):
    exit_code = 6
    http_status = 502
    code = "remote"


class RateLimitedError(RemoteError):
    code = "rate_limited"


class ModelError(RemoteError):
    """The language-model server was unreachable, too slow, or answered something
    unusable. The writer catches it and keeps the extractive text;
    ``unavailable`` (unreachable or too slow) also stops it asking again for
    the rest of the brief."""

    code = "model"

    def __init__(self, message: str, *, unavailable: bool = False) -> None:
        self.unavailable = unavailable
        super().__init__(message)


class ChecksumError(RemoteError):
    """A downloaded file whose MD5 is not the one its publisher lists: not stored."""

    code = "checksum"


#: Messages of errors that are a full disk underneath: SQLite's SQLITE_FULL,
#: strerror(ENOSPC) as faiss and Rust libraries (tantivy) quote it.
_DISK_FULL_TEXT = ("database or disk is full", "No space left on device", "os error 28")


def is_disk_full(exc: BaseException | None) -> bool:
    """True when ``exc``, or an error it was raised from, means the disk is full."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, DiskFullError):
            return True
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        code = getattr(exc, "sqlite_errorcode", None)  # absent when raised by hand
        if isinstance(exc, sqlite3.Error) and code == sqlite3.SQLITE_FULL:
            return True
        if any(text in str(exc) for text in _DISK_FULL_TEXT):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def disk_full(what: str) -> DiskFullError:
    """The one message for a full disk: what could not be written, and what to do."""
    return DiskFullError(
        f"disk full: {what}. What was written before is kept; free some space and "
        "run the same command again to complete the job"
    )
