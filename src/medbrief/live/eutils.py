"""A small NCBI E-utilities client: ESearch, EFetch and ESpell for PubMed.

Rules it follows (NCBI, "A General Introduction to the E-utilities" and
"The E-utilities In-Depth"):

- ``tool``, ``email`` and ``api_key`` travel with every request;
- requests are paced by one process-wide :mod:`~medbrief.live.ratelimit` pacer;
- long id lists go by HTTP POST;
- 429, 5xx, timeouts, dropped connections and bodies that are not the
  complete XML document asked for are retried with exponential backoff and
  jitter ("equal jitter", Brooker, AWS Architecture Blog 2015), honouring
  ``Retry-After``; a body is only handed on once it parses, so a truncated
  response can never reach the store;
- NCBI's own error texts (``{"error": "API key invalid"}`` JSON bodies,
  ``<ERROR>`` elements) are surfaced in :class:`~medbrief.errors.RemoteError`,
  with the API key blanked out.

The HTTP transport is injectable (``transport=httpx.MockTransport(...)``);
nothing touches the network before the first call.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import httpx
from lxml import etree

from medbrief.errors import ConfigError, RateLimitedError, RemoteError
from medbrief.live import ratelimit
from medbrief.settings import Settings

#: PubMed's history server serves only the first 9,999 records of a search
#: ("retstart cannot be larger than 9998", E-utilities change notice, 2022).
MAX_RETRIEVABLE = 9999
#: Ids per EFetch request; NCBI asks for POST and modest batches beyond 200.
EFETCH_BATCH = 200
#: A refused connection or a failed DNS lookup is retried this many times
#: only: it almost always means "offline", and the user is waiting.
CONNECT_RETRIES = 1
#: Longest ``Retry-After`` honoured, in seconds.
MAX_RETRY_AFTER = 60.0

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_TRANSIENT_MARKERS = (
    "backend failed",
    "empty response",
    "timeout",
    "temporarily",
    "try again",
    "unable to route",
)
_HISTORY_MARKERS = ("retrieve history", "history data", "unable to obtain query", "webenv")


class UnreachableError(RemoteError):
    """NCBI could not be reached at all: refused connection, DNS failure."""

    code = "unreachable"


class HistoryExpiredError(RemoteError):
    """The history server no longer knows this WebEnv (they last hours, not days)."""

    code = "history_expired"


class _RetryableError(Exception):
    """A failure worth another attempt; carries what to report if none succeeds."""

    def __init__(self, reason: str, wait: float = 0.0, rate_limited: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait
        self.rate_limited = rate_limited


@dataclass(frozen=True, slots=True)
class ESearchResult:
    count: int
    ids: tuple[str, ...]
    retstart: int = 0
    webenv: str | None = None
    query_key: str | None = None
    translation: str | None = None
    #: NCBI's ErrorList/WarningList entries, e.g. "phrase not found: abcXYZ"
    warnings: tuple[str, ...] = ()


def _user_agent() -> str:
    try:
        return f"medbrief/{version('medbrief')}"
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "medbrief"


class EUtilsClient:
    """E-utilities for ``db=pubmed``. Use as a context manager or call :meth:`close`."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        limiter: ratelimit.RateLimiter | None = None,
        backoff: float = 0.5,
        backoff_cap: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.settings = settings
        self.base_url = settings.eutils_base_url.rstrip("/") + "/"
        self.retries = settings.ncbi_retries
        self._transport = transport
        self._limiter = limiter
        self._backoff = backoff
        self._backoff_cap = backoff_cap
        self._sleep = sleep
        self._rng = rng
        self._http: httpx.Client | None = None
        self._lock = threading.Lock()
        #: Requests sent, attempts included (for reports and tests).
        self.requests = 0

    # ------------------------------------------------------------ plumbing

    @property
    def limiter(self) -> ratelimit.RateLimiter:
        if self._limiter is None:
            self._limiter = ratelimit.shared(self.base_url, self.settings.effective_rate_limit)
        return self._limiter

    @property
    def http(self) -> httpx.Client:
        # Locked: threads sharing a client must not each build (and leak) one.
        with self._lock:
            if self._http is None:
                self._http = httpx.Client(
                    transport=self._transport,
                    timeout=httpx.Timeout(self.settings.ncbi_timeout),
                    headers={"User-Agent": _user_agent()},
                    follow_redirects=True,
                )
            return self._http

    def close(self) -> None:
        with self._lock:
            if self._http is not None:
                self._http.close()
                self._http = None

    def __enter__(self) -> EUtilsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _params(self, params: Mapping[str, Any]) -> dict[str, str]:
        out = {"db": "pubmed", "tool": self.settings.ncbi_tool}
        if self.settings.ncbi_email:
            out["email"] = self.settings.ncbi_email
        if self.settings.ncbi_api_key:
            out["api_key"] = self.settings.ncbi_api_key
        out.update({k: str(v) for k, v in params.items() if v is not None})
        return out

    def _redact(self, text: str) -> str:
        key = self.settings.ncbi_api_key
        return text.replace(key, "***") if key else text

    def _backoff_wait(self, attempt: int) -> float:
        ceiling = min(self._backoff_cap, self._backoff * 2.0**attempt)
        return ceiling / 2 + self._rng() * ceiling / 2

    def request(
        self,
        endpoint: str,
        params: Mapping[str, Any],
        *,
        roots: tuple[str, ...],
        post: bool = False,
    ) -> tuple[bytes, etree._Element]:
        """Send one E-utility call with retries; the body and its parsed root.

        ``roots`` are the document elements a good answer may have; anything
        else (an HTML error page, a cut-off document) counts as a failure.
        """
        url = self.base_url + endpoint
        data = self._params(params)
        connect_failures = 0
        last: _RetryableError | None = None
        for attempt in range(self.retries + 1):
            if last is not None:
                self._sleep(max(last.wait, self._backoff_wait(attempt - 1)))
            try:
                with self.limiter.slot():
                    with self._lock:
                        self.requests += 1
                    if post:
                        response = self.http.post(url, data=data)
                    else:
                        response = self.http.get(url, params=data)
                return self._check(response, roots)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                connect_failures += 1
                if connect_failures > CONNECT_RETRIES:
                    raise UnreachableError(
                        f"cannot reach NCBI E-utilities at {self.base_url}: "
                        f"{self._redact(str(exc)) or type(exc).__name__} (offline?)"
                    ) from None
                last = _RetryableError(f"connection failed: {exc}")
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                raise ConfigError(
                    f"eutils_base_url {self.base_url!r} is not usable: {exc}"
                ) from None
            except httpx.TransportError as exc:
                last = _RetryableError(f"{type(exc).__name__}: {exc}")
            except _RetryableError as retry:
                last = retry
        assert last is not None
        message = (
            f"NCBI E-utilities {endpoint} failed after {self.retries + 1} attempts: "
            f"{self._redact(last.reason)}"
        )
        if last.rate_limited:
            raise RateLimitedError(message)
        raise RemoteError(message)

    def _check(
        self, response: httpx.Response, roots: tuple[str, ...]
    ) -> tuple[bytes, etree._Element]:
        status = response.status_code
        body = response.content
        if status == 429:
            raise _RetryableError(
                f"HTTP 429 {_error_text(body) or 'rate limit exceeded'}",
                wait=_retry_after(response),
                rate_limited=True,
            )
        if status >= 500:
            raise _RetryableError(
                f"HTTP {status} {_error_text(body)}".strip(), wait=_retry_after(response)
            )
        root = _parse(body)
        if root is not None:
            errors = [e.text.strip() for e in root.iter("ERROR") if e.text and e.text.strip()]
            if errors:
                self._raise_ncbi_error(status, "; ".join(errors))
        if status >= 400:
            self._raise_ncbi_error(status, _error_text(body) or response.reason_phrase)
        if root is None:
            if body.lstrip().startswith(b"<"):
                raise _RetryableError(
                    f"the response was a truncated XML document ({len(body)} bytes)"
                )
            said = _error_text(body)
            raise _RetryableError(
                f"the response was not XML ({len(body)} bytes){': ' + said if said else ''}"
            )
        if root.tag not in roots:
            raise _RetryableError(f"unexpected response <{root.tag}> (wanted {' or '.join(roots)})")
        return body, root

    def _raise_ncbi_error(self, status: int, text: str) -> None:
        lowered = text.lower()
        if "retstart" in lowered and "larger" in lowered:
            raise RemoteError(f"NCBI: {self._redact(text)}")
        if any(m in lowered for m in _HISTORY_MARKERS):
            raise HistoryExpiredError(f"NCBI history expired: {self._redact(text)}")
        if any(m in lowered for m in _TRANSIENT_MARKERS):
            raise _RetryableError(f"NCBI: {text}")
        raise RemoteError(f"NCBI answered HTTP {status}: {self._redact(text)}")

    # ------------------------------------------------------------ E-utilities

    def esearch(
        self,
        term: str,
        *,
        retmax: int = 20,
        retstart: int = 0,
        usehistory: bool = False,
        sort: str | None = None,
        mindate: str | None = None,
        maxdate: str | None = None,
        datetype: str = "pdat",
    ) -> ESearchResult:
        params: dict[str, Any] = {
            "term": term,
            "retmax": retmax,
            "retstart": retstart,
            "usehistory": "y" if usehistory else None,
            "sort": sort,
        }
        if mindate or maxdate:
            # NCBI ignores a date range unless both ends are given.
            params.update(datetype=datetype, mindate=mindate or "1800", maxdate=maxdate or "3000")
        _, root = self.request(
            "esearch.fcgi", params, roots=("eSearchResult",), post=len(term) > 1500
        )
        return parse_esearch(root)

    def efetch(self, pmids: Sequence[str]) -> bytes:
        """PubMed XML (a complete ``PubmedArticleSet``) for up to 200 PMIDs."""
        if not pmids:
            raise ValueError("efetch needs at least one PMID")
        if len(pmids) > EFETCH_BATCH:
            raise ValueError(f"efetch takes at most {EFETCH_BATCH} PMIDs per request")
        params = {"id": ",".join(pmids), "retmode": "xml"}
        body, _ = self.request("efetch.fcgi", params, roots=("PubmedArticleSet",), post=True)
        return body

    def efetch_history(self, webenv: str, query_key: str, *, retstart: int, retmax: int) -> bytes:
        """PubMed XML for records ``retstart..retstart+retmax`` of a stored search."""
        params = {
            "WebEnv": webenv,
            "query_key": query_key,
            "retstart": retstart,
            "retmax": min(retmax, EFETCH_BATCH),
            "retmode": "xml",
        }
        body, _ = self.request("efetch.fcgi", params, roots=("PubmedArticleSet",))
        return body

    def espell(self, term: str) -> str | None:
        """NCBI's spelling suggestion for ``term``, or None when it has none."""
        _, root = self.request("espell.fcgi", {"term": term}, roots=("eSpellResult",))
        corrected = (root.findtext("CorrectedQuery") or "").strip()
        if not corrected or corrected.lower() == term.strip().lower():
            return None
        return corrected


# ---------------------------------------------------------------- parsing


def _parse(body: bytes) -> etree._Element | None:
    try:
        return etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError:
        return None


def parse_esearch(root: etree._Element) -> ESearchResult:
    """An ``eSearchResult`` document (DTD esearch 20060628).

    Hard errors arrive as ``<ERROR>`` and were raised by the client already;
    ``ErrorList`` (e.g. PhraseNotFound) and ``WarningList`` are advisory.
    """
    warnings = [
        f"{_words(child.tag)}: {child.text.strip()}"
        for section in ("ErrorList", "WarningList")
        for child in root.findall(section + "/*")
        if child.text and child.text.strip()
    ]
    return ESearchResult(
        count=int(root.findtext("Count") or 0),
        ids=_ids(root),
        retstart=int(root.findtext("RetStart") or 0),
        webenv=(root.findtext("WebEnv") or "").strip() or None,
        query_key=(root.findtext("QueryKey") or "").strip() or None,
        translation=(root.findtext("QueryTranslation") or "").strip() or None,
        warnings=tuple(warnings),
    )


def _ids(root: etree._Element) -> tuple[str, ...]:
    found = ((e.text or "").strip() for e in root.findall("IdList/Id"))
    return tuple(i for i in found if i)


def _words(tag: str) -> str:
    """``PhraseNotFound`` -> ``phrase not found``."""
    out = "".join(f" {c.lower()}" if c.isupper() else c for c in tag).strip()
    return out


def _error_text(body: bytes) -> str:
    """NCBI's message from an error body: JSON ``error``, XML ``ERROR``, or plain text."""
    text = body.decode("utf-8", "replace").strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict) and data.get("error"):
            return str(data["error"])
    root = _parse(body)
    if root is not None:
        found = [e.text.strip() for e in root.iter("ERROR") if e.text and e.text.strip()]
        if found:
            return "; ".join(found)
        return ""
    return " ".join(text.split())[:200] if text and not text.startswith("<") else ""


def _retry_after(response: httpx.Response) -> float:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP-date, RFC 9110 10.2.3)."""
    value = response.headers.get("Retry-After")
    if not value:
        return 0.0
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return 0.0
    return max(0.0, min(seconds, MAX_RETRY_AFTER))
