"""Running the real HTTP server in tests, and choosing the engine behind it.

``running(app)`` serves an app with uvicorn on a free loopback port in a
thread, as ``medbrief serve`` does, so tests talk HTTP to a real server.

``make_engine(home)`` is the switch between the fake and the real engine:
once ``medbrief.pipeline`` and ``medbrief.ingest.starter`` exist the page and
API tests run on the real engine with the bundled starter corpus; before that (or with
``MEDBRIEF_TEST_ENGINE=fake``) on :class:`fake_engine.FakeEngine` over the RLS
records of ../shared (or its inline records when ../shared is absent). Tests
whose data must be controlled (errors, XSS) always use the fake.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from fake_engine import FakeEngine, inline_corpus, load_rls

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("MEDBRIEF_SHARED", ROOT.parent / "shared")) / "data"
RLS_QUESTION = "iron, blood drain barrier and restless legs syndrome"


def engine_kind() -> str:
    """'real' once the pipeline and the starter corpus it answers from exist, else
    'fake'; MEDBRIEF_TEST_ENGINE=fake|real overrides."""
    forced = os.environ.get("MEDBRIEF_TEST_ENGINE", "").strip().lower()
    if forced in {"fake", "real"}:
        return forced
    needed = ("medbrief.pipeline", "medbrief.ingest.starter")
    return "real" if all(importlib.util.find_spec(m) is not None for m in needed) else "fake"


def fake_engine(*, delay: float = 0.0) -> FakeEngine:
    """The fake over the real RLS records when ../shared is there, else inline ones."""
    if (SHARED_DATA / "rls" / "articles.jsonl").is_file():
        docs, recs = load_rls(SHARED_DATA)
    else:
        docs, recs = inline_corpus()
    return FakeEngine(docs, recs, delay=delay)


def make_engine(home: Path) -> Any:
    if engine_kind() == "real":
        from medbrief.engine import Engine
        from medbrief.settings import get_settings

        # MEDBRIEF_TEST_HOME runs the suite against an existing store instead.
        home = Path(os.environ.get("MEDBRIEF_TEST_HOME") or home)
        # every test request comes from 127.0.0.1: no per-client rate limit
        return Engine(get_settings(home=home, load_starter=True, client_rate_limit=0))
    return fake_engine()


@contextmanager
def running(app: Any, *, timeout: float = 30.0, settings: Any = None) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 (a free port) in a thread; yields the base URL.
    With ``settings``, uvicorn runs with the options ``medbrief serve`` gives
    it (the header deadline among them)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    options: dict[str, Any] = {"ws": "none"}
    if settings is not None:
        from medbrief.interfaces.server import uvicorn_options

        options.update(uvicorn_options(settings))
    config = uvicorn.Config(
        app,
        log_level="warning",
        lifespan="on",
        access_log=False,
        timeout_graceful_shutdown=5,
        **options,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()
