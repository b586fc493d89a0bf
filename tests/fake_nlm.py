"""A local stand-in for NLM's PubMed distribution (ftp.ncbi.nlm.nih.gov/pubmed/).

A threaded stdlib HTTP server with ``baseline/`` and ``updatefiles/``
folders: Apache-style HTML listings, each data file with its ``.md5``
(``MD5(name)= <hex>``), ``Range`` requests answered with 206. Faults per
file: ``corrupt`` (bytes changed, the published MD5 of the true file),
``wrong_md5`` (the listed checksum is wrong), ``drop`` (the first request
sends the full ``Content-Length`` but half the body, then closes the
connection), ``busy`` (HTTP 503, every time). Every request is logged as (path, Range header).
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import re
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FOLDERS = ("baseline", "updatefiles")


@dataclass
class Served:
    data: bytes
    md5: str
    faults: set[str] = field(default_factory=set)
    requests: int = 0


def medline(records: list[bytes]) -> bytes:
    return b"<PubmedArticleSet>\n" + b"".join(records) + b"</PubmedArticleSet>\n"


def split_records(path: Path, parts: int, per_part: int) -> list[list[bytes]]:
    """The first ``parts * per_part`` records of a MEDLINE file, in ``parts`` runs."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    starts = [m.start() for m in re.finditer(rb"<PubmedArticle>", data)]
    starts.append(data.index(b"</PubmedArticleSet>"))
    records = [data[a:b] for a, b in itertools.pairwise(starts)]
    return [records[i * per_part : (i + 1) * per_part] for i in range(parts)]


class FakeNLM:
    """``with FakeNLM() as nlm: nlm.add("baseline", name, xml_bytes)``;
    point ``pubmed_base_url`` at :attr:`base_url`."""

    def __init__(self) -> None:
        self.files: dict[str, Served] = {}
        self.log: list[tuple[str, str | None]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/pubmed/"

    def add(self, folder: str, name: str, xml: bytes, *faults: str) -> None:
        data = gzip.compress(xml, compresslevel=1, mtime=0)
        self.files[f"{folder}/{name}"] = Served(data, hashlib.md5(data).hexdigest(), set(faults))

    def fix(self, key: str) -> None:
        self.files[key].faults.clear()

    def data_requests(self, key: str) -> list[str | None]:
        """Range headers of the requests for a data file (None: the whole file)."""
        return [r for p, r in self.log if p == f"/pubmed/{key}"]

    def __enter__(self) -> FakeNLM:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler(nlm: FakeNLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            with nlm._lock:
                nlm.log.append((path, self.headers.get("Range")))
            rel = path.removeprefix("/pubmed/")
            if rel.rstrip("/") in FOLDERS:
                return self._listing(rel.rstrip("/"))
            if rel.endswith(".md5") and rel[:-4] in nlm.files:
                served = nlm.files[rel[:-4]]
                md5 = "0" * 32 if "wrong_md5" in served.faults else served.md5
                name = rel[:-4].split("/")[-1]
                return self._send(200, f"MD5({name})= {md5}\n".encode(), "text/plain")
            if rel in nlm.files:
                return self._file(nlm.files[rel])
            return self._send(404, b"not found", "text/plain")

        def _listing(self, folder: str) -> None:
            names = sorted(k.split("/")[1] for k in nlm.files if k.startswith(folder + "/"))
            rows = "".join(
                f'<a href="{n}">{n}</a> 2025-01-01 00:00 1M\n<a href="{n}.md5">{n}.md5</a>\n'
                for n in names
            )
            page = f"<html><body><h1>Index of /pubmed/{folder}</h1><pre>{rows}</pre></body></html>"
            self._send(200, page.encode(), "text/html")

        def _file(self, served: Served) -> None:
            with nlm._lock:
                served.requests += 1
                first = served.requests == 1
            if "busy" in served.faults:
                return self._send(503, b"busy", "text/plain")
            data = served.data
            if "corrupt" in served.faults:
                mid = len(data) // 2
                data = data[:mid] + bytes(b ^ 0xFF for b in data[mid : mid + 16]) + data[mid + 16 :]
            start = 0
            match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
            if match:
                start = int(match.group(1))
                if start >= len(data):
                    return self._send(416, b"", "text/plain")
            body = data[start:]
            self.send_response(206 if match else 200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            if match:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.end_headers()
            if "drop" in served.faults and first:
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            self.wfile.write(body)

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler
