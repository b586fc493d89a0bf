"""Downloading one NLM file: verified, resumable, retried.

A file is written to ``<name>.part`` while it arrives, hashed as it is
written; an interrupted download (a dropped connection, a timeout, a killed
process) resumes from the bytes already there with an HTTP ``Range``
request (RFC 9110, section 14), after a pause that doubles on each retry
with "equal jitter" (Brooker, AWS Architecture Blog 2015). Only a file
whose MD5 is the one NLM publishes beside it becomes ``<name>``, with the
checksum kept in ``<name>.md5``; one that does not match is deleted and
fetched once more from the start (the bytes kept from an earlier attempt
may be the bad ones), then given up as a :class:`ChecksumError`.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from medbrief.errors import ChecksumError, RemoteError
from medbrief.sync.nlm import RemoteFile, parse_md5

_BLOCK = 1 << 20
_MAX_WAIT = 60.0
#: statuses worth another try: the server is busy or hiccuped
_TRANSIENT = frozenset({408, 429, 500, 502, 503, 504})

Progress = Callable[[int], None]


class Downloader:
    def __init__(
        self,
        client: httpx.Client,
        folder: Path,
        *,
        retries: int = 5,
        wait: float = 2.0,
        progress: Progress | None = None,
    ) -> None:
        self.client = client
        self.folder = folder
        self.retries = retries
        self.wait = wait
        self.progress = progress

    def local(self, remote: RemoteFile) -> Path:
        return self.folder / remote.folder / remote.name

    def checksum(self, remote: RemoteFile) -> str:
        """NLM's MD5 of ``remote`` (its ``.md5`` file)."""
        text = self._retrying(remote, lambda: self._get_text(remote.url + ".md5"))
        return parse_md5(text, remote.name)

    def verified(self, remote: RemoteFile, md5: str) -> Path | None:
        """The local copy of ``remote`` if it is complete and has checksum ``md5``."""
        path = self.local(remote)
        receipt = path.with_name(path.name + ".md5")
        if not path.exists() or not receipt.exists():
            return None
        if receipt.read_text(encoding="ascii").strip() != md5 or _md5(path) != md5:
            return None
        return path

    def fetch(self, remote: RemoteFile, md5: str) -> Path:
        """Download ``remote`` (resuming a partial copy) and verify it against ``md5``."""
        path = self.local(remote)
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(path.name + ".part")
        for fresh in (False, True):
            if fresh:
                part.unlink(missing_ok=True)
            digest = self._retrying(remote, lambda: self._download(remote, part))
            if digest == md5:
                part.replace(path)
                path.with_name(path.name + ".md5").write_text(md5 + "\n", encoding="ascii")
                return path
        part.unlink(missing_ok=True)
        raise ChecksumError(
            f"{remote.key}: checksum mismatch (the download's MD5 is {digest}, NLM's .md5 "
            f"says {md5}), twice: not stored"
        )

    # ------------------------------------------------------------------ HTTP

    def _get_text(self, url: str) -> str:
        response = self.client.get(url)
        _check(response, url)
        return response.text

    def _download(self, remote: RemoteFile, part: Path) -> str:
        """Append the rest of ``remote`` to ``part``; the MD5 of the whole."""
        md5 = hashlib.md5(usedforsecurity=False)
        have = part.stat().st_size if part.exists() else 0
        if have:
            with part.open("rb") as f:
                while block := f.read(_BLOCK):
                    md5.update(block)
        headers = {"Range": f"bytes={have}-"} if have else {}
        with self.client.stream("GET", remote.url, headers=headers) as response:
            if response.status_code == 416 and have:  # nothing left to send
                return md5.hexdigest()
            _check(response, remote.url)
            mode = "ab"
            if have and response.status_code != 206:  # the server ignored Range
                md5 = hashlib.md5(usedforsecurity=False)
                mode = "wb"
            with part.open(mode) as f:
                # raw: the file as stored (no content decoding), as received (a cut keeps all)
                for block in response.iter_raw():
                    f.write(block)
                    md5.update(block)
                    if self.progress is not None:
                        self.progress(len(block))
        return md5.hexdigest()

    def _retrying(self, remote: RemoteFile, attempt: Callable[[], str]) -> str:
        for n in range(self.retries + 1):
            try:
                return attempt()
            except (httpx.TransportError, _TransientError) as exc:
                if n == self.retries:
                    raise RemoteError(
                        f"{remote.key}: download failed after {n + 1} attempts: {exc}"
                    ) from None
                pause = min(_MAX_WAIT, self.wait * 2**n)
                time.sleep(pause / 2 + random.uniform(0, pause / 2))  # equal jitter
        raise AssertionError("unreachable")  # pragma: no cover


class _TransientError(Exception):
    """A server answer worth retrying (5xx, 429)."""


def _check(response: httpx.Response, url: str) -> None:
    if response.status_code in _TRANSIENT:
        raise _TransientError(f"HTTP {response.status_code} from {url}")
    if response.status_code >= 400:
        raise RemoteError(f"HTTP {response.status_code} from {url}")


def _md5(path: Path) -> str:
    md5 = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as f:
        while block := f.read(_BLOCK):
            md5.update(block)
    return md5.hexdigest()
