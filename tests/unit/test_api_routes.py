"""The HTTP API through a real uvicorn server, over the fake engine and inline records."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from api_support import running
from fake_engine import FakeEngine, inline_corpus
from medbrief.interfaces.api import DOCUMENT_CSP, PAGE_CSP, STATIC_DIR, create_app
from medbrief.interfaces.api_schemas import BriefOut

QUESTION = "oral iron and restless legs syndrome"


@pytest.fixture(scope="module")
def engine() -> FakeEngine:
    return FakeEngine(*inline_corpus())


@pytest.fixture(scope="module")
def base_url(engine: FakeEngine) -> Iterator[str]:
    with running(create_app(engine)) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=10) as c:
        yield c


def events(text: str) -> list[tuple[str, Any]]:
    out = []
    for block in text.strip().split("\n\n"):
        name = re.search(r"^event: (.*)$", block, re.M)
        data = re.search(r"^data: (.*)$", block, re.M)
        assert name and data, block
        out.append((name.group(1), json.loads(data.group(1))))
    return out


def test_ask_returns_the_brief_contract(client: httpx.Client) -> None:
    r = client.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    brief = r.json()
    BriefOut.model_validate(brief)
    assert brief["question"] == QUESTION
    assert brief["reading"]["concepts"] == ["oral iron", "restless legs syndrome"]
    # guidelines are numbered first, then studies, 1..N without gaps
    refs = brief["references"]
    assert [x["n"] for x in refs] == list(range(1, len(refs) + 1))
    kinds = [x["kind"] for x in refs]
    assert kinds == sorted(kinds, key=lambda k: k != "guideline")
    assert [g["ref"] for g in brief["guidelines"]] == [1, 2]
    assert brief["guidelines"][0]["strength"] == "strong"
    cited = {n for f in brief["research"] for b in f["bullets"] for n in b["refs"]}
    assert cited <= {x["n"] for x in refs}
    finding = brief["research"][0]["bullets"][0]
    assert finding["citations"][0]["sentence"] == finding["text"]


def _documented(model: type[BaseModel], value: Any, where: str) -> list[str]:
    """Keys in ``value`` that ``model`` does not document (recursively)."""
    missing = []
    fields = {(f.alias or name): f for name, f in model.model_fields.items()}
    for key, item in value.items():
        field = fields.get(key)
        if field is None:
            missing.append(f"{where}.{key}")
            continue
        ann = field.annotation
        inner = getattr(ann, "__args__", (ann,))[0] if ann is not None else None
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            items = item if isinstance(item, list) else [item]
            for x in items:
                if isinstance(x, dict):
                    missing += _documented(inner, x, f"{where}.{key}")
    return missing


def test_every_field_of_the_contract_is_documented_in_openapi(client: httpx.Client) -> None:
    brief = client.post("/api/ask", json={"question": QUESTION}).json()
    assert brief["research"] and brief["key_findings"] and brief["reading"]["corrections"] == []
    assert _documented(BriefOut, brief, "brief") == []


def test_stream_sends_reading_guidelines_research_then_the_brief(client: httpx.Client) -> None:
    r = client.post("/api/ask/stream", json={"question": QUESTION})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    got = events(r.text)
    assert [name for name, _ in got] == ["reading", "guidelines", "research", "brief"]
    brief = got[-1][1]
    assert got[0][1] == brief["reading"]
    assert got[1][1] == brief["guidelines"]
    assert got[2][1] == brief["research"]
    again = client.post("/api/ask", json={"question": QUESTION}).json()
    # the same brief; only the time it was generated may differ (a second apart)
    for b in (brief, again):
        assert b["provenance"].pop("generated")
    assert brief == again


def test_stream_by_get_for_eventsource_clients(client: httpx.Client) -> None:
    r = client.get("/api/ask/stream", params={"q": QUESTION, "kinds": "research"})
    got = events(r.text)
    assert [name for name, _ in got] == ["reading", "guidelines", "research", "brief"]
    assert got[-1][1]["guidelines"] == []  # kinds=research keeps recommendations out


def test_filters_reach_the_engine(client: httpx.Client) -> None:
    body = {"question": QUESTION, "filters": {"year_min": 2015, "kinds": ["research"]}}
    brief = client.post("/api/ask", json=body).json()
    assert brief["guidelines"] == []
    years = [x["year"] for x in brief["references"]]
    assert years and all(y >= 2015 for y in years)


def test_search_ranks_and_filters(client: httpx.Client) -> None:
    r = client.get("/api/search", params={"q": "iron restless legs syndrome", "k": 2})
    assert r.status_code == 200
    body = r.json()
    assert [h["rank"] for h in body["hits"]] == [1, 2]
    assert body["reading"]["question"] == "iron restless legs syndrome"
    only = client.get(
        "/api/search", params={"q": "iron restless legs syndrome", "kinds": "recommendation"}
    ).json()
    assert {h["kind"] for h in only["hits"]} == {"recommendation"}
    assert only["hits"][0]["recommendation"]["strength"] == "strong"


@pytest.mark.parametrize(
    "path",
    [
        "/api/documents/doi:10.1000/rls/brain-iron",
        "/api/documents/doi%3A10.1000%2Frls%2Fbrain-iron",
        "/api/documents/10.1000/rls/brain-iron",
    ],
)
def test_document_ids_with_colons_and_slashes(client: httpx.Client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["id"] == "doi:10.1000/rls/brain-iron"
    assert body["kind"] == "research"
    assert body["link"] == "https://doi.org/10.1000/rls/brain-iron"
    assert body["item"]["abstract"][0]["text"].startswith("Iron uptake across")


def test_document_flags_retraction_and_drops_script_links(client: httpx.Client) -> None:
    body = client.get("/api/documents/666").json()
    assert body["retracted"] is True
    # Its stored url is javascript:...: the link is its PubMed record instead.
    assert body["link"] == "https://pubmed.ncbi.nlm.nih.gov/666/"
    assert body["item"]["title"].startswith("<script>")  # data stays data; the page escapes it


def test_recommendation_by_id(client: httpx.Client) -> None:
    body = client.get("/api/documents/AASM2024-R-FCM").json()
    assert body["kind"] == "recommendation"
    assert body["item"]["certainty"] == "moderate"


def test_health_meta_and_openapi(client: httpx.Client) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    meta = client.get("/api/meta").json()
    assert meta["max_question_chars"] == 2000
    assert {"name": "rct", "label": "randomised controlled trial"} in meta["designs"]
    spec = client.get("/openapi.json").json()
    assert {
        "/api/ask",
        "/api/ask/stream",
        "/api/search",
        "/api/documents/{ref}",
        "/api/export/{fmt}",
        "/healthz",
    } <= set(spec["paths"])
    ask = spec["paths"]["/api/ask"]["post"]
    assert ask["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ErrorBody"
    )
    assert ask["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/BriefOut"
    )
    question = spec["components"]["schemas"]["AskRequest"]["properties"]["question"]
    assert question["maxLength"] == 2000
    assert client.get("/docs").status_code == 404  # its CDN scripts would break offline use


@pytest.mark.parametrize(
    ("fmt", "media", "ext", "needle"),
    [
        ("ris", "application/x-research-info-systems", "ris", "TY  - JOUR\r\n"),
        ("bibtex", "application/x-bibtex", "bib", "@article{pmid1001,"),
        ("json", "application/json", "json", '"schema": "1.0"'),
        ("html", "text/html", "html", "<h2>From the Guidelines</h2>"),
    ],
)
def test_exports(client: httpx.Client, fmt: str, media: str, ext: str, needle: str) -> None:
    r = client.get(f"/api/export/{fmt}", params={"q": QUESTION})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    assert r.headers["content-disposition"] == (
        f'attachment; filename="medbrief-oral-iron-and-restless-legs-syndrome.{ext}"'
    )
    assert needle in r.text


def test_markdown_export(client: httpx.Client) -> None:
    pytest.importorskip("medbrief.render.markdown")
    r = client.get("/api/export/markdown", params={"q": QUESTION})
    assert r.headers["content-type"].startswith("text/markdown")
    assert "## From the Guidelines" in r.text


def test_print_view_is_inline_and_loads_nothing(client: httpx.Client) -> None:
    r = client.get("/api/export/html", params={"q": QUESTION, "download": "false"})
    assert "content-disposition" not in r.headers
    assert r.headers["content-security-policy"] == DOCUMENT_CSP
    assert "<script" not in r.text and "<link" not in r.text


def test_export_reuses_the_brief_just_served(client: httpx.Client, engine: FakeEngine) -> None:
    question = "iron and restless legs syndrome in a unique wording"
    client.post("/api/ask", json={"question": question})
    before = engine.calls.count("answer")
    for fmt in ("json", "ris", "bibtex", "html"):
        assert client.get(f"/api/export/{fmt}", params={"q": question}).status_code == 200
    assert engine.calls.count("answer") == before


def test_page_and_static_files(client: httpx.Client) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["content-security-policy"] == PAGE_CSP
    assert r.headers["x-content-type-options"] == "nosniff"
    assert '<script src="/static/app.js" defer></script>' in r.text
    for name in ("app.js", "app.css"):
        assert client.get(f"/static/{name}").status_code == 200


def test_the_page_loads_nothing_from_elsewhere() -> None:
    page = (STATIC_DIR / "index.html").read_text()
    refs = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert refs and all(u.startswith(("/", "#")) for u in refs), refs
    css = (STATIC_DIR / "app.css").read_text()
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
    js = (STATIC_DIR / "app.js").read_text()
    assert not re.search(r"\.(?:inner|outer)HTML\b|insertAdjacentHTML|document\.write|eval\(", js)
    assert re.findall(r"fetch\(([^,)]*)", js) and all(
        arg.strip().startswith(("`/api/", '"/api/')) for arg in re.findall(r"fetch\(([^,)]*)", js)
    )


def test_engine_calls_run_concurrently_in_the_threadpool() -> None:
    slow = FakeEngine(*inline_corpus(), delay=0.4)
    results: list[int] = []
    with running(create_app(slow)) as url:
        httpx.post(f"{url}/api/ask", json={"question": QUESTION}, timeout=10)  # warm-up call
        slow.threads.clear()

        def ask(i: int) -> None:
            r = httpx.post(f"{url}/api/ask", json={"question": f"{QUESTION} {i}"}, timeout=10)
            results.append(r.status_code)

        threads = [threading.Thread(target=ask, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert results == [200] * 6
    # Counted, not timed (a loaded machine stretches wall time): served one at
    # a time, no two calls would ever sleep in the engine together.
    assert slow.most_in_flight >= 2, slow.most_in_flight
    assert len(slow.threads) > 1


class Counting(FakeEngine):
    """Records how many answers run at once, and whether the first ran alone."""

    def __init__(self) -> None:
        super().__init__(*inline_corpus(), delay=0.2)
        self.active = 0
        self.first_alone: bool | None = None
        self.peak = 0
        self.lock = threading.Lock()

    def answer(self, question: str, **kwargs: Any) -> Any:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
            first = self.first_alone is None
            if first:
                self.first_alone = True
        try:
            return super().answer(question, **kwargs)
        finally:
            with self.lock:
                if first and self.active > 1:
                    self.first_alone = False
                self.active -= 1


def test_the_first_call_on_a_cold_server_runs_alone() -> None:
    """Lazily built models and indexes must be built once, not by racing requests."""
    engine = Counting()
    codes: list[int] = []
    with running(create_app(engine)) as url:

        def ask(i: int) -> None:
            r = httpx.post(f"{url}/api/ask", json={"question": f"{QUESTION} {i}"}, timeout=10)
            codes.append(r.status_code)

        threads = [threading.Thread(target=ask, args=(i,)) for i in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert codes == [200] * 5
    assert engine.first_alone is True
    assert engine.peak > 1  # the others then ran together


def test_a_client_leaving_a_stream_early_does_not_hurt_the_server() -> None:
    engine = FakeEngine(*inline_corpus(), delay=0.3)
    with running(create_app(engine)) as url, httpx.Client(base_url=url, timeout=10) as c:
        with c.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as r:
            assert next(r.iter_lines()) == "event: reading"
        # the answer it asked for finishes in the background; the server goes on serving
        time.sleep(0.2)
        assert c.post("/api/ask", json={"question": QUESTION}).status_code == 200
        assert engine.calls.count("answer") == 2
