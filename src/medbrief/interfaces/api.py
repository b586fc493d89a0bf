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
import math
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, FastAPI, HTTPException, Query
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
from medbrief.interfaces.api_limits import retry_after
from medbrief.render.json import brief_to_dict
from medbrief.settings import Settings
from medbrief.types import (
    DESIGN_LABELS,
    DESIGNS,
    Brief,
    Document,
    Filters,
    Provenance,
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
        (401, "The server wants its bearer token"),
        (403, "A cross-site request"),
        (404, "No such route or item"),
        (408, "The request body did not arrive in time"),
        (413, "Request body too large"),
        (422, "The request does not match the schema (e.g. a question over the length limit)"),
        (429, "Too many requests from this client (see Retry-After)"),
        (500, "Internal error"),
        (503, "The server is busy (see Retry-After), or an index is missing or being built"),
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

    def provenance(self, filters: Filters | None = ...) -> Provenance: ...


# ------------------------------------------------------------ engine calls


class _Calls:
    """Runs engine calls in the threadpool, a bounded number at a time.

    ``workers`` calls run at once; up to ``queue`` more wait for a worker;
    past that a call is refused at once with 503 and a ``Retry-After`` that
    estimates when a worker frees up (recent calls' mean time), rather than
    left to wait with every other (Nygard, "Release It!": bounded queues and
    fail-fast). The counts are kept on the event loop, so need no lock.

    The first successful call of each method runs alone: the engine builds its
    store connection, models and indexes lazily on first use, and two requests
    arriving together on a cold server must not build them twice. After that
    calls run concurrently.
    """

    def __init__(self, workers: int = 4, queue: int = 16) -> None:
        self._lock = threading.Lock()
        self._warm: set[str] = set()
        self._workers = workers
        self._slots = workers + queue
        self._busy = 0  # calls running or waiting
        self._seconds = 1.0  # moving mean of a call's duration
        self._limiter: anyio.CapacityLimiter | None = None

    def call(self, name: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if name not in self._warm:
            with self._lock:
                if name not in self._warm:  # calls that waited here run concurrently below
                    result = fn(*args, **kwargs)
                    self._warm.add(name)
                    return result
        return fn(*args, **kwargs)

    def admit(self) -> None:
        """Raise 503 (with Retry-After) when no slot is free."""
        if self._busy >= self._slots:
            waiting = self._busy - self._workers + 1
            seconds = self._seconds * waiting / self._workers
            raise HTTPException(
                503,
                f"the server is busy ({self._busy} requests in progress or waiting); "
                f"try again in {math.ceil(seconds)} s",
                headers=retry_after(seconds),
            )

    async def run(self, name: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        # Briefs are CPU-bound: a few worker threads keep every core busy,
        # while more would only queue inside the process, each thread with
        # its own SQLite connections and caches (memory grows with threads).
        self.admit()
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self._workers)
        call = functools.partial(self._timed, name, fn, *args, **kwargs)
        self._busy += 1
        try:
            return await anyio.to_thread.run_sync(call, limiter=self._limiter)
        finally:
            self._busy -= 1

    def _timed(self, name: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        started = time.monotonic()  # in the worker: the time a call takes, not its wait
        try:
            return self.call(name, fn, *args, **kwargs)
        finally:
            self._seconds = 0.9 * self._seconds + 0.1 * (time.monotonic() - started)


Answered = tuple[Brief, Provenance]


class _Recent:
    """The last briefs served, with what produced them, so that an export gives
    exactly the brief on screen (and the same time generated)."""

    def __init__(self, size: int = 64) -> None:
        self._items: OrderedDict[tuple[str, Filters | None], Answered] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def put(self, key: tuple[str, Filters | None], brief: Answered) -> None:
        with self._lock:
            self._items[key] = brief
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def get(self, key: tuple[str, Filters | None]) -> Answered | None:
        with self._lock:
            return self._items.get(key)


# --------------------------------------------------------------- the app


def create_app(
    engine: AnswerEngine,
    *,
    warm: bool = False,
    trusted_hosts: Sequence[str] | None = None,
    token: str | None = None,
) -> FastAPI:
    """The FastAPI application serving ``engine``.

    ``warm`` builds the engine's models and indexes in the background at
    startup (requests wait for it rather than racing it). ``trusted_hosts``
    rejects requests whose Host header names another host: on a loopback
    server this stops DNS-rebinding pages from reading the API. ``token``
    (default: the setting ``api_token``) is the bearer token ``/api/`` wants.
    """
    settings = engine.settings
    calls, recent = _Calls(settings.server_workers, settings.server_queue), _Recent()
    max_chars = settings.max_question_chars
    # No minimum length: an empty question is refused like a blank one, 400
    # bad_query (clean_question), rather than as a schema error.
    Question = Annotated[str, Field(max_length=max_chars)]  # noqa: N806
    QueryText = Annotated[  # noqa: N806
        str, Query(max_length=max_chars, description="The question or query.")
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

    if token is None and settings.api_token is not None:
        token = settings.api_token.get_secret_value()
    app.add_middleware(Guard, settings=settings, trusted_hosts=trusted_hosts, token=token)

    async def _answer(
        question: str,
        filters: Filters | None,
        on_stage: Callable[[str, Any], None] | None = None,
    ) -> Answered:
        def answer() -> Answered:
            # one trip to the threadpool: the provenance is a few indexed counts
            brief = engine.answer(question, filters=filters, on_stage=on_stage)
            return brief, engine.provenance(filters)

        answered = await calls.run("answer", answer)
        recent.put((question, filters), answered)
        return answered

    async def _related(brief: Brief) -> tuple[str, ...]:
        """For an abstaining brief: what the store holds near the question."""
        if not brief.abstained:
            return ()
        from medbrief.synthesize.related import related_topics

        result = await calls.run("search", engine.search, brief.question, k=30)
        return related_topics(result)

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
        brief, provenance = await _answer(question, b.body_filters(body.filters))
        return JSONResponse(brief_to_dict(brief, provenance))

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
                    yield b.sse("brief", brief_to_dict(*value))
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
        "Server-sent events as the brief is built: `preparing` (`{step, message}`, only "
        "while the store and indexes are first opened: the first run loads the starter "
        "corpus), `reading`, `guidelines`, `research`, then `brief` (the JSON contract, "
        "with `provenance`); `error` (the error shape) if it fails. With a language model "
        "configured (docs/llm-writer.md), `extractive` (the brief before the model's prose) "
        "comes before `brief`, then `writer` events as the model writes: `{section, name, "
        "delta}` for each piece of unchecked text, and `{section, name, done, sentences, "
        "fell_back, note}` once a section is checked."
    )
    sse_response = {200: {"content": {"text/event-stream": {}}, "description": stream_doc}}

    @app.post("/api/ask/stream", responses=sse_response, tags=["brief"])  # type: ignore[arg-type]
    async def ask_stream(body: AskRequest) -> StreamingResponse:
        """The brief, streamed stage by stage (server-sent events)."""
        question = b.clean_question(body.question)
        calls.admit()  # a busy server says so with a status, before the stream starts
        return _sse_response(_events(question, b.body_filters(body.filters)))

    @app.get("/api/ask/stream", responses=sse_response, tags=["brief"])  # type: ignore[arg-type]
    async def ask_stream_get(
        q: QueryText, filters: Annotated[Filters | None, Depends(b.query_filters)]
    ) -> StreamingResponse:
        """The same stream for ``EventSource`` clients, with the question in ``q``."""
        question = b.clean_question(q)
        calls.admit()
        return _sse_response(_events(question, filters))

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

    @app.get("/api/provenance", response_model=s.ProvenanceOut, tags=["meta"])
    async def provenance(
        filters: Annotated[Filters | None, Depends(b.query_filters)],
    ) -> dict[str, Any]:
        """What a brief written now would come from: medbrief's version, the corpus
        (counts, newest publication year, last ingest), the filters, the time."""
        from medbrief.render.provenance import provenance_dict

        return provenance_dict(await calls.run("provenance", engine.provenance, filters))

    @app.get("/api/related", response_model=s.RelatedOut, tags=["search"])
    async def related(q: QueryText) -> dict[str, Any]:
        """Guidelines and topics the store holds near ``q``: ways on when a brief
        finds nothing."""
        from medbrief.synthesize.related import related_topics

        query = b.clean_question(q)
        result = await calls.run("search", engine.search, query, k=30)
        return {"query": query, "related": list(related_topics(result))}

    @app.get(
        "/api/export/{fmt}",
        responses={200: {"content": {t: {} for t, _ in b.EXPORT_FORMATS.values()}}},
        tags=["brief"],
    )
    async def export(
        fmt: Literal["markdown", "json", "ris", "bibtex", "csl", "html"],
        q: QueryText,
        filters: Annotated[Filters | None, Depends(b.query_filters)],
        download: bool = True,
    ) -> Response:
        """The brief for ``q`` as a file: Markdown or JSON (the whole brief), RIS,
        BibTeX or CSL-JSON (its references), or a standalone print-friendly HTML
        document; each says what produced it (version, corpus, filters, time)."""
        question = b.clean_question(q)
        key = (question, filters)
        brief, provenance = recent.get(key) or await _answer(question, filters)
        media, ext = b.EXPORT_FORMATS[fmt]
        headers = {"Cache-Control": "no-store"}
        if download:
            headers["Content-Disposition"] = (
                f'attachment; filename="medbrief-{b.slug(question)}.{ext}"'
            )
        if fmt == "html":
            headers["Content-Security-Policy"] = DOCUMENT_CSP
        related = await _related(brief) if fmt in ("markdown", "html") else ()
        text = b.export_text(brief, fmt, provenance, related)
        return Response(text, media_type=media, headers=headers)

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> FileResponse:
        # browsers ask for it whatever the page links: the same SVG icon
        return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
