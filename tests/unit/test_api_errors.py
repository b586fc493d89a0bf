"""Every error leaves the real server as one JSON shape, with the right status."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api_support import running
from fake_engine import FakeEngine, inline_corpus
from medbrief.errors import IndexStateError, QueryError, RemoteError
from medbrief.interfaces.api import create_app

QUESTION = "oral iron and restless legs syndrome"


@pytest.fixture(scope="module")
def engine() -> FakeEngine:
    return FakeEngine(*inline_corpus())


@pytest.fixture(scope="module")
def base_url(engine: FakeEngine) -> Iterator[str]:
    with running(create_app(engine)) as url:
        yield url


@pytest.fixture
def client(base_url: str, engine: FakeEngine) -> Iterator[httpx.Client]:
    engine.fail = None
    with httpx.Client(base_url=base_url, timeout=10) as c:
        yield c
    engine.fail = None


def error_of(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "detail"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return dict(body["error"])


def test_unknown_route(client: httpx.Client) -> None:
    error_of(client.get("/api/nothing-here"), 404, "not_found")
    error_of(client.get("/static/missing.js"), 404, "not_found")


def test_wrong_method(client: httpx.Client) -> None:
    r = client.get("/api/ask")
    error_of(r, 405, "method_not_allowed")
    assert r.headers["allow"] == "POST"


def test_question_over_the_length_limit(client: httpx.Client) -> None:
    err = error_of(client.post("/api/ask", json={"question": "x" * 2001}), 422, "invalid_request")
    assert err["message"] == "question: String should have at most 2000 characters"
    assert err["detail"][0]["field"] == "question"
    assert client.post("/api/ask", json={"question": "iron " * 400}).status_code == 200


def test_question_length_limit_comes_from_settings() -> None:
    engine = FakeEngine(*inline_corpus())
    engine.settings = engine.settings.model_copy(update={"max_question_chars": 40})
    with running(create_app(engine)) as url:
        r = httpx.post(f"{url}/api/ask", json={"question": "iron " * 9})
        assert "at most 40 characters" in error_of(r, 422, "invalid_request")["message"]
        r = httpx.get(f"{url}/api/search", params={"q": "iron " * 9})
        assert "at most 40 characters" in error_of(r, 422, "invalid_request")["message"]


@pytest.mark.parametrize("k", ["0", "-3", "201", "ten"])
def test_k_out_of_range(client: httpx.Client, k: str) -> None:
    err = error_of(client.get("/api/search", params={"q": "iron", "k": k}), 422, "invalid_request")
    assert err["detail"][0]["field"] == "k"


def test_k_at_the_limits(client: httpx.Client) -> None:
    for k in ("1", "200"):
        assert client.get("/api/search", params={"q": "iron", "k": k}).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"question": 42},
        {"question": QUESTION, "extra": 1},
        {"question": QUESTION, "filters": {"designs": ["horoscope"]}},
        {"question": QUESTION, "filters": {"year_min": 99999}},
    ],
)
def test_malformed_bodies(client: httpx.Client, body: dict[str, Any]) -> None:
    error_of(client.post("/api/ask", json=body), 422, "invalid_request")


def test_not_json(client: httpx.Client) -> None:
    r = client.post("/api/ask", content=b"{not json", headers={"content-type": "application/json"})
    error_of(r, 422, "invalid_request")


def test_blank_question_is_bad_input(client: httpx.Client) -> None:
    err = error_of(client.post("/api/ask", json={"question": " \n\t "}), 400, "bad_query")
    assert err["message"] == "the question is empty"


def test_inverted_year_range(client: httpx.Client) -> None:
    body = {"question": QUESTION, "filters": {"year_min": 2020, "year_max": 2010}}
    err = error_of(client.post("/api/ask", json=body), 400, "bad_query")
    assert err["message"] == "year_min (2020) is after year_max (2010)"


def test_unknown_document(client: httpx.Client) -> None:
    err = error_of(client.get("/api/documents/pmid:404404"), 404, "not_found")
    assert "pmid:404404" in err["message"]


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (QueryError("the question cannot be read"), 400, "bad_query"),
        (IndexStateError("the dense index is being rebuilt"), 503, "index"),
        (RemoteError("PubMed did not answer"), 502, "remote"),
    ],
)
def test_library_errors_keep_their_status(
    client: httpx.Client, engine: FakeEngine, exc: Exception, status: int, code: str
) -> None:
    engine.fail = exc
    err = error_of(client.post("/api/ask", json={"question": QUESTION}), status, code)
    assert err["message"] == str(exc)


def test_unexpected_errors_are_500_without_internals(
    client: httpx.Client, engine: FakeEngine
) -> None:
    engine.fail = RuntimeError("secret path /home/someone/.key")
    err = error_of(client.get("/api/search", params={"q": "iron"}), 500, "internal")
    assert "secret" not in err["message"]
    engine.fail = None
    assert client.get("/api/search", params={"q": "iron"}).status_code == 200


def test_stream_reports_errors_as_an_event(client: httpx.Client, engine: FakeEngine) -> None:
    engine.fail = IndexStateError("no index yet")
    r = client.post("/api/ask/stream", json={"question": QUESTION})
    assert r.status_code == 200  # the stream had started; the error is its last event
    assert r.text == (
        'event: error\ndata: {"error": {"code": "index", "message": "no index yet", '
        '"detail": null}}\n\n'
    )


def test_stream_validates_before_streaming(client: httpx.Client) -> None:
    error_of(client.post("/api/ask/stream", json={"question": ""}), 400, "bad_query")
    error_of(client.post("/api/ask/stream", json={"question": 7}), 422, "invalid_request")
    error_of(client.get("/api/ask/stream", params={"q": "x" * 2001}), 422, "invalid_request")


def test_unknown_export_format(client: httpx.Client) -> None:
    error_of(client.get("/api/export/docx", params={"q": QUESTION}), 422, "invalid_request")


def test_trusted_hosts_stop_dns_rebinding() -> None:
    app = create_app(FakeEngine(*inline_corpus()), trusted_hosts=["127.0.0.1", "localhost"])
    with running(app) as url:
        assert httpx.get(f"{url}/healthz").status_code == 200
        r = httpx.get(f"{url}/healthz", headers={"host": "evil.example:8000"})
        error_of(r, 400, "bad_host")


def test_oversized_bodies_are_refused_unread(client: httpx.Client) -> None:
    body = b'{"question": "' + b"x" * 70_000 + b'"}'
    r = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
    error_of(r, 413, "too_large")
