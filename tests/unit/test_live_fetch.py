from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs

import httpx
import pytest

from medbrief.engine import Engine
from medbrief.errors import QueryError, RemoteError
from medbrief.live import OFFLINE_NOTE, fetch_for_reading
from medbrief.live import fetch as fetch_mod
from medbrief.live.eutils import EUtilsClient
from medbrief.live.fetch import fetch_pmids, fetch_pubmed
from medbrief.live.ratelimit import RateLimiter
from medbrief.settings import Settings
from medbrief.store import Store
from medbrief.types import Concept, Reading


def article(pmid: str, version: int = 1, title: str | None = None) -> bytes:
    return (
        f"<PubmedArticle><MedlineCitation Status='MEDLINE'><PMID Version='{version}'>{pmid}</PMID>"
        f"<Article><Journal><JournalIssue><PubDate><Year>2020</Year></PubDate></JournalIssue>"
        f"<Title>J</Title></Journal><ArticleTitle>{title or 'Title ' + pmid}</ArticleTitle>"
        f"<Abstract><AbstractText>Abstract of {pmid}.</AbstractText></Abstract></Article>"
        f"</MedlineCitation></PubmedArticle>"
    ).encode()


class MiniNCBI:
    """ESearch with history and EFetch by history or id, in memory."""

    def __init__(self, records: dict[str, bytes], count: int | None = None) -> None:
        self.records = records
        self.count = count
        self.webenvs: set[str] = set()
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.fail: Callable[[str, dict[str, str]], httpx.Response | None] = lambda e, p: None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        raw = parse_qs(request.url.query.decode()) | parse_qs(request.content.decode())
        p = {k: v[-1] for k, v in raw.items()}
        endpoint = request.url.path.rsplit("/", 1)[-1].removesuffix(".fcgi")
        self.calls.append((endpoint, p))
        failed = self.fail(endpoint, p)
        if failed is not None:
            return failed
        ids = list(self.records)
        if endpoint == "esearch":
            webenv = f"W{len(self.webenvs)}"
            self.webenvs.add(webenv)
            idlist = "".join(f"<Id>{i}</Id>" for i in ids[: int(p["retmax"])])
            body = (
                f"<eSearchResult><Count>{self.count or len(ids)}</Count><RetMax>0</RetMax>"
                f"<RetStart>0</RetStart><QueryKey>1</QueryKey><WebEnv>{webenv}</WebEnv>"
                f"<IdList>{idlist}</IdList></eSearchResult>"
            )
            return httpx.Response(200, content=body.encode())
        if "WebEnv" in p:
            if p["WebEnv"] not in self.webenvs:
                err = b"<eFetchResult><ERROR>Cannot retrieve history data.</ERROR></eFetchResult>"
                return httpx.Response(400, content=err)
            start = int(p["retstart"])
            want = ids[start : start + int(p["retmax"])]
        else:
            want = p["id"].split(",")
        found = b"".join(self.records.get(i, b"") for i in want)
        return httpx.Response(200, content=b"<PubmedArticleSet>" + found + b"</PubmedArticleSet>")

    def fetched(self) -> list[str]:
        """PMIDs asked of EFetch, in order."""
        out: list[str] = []
        ids = list(self.records)
        for endpoint, p in self.calls:
            if endpoint != "efetch":
                continue
            if "WebEnv" in p:
                start = int(p["retstart"])
                out.extend(ids[start : start + int(p["retmax"])])
            else:
                out.extend(p["id"].split(","))
        return out


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch_mod, "EFETCH_BATCH", 2)


@pytest.fixture
def client_for(settings: Settings) -> Iterator[Callable[..., EUtilsClient]]:
    made: list[EUtilsClient] = []

    def make(ncbi: MiniNCBI, retries: int = 2) -> EUtilsClient:
        s = settings.model_copy(update={"ncbi_retries": retries})
        c = EUtilsClient(
            s, transport=httpx.MockTransport(ncbi), limiter=RateLimiter(1000), sleep=lambda _: None
        )
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


def five() -> dict[str, bytes]:
    return {p: article(p) for p in ("11", "12", "13", "14", "15")}


def test_fetch_stores_every_page_then_leaves_identical_records_alone(
    store: Store, settings: Settings, client_for: Callable[..., EUtilsClient], small_pages: None
) -> None:
    ncbi = MiniNCBI(five())
    state_dir = settings.home / "live"
    seen: list[tuple[int, int]] = []
    report = fetch_pubmed(
        store,
        client_for(ncbi),
        "  iron  ",
        state_dir=state_dir,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert store.count() == 5
    assert (report.query, report.found, report.target, report.records) == ("iron", 5, 5, 5)
    assert (report.inserted, report.unchanged, report.missing, report.note) == (5, 0, 0, None)
    assert report.written == ("pmid:11", "pmid:12", "pmid:13", "pmid:14", "pmid:15")
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]
    assert report.requests == 4  # one ESearch, three EFetch pages
    assert store.get_document("pmid:13").title == "Title 13"
    assert list(state_dir.iterdir()) == []  # progress file removed when complete

    again = fetch_pubmed(store, client_for(ncbi), "iron", state_dir=state_dir)
    assert (again.inserted, again.unchanged, again.written) == (0, 5, ())


def test_max_caps_with_a_note(
    store: Store, client_for: Callable[..., EUtilsClient], small_pages: None
) -> None:
    ncbi = MiniNCBI(five(), count=123_456)
    report = fetch_pubmed(store, client_for(ncbi), "iron", max_records=3)
    assert store.count() == 3
    assert report.note == "capped at 3 of 123,456 hits"
    assert ncbi.calls[0][1]["retmax"] == "3"


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_empty_query_is_refused_before_any_request(
    store: Store, client_for: Callable[..., EUtilsClient], query: str
) -> None:
    ncbi = MiniNCBI(five())
    with pytest.raises(QueryError, match="empty PubMed query"):
        fetch_pubmed(store, client_for(ncbi), query)
    assert ncbi.calls == []


def _fail_second_page(endpoint: str, p: dict[str, str]) -> httpx.Response | None:
    second = p.get("retstart") == "2" or p.get("id", "").startswith("13")
    return httpx.Response(500) if endpoint == "efetch" and second else None


@pytest.mark.parametrize("expire", [False, True], ids=["same-webenv", "webenv-expired"])
def test_interrupted_fetch_resumes_without_duplicates(
    store: Store,
    settings: Settings,
    client_for: Callable[..., EUtilsClient],
    small_pages: None,
    expire: bool,
) -> None:
    ncbi = MiniNCBI(five())
    ncbi.fail = _fail_second_page
    state_dir = settings.home / "live"
    with pytest.raises(RemoteError, match="HTTP 500"):
        fetch_pubmed(store, client_for(ncbi, retries=0), "iron", state_dir=state_dir)
    assert store.count() == 2
    (progress_file,) = state_dir.iterdir()
    assert json.loads(progress_file.read_text())["done"] == ["11", "12"]

    ncbi.fail = lambda e, p: None
    if expire:
        ncbi.webenvs.clear()
    ncbi.calls.clear()
    report = fetch_pubmed(store, client_for(ncbi), "iron", state_dir=state_dir)
    assert store.count() == 5
    assert report.resumed and report.inserted == 5 and report.records == 5
    refetched = [p for p in ncbi.fetched() if p in ("11", "12")]
    assert refetched == []
    if expire:
        # the expired history cost one failed EFetch and one new ESearch
        assert [e for e, _ in ncbi.calls] == ["efetch", "esearch", "efetch", "efetch"]
        assert ncbi.calls[-2][1]["id"] == "13,14"
    else:
        assert [e for e, _ in ncbi.calls] == ["efetch", "efetch"]
    assert not progress_file.exists()


def test_truncated_page_is_never_stored(
    store: Store, client_for: Callable[..., EUtilsClient], small_pages: None
) -> None:
    records = five()
    ncbi = MiniNCBI(records)
    whole = b"<PubmedArticleSet>" + records["11"] + records["12"] + b"</PubmedArticleSet>"
    cut = whole[: whole.index(b"</PubmedArticle>") + 40]  # first record complete, second cut
    ncbi.fail = lambda e, p: httpx.Response(200, content=cut) if e == "efetch" else None
    with pytest.raises(RemoteError, match="truncated XML"):
        fetch_pubmed(store, client_for(ncbi, retries=2), "iron")
    assert store.count() == 0
    assert len([e for e, _ in ncbi.calls if e == "efetch"]) == 3


def test_newer_version_replaces_and_missing_pmids_are_counted(
    store: Store, client_for: Callable[..., EUtilsClient]
) -> None:
    old = MiniNCBI({"21": article("21", 1, "Old title")})
    fetch_pmids(store, client_for(old), ["21"])
    new = MiniNCBI({"21": article("21", 2, "New title")})
    report = fetch_pmids(store, client_for(new), ["21", "99"])
    assert (report.updated, report.missing, report.written) == (1, 1, ("pmid:21",))
    assert store.get_document("pmid:21").title == "New title"
    assert store.get_document("pmid:21").version == 2


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_fetch_for_reading_offline_is_a_note_not_an_error(settings: Settings) -> None:
    s = settings.model_copy(
        update={"eutils_base_url": f"http://127.0.0.1:{_closed_port()}/", "ncbi_rate_limit": 100.0}
    )
    reading = Reading("iron and RLS?", "iron and RLS?", concepts=(Concept("iron"), Concept("RLS")))
    with Engine(s) as engine:
        result = fetch_for_reading(engine, reading)
        assert engine.store.count() == 0
    assert result.note == OFFLINE_NOTE
    assert (result.fetched, result.found, result.query) == ((), 0, '"iron"[tiab] AND "RLS"[tiab]')


def test_fetch_for_reading_without_search_terms(settings: Settings) -> None:
    with Engine(settings) as engine:
        result = fetch_for_reading(engine, Reading("why?", "why?"))
    assert result.note is not None and "nothing searchable" in result.note
