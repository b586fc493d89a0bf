"""The HTTP API and the web page: a thin FastAPI layer over one :class:`Engine`.

The engine's calls block (SQLite, ONNX, faiss), so each runs in Starlette's
threadpool; the store gives every thread its own connection, and the first call
of each engine method runs alone so that lazily loaded models and indexes are
built once (see :class:`_Calls`). Every error, ours or the framework's, leaves
as one JSON shape: ``{"error": {"code", "message", "detail"}}``.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the route
# signatures at run time, and the request models are built per app (their
# limits come from the settings), so annotations must be real objects.
import asyncio
import contextlib
import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol, TypeVar

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medbrief import __version__
from medbrief.codec import to_builtins
from medbrief.errors import MedbriefError, QueryError
from medbrief.interfaces import api_schemas as s
from medbrief.render._references import safe_url
from medbrief.render.json import brief_to_dict
from medbrief.settings import Settings
from medbrief.types import (
    DESIGN_LABELS,
    DESIGNS,
    Brief,
    Document,
    Filters,
    Reading,
    Recommendation,
    SearchResult,
)

log = logging.getLogger("medbrief.api")
T = TypeVar("T")
STATIC_DIR = Path(str(resources.files("medbrief.interfaces") / "web" / "static"))
EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "markdown": ("text/markdown; charset=utf-8", "md"),
    "json": ("application/json", "json"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "bibtex": ("application/x-bibtex; charset=utf-8", "bib"),
    "html": ("text/html; charset=utf-8", "html"),
}
#: The page loads only its own files; exported HTML documents load nothing.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
#: No valid request body comes near this (a question is at most a few KB);
#: larger ones are refused before they are read.
MAX_BODY_BYTES = 64 * 1024
DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'"
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": s.ErrorBody, "description": text}
    for code, text in (
        (400, "Unusable input (e.g. an empty question)"),
        (404, "No such route or item"),
        (413, "Request body too large"),
        (422, "The request does not match the schema (e.g. a question over the length limit)"),
        (500, "Internal error"),
        (503, "An index is missing or being built"),
    )
}


class AnswerEngine(Protocol):
    """What the API needs of :class:`medbrief.engine.Engine` (fakes implement it too)."""

    settings: Settings

    def answer(
        self,
        question: str,
        *,
        filters: Filters | None = ...,
        live: bool = ...,
        on_stage: Callable[[str, Any], None] | None = ...,
    ) -> Brief: ...

    def search(
        self, query: str, *, k: int = ..., filters: Filters | None = ...
    ) -> SearchResult: ...

    def item(self, ref: str) -> Document | Recommendation: ...


# ----------------------------------------------------------------- errors


def error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "detail": detail}}


def error_response(status: int, code: str, message: str, detail: Any = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, detail), status_code=status)


def _medbrief_error(exc: MedbriefError) -> tuple[int, dict[str, Any]]:
    detail = getattr(exc, "detail", None)
    return exc.http_status, error_body(exc.code, str(exc), detail if detail != str(exc) else None)


def _validation_message(errors: Sequence[Any]) -> tuple[str, list[dict[str, Any]]]:
    detail = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        detail.append({"field": ".".join(loc), "message": err.get("msg", ""), "type": err["type"]})
    first = detail[0] if detail else {"field": "", "message": "invalid request"}
    where = f"{first['field']}: " if first["field"] else ""
    return f"{where}{first['message']}", detail


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(MedbriefError)
    async def _medbrief(request: Request, exc: MedbriefError) -> JSONResponse:
        status, body = _medbrief_error(exc)
        if status >= 500:
            log.error("%s %s failed: %s", request.method, request.url.path, exc)
        return JSONResponse(body, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, detail = _validation_message(exc.errors())
        return error_response(422, "invalid_request", message, detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed"}
        code = codes.get(exc.status_code, f"http_{exc.status_code}")
        message = "no such route" if exc.status_code == 404 else str(exc.detail)
        response = error_response(exc.status_code, code, message)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return error_response(500, "internal", "internal error; the server log has the details")


# ------------------------------------------------------------ engine calls


class _Calls:
    """Runs engine calls in the threadpool.

    The first successful call of each method runs alone: the engine builds its
    store connection, models and indexes lazily on first use, and two requests
    arriving together on a cold server must not build them twice. After that
    calls run concurrently.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._warm: set[str] = set()

    def call(self, name: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if name in self._warm:
            return fn(*args, **kwargs)
        with self._lock:
            result = fn(*args, **kwargs)
            self._warm.add(name)
        return result

    async def run(self, name: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await run_in_threadpool(self.call, name, fn, *args, **kwargs)


class _Recent:
    """The last briefs served, so that an export gives exactly the brief on screen."""

    def __init__(self, size: int = 64) -> None:
        self._items: OrderedDict[tuple[str, Filters | None], Brief] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def put(self, key: tuple[str, Filters | None], brief: Brief) -> None:
        with self._lock:
            self._items[key] = brief
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def get(self, key: tuple[str, Filters | None]) -> Brief | None:
        with self._lock:
            return self._items.get(key)


# --------------------------------------------------------------- helpers


def to_filters(
    year_min: int | None = None,
    year_max: int | None = None,
    designs: Sequence[str] = (),
    kinds: Sequence[str] = (),
) -> Filters | None:
    """Filters from validated request values; None when nothing is filtered."""
    if year_min is not None and year_max is not None and year_min > year_max:
        raise QueryError(f"year_min ({year_min}) is after year_max ({year_max})")
    filters = Filters(
        year_min=year_min,
        year_max=year_max,
        designs=tuple(dict.fromkeys(designs)),
        kinds=tuple(dict.fromkeys(kinds)),  # type: ignore[arg-type]  # validated as Kind
    )
    return None if filters == Filters() else filters


def _body_filters(f: s.FiltersIn | None) -> Filters | None:
    return None if f is None else to_filters(f.year_min, f.year_max, f.designs, f.kinds)


def _query_filters(
    year_min: Annotated[int | None, Query(ge=s.YEAR_MIN, le=s.YEAR_MAX)] = None,
    year_max: Annotated[int | None, Query(ge=s.YEAR_MIN, le=s.YEAR_MAX)] = None,
    designs: Annotated[list[s.Design] | None, Query()] = None,
    kinds: Annotated[list[s.Kind] | None, Query()] = None,
) -> Filters | None:
    return to_filters(year_min, year_max, designs or (), kinds or ())


def _clean_question(text: str) -> str:
    question = " ".join(text.split())
    if not question:
        raise QueryError("the question is empty")
    return question


def _reading_dict(question: str, reading: Reading) -> dict[str, Any]:
    reading_out: dict[str, Any] = brief_to_dict(Brief(question=question, reading=reading))[
        "reading"
    ]
    return reading_out


def stage_payload(question: str, name: str, value: Any) -> Any:
    """One streamed stage as JSON, in the same shapes as the brief's contract."""
    if name == "reading":
        return _reading_dict(question, value)
    if name == "brief":
        return brief_to_dict(value)
    if name in {"guidelines", "research"}:
        stub = Brief(question=question, reading=Reading(question, question), **{name: value})
        return brief_to_dict(stub)[name]
    return to_builtins(value)


def sse(event: str, data: Any) -> str:
    """One server-sent event (WHATWG HTML, "Server-sent events": event + data lines)."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60].rstrip("-") or "brief"


def _export(brief: Brief, fmt: str) -> str:
    if fmt == "markdown":
        from medbrief.render.markdown import render_markdown

        return render_markdown(brief)
    if fmt == "json":
        return json.dumps(brief_to_dict(brief), ensure_ascii=False, indent=2) + "\n"
    if fmt == "ris":
        from medbrief.render.ris import render_ris

        return render_ris(brief.references)
    if fmt == "bibtex":
        from medbrief.render.bibtex import render_bibtex

        return render_bibtex(brief.references)
    from medbrief.render.html import render_html

    return render_html(brief)


def _item_dict(item: Document | Recommendation) -> dict[str, Any]:
    if isinstance(item, Recommendation):
        link = safe_url(item.url) or (f"https://doi.org/{item.doi}" if item.doi else None)
        return {
            "kind": "recommendation",
            "id": item.id,
            "retracted": False,
            "link": link,
            "item": to_builtins(item),
        }
    return {
        "kind": item.kind,
        "id": item.id,
        "retracted": item.retracted,
        "link": safe_url(item.link),
        "item": to_builtins(item),
    }


def _search_dict(query: str, result: SearchResult) -> dict[str, Any]:
    return {
        "query": query,
        "reading": _reading_dict(query, result.reading),
        "hits": [to_builtins(h) for h in result.hits],
        "notes": list(result.notes),
    }


class _Guard:
    """ASGI middleware: Host check, security headers, and a JSON 500 for anything uncaught.

    Catching here, inside Starlette's ServerErrorMiddleware, matters: that one
    re-raises after answering, and the server then drops the keep-alive
    connection, so a client's next request on it would fail too.
    """

    def __init__(self, app: ASGIApp, trusted_hosts: Sequence[str] | None = None) -> None:
        self.app = app
        self.allowed = {h.lower() for h in trusted_hosts} if trusted_hosts else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "").lower()
        host = host if host.endswith("]") else host.rsplit(":", 1)[0]
        if self.allowed is not None and host not in self.allowed:
            message = f"requests must be addressed to one of {sorted(self.allowed)}"
            await error_response(400, "bad_host", message)(scope, receive, send)
            return
        length = headers.get("content-length", "0")
        if not length.isdigit() or int(length) > MAX_BODY_BYTES:
            message = f"request body over {MAX_BODY_BYTES} bytes"
            await error_response(413, "too_large", message)(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                out = MutableHeaders(scope=message)
                if "content-security-policy" not in out:
                    out["Content-Security-Policy"] = PAGE_CSP
                out["X-Content-Type-Options"] = "nosniff"
                out["Referrer-Policy"] = "no-referrer"
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("%s %s failed", scope.get("method"), scope.get("path"))
            if started:
                raise
            response = error_response(
                500, "internal", "internal error; the server log has the details"
            )
            await response(scope, receive, send_with_headers)


# --------------------------------------------------------------- the app


def create_app(
    engine: AnswerEngine, *, warm: bool = False, trusted_hosts: Sequence[str] | None = None
) -> FastAPI:
    """The FastAPI application serving ``engine``.

    ``warm`` builds the engine's models and indexes in the background at
    startup (requests wait for it rather than racing it). ``trusted_hosts``
    rejects requests whose Host header names another host: on a loopback
    server this stops DNS-rebinding pages from reading the API.
    """
    settings = engine.settings
    calls, recent = _Calls(), _Recent()
    max_chars = settings.max_question_chars
    Question = Annotated[str, Field(min_length=1, max_length=max_chars)]  # noqa: N806
    QueryText = Annotated[  # noqa: N806
        str, Query(min_length=1, max_length=max_chars, description="The question or query.")
    ]

    class AskRequest(BaseModel):
        model_config = ConfigDict(extra="forbid")
        question: Question
        filters: s.FiltersIn | None = None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            threading.Thread(target=_warm_up, name="medbrief-warm-up", daemon=True).start()
        yield

    def _warm_up() -> None:
        try:
            calls.call("search", engine.search, "restless legs syndrome iron", k=1)
        except Exception:  # a broken index must not kill the server: requests will say why
            log.exception("warm-up search failed")

    app = FastAPI(
        title="medbrief",
        version=__version__,
        description="Evidence briefs from clinical guidelines and PubMed, served from this "
        "machine. Every error has the shape `{error: {code, message, detail}}`.",
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
        # FastAPI's /docs and /redoc pages load their scripts from a CDN: off, so the
        # server works offline and the page's CSP holds; /openapi.json stays.
        docs_url=None,
        redoc_url=None,
    )
    _install_error_handlers(app)

    app.add_middleware(_Guard, trusted_hosts=trusted_hosts)

    async def _answer(question: str, filters: Filters | None) -> Brief:
        brief = await calls.run("answer", engine.answer, question, filters=filters)
        recent.put((question, filters), brief)
        return brief

    @app.get("/healthz", response_model=s.HealthOut, tags=["meta"])
    async def healthz() -> dict[str, Any]:
        """Liveness: answers as soon as the server runs (no engine call)."""
        return {"status": "ok", "version": __version__}

    @app.get("/api/meta", response_model=s.MetaOut, tags=["meta"])
    async def meta() -> dict[str, Any]:
        """Limits and vocabularies the page builds its form from."""
        return {
            "version": __version__,
            "max_question_chars": max_chars,
            "max_k": settings.max_k,
            "designs": [{"name": d, "label": DESIGN_LABELS.get(d, d)} for d in DESIGNS],
            "kinds": ["research", "guideline", "recommendation"],
            "export_formats": list(EXPORT_FORMATS),
        }

    @app.post("/api/ask", responses={200: {"model": s.BriefOut}}, tags=["brief"])
    async def ask(body: AskRequest) -> JSONResponse:
        """The evidence brief for a question (the brief's JSON contract)."""
        question = _clean_question(body.question)
        brief = await _answer(question, _body_filters(body.filters))
        return JSONResponse(brief_to_dict(brief))

    async def _events(question: str, filters: Filters | None) -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

        def put(name: str, value: Any) -> None:
            # RuntimeError: the loop closed (server stopping); the answer is simply dropped.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(queue.put_nowait, (name, value))

        async def work() -> None:
            try:
                put("_done", await _answer_streamed(question, filters, put))
            except Exception as exc:
                put("_failed", exc)

        task = asyncio.create_task(work())
        try:
            while True:
                name, value = await queue.get()
                if name == "_done":
                    yield sse("brief", brief_to_dict(value))
                    return
                if name == "_failed":
                    yield sse("error", _stream_error(value))
                    return
                if name != "brief":  # the finished brief is sent once, from its return value
                    yield sse(name, stage_payload(question, name, value))
        finally:
            if not task.done():
                task.cancel()

    async def _answer_streamed(
        question: str, filters: Filters | None, on_stage: Callable[[str, Any], None]
    ) -> Brief:
        brief = await calls.run(
            "answer", engine.answer, question, filters=filters, on_stage=on_stage
        )
        recent.put((question, filters), brief)
        return brief

    def _stream_error(exc: Exception) -> dict[str, Any]:
        if isinstance(exc, MedbriefError):
            return _medbrief_error(exc)[1]
        log.error("streamed answer failed", exc_info=exc)
        return error_body("internal", "internal error; the server log has the details")

    stream_doc = (
        "Server-sent events as the brief is built: `reading`, `guidelines`, `research`, "
        "then `brief` (the JSON contract); `error` (the error shape) if it fails."
    )
    sse_response = {200: {"content": {"text/event-stream": {}}, "description": stream_doc}}

    @app.post("/api/ask/stream", responses=sse_response, tags=["brief"])  # type: ignore[arg-type]
    async def ask_stream(body: AskRequest) -> StreamingResponse:
        """The brief, streamed stage by stage (server-sent events)."""
        question = _clean_question(body.question)
        return _sse_response(_events(question, _body_filters(body.filters)))

    @app.get("/api/ask/stream", responses=sse_response, tags=["brief"])  # type: ignore[arg-type]
    async def ask_stream_get(
        q: QueryText, filters: Annotated[Filters | None, Depends(_query_filters)]
    ) -> StreamingResponse:
        """The same stream for ``EventSource`` clients, with the question in ``q``."""
        return _sse_response(_events(_clean_question(q), filters))

    def _sse_response(events: AsyncIterator[str]) -> StreamingResponse:
        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        return StreamingResponse(events, media_type="text/event-stream", headers=headers)

    @app.get("/api/search", responses={200: {"model": s.SearchOut}}, tags=["search"])
    async def search(
        q: QueryText,
        filters: Annotated[Filters | None, Depends(_query_filters)],
        k: Annotated[int, Query(ge=1, le=settings.max_k, description="Results wanted.")] = 10,
    ) -> JSONResponse:
        """Hybrid search over the store: ranked documents and recommendations."""
        query = _clean_question(q)
        result = await calls.run("search", engine.search, query, k=k, filters=filters)
        return JSONResponse(_search_dict(query, result))

    @app.get("/api/documents/{ref:path}", responses={200: {"model": s.ItemOut}}, tags=["search"])
    async def document(ref: str) -> JSONResponse:
        """One stored document or recommendation by id, PMID, DOI or source id.

        Ids may contain ``:`` and ``/`` (``doi:10.1056/NEJMoa...``): the rest of the
        path is the id.
        """
        if not ref.strip():
            raise QueryError("no document id given")
        item = await calls.run("item", engine.item, ref)
        return JSONResponse(_item_dict(item))

    @app.get(
        "/api/export/{fmt}",
        responses={200: {"content": {t: {} for t, _ in EXPORT_FORMATS.values()}}},
        tags=["brief"],
    )
    async def export(
        fmt: Literal["markdown", "json", "ris", "bibtex", "html"],
        q: QueryText,
        filters: Annotated[Filters | None, Depends(_query_filters)],
        download: bool = True,
    ) -> Response:
        """The brief for ``q`` as a file: Markdown or JSON (the whole brief), RIS or
        BibTeX (its references), or a standalone print-friendly HTML document."""
        question = _clean_question(q)
        key = (question, filters)
        brief = recent.get(key) or await _answer(question, filters)
        media, ext = EXPORT_FORMATS[fmt]
        headers = {"Cache-Control": "no-store"}
        if download:
            headers["Content-Disposition"] = (
                f'attachment; filename="medbrief-{_slug(question)}.{ext}"'
            )
        if fmt == "html":
            headers["Content-Security-Policy"] = DOCUMENT_CSP
        return Response(_export(brief, fmt), media_type=media, headers=headers)

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
