from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from medbrief.errors import ConfigError, RateLimitedError, RemoteError
from medbrief.live import espell
from medbrief.live.eutils import (
    CONNECT_RETRIES,
    EUtilsClient,
    HistoryExpiredError,
    UnreachableError,
)
from medbrief.live.ratelimit import RateLimiter
from medbrief.settings import get_settings

ESEARCH = (
    b'<?xml version="1.0" encoding="UTF-8" ?>\n'
    b"<eSearchResult><Count>42249</Count><RetMax>3</RetMax>"
    b"<RetStart>0</RetStart><QueryKey>1</QueryKey><WebEnv>MCID_abc</WebEnv><IdList><Id>3</Id>"
    b"<Id>2</Id><Id>1</Id></IdList><TranslationSet/><QueryTranslation>x</QueryTranslation>"
    b"</eSearchResult>"
)
NOT_FOUND = (
    b"<eSearchResult><Count>0</Count><RetMax>0</RetMax><RetStart>0</RetStart><IdList/>"
    b"<ErrorList><PhraseNotFound>abcXYZ</PhraseNotFound></ErrorList><WarningList>"
    b"<OutputMessage>No items found.</OutputMessage></WarningList></eSearchResult>"
)
ARTICLES = (
    b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version='1'>1</PMID>"
    b"</MedlineCitation></PubmedArticle></PubmedArticleSet>"
)

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A transport answering from a script of handlers, one per request."""

    def __init__(self, *script: Handler | httpx.Response) -> None:
        self.script = list(script)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        return step(request) if callable(step) else step

    def params(self, i: int = -1) -> dict[str, str]:
        req = self.requests[i]
        raw = parse_qs(req.url.query.decode()) | parse_qs(req.content.decode())
        return {k: v[-1] for k, v in raw.items()}


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make(tmp_path: Path, sleeps: list[float]) -> Iterator[Callable[..., EUtilsClient]]:
    clients: list[EUtilsClient] = []

    def make(recorder: Recorder, **overrides: object) -> EUtilsClient:
        settings = get_settings(
            home=tmp_path / "home",
            eutils_base_url="http://eutils.test/entrez/eutils",
            ncbi_retries=overrides.pop("retries", 3),
            **overrides,
        )
        client = EUtilsClient(
            settings,
            transport=httpx.MockTransport(recorder),
            limiter=RateLimiter(1000),
            sleep=sleeps.append,
            rng=lambda: 0.5,
        )
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()


def ok(body: bytes, **headers: str) -> httpx.Response:
    return httpx.Response(200, content=body, headers={"Content-Type": "text/xml", **headers})


def test_every_request_carries_tool_email_and_key(make: Callable[..., EUtilsClient]) -> None:
    rec = Recorder(ok(ESEARCH))
    client = make(rec, ncbi_api_key="k3y", ncbi_email="me@example.org", ncbi_tool="mytool")
    client.esearch("iron", usehistory=True, retmax=3)
    p = rec.params()
    assert rec.requests[0].url.path == "/entrez/eutils/esearch.fcgi"
    assert p == {
        "db": "pubmed",
        "tool": "mytool",
        "email": "me@example.org",
        "api_key": "k3y",
        "term": "iron",
        "retmax": "3",
        "retstart": "0",
        "usehistory": "y",
    }


def test_constructor_touches_no_network(tmp_path: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError("network used")

    settings = get_settings(home=tmp_path)
    EUtilsClient(settings, transport=httpx.MockTransport(refuse)).close()


def test_esearch_parses_count_ids_and_history(make: Callable[..., EUtilsClient]) -> None:
    result = make(Recorder(ok(ESEARCH))).esearch("x")
    assert (result.count, result.ids, result.webenv, result.query_key) == (
        42249,
        ("3", "2", "1"),
        "MCID_abc",
        "1",
    )


def test_esearch_warnings_and_date_range(make: Callable[..., EUtilsClient]) -> None:
    rec = Recorder(ok(NOT_FOUND))
    result = make(rec).esearch("abcXYZ", mindate="2015")
    assert result.count == 0 and result.ids == ()
    assert result.warnings == ("phrase not found: abcXYZ", "output message: No items found.")
    p = rec.params()
    assert (p["datetype"], p["mindate"], p["maxdate"]) == ("pdat", "2015", "3000")


def test_5xx_then_success_backs_off_exponentially(
    make: Callable[..., EUtilsClient], sleeps: list[float]
) -> None:
    rec = Recorder(httpx.Response(500), httpx.Response(502), httpx.Response(503), ok(ESEARCH))
    client = make(rec)
    assert client.esearch("x").count == 42249
    assert len(rec.requests) == 4
    # equal jitter with rng=0.5: 3/4 of 0.5 * 2**attempt
    assert sleeps == [0.375, 0.75, 1.5]


def test_429_honours_retry_after(make: Callable[..., EUtilsClient], sleeps: list[float]) -> None:
    busy = httpx.Response(
        429, json={"error": "API rate limit exceeded"}, headers={"Retry-After": "7"}
    )
    client = make(Recorder(busy, ok(ESEARCH)))
    assert client.esearch("x").count == 42249
    assert sleeps == [7.0]


def test_429_forever_raises_rate_limited(make: Callable[..., EUtilsClient]) -> None:
    busy = httpx.Response(429, json={"error": "API rate limit exceeded", "count": "11"})
    rec = Recorder(busy)
    with pytest.raises(RateLimitedError, match="API rate limit exceeded"):
        make(rec, retries=2).esearch("x")
    assert len(rec.requests) == 3


def test_truncated_body_is_retried_not_returned(make: Callable[..., EUtilsClient]) -> None:
    rec = Recorder(ok(ARTICLES[:60]), ok(ARTICLES))
    assert make(rec).efetch(["1"]) == ARTICLES
    assert len(rec.requests) == 2


def test_non_xml_body_fails_clearly_after_retries(make: Callable[..., EUtilsClient]) -> None:
    rec = Recorder(ok(b"Service Temporarily Unavailable"))
    with pytest.raises(RemoteError, match=r"efetch.fcgi failed after 3 attempts: .*not XML"):
        make(rec, retries=2).efetch(["1"])
    html = Recorder(ok(b"<html><body>down</body></html>"))
    with pytest.raises(RemoteError, match=r"unexpected response <html>"):
        make(html, retries=0).efetch(["1"])


def test_json_or_text_bodies_are_quoted_in_the_error(make: Callable[..., EUtilsClient]) -> None:
    rec = Recorder(ok(b'{"error": "Service unavailable, come back later"}'))
    with pytest.raises(RemoteError, match=r"not XML \(\d+ bytes\): Service unavailable, come back"):
        make(rec, retries=0).esearch("x")


def test_unusable_base_url_is_a_config_error(tmp_path: Path) -> None:
    settings = get_settings(home=tmp_path, eutils_base_url="eutils.ncbi.nlm.nih.gov/entrez")
    with (
        EUtilsClient(settings, limiter=RateLimiter(1000)) as client,
        pytest.raises(ConfigError, match=r"eutils_base_url .* is not usable"),
    ):
        client.esearch("x")


def test_invalid_api_key_surfaces_ncbi_text_without_the_key(
    make: Callable[..., EUtilsClient],
) -> None:
    body = {"error": "API key invalid", "api-key": "s3cret", "type": "invalid", "status": "unknown"}
    rec = Recorder(httpx.Response(400, json=body))
    with pytest.raises(RemoteError, match="API key invalid") as info:
        make(rec, ncbi_api_key="s3cret").esearch("x")
    assert "s3cret" not in str(info.value)
    assert len(rec.requests) == 1  # not retried: it cannot get better


def test_refused_connection_is_unreachable_quickly(make: Callable[..., EUtilsClient]) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    rec = Recorder(refuse)
    with pytest.raises(UnreachableError, match="cannot reach NCBI E-utilities") as info:
        make(rec, retries=5).esearch("x")
    assert info.value.exit_code == 6
    assert len(rec.requests) == CONNECT_RETRIES + 1


def test_timeouts_and_dropped_connections_are_retried(make: Callable[..., EUtilsClient]) -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    def dropped(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("peer closed connection", request=request)

    rec = Recorder(timeout, dropped, ok(ESEARCH))
    assert make(rec).esearch("x").count == 42249
    with pytest.raises(RemoteError, match="ReadTimeout"):
        make(Recorder(timeout), retries=1).esearch("x")


def test_expired_history_is_its_own_error(make: Callable[..., EUtilsClient]) -> None:
    err = (
        b"<eFetchResult><ERROR>Cannot retrieve history data. query_key: 1, WebEnv: MCID_x, "
        b"retstart: 0, retmax: 200</ERROR></eFetchResult>"
    )
    rec = Recorder(httpx.Response(400, content=err))
    with pytest.raises(HistoryExpiredError, match="Cannot retrieve history data"):
        make(rec).efetch_history("MCID_x", "1", retstart=0, retmax=200)
    assert len(rec.requests) == 1
    p = rec.params()
    assert (p["WebEnv"], p["query_key"], p["retstart"], p["retmax"]) == ("MCID_x", "1", "0", "200")


def test_retstart_limit_is_not_mistaken_for_expiry(make: Callable[..., EUtilsClient]) -> None:
    err = (
        b"<eFetchResult><ERROR>Search backend cannot retrieve history data. Reason: Exception: "
        b"'retstart' cannot be larger than 9998.</ERROR></eFetchResult>"
    )
    with pytest.raises(RemoteError, match="retstart' cannot be larger") as info:
        make(Recorder(httpx.Response(400, content=err))).efetch_history(
            "w", "1", retstart=10000, retmax=1
        )
    assert not isinstance(info.value, HistoryExpiredError)


def test_esearch_error_element_surfaces_and_transient_ones_retry(
    make: Callable[..., EUtilsClient],
) -> None:
    empty = ok(
        b"<eSearchResult><ERROR>Empty term and query_key - nothing todo</ERROR></eSearchResult>"
    )
    with pytest.raises(RemoteError, match="Empty term and query_key") as info:
        make(Recorder(empty)).esearch("")
    assert not isinstance(info.value, HistoryExpiredError)
    bad = ok(b"<eSearchResult><ERROR>Invalid query syntax near ((</ERROR></eSearchResult>")
    with pytest.raises(RemoteError, match=r"Invalid query syntax near \(\("):
        make(Recorder(bad)).esearch("((")
    flaky = ok(b"<eSearchResult><ERROR>Search Backend failed: timeout</ERROR></eSearchResult>")
    rec = Recorder(flaky, ok(ESEARCH))
    assert make(rec).esearch("x").count == 42249


def test_efetch_posts_ids_in_batches_of_at_most_200(make: Callable[..., EUtilsClient]) -> None:
    rec = Recorder(ok(ARTICLES))
    client = make(rec)
    client.efetch([str(i) for i in range(1, 201)])
    assert rec.requests[0].method == "POST"
    assert rec.params()["id"] == ",".join(str(i) for i in range(1, 201))
    assert rec.params()["retmode"] == "xml"
    with pytest.raises(ValueError, match="at most 200"):
        client.efetch([str(i) for i in range(201)])
    with pytest.raises(ValueError, match="at least one"):
        client.efetch([])


def test_long_search_terms_are_posted(make: Callable[..., EUtilsClient]) -> None:
    rec = Recorder(ok(ESEARCH))
    client = make(rec)
    client.esearch("short")
    term = " OR ".join(f'"term {i}"[tiab]' for i in range(120))
    client.esearch(term)
    assert [r.method for r in rec.requests] == ["GET", "POST"]
    assert rec.params()["term"] == term and b"term" not in rec.requests[-1].url.query


def test_espell(make: Callable[..., EUtilsClient]) -> None:
    spelled = (
        b"<eSpellResult><Database>pubmed</Database><Query>asthmaa</Query>"
        b"<CorrectedQuery>asthma</CorrectedQuery><SpelledQuery/><ERROR/></eSpellResult>"
    )
    same = b"<eSpellResult><Query>asthma</Query><CorrectedQuery></CorrectedQuery></eSpellResult>"
    client = make(Recorder(ok(spelled), ok(same)))
    assert espell(client, "asthmaa") == "asthma"
    assert espell(client, "asthma") is None

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route", request=request)

    assert espell(make(Recorder(refuse)), "asthmaa") is None


def test_retry_after_http_date(make: Callable[..., EUtilsClient], sleeps: list[float]) -> None:
    busy = httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    make(Recorder(busy, ok(ESEARCH))).esearch("x")
    assert sleeps == [0.375]  # a date in the past: plain backoff
