"""The HTTP server under abuse: bodies counted as they arrive, a bounded
queue, a per-client rate, deadlines for slow clients (issue 16).

Each test runs a real uvicorn server, configured as ``medbrief serve``
configures it, over the fake engine with the limits under test made small.
"""

from __future__ import annotations

import socket
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from api_support import running
from fake_engine import FakeEngine, inline_corpus
from medbrief.interfaces.api import create_app
from medbrief.interfaces.api_limits import MAX_CLIENTS, RateLimiter

QUESTION = "oral iron and restless legs syndrome"


@contextmanager
def server(*, delay: float = 0.0, **limits: Any) -> Iterator[tuple[str, FakeEngine]]:
    engine = FakeEngine(*inline_corpus(), delay=delay)
    engine.settings = engine.settings.model_copy(update=limits)
    with running(create_app(engine), settings=engine.settings) as url:
        yield url, engine


def connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=5)
    return sock


def response_of(sock: socket.socket, timeout: float = 5.0) -> bytes:
    """Everything the server sends until it closes the connection."""
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    return data


# ------------------------------------------------------------------- bodies


def test_a_chunked_body_is_counted_and_refused_past_the_limit_unread() -> None:
    with server() as (url, engine):
        sock = connect(url)
        sock.sendall(
            b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"x" * 8192
        sent = 0
        refused_after = None
        try:
            while sent < 50 * 2**20:  # a client that would send 50 MB
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
                if refused_after is None and sent > 256 * 1024:
                    sock.settimeout(0.05)
                    try:
                        if sock.recv(1, socket.MSG_PEEK):
                            refused_after = sent
                    except TimeoutError:
                        pass
                    sock.settimeout(5)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = response_of(sock)
        sock.close()
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b'"code":"too_large"' in answer
    assert b"connection: close" in answer.lower()
    assert sent < 8 * 2**20, f"the server read {sent:,} bytes of a body it had refused"
    assert engine.calls == []


def test_a_client_sending_a_declared_oversized_body_sees_the_413() -> None:
    # The body is dropped rather than the connection closed under the client
    # still sending it, which would reset the connection before the answer.
    with server(client_rate_limit=0) as (url, engine), httpx.Client(base_url=url) as client:
        body = b'{"question": "' + b"x" * 300_000 + b'"}'
        for _ in range(20):
            r = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
            assert r.status_code == 413
        assert client.post("/api/ask", json={"question": QUESTION}).status_code == 200
    assert engine.calls == ["answer"]


def test_the_body_limit_is_a_setting() -> None:
    with server(max_body_bytes=2048) as (url, _):
        body = {"question": "iron " * 500}
        r = httpx.post(f"{url}/api/ask", json=body)
        assert r.status_code == 413
        assert (
            r.json()["error"]["message"] == "request body over 2,048 bytes (setting max_body_bytes)"
        )
        assert httpx.post(f"{url}/api/ask", json={"question": QUESTION}).status_code == 200


def test_a_body_that_does_not_arrive_in_time_gets_408() -> None:
    with server(body_timeout=1.0) as (url, engine):
        sock = connect(url)
        sock.sendall(
            b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"question": '
        )
        started = time.monotonic()
        answer = response_of(sock, timeout=5)
        waited = time.monotonic() - started
        sock.close()
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert b'"code":"timeout"' in answer
    assert waited < 3
    assert engine.calls == []


def test_clients_sending_headers_a_byte_at_a_time_are_cut_off() -> None:
    with server(header_timeout=1.0) as (url, _):
        socks = [connect(url) for _ in range(20)]
        request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100
        closed: set[int] = set()
        started = time.monotonic()
        for i in range(len(request)):
            for n, sock in enumerate(socks):
                if n in closed:
                    continue
                try:
                    sock.sendall(request[i : i + 1])
                    sock.settimeout(0.001)
                    if sock.recv(1) == b"":
                        closed.add(n)
                except (BrokenPipeError, ConnectionResetError):
                    closed.add(n)
                except TimeoutError:
                    pass
            if len(closed) == len(socks) or time.monotonic() - started > 6:
                break
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        for sock in socks:
            sock.close()
        # the server itself still answers
        assert httpx.get(f"{url}/healthz").status_code == 200
    assert len(closed) == 20, (
        f"{20 - len(closed)} slow connections still open after {elapsed:.1f} s"
    )
    assert elapsed < 3


def test_an_idle_keep_alive_connection_is_closed() -> None:
    with server(header_timeout=1.0) as (url, _):
        sock = connect(url)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        started = time.monotonic()
        answer = response_of(sock, timeout=8)
        sock.close()
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert time.monotonic() - started < 3


# ------------------------------------------------------------ queue and rate


def test_waiting_briefs_are_bounded_and_the_rest_told_when_to_retry() -> None:
    limits = {"server_workers": 1, "server_queue": 1, "client_rate_limit": 0}
    with server(delay=1.0, **limits) as (url, _), ThreadPoolExecutor(8) as pool:
        started = time.monotonic()
        answers = list(
            pool.map(
                lambda _: httpx.post(f"{url}/api/ask", json={"question": QUESTION}, timeout=30),
                range(8),
            )
        )
        elapsed = time.monotonic() - started
    statuses = Counter(r.status_code for r in answers)
    assert statuses == {200: 2, 503: 6}, statuses
    busy = next(r for r in answers if r.status_code == 503)
    assert busy.json()["error"]["code"] == "busy"
    assert int(busy.headers["retry-after"]) >= 1
    assert elapsed < 4  # two briefs of 1 s each, the rest answered at once


def test_one_client_asking_too_often_gets_429_others_do_not() -> None:
    # 6 a minute: a token comes back every 10 s, long after this test's requests
    with server(client_rate_limit=6, client_burst=3) as (url, _):
        with httpx.Client(base_url=url) as one:
            codes = [one.get("/api/search", params={"q": "iron"}).status_code for _ in range(5)]
            limited = one.get("/api/search", params={"q": "iron"})
            assert one.get("/healthz").status_code == 200  # not a work endpoint
            assert one.get("/api/documents/pmid:1001").status_code == 200
        transport = httpx.HTTPTransport(local_address="127.0.0.2")
        with httpx.Client(base_url=url, transport=transport) as other:
            assert other.get("/api/search", params={"q": "iron"}).status_code == 200
    assert codes == [200, 200, 200, 429, 429]
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 10


# ------------------------------------------------------- cross-site and token


@pytest.mark.parametrize(
    "path",
    [
        f"/api/ask/stream?q={QUESTION}",
        f"/api/export/markdown?q={QUESTION}",
        "/api/search?q=iron",
    ],
)
def test_cross_site_requests_do_no_work(path: str) -> None:
    with server() as (url, engine):
        r = httpx.get(f"{url}{path}", headers={"Sec-Fetch-Site": "cross-site"})
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "cross_site"
        assert engine.calls == []
        for site in ("same-origin", "none"):
            assert httpx.get(f"{url}{path}", headers={"Sec-Fetch-Site": site}).status_code == 200
        page = httpx.get(f"{url}/", headers={"Sec-Fetch-Site": "cross-site"})
        assert page.status_code == 200  # a link to the page itself is fine


def test_a_token_is_required_when_set() -> None:
    engine = FakeEngine(*inline_corpus())
    with running(create_app(engine, token="s3cret-token")) as url:
        r = httpx.get(f"{url}/api/search", params={"q": "iron"})
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "unauthorized"
        assert r.headers["www-authenticate"].startswith("Bearer")
        wrong = {"Authorization": "Bearer nope"}
        assert (
            httpx.get(f"{url}/api/search", params={"q": "iron"}, headers=wrong).status_code == 401
        )
        right = {"Authorization": "Bearer s3cret-token"}
        assert (
            httpx.get(f"{url}/api/search", params={"q": "iron"}, headers=right).status_code == 200
        )
        assert httpx.get(f"{url}/healthz").status_code == 200
        assert httpx.get(f"{url}/").status_code == 200
        assert engine.calls == ["search"]
        # the page logs in once with ?token=, then its requests carry the cookie
        with httpx.Client(base_url=url, follow_redirects=True) as browser:
            login = browser.get("/", params={"token": "s3cret-token"})
            assert login.status_code == 200 and login.history[0].status_code == 303
            cookie = login.history[0].headers["set-cookie"].lower()
            assert "httponly" in cookie and "samesite=strict" in cookie
            assert browser.get("/api/search", params={"q": "iron"}).status_code == 200
            assert browser.get("/", params={"token": "wrong"}).history == []


def test_the_rate_limiter_refills_and_forgets_the_oldest_clients() -> None:
    limiter = RateLimiter(per_minute=60, burst=2)
    assert [limiter.take("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 1.0]
    assert limiter.take("b", now=0.0) == 0.0  # another client has its own bucket
    assert limiter.take("a", now=1.0) == 0.0  # one token back after a second
    assert limiter.take("a", now=1.0) == pytest.approx(1.0)
    for i in range(MAX_CLIENTS + 5):
        limiter.take(f"10.0.{i // 256}.{i % 256}", now=2.0)
    assert len(limiter._buckets) == MAX_CLIENTS
    assert RateLimiter(per_minute=0, burst=1).take("a") == 0.0  # 0 turns it off
