"""One JSON error shape for every HTTP error, and the guard every request passes.

Whatever fails (medbrief's own errors, FastAPI's validation, Starlette's 404 and
405, an unexpected exception) the client gets
``{"error": {"code", "message", "detail"}}`` with the status that fits.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medbrief.errors import MedbriefError

log = logging.getLogger("medbrief.api")

#: The page loads only its own files; exported HTML documents load nothing.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'"
#: No valid request body comes near this (a question is at most a few KB);
#: larger ones are refused before they are read.
MAX_BODY_BYTES = 64 * 1024


def error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "detail": detail}}


def error_response(status: int, code: str, message: str, detail: Any = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, detail), status_code=status)


def medbrief_error(exc: MedbriefError) -> tuple[int, dict[str, Any]]:
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


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(MedbriefError)
    async def _medbrief(request: Request, exc: MedbriefError) -> JSONResponse:
        status, body = medbrief_error(exc)
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


class Guard:
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
