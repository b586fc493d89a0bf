"""One JSON error shape for every HTTP error, and the guard every request passes.

Whatever fails (medbrief's own errors, FastAPI's validation, Starlette's 404 and
405, an unexpected exception) the client gets
``{"error": {"code", "message", "detail"}}`` with the status that fits.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medbrief.errors import MedbriefError
from medbrief.interfaces.api_limits import (
    COOKIE,
    Policy,
    RefusedError,
    read_body,
    replay,
    too_large,
)
from medbrief.settings import Settings

log = logging.getLogger("medbrief.api")

#: The page loads only its own files; exported HTML documents load nothing.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'"


def error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "detail": detail}}


def error_response(status: int, code: str, message: str, detail: Any = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, detail), status_code=status)


def medbrief_error(exc: MedbriefError) -> tuple[int, dict[str, Any]]:
    detail = getattr(exc, "detail", None)
    return exc.http_status, error_body(exc.code, str(exc), detail if detail != str(exc) else None)


def _validation_message(
    errors: Sequence[Any], body: Any = None
) -> tuple[str, list[dict[str, Any]]]:
    detail = []
    for err in errors:
        if err["type"] == "json_invalid":  # its "loc" holds a byte offset, not a field
            message = f"the request body is not valid JSON: {_json_error(err, body)}"
            detail.append({"field": "", "message": message, "type": err["type"]})
            continue
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        detail.append({"field": ".".join(loc), "message": err.get("msg", ""), "type": err["type"]})
    first = detail[0] if detail else {"field": "", "message": "invalid request"}
    where = f"{first['field']}: " if first["field"] else ""
    return f"{where}{first['message']}", detail


def _json_error(err: dict[str, Any], body: Any) -> str:
    """ "Expecting ',' delimiter at line 1, column 13", as :mod:`json` says it."""
    reason = str((err.get("ctx") or {}).get("error") or "JSON decode error")
    loc = err.get("loc") or ()
    pos = loc[-1] if loc and isinstance(loc[-1], int) else None
    if pos is None or not isinstance(body, str | bytes):
        return reason
    text = body if isinstance(body, str) else body.decode("utf-8", "replace")
    line = text.count("\n", 0, pos) + 1
    column = pos - text.rfind("\n", 0, pos)
    return f"{reason} at line {line}, column {column}"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(MedbriefError)
    async def _medbrief(request: Request, exc: MedbriefError) -> JSONResponse:
        status, body = medbrief_error(exc)
        if status >= 500:
            log.error("%s %s failed: %s", request.method, request.url.path, exc)
        return JSONResponse(body, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, detail = _validation_message(exc.errors(), exc.body)
        return error_response(422, "invalid_request", message, detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 503: "busy"}
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
    """ASGI middleware: Host check, the limits and access rules of
    :mod:`~medbrief.interfaces.api_limits`, security headers, and a JSON 500
    for anything uncaught.

    Catching here, inside Starlette's ServerErrorMiddleware, matters: that one
    re-raises after answering, and the server then drops the keep-alive
    connection, so a client's next request on it would fail too.
    """

    def __init__(
        self,
        app: ASGIApp,
        settings: Settings,
        trusted_hosts: Sequence[str] | None = None,
        token: str | None = None,
    ) -> None:
        self.app = app
        self.settings = settings
        self.allowed = {h.lower() for h in trusted_hosts} if trusted_hosts else None
        self.policy = Policy(settings, token)

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
        try:
            self.policy.check(scope, headers)
            login = self._login(scope)
            if login is not None:
                await login(scope, receive, send)
                return
            app_receive = await self._body(headers, receive)
        except RefusedError as refused:
            response = error_response(refused.status, refused.code, refused.message)
            response.headers.update(refused.headers)
            await response(scope, receive, send)
            return
        if app_receive is None:
            return  # the client left while sending its body
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
            await self.app(scope, app_receive, send_with_headers)
        except Exception:
            log.exception("%s %s failed", scope.get("method"), scope.get("path"))
            if started:
                raise
            response = error_response(
                500, "internal", "internal error; the server log has the details"
            )
            await response(scope, receive, send_with_headers)

    async def _body(self, headers: Headers, receive: Receive) -> Receive | None:
        """``receive`` for the app, the body read here first (counted, timed)
        when the request has one; None when the client left meanwhile."""
        limit = self.settings.max_body_bytes
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            raise too_large(limit, int(length) if length.isdigit() else None)
        if length in (None, "0") and "transfer-encoding" not in headers:
            return receive  # no body
        body = await read_body(receive, limit, self.settings.body_timeout)
        return None if body is None else replay(body, receive)

    def _login(self, scope: Scope) -> Response | None:
        """``/?token=...`` with the right token: the cookie the page's own
        requests then carry, and the address without the token in it."""
        if scope["path"] != "/" or self.policy.token is None:
            return None
        given = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
        if not given or not self.policy.matches(given[0]):
            return None
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, self.policy.token, httponly=True, samesite="strict")
        return response
