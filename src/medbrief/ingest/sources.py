"""Opening input files: paths, folders and globs; gzip by magic number; a
peek at the first bytes to tell what kind of file it is."""

from __future__ import annotations

import glob
import gzip
import io
import json
import queue
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, BinaryIO

from medbrief.errors import IngestError
from medbrief.settings import Settings

_GZIP_MAGIC = b"\x1f\x8b"
_BOM = b"\xef\xbb\xbf"
_CONTROL_BYTES = bytes(c for c in range(32) if chr(c) not in "\t\n\r\f\x1b") + b"\x7f"
_GLOB_CHARS = frozenset("*?[")

try:  # ISA-L inflates ~3x faster than zlib (0.18 vs 0.52 CPU-s for a 233 MB update file)
    from isal import igzip as _igzip
    from isal.isal_zlib import error as _isal_error

    _GzipFile: Any = _igzip.IGzipFile
    _ISAL_ERRORS: tuple[type[BaseException], ...] = (_isal_error,)  # type: ignore[assignment]
except ImportError:  # pragma: no cover - isal is a dependency; stdlib gzip reads the same
    _GzipFile = gzip.GzipFile
    _ISAL_ERRORS = ()

#: Errors a damaged or truncated gzip stream raises while being read.
GZIP_ERRORS: tuple[type[BaseException], ...] = (
    EOFError,
    gzip.BadGzipFile,
    zlib.error,
    *_ISAL_ERRORS,
)


def expand_paths(paths: Sequence[Path | str], suffixes: Sequence[str] = ()) -> list[Path]:
    """Files named by ``paths``: files as given, folders searched recursively
    for names ending in one of ``suffixes``, and shell globs (for shells that
    do not expand them, or quoted ones). A path that matches nothing is an
    :class:`IngestError`, raised before anything is ingested."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(_walk(path, suffixes))
        elif path.exists():
            found.append(path)
        elif _GLOB_CHARS & set(str(raw)):
            matches = sorted(Path(m) for m in glob.glob(str(raw), recursive=True))  # noqa: PTH207 - absolute patterns
            if not matches:
                raise IngestError(str(raw), "no file matches this pattern")
            for match in matches:
                found.extend(_walk(match, suffixes) if match.is_dir() else [match])
        else:
            raise IngestError(str(raw), "no such file or folder")
    return list(dict.fromkeys(found))


def _walk(folder: Path, suffixes: Sequence[str]) -> list[Path]:
    files = [
        p
        for p in sorted(folder.rglob("*"))
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and (not suffixes or p.name.lower().endswith(tuple(suffixes)))
    ]
    if not files:
        raise IngestError(str(folder), "folder holds no file to ingest")
    return files


def open_binary(source: Path | BinaryIO, name: str) -> BinaryIO:
    """A buffered binary stream over ``source``, transparently gunzipped.

    Compression is told by the gzip magic number, not the file name, so a
    ``.xml`` that is really gzipped (or the reverse) still reads.
    """
    raw: BinaryIO
    if isinstance(source, Path):
        try:
            report = BYTES_READ.get()
            raw = (
                io.BufferedReader(_Counting(source, report), buffer_size=1 << 16)
                if report is not None
                else source.open("rb")
            )
        except FileNotFoundError:
            raise IngestError(name, "no such file") from None
        except OSError as exc:
            raise IngestError(name, f"cannot open: {exc.strerror or exc}") from None
    else:
        raw = source
    buffered: Any = raw if hasattr(raw, "peek") else io.BufferedReader(raw)
    if buffered.peek(2)[:2] == _GZIP_MAGIC:
        gz = _GzipFile(fileobj=buffered, mode="rb")
        return _Gunzipped(gz, buffered)
    return buffered  # type: ignore[no-any-return]


#: The largest record a reader accepts, in bytes as read (a line of JSONL,
#: a MEDLINE record, a PubMed XML record, a Markdown section): larger ones
#: stop the file with an IngestError before they are held in memory.
#: ``ingest_paths`` sets it from the setting ``max_record_bytes``.
RECORD_LIMIT: ContextVar[int] = ContextVar(
    "record_limit", default=int(Settings.model_fields["max_record_bytes"].default)
)


def too_large(what: str, limit: int) -> str:
    """The message for a record over ``limit`` bytes."""
    return f"{what} is over {limit:,} bytes, the largest record accepted (setting max_record_bytes)"


#: Set by a caller that shows progress: called with the byte offset reached
#: in the file being read (compressed bytes for a gzip file), so that an ETA
#: can be estimated from the file size.
BYTES_READ: ContextVar[Callable[[int], None] | None] = ContextVar("bytes_read", default=None)


class _Counting(io.RawIOBase):
    """A file that reports how far it has been read."""

    def __init__(self, path: Path, report: Callable[[int], None]) -> None:
        self._file = path.open("rb", buffering=0)
        self._report = report
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._file.readinto(buffer) or 0
        self._pos += n
        self._report(self._pos)
        return n

    def close(self) -> None:
        self._file.close()
        super().close()


class _Prefetched(io.RawIOBase):
    """Decompresses ahead in a thread, so that inflating the next megabytes
    overlaps with parsing the last ones on another core (zlib releases the
    GIL while it inflates). Errors (a truncated file) surface at the read
    that reaches them, never earlier."""

    CHUNK = 1 << 20
    AHEAD = 8

    def __init__(self, gz: Any) -> None:
        super().__init__()
        self._gz = gz
        self._queue: queue.Queue[bytes | BaseException] = queue.Queue(self.AHEAD)
        self._stop = threading.Event()
        self._chunk = memoryview(b"")
        self._done = False
        self._thread = threading.Thread(target=self._fill, name="gunzip", daemon=True)
        self._thread.start()

    def _fill(self) -> None:
        while not self._stop.is_set():
            chunk = bytearray()
            failure: BaseException | None = None
            try:
                # small reads, so that the data before a damaged spot is handed
                # over before the error about it
                while len(chunk) < self.CHUNK:
                    piece = self._gz.read(1 << 16)
                    if not piece:
                        break
                    chunk += piece
            except BaseException as exc:  # handed to the reader, raised there
                failure = exc
            if chunk:
                self._put(bytes(chunk))
            if failure is not None or not chunk:
                self._put(failure if failure is not None else b"")
                return

    def _put(self, item: bytes | BaseException) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._chunk and not self._done:
            item = self._queue.get()
            if isinstance(item, BaseException):
                self._done = True
                raise item
            if not item:
                self._done = True
            self._chunk = memoryview(item)
        n = min(len(buffer), len(self._chunk))
        buffer[:n] = self._chunk[:n]
        self._chunk = self._chunk[n:]
        return n

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._gz.close()
        super().close()


class _Gunzipped(io.BufferedReader):
    """Decompressed stream that also closes the compressed file under it
    (``GzipFile`` leaves a ``fileobj`` it was given open)."""

    def __init__(self, gz: Any, under: BinaryIO) -> None:
        super().__init__(_Prefetched(gz), buffer_size=1 << 16)
        self._under = under

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._under.close()


def head(stream: BinaryIO, name: str, n: int = 512) -> bytes:
    """The first ``n`` bytes, without consuming them (stream must peek)."""
    try:
        data: bytes = stream.peek(n)  # type: ignore[attr-defined]
    except GZIP_ERRORS as exc:
        raise IngestError(name, f"damaged or truncated gzip data: {exc}", "line 1") from None
    return data[:n]


def require_json_lines(path: Path, name: str, what: str) -> None:
    """Raise IngestError unless ``path`` starts like JSON lines (a ``{``)."""
    stream = open_binary(path, name)
    try:
        start = head(stream, name).lstrip(b"\xef\xbb\xbf \t\r\n")
    finally:
        stream.close()
    if not start.startswith(b"{"):
        raise IngestError(name, f"not {what}: {describe(start)}", "line 1")


def describe(start: bytes) -> str:
    """A short guess at what a file holds, for 'wrong kind of file' messages."""
    text = start.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        return "the file is empty"
    if text[:1] in (b"{", b"["):
        return "it looks like JSON"
    if text[:1] == b"<":
        return "it is XML of another kind"
    if text[:5] == b"%PDF-":
        return "it looks like a PDF"
    if text[:4] == b"PK\x03\x04":
        return "it looks like a zip archive"
    if _is_binary(text):
        return "it looks like a binary file"
    return "it looks like plain text of another kind"


def _is_binary(start: bytes) -> bool:
    """Control bytes other than whitespace (and ESC): text in any common
    encoding has none, random bytes about one in nine."""
    return len(start.translate(None, _CONTROL_BYTES)) < len(start)


@contextmanager
def text_lines(source: Path | BinaryIO, name: str) -> Iterator[Iterator[tuple[int, str]]]:
    """Numbered text lines of a (possibly gzipped) UTF-8 file, each with its
    line ending; a line longer than ``RECORD_LIMIT`` is an error."""
    stream = open_binary(source, name)
    try:
        yield _numbered(stream, name, RECORD_LIMIT.get())
    finally:
        if isinstance(source, Path):
            stream.close()


def _numbered(stream: BinaryIO, name: str, limit: int) -> Iterator[tuple[int, str]]:
    # Lines are split as bytes and decoded one by one, so that an encoding
    # error names its own line and every line before it is yielded first
    # (a text wrapper decodes 8 KiB ahead and fails before them).
    lineno = 0
    try:
        while raw := stream.readline(limit + 1):
            lineno += 1
            if len(raw) > limit:
                raise IngestError(name, too_large("the line", limit), f"line {lineno}")
            if lineno == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM) :]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise IngestError(
                    name, f"not UTF-8 text ({exc.reason})", f"line {lineno}"
                ) from None
            yield lineno, line.replace("\r\n", "\n")
    except GZIP_ERRORS as exc:
        raise IngestError(
            name, f"damaged or truncated gzip data: {exc}", f"after line {lineno}"
        ) from None


def iter_json_lines(source: Path | BinaryIO, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each non-blank line of a JSONL file."""
    with text_lines(source, name) as lines:
        for lineno, line in lines:
            if not line.strip():
                continue
            obj = load_json(line, name, f"line {lineno}")
            if not isinstance(obj, dict):
                raise IngestError(name, "each line must be a JSON object", f"line {lineno}")
            yield lineno, obj


def load_json(text: str | bytes, name: str, where: str | None = None) -> Any:
    """``json.loads``, with every way it fails as one IngestError at ``where``
    (default: the line of a syntax error): bad syntax, not UTF-8, a number
    of thousands of digits, nesting too deep, and ``\\ud800``-style escapes
    of lone surrogates, which are no character and which no store can encode."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(name, f"invalid JSON: {exc.msg}", where or f"line {exc.lineno}") from None
    except UnicodeDecodeError as exc:
        raise IngestError(name, f"not UTF-8 text ({exc.reason})", where) from None
    except (ValueError, RecursionError) as exc:
        raise IngestError(name, f"invalid JSON: {exc}", where) from None
    probe = b"\\ud" if isinstance(text, bytes) else "\\ud"
    if probe in text.lower():  # type: ignore[operator]
        try:
            json.dumps(obj, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            message = "invalid JSON: a \\u escape of a lone surrogate, which is no character"
            raise IngestError(name, message, where) from None
    return obj
