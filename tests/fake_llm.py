"""A scripted stand-in for an OpenAI-compatible chat-completions server.

Each request to ``POST /v1/chat/completions`` is answered with the next
scripted :class:`Reply` (the last one repeats): its text, streamed as
server-sent events when the request asks for ``stream`` (a few characters per
chunk, like a real server) or as one JSON body otherwise; or a fault:
``"slow"`` (holds the reply past any test timeout), ``"malformed"`` (a body
that is not the API's shape), ``"garbled"`` (a stream chunk that is not JSON)
or an HTTP ``status``. Every request body is recorded, so tests can check
what left the process.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    text: str = ""
    fault: str | None = None  # "slow", "malformed", "garbled"
    status: int = 200


class FakeLLM:
    def __init__(self, *replies: Reply | str) -> None:
        self.replies = [r if isinstance(r, Reply) else Reply(r) for r in replies] or [Reply("")]
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        self.url = ""

    def next_reply(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            return self.replies[min(len(self.requests) - 1, len(self.replies) - 1)]

    def user_messages(self) -> list[str]:
        return [m["content"] for r in self.requests for m in r["messages"] if m["role"] == "user"]


def _handler(fake: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length))
            reply = fake.next_reply(body, dict(self.headers.items()))
            if reply.fault == "slow":
                fake._release.wait(30)
            if reply.status != 200:
                self._send(reply.status, b'{"error": {"message": "scripted failure"}}')
            elif reply.fault == "malformed":
                self._send(200, b'{"unexpected": true}')
            elif body.get("stream"):
                self._stream(reply)
            else:
                message = {"role": "assistant", "content": reply.text}
                out = {"object": "chat.completion", "choices": [{"index": 0, "message": message}]}
                self._send(200, json.dumps(out).encode())

        def _send(self, status: int, data: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, reply: Reply) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            text = reply.text
            for i in range(0, len(text), 7):
                chunk = {"choices": [{"index": 0, "delta": {"content": text[i : i + 7]}}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
                if reply.fault == "garbled" and i >= 7:
                    self.wfile.write(b"data: {not json\n\n")
                    break
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler


@contextmanager
def serving(fake: FakeLLM) -> Iterator[FakeLLM]:
    """Serve ``fake`` on a free loopback port; ``fake.url`` is its base URL (``.../v1``)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield fake
    finally:
        fake._release.set()
        time.sleep(0.01)
        server.shutdown()
        server.server_close()
        thread.join(5)
