"""Odd but legitimate requests get the answer they mean, and bad ones one
plain error (issue 16): DOI look-ups, empty questions, JSON syntax errors,
control characters, and the token a server beyond loopback wants."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from click.testing import CliRunner
from starlette.testclient import TestClient

from api_support import running
from fake_engine import FakeEngine, inline_corpus
from medbrief.engine import Engine
from medbrief.interfaces.api import create_app
from medbrief.interfaces.cli import main
from medbrief.settings import Settings
from medbrief.store import Store
from medbrief.types import Document
from medbrief.understand import Reader
from medbrief.understand.text import clean
from medbrief.understand.vocabulary import build_vocabulary

# ----------------------------------------------------------------------- DOIs


@pytest.fixture
def doi_store(settings: Settings) -> Iterator[Settings]:
    with Store.open(settings.db_path) as store:
        store.write_documents(
            [
                Document(
                    id="pmid:28887905",
                    source_id="28887905",
                    source="pubmed",
                    pmid="28887905",
                    doi="10.1002/mds.27040",
                    title="Iron and RLS",
                ),
                Document(
                    id="doi:10.1056/nejmoa1809944",
                    source_id="10.1056/nejmoa1809944",
                    source="articles",
                    doi="10.1056/nejmoa1809944",
                    title="A trial",
                ),
            ]
        )
    yield settings


@pytest.mark.parametrize(
    ("ref", "found"),
    [
        ("doi:10.1002/mds.27040", "pmid:28887905"),
        ("10.1002/mds.27040", "pmid:28887905"),
        ("10.1002/MDS.27040", "pmid:28887905"),
        ("DOI:10.1002/Mds.27040", "pmid:28887905"),
        ("https://doi.org/10.1002/mds.27040", "pmid:28887905"),
        ("doi:10.1056/NEJMoa1809944", "doi:10.1056/nejmoa1809944"),
    ],
)
def test_store_finds_a_doi_in_any_form(doi_store: Settings, ref: str, found: str) -> None:
    with Store.open(doi_store.db_path) as store:
        assert store.resolve(ref) == ("research", found)


def test_the_api_finds_documents_by_doi(doi_store: Settings) -> None:
    engine = Engine(doi_store)
    try:
        with running(create_app(engine)) as url:
            for ref in ("doi:10.1002/mds.27040", "10.1002/MDS.27040", "doi:10.1056/NEJMoa1809944"):
                r = httpx.get(f"{url}/api/documents/{ref}")
                assert r.status_code == 200, (ref, r.text)
            assert httpx.get(f"{url}/api/documents/doi:10.1002/nothing").status_code == 404
    finally:
        engine.close()


# ------------------------------------------------------------- the question


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with running(create_app(FakeEngine(*inline_corpus()))) as url:
        yield url


def error(r: httpx.Response) -> dict[str, Any]:
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "detail"}
    return dict(body["error"])


@pytest.mark.parametrize("question", ["", " ", "\n\t "])
def test_empty_and_blank_questions_are_the_same_error(base_url: str, question: str) -> None:
    expected = {"code": "bad_query", "message": "the question is empty", "detail": None}
    r = httpx.post(f"{base_url}/api/ask", json={"question": question})
    assert (r.status_code, error(r)) == (400, expected)
    r = httpx.post(f"{base_url}/api/ask/stream", json={"question": question})
    assert (r.status_code, error(r)) == (400, expected)
    for path in ("/api/search", "/api/ask/stream", "/api/export/markdown"):
        r = httpx.get(f"{base_url}{path}", params={"q": question})
        assert (r.status_code, error(r)) == (400, expected), path


def test_a_json_syntax_error_is_said_plainly(base_url: str) -> None:
    r = httpx.post(
        f"{base_url}/api/ask",
        content=b'{"question": "iron",\n "filters": {"year_min": 2001,}}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422
    err = error(r)
    assert err["code"] == "invalid_request"
    assert err["message"] == (
        "the request body is not valid JSON: "
        "Expecting property name enclosed in double quotes at line 2, column 31"
    )
    assert err["detail"][0]["field"] == ""


def test_a_control_character_separates_words() -> None:
    assert clean("iron\x00rls")[0] == "iron rls"
    assert clean("iron\x1frls\x7fferritin")[0] == "iron rls ferritin"


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Reader:
    folder = tmp_path_factory.mktemp("vocabulary")
    vocab = build_vocabulary()
    vocab.save(folder / "vocabulary.msgpack")
    vocab.symspell_path = folder / "symspell.pkl"
    return Reader(vocab)


def test_a_nul_byte_between_words_is_read_as_a_space(reader: Reader) -> None:
    reading = reader.read("iron\x00rls")
    assert reading.corrected == "iron rls"
    assert "restless legs syndrome" in [c.label.lower() for c in reading.concepts]


# ---------------------------------------------------- serve beyond loopback


def serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[Any, TestClient]:
    """What ``medbrief serve ARGS`` prints, and a client of the app it would
    serve (without its lifespan: no warm-up loads models in the background)."""
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw, app=app))
    monkeypatch.setenv("MEDBRIEF_LOAD_STARTER", "false")
    result = CliRunner().invoke(main, ["--home", str(tmp_path / "home"), "serve", *args])
    assert result.exit_code == 0, result.output
    return result, TestClient(seen["app"], base_url="http://127.0.0.1")


def test_serving_beyond_loopback_wants_a_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, client = serve(tmp_path, monkeypatch, "--host", "0.0.0.0")
    token = result.stderr.split("token for this run (set MEDBRIEF_API_TOKEN to choose one): ")[1]
    token = token.split()[0]
    assert f"/?token={token}" in result.stderr
    assert client.get("/api/meta").status_code == 401
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/meta", headers=auth).status_code == 200


def test_a_chosen_token_is_used_and_not_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDBRIEF_API_TOKEN", "chosen-secret")
    result, client = serve(tmp_path, monkeypatch, "--host", "0.0.0.0")
    assert "chosen-secret" not in result.output
    assert client.get("/api/meta").status_code == 401
    auth = {"Authorization": "Bearer chosen-secret"}
    assert client.get("/api/meta", headers=auth).status_code == 200


def test_loopback_needs_no_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result, client = serve(tmp_path, monkeypatch)
    assert "token" not in result.output
    assert client.get("/api/meta").status_code == 200
