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
import functools
import logging
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, FastAPI, Query
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field

from medbrief import __version__
from medbrief.errors import MedbriefError, QueryError
from medbrief.interfaces import api_bodies as b
from medbrief.interfaces import api_schemas as s
from medbrief.interfaces.api_errors import (
    DOCUMENT_CSP,
    PAGE_CSP,
    Guard,
    error_body,
    install_error_handlers,
    medbrief_error,
)
from medbrief.render.json import brief_to_dict
from medbrief.settings import Settings
from medbrief.types import (
    DESIGN_LABELS,
    DESIGNS,
    Brief,
    Document,
    Filters,
    Recommendation,
    SearchResult,
)

__all__ = ["DOCUMENT_CSP", "PAGE_CSP", "STATIC_DIR", "AnswerEngine", "create_app"]

log = logging.getLogger("medbrief.api")
T = TypeVar("T")
STATIC_DIR = Path(str(resources.files("medbrief.interfaces") / "web" / "static"))
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


# ------------------------------------------------------------ engine calls


class _Calls:
    """Runs engine calls in the threadpool.

    The first successful call of each method runs alone: the engine builds its
    store connection, models and indexes lazily on first use, and two requests
    arriving together on a cold server must not build them twice. After that
    calls run concurrently.
    """

    def __init__(self, workers: int = 4) -> None:
        self._lock = threading.Lock()
        self._warm: set[str] = set()
        self._workers = workers
        self._limiter: anyio.CapacityLimiter | None = None

    def call(self, name: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if name not in self._warm:
            with self._lock:
                if name not in self._warm:  # calls that waited here run concurrently below
                    result = fn(*args, **kwargs)
                    self._warm.add(name)
                    return result
        return fn(*args, **kwargs)

    async def run(self, name: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        # Briefs are CPU-bound: a few worker threads keep every core busy,
        # while more would only queue inside the process, each thread with
        # its own SQLite connections and caches (memory grows with threads).
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self._workers)
        call = functools.partial(self.call, name, fn, *args, **kwargs)
        return await anyio.to_thread.run_sync(call, limiter=self._limiter)


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
    calls, recent = _Calls(settings.server_workers), _Recent()
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
    install_error_handlers(app)

    app.add_middleware(Guard, trusted_hosts=trusted_hosts)

    async def _answer(
        question: str,
        filters: Filters | None,
        on_stage: Callable[[str, Any], None] | None = None,
    ) -> Brief:
        brief = await calls.run(
            "answer", engine.answer, question, filters=filters, on_stage=on_stage
        )
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
            "export_formats": list(b.EXPORT_FORMATS),
        }

    @app.post("/api/ask", responses={200: {"model": s.BriefOut}}, tags=["brief"])
    async def ask(body: AskRequest) -> JSONResponse:
        """The evidence brief for a question (the brief's JSON contract)."""
        question = b.clean_question(body.question)
        brief = await _answer(question, b.body_filters(body.filters))
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
                put("_done", await _answer(question, filters, put))
            except Exception as exc:
                put("_failed", exc)

        task = asyncio.create_task(work())
        try:
            while True:
                name, value = await queue.get()
                if name == "_done":
                    yield b.sse("brief", brief_to_dict(value))
                    return
                if name == "_failed":
                    yield b.sse("error", _stream_error(value))
                    return
                if name != "brief":  # the finished brief is sent once, from its return value
                    yield b.sse(name, b.stage_payload(question, name, value))
        finally:
            if not task.done():
                task.cancel()

    def _stream_error(exc: Exception) -> dict[str, Any]:
        if isinstance(exc, MedbriefError):
            return medbrief_error(exc)[1]
        log.error("streamed answer failed", exc_info=exc)
        return error_body("internal", "internal error; the server log has the details")

    stream_doc = (
        "Server-sent events as the brief is built: `reading`, `guidelines`, `research`, "
        "then `brief` (the JSON contract); `error` (the error shape) if it fails. With a "
        "language model configured (docs/llm-writer.md), `extractive` (the brief before the "
        "model's prose) comes before `brief`, then `writer` events as the model writes: "
        "`{section, name, delta}` for each piece of unchecked text, and `{section, name, done, "
        "sentences, fell_back, note}` once a section is checked."
    )
    sse_response = {200: {"content": {"text/event-stream": {}}, "description": stream_doc}}

    @app.post("/api/ask/stream", responses=sse_response, tags=["brief"])  # type: ignore[arg-type]
    async def ask_stream(body: AskRequest) -> StreamingResponse:
        """The brief, streamed stage by stage (server-sent events)."""
        question = b.clean_question(body.question)
        return _sse_response(_events(question, b.body_filters(body.filters)))

    @app.get("/api/ask/stream", responses=sse_response, tags=["brief"])  # type: ignore[arg-type]
    async def ask_stream_get(
        q: QueryText, filters: Annotated[Filters | None, Depends(b.query_filters)]
    ) -> StreamingResponse:
        """The same stream for ``EventSource`` clients, with the question in ``q``."""
        return _sse_response(_events(b.clean_question(q), filters))

    def _sse_response(events: AsyncIterator[str]) -> StreamingResponse:
        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        return StreamingResponse(events, media_type="text/event-stream", headers=headers)

    @app.get("/api/search", responses={200: {"model": s.SearchOut}}, tags=["search"])
    async def search(
        q: QueryText,
        filters: Annotated[Filters | None, Depends(b.query_filters)],
        k: Annotated[int, Query(ge=1, le=settings.max_k, description="Results wanted.")] = 10,
    ) -> JSONResponse:
        """Hybrid search over the store: ranked documents and recommendations."""
        query = b.clean_question(q)
        result = await calls.run("search", engine.search, query, k=k, filters=filters)
        return JSONResponse(b.search_dict(query, result))

    @app.get("/api/documents/{ref:path}", responses={200: {"model": s.ItemOut}}, tags=["search"])
    async def document(ref: str) -> JSONResponse:
        """One stored document or recommendation by id, PMID, DOI or source id.

        Ids may contain ``:`` and ``/`` (``doi:10.1056/NEJMoa...``): the rest of the
        path is the id.
        """
        if not ref.strip():
            raise QueryError("no document id given")
        item = await calls.run("item", engine.item, ref)
        return JSONResponse(b.item_dict(item))

    @app.get(
        "/api/export/{fmt}",
        responses={200: {"content": {t: {} for t, _ in b.EXPORT_FORMATS.values()}}},
        tags=["brief"],
    )
    async def export(
        fmt: Literal["markdown", "json", "ris", "bibtex", "html"],
        q: QueryText,
        filters: Annotated[Filters | None, Depends(b.query_filters)],
        download: bool = True,
    ) -> Response:
        """The brief for ``q`` as a file: Markdown or JSON (the whole brief), RIS or
        BibTeX (its references), or a standalone print-friendly HTML document."""
        question = b.clean_question(q)
        key = (question, filters)
        brief = recent.get(key) or await _answer(question, filters)
        media, ext = b.EXPORT_FORMATS[fmt]
        headers = {"Cache-Control": "no-store"}
        if download:
            headers["Content-Disposition"] = (
                f'attachment; filename="medbrief-{b.slug(question)}.{ext}"'
            )
        if fmt == "html":
            headers["Content-Security-Policy"] = DOCUMENT_CSP
        return Response(b.export_text(brief, fmt), media_type=media, headers=headers)

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
