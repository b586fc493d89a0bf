"""A local stand-in for NCBI E-utilities (ESearch, EFetch, ESpell over PubMed).

It serves real PubmedArticle records, keeps searches on a history server
(WebEnv + query_key, expirable on demand), enforces NCBI's rate limit per
client with HTTP 429 and its JSON body, rejects unknown API keys the way
NCBI does, and injects failures on a deterministic schedule: HTTP 500,
429, a body truncated with a matching Content-Length (the client sees
well-formed HTTP carrying broken XML), a connection dropped mid-body, a
non-XML page, or a request held until released (to kill a client mid-fetch).

Every request is logged with its arrival time, so tests can check the rate
limit from the server's side.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import threading
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

ESEARCH_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" ?>\n'
    b'<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
    b'"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
)
EFETCH_HEAD = (
    b'<?xml version="1.0" ?>\n'
    b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)
_PMID = re.compile(rb"<PMID[^>]*>\s*(\d+)\s*</PMID>")
_YEAR = re.compile(rb"<PubDate>\s*(?:<Year>|<MedlineDate>)\s*(\d{4})")

#: Fault kinds: "500", "429", "truncate", "drop", "html", "hold", "expire".
Fault = str


@dataclass(frozen=True, slots=True)
class Logged:
    n: int
    t: float
    endpoint: str
    params: dict[str, str]
    status: int
    client: str
    fault: Fault | None = None
    pmids: tuple[str, ...] = ()


@dataclass
class _History:
    ids: list[str]
    created: float = field(default_factory=time.monotonic)


def pmid_of(record: bytes) -> str:
    found = _PMID.search(record)
    if found is None:
        raise ValueError("record without a PMID")
    return found.group(1).decode()


class FakeNCBI:
    """Use as a context manager; point ``eutils_base_url`` at :attr:`base_url`."""

    def __init__(
        self,
        records: Sequence[bytes],
        *,
        rate: float | None = 3.0,
        key_rate: float = 10.0,
        api_keys: Collection[str] | None = None,
        faults: Mapping[Any, Fault] | None = None,
        fail_every: int | None = None,
        searches: Mapping[str, Sequence[str]] | None = None,
        counts: Mapping[str, int] | None = None,
        canned: Mapping[str, bytes] | None = None,
        spellings: Mapping[str, str] | None = None,
        retry_after: str | None = None,
        match_all: bool = True,
        latency: float = 0.0,
    ) -> None:
        self.records: dict[str, bytes] = {pmid_of(r): r for r in records}
        self.order = list(self.records)
        self.rate = rate
        self.key_rate = key_rate
        self.api_keys = None if api_keys is None else set(api_keys)
        self.faults = dict(faults or {})
        self.fail_every = fail_every
        self.searches = {k: list(v) for k, v in (searches or {}).items()}
        self.counts = dict(counts or {})
        self.canned = dict(canned or {})
        self.spellings = dict(spellings or {})
        self.retry_after = retry_after
        #: whether a term not in ``searches`` matches every record (or none)
        self.match_all = match_all
        #: seconds each answer takes, as a distant server would
        self.latency = latency
        self.log: list[Logged] = []
        self.history: dict[str, _History] = {}
        self.release = threading.Event()
        self.holding = threading.Event()
        self._arrivals: dict[str, list[float]] = {}
        self._per_endpoint: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------- lifecycle

    def __enter__(self) -> FakeNCBI:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = _QuietServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/entrez/eutils/"

    def expire_history(self) -> None:
        with self._lock:
            self.history.clear()

    # ------------------------------------------------------------- queries

    def requests(self, endpoint: str | None = None) -> list[Logged]:
        with self._lock:
            return [e for e in self.log if endpoint is None or e.endpoint == endpoint]

    def served_pmids(self) -> list[str]:
        """PMIDs delivered in complete, successful EFetch responses, in order."""
        return [
            p for e in self.requests("efetch") if e.status == 200 and not e.fault for p in e.pmids
        ]

    def max_in_window(self, window: float = 1.0) -> int:
        """Most requests that arrived within any ``window`` seconds."""
        times = sorted(e.t for e in self.requests())
        best, lo = 0, 0
        for hi, t in enumerate(times):
            while t - times[lo] >= window:
                lo += 1
            best = max(best, hi - lo + 1)
        return best

    # ------------------------------------------------------------- handling

    def _admit(
        self, endpoint: str, params: dict[str, str], client: str
    ) -> tuple[int, Fault | None, str]:
        """Number the request, pick its fault, apply the rate limit; returns (n, fault, who)."""
        now = time.monotonic()
        with self._lock:
            n = len(self.log) + 1
            k = self._per_endpoint[endpoint] = self._per_endpoint.get(endpoint, 0) + 1
            fault = self.faults.get(n) or self.faults.get((endpoint, k))
            if fault is None and self.fail_every and n % self.fail_every == 0:
                fault = "500"
            key = params.get("api_key")
            who = f"key:{key}" if key else f"ip:{client}"
            arrivals = self._arrivals.setdefault(who, [])
            arrivals.append(now)
            limit = self.key_rate if key else self.rate
            if fault is None and limit is not None:
                recent = sum(1 for t in arrivals if now - t < 1.0)
                if recent > limit:
                    fault = "rate"
            if fault == "expire":
                self.history.clear()
            self.log.append(Logged(n, now, endpoint, params, 0, who, fault))
        return n, fault, who

    def _finish(self, n: int, status: int, pmids: Sequence[str] = ()) -> None:
        with self._lock:
            entry = self.log[n - 1]
            self.log[n - 1] = Logged(
                entry.n,
                entry.t,
                entry.endpoint,
                entry.params,
                status,
                entry.client,
                entry.fault,
                tuple(pmids),
            )

    def answer(self, endpoint: str, params: dict[str, str]) -> tuple[int, bytes, list[str]]:
        """(status, body, PMIDs served) for a request that got no fault."""
        key = params.get("api_key")
        if key is not None and self.api_keys is not None and key not in self.api_keys:
            body = {
                "error": "API key invalid",
                "api-key": key,
                "type": "invalid",
                "status": "unknown",
            }
            return 400, json.dumps(body).encode(), []
        if endpoint == "esearch":
            return self._esearch(params)
        if endpoint == "efetch":
            return self._efetch(params)
        if endpoint == "espell":
            return self._espell(params)
        return 404, b"<html><body>Not Found</body></html>", []

    def _matches(self, term: str, params: dict[str, str]) -> list[str]:
        ids = self.searches.get(term)
        if ids is None:
            ids = list(self.order) if self.match_all else []
        if params.get("mindate") and params.get("maxdate"):
            lo, hi = int(params["mindate"][:4]), int(params["maxdate"][:4])
            ids = [i for i in ids if i in self.records and lo <= self._year(i) <= hi]
        return ids

    def _year(self, pmid: str) -> int:
        found = _YEAR.search(self.records[pmid])
        return int(found.group(1)) if found else 0

    def _esearch(self, params: dict[str, str]) -> tuple[int, bytes, list[str]]:
        term = params.get("term", "").strip()
        if term in self.canned:
            return 200, self.canned[term], []
        if not term:
            error = b"<ERROR>Empty term and query_key - nothing todo</ERROR>"
            body = b"<eSearchResult>" + error + b"</eSearchResult>"
            return 200, ESEARCH_HEAD + body, []
        ids = self._matches(term, params)
        retstart, retmax = int(params.get("retstart", 0)), int(params.get("retmax", 20))
        count = self.counts.get(term, len(ids))
        page = ids[retstart : retstart + retmax]
        parts = [
            f"<eSearchResult><Count>{count}</Count><RetMax>{len(page)}</RetMax>"
            f"<RetStart>{retstart}</RetStart>"
        ]
        if params.get("usehistory") == "y":
            with self._lock:
                webenv = f"MCID_fake{len(self.history) + 1:04d}{int(time.time() * 1000)}"
                self.history[webenv] = _History(ids)
            parts.append(f"<QueryKey>1</QueryKey><WebEnv>{webenv}</WebEnv>")
        parts.append("<IdList>")
        parts.extend(f"<Id>{i}</Id>" for i in page)
        parts.append(
            f"</IdList><TranslationSet/><QueryTranslation>{escape(term)}</QueryTranslation>"
        )
        parts.append("</eSearchResult>")
        return 200, ESEARCH_HEAD + "".join(parts).encode(), []

    def _efetch(self, params: dict[str, str]) -> tuple[int, bytes, list[str]]:
        if "WebEnv" in params:
            with self._lock:
                hist = self.history.get(params["WebEnv"])
            retstart, retmax = int(params.get("retstart", 0)), int(params.get("retmax", 20))
            if hist is None or params.get("query_key") != "1":
                err = (
                    f"<eFetchResult><ERROR>Cannot retrieve history data. query_key: "
                    f"{params.get('query_key')}, WebEnv: {params['WebEnv']}, retstart: "
                    f"{retstart}, retmax: {retmax}</ERROR></eFetchResult>"
                )
                return 400, err.encode(), []
            ids = hist.ids[retstart : retstart + retmax]
        else:
            ids = [i.strip() for i in params.get("id", "").split(",") if i.strip()]
        found = [i for i in ids if i in self.records]
        body = EFETCH_HEAD + b"<PubmedArticleSet>\n"
        body += b"\n".join(self.records[i] for i in found)
        body += b"\n</PubmedArticleSet>\n"
        return 200, body, found

    def _espell(self, params: dict[str, str]) -> tuple[int, bytes, list[str]]:
        term = params.get("term", "")
        fixed = " ".join(self.spellings.get(w.lower(), w) for w in term.split())
        corrected = fixed if fixed != term else ""
        body = (
            f"<eSpellResult><Database>pubmed</Database><Query>{escape(term)}</Query>"
            f"<CorrectedQuery>{escape(corrected)}</CorrectedQuery><SpelledQuery/><ERROR/>"
            "</eSpellResult>"
        )
        return 200, b'<?xml version="1.0" encoding="UTF-8" ?>\n' + body.encode(), []


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client killed mid-response is part of the tests, not an error."""


class _Handler(BaseHTTPRequestHandler):
    fake: FakeNCBI
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._handle(self.rfile.read(length))

    def _handle(self, form: bytes) -> None:
        url = urlsplit(self.path)
        raw = parse_qs(url.query, keep_blank_values=True)
        raw.update(parse_qs(form.decode(), keep_blank_values=True))
        params = {k: v[-1] for k, v in raw.items()}
        endpoint = url.path.rstrip("/").rsplit("/", 1)[-1].removesuffix(".fcgi")
        fake = self.fake
        n, fault, _ = fake._admit(endpoint, params, self.client_address[0])
        if fake.latency:
            time.sleep(fake.latency)
        if fault == "hold":
            fake.holding.set()
            fake.release.wait(timeout=30)
        if fault == "rate":
            count = str(len(fake.requests()))
            body = json.dumps({"error": "API rate limit exceeded", "count": count}).encode()
            self._send(n, 429, body, "application/json", retry_after=fake.retry_after)
            return
        if fault in ("500", "429"):
            body = b"<html><body><h1>Internal Server Error</h1></body></html>"
            self._send(n, int(fault), body, "text/html", retry_after=fake.retry_after)
            return
        if fault == "html":
            body = b"<html><head><title>Service unavailable</title></head><body>Later</body></html>"
            self._send(n, 200, body, "text/html")
            return
        status, body, pmids = fake.answer(endpoint, params)
        ctype = "application/json" if body.startswith(b"{") else "text/xml; charset=UTF-8"
        if fault == "truncate":
            self._send(n, status, body[: len(body) // 2], ctype, pmids=())
            return
        if fault == "drop":
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            fake._finish(n, status)
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self._send(n, status, body, ctype, pmids=pmids)

    def _send(
        self,
        n: int,
        status: int,
        body: bytes,
        ctype: str,
        *,
        pmids: Sequence[str] = (),
        retry_after: str | None = None,
        match_all: bool = True,
        latency: float = 0.0,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if retry_after is not None:
            self.send_header("Retry-After", retry_after)
        self.end_headers()
        # logged before the body goes out: a client that has read the whole
        # response may look at the log before this thread runs again
        self.fake._finish(n, status, pmids)
        self.wfile.write(body)


def split_records(xml: bytes) -> list[bytes]:
    """The ``<PubmedArticle>`` elements of a PubmedArticleSet, as bytes."""
    return re.findall(rb"<PubmedArticle>.*?</PubmedArticle>", xml, flags=re.S)


@functools.cache
def first_records(path: Path, n: int) -> list[bytes]:
    """The first ``n`` distinct PubmedArticle records of a gzipped MEDLINE file."""
    # an update file may carry a PMID twice (revised the same day): keep the last
    distinct: dict[str, bytes] = {}
    buf = b""
    with gzip.open(path, "rb") as fh:
        while len(distinct) < n:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            buf += chunk
            end = buf.rfind(b"</PubmedArticle>")
            if end < 0:
                continue
            cut = end + len(b"</PubmedArticle>")
            distinct.update((pmid_of(r), r) for r in split_records(buf[:cut]))
            buf = buf[cut:]
    return list(distinct.values())[:n]
