"""What the HTTP guard refuses, and how: oversized or slow bodies, clients
asking too often, cross-site requests, and requests without the token.

- Bodies are read (and counted) before the app sees them, whatever their
  framing (``Content-Length`` or chunked): past ``max_body_bytes`` the answer
  is 413 and the connection is closed, the rest unread (a declared length at
  most 1 MiB over is read and dropped instead, see :data:`DRAIN`); a body
  that does not arrive within ``body_timeout`` seconds gets 408 and the
  connection is closed.
- Work endpoints (briefs, searches, exports) are rate-limited per client
  address with a token bucket: ``client_burst`` at once, then
  ``client_rate_limit`` per minute; past it 429 with ``Retry-After``.
- ``Sec-Fetch-Site: cross-site`` on ``/api/`` is refused with 403 (W3C Fetch
  Metadata Request Headers; the "resource isolation policy" of
  web.dev/articles/fetch-metadata): another site's page could not read the
  answer, but would still spend the server's CPU.
- With a token set, ``/api/`` wants ``Authorization: Bearer <token>`` (RFC
  6750), or the ``medbrief_token`` cookie the page gets from ``/?token=...``
  (HttpOnly, SameSite=Strict, so no other site's request carries it).
"""

from __future__ import annotations

import asyncio
import hmac
import math
import time
from collections import OrderedDict
from http.cookies import CookieError, SimpleCookie

from starlette.datastructures import Headers
from starlette.types import Message, Receive, Scope

from medbrief.settings import Settings

#: Paths that compute briefs or searches (the rate-limited ones).
WORK_PATHS = ("/api/ask", "/api/search", "/api/export/")
COOKIE = "medbrief_token"
#: Client addresses remembered by the rate limiter; the least recently seen
#: are forgotten first (and start again with a full bucket).
MAX_CLIENTS = 10_000
#: Closing the connection after a refused body, so that the rest of it is
#: never read.
CLOSE = {"Connection": "close"}
#: A declared body at most this much over the limit is left to the server to
#: read and drop after the 413: closing a connection whose client is still
#: sending resets it (RFC 9112, 9.6), and the client may then never see the
#: answer. Larger bodies, and chunked ones, are cut off.
DRAIN = 2**20


class RefusedError(Exception):
    """A request the guard answers itself: status, code, message, headers."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


async def read_body(receive: Receive, limit: int, timeout: float) -> bytes | None:
    """The whole request body, or None if the client left before sending it.

    Raises :class:`RefusedError` (413) as soon as more than ``limit`` bytes have
    arrived, or (408) when the body is not complete within ``timeout``."""
    chunks: list[bytes] = []
    size = 0
    deadline = time.monotonic() + timeout
    while True:
        try:
            message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            raise RefusedError(
                408, "timeout", f"the request body did not arrive within {timeout:g} s", CLOSE
            ) from None
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def too_large(limit: int, declared: int | None = None) -> RefusedError:
    """413 for a body over ``limit``; the connection is closed unless the
    body's declared length is small enough to drop (:data:`DRAIN`)."""
    message = f"request body over {limit:,} bytes (setting max_body_bytes)"
    drop = declared is not None and declared <= limit + DRAIN
    return RefusedError(413, "too_large", message, None if drop else CLOSE)


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app ``body`` first, then the client's own
    messages (the disconnect a streaming response listens for)."""
    sent = False

    async def receive_again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return receive_again


class RateLimiter:
    """Token buckets per client address (all touched from the event loop)."""

    def __init__(self, per_minute: float, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, client: str, now: float | None = None) -> float:
        """0 when ``client`` may go ahead, else the seconds until it may."""
        if self.rate <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
        self._buckets[client] = (tokens - 1 if tokens >= 1 else tokens, now)
        while len(self._buckets) > MAX_CLIENTS:
            self._buckets.popitem(last=False)
        return wait


def retry_after(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


class Policy:
    """The checks on ``/api/`` requests before any work: origin, token, rate."""

    def __init__(self, settings: Settings, token: str | None) -> None:
        self.token = token
        self.limiter = RateLimiter(settings.client_rate_limit, settings.client_burst)

    def check(self, scope: Scope, headers: Headers) -> None:
        path: str = scope["path"]
        if not path.startswith("/api/"):
            return
        if headers.get("sec-fetch-site", "").lower() == "cross-site":
            raise RefusedError(403, "cross_site", "cross-site requests are refused")
        if self.token is not None and not self._authorised(headers):
            raise RefusedError(
                401,
                "unauthorized",
                "this server wants its token: Authorization: Bearer <token>",
                {"WWW-Authenticate": 'Bearer realm="medbrief"'},
            )
        if path.startswith(WORK_PATHS):
            client = scope.get("client")
            wait = self.limiter.take(client[0] if client else "")
            if wait:
                raise RefusedError(
                    429,
                    "rate_limited",
                    f"too many requests from this client; try again in {math.ceil(wait)} s",
                    retry_after(wait),
                )

    def _authorised(self, headers: Headers) -> bool:
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            given = cookie(headers, COOKIE) or ""
        return self.matches(given.strip())

    def matches(self, given: str) -> bool:
        assert self.token is not None
        return hmac.compare_digest(given.encode(), self.token.encode())


def cookie(headers: Headers, name: str) -> str | None:
    jar = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except CookieError:  # a malformed Cookie header counts as none
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None
