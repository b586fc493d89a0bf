"""The HTTP server under load: concurrent clients asking for briefs.

    .venv/bin/python bench/serve.py [--clients 20] [--duration 60] [--engine auto|real|fake]
    .venv/bin/python bench/serve.py --soak    # 10 minutes, a distinct question per request
    .venv/bin/python bench/serve.py --flood   # 200 clients at once, from 200 addresses

1. Starts ``medbrief serve``'s app in a subprocess on a free loopback port
   (uvicorn with the options the CLI gives it), on a fresh home with the
   bundled starter corpus (``--engine real``, the default once
   ``medbrief.pipeline`` exists), or on the test suite's fake engine over the
   RLS records (``--engine fake``).
2. Warms it up: each of a handful of questions asked once, in turn.
3. Runs ``--clients`` concurrent clients for ``--duration`` seconds, each
   POSTing a question to /api/ask and waiting for the answer before asking
   again. By default the questions are a handful of varied ones in rotation;
   ``--distinct`` makes every request's question a new one (so caches cannot
   hide a leak).
4. Samples the server's RSS every second, and reports: errors (any answer
   other than 200, 429 and 503, and transport errors), the share of 429
   (per-client rate limit) and 503 (queue full) refusals, throughput and
   latency percentiles of the admitted (200) requests, and RSS at the start,
   the end, its peak, and its slope after warm-up (the first minute, or the
   first half of a shorter run) in MB per minute.

``--soak`` is ``--distinct --duration 600 --clients 8``. Outside the flood the
server's per-client rate limit is off (the bench is one address, not many
users). ``--flood`` is
``--clients 200 --duration 300``, each client from its own loopback address
(127.0.1.x ...), with the server's default limits; a refused client waits
what ``Retry-After`` says (at most 5 s) before asking again. Goal: no errors
but 429/503, RSS growth at most 1 MB/min after warm-up.

All traffic goes to 127.0.0.x; the run stops by itself. Server settings can
be changed with ``MEDBRIEF_*`` environment variables, which the server
process inherits.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("MEDBRIEF_SHARED", ROOT.parent / "shared")) / "data"
QUESTIONS = (
    "iron, blood drain barrier and restless legs syndrome",
    "Should adults aged 45 to 49 be screened for colorectal cancer?",
    "Does intravenous iron improve restless legs syndrome symptoms compared with placebo?",
    "statins for primary prevention of cardiovascular disease in adults",
    "low-dose aspirin to prevent preeclampsia in pregnancy",
    "screening for depression in adolescents",
    "How many moons does Jupiter have?",
)


# Distinct questions: every combination of these, in a shuffled order.
_TREATMENTS = (
    "oral iron",
    "intravenous iron",
    "ferric carboxymaltose",
    "dopamine agonists",
    "gabapentin",
    "pregabalin",
    "statins",
    "aspirin",
    "metformin",
    "exercise",
    "cognitive behavioural therapy",
    "vitamin D",
    "magnesium",
    "compression stockings",
    "screening colonoscopy",
    "low-dose CT",
    "SGLT2 inhibitors",
    "ACE inhibitors",
    "beta blockers",
    "anticoagulation",
)
_CONDITIONS = (
    "restless legs syndrome",
    "iron deficiency anaemia",
    "chronic kidney disease",
    "type 2 diabetes",
    "heart failure",
    "atrial fibrillation",
    "colorectal cancer",
    "depression",
    "osteoporosis",
    "preeclampsia",
    "insomnia",
    "hypertension",
)
_GROUPS = (
    "adults",
    "older adults",
    "pregnant women",
    "children",
    "adolescents",
    "haemodialysis patients",
    "people with ferritin below 75",
    "veterans",
    "nursing home residents",
    "athletes",
)


def distinct_questions(seed: int = 0) -> list[str]:
    """2,400 different questions (every treatment x condition x group), shuffled."""
    import random

    found = [
        f"Does {t} help {g} with {c}?" for t in _TREATMENTS for c in _CONDITIONS for g in _GROUPS
    ]
    random.Random(seed).shuffle(found)
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# ------------------------------------------------------------------ server


def serve(engine_kind: str, home: Path, port: int) -> None:
    """The server process: the real app over the chosen engine."""
    import uvicorn

    from medbrief.interfaces.api import create_app
    from medbrief.interfaces.server import uvicorn_options
    from medbrief.settings import get_settings

    if engine_kind == "real":
        from medbrief.engine import Engine

        engine: Any = Engine(get_settings(home=home, load_starter=True))
    else:
        sys.path.insert(0, str(ROOT / "tests"))
        from fake_engine import FakeEngine, inline_corpus, load_rls

        corpus = load_rls(SHARED_DATA) if (SHARED_DATA / "rls").is_dir() else inline_corpus()
        engine = FakeEngine(*corpus, settings=get_settings(home=home, load_starter=False))
    app = create_app(engine, warm=True, trusted_hosts=["127.0.0.1"])
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        **uvicorn_options(engine.settings),
    )


def start_server(
    engine_kind: str, home: Path, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            engine_kind,
            "--home",
            str(home),
            "--port",
            str(port),
        ],
        env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with code {proc.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start within 120 s")


# ------------------------------------------------------------------- load


class RssSampler(threading.Thread):
    def __init__(self, pid: int, every: float = 1.0) -> None:
        super().__init__(daemon=True)
        import psutil

        self.process = psutil.Process(pid)
        self.every = every
        self.samples: list[tuple[float, float]] = []  # (seconds since start, MB)
        self.stop = threading.Event()
        self.t0 = time.monotonic()

    def run(self) -> None:
        while not self.stop.is_set():
            rss = self.process.memory_info().rss / 2**20
            self.samples.append((time.monotonic() - self.t0, rss))
            self.stop.wait(self.every)


class Tally:
    """What the clients saw: admitted latencies, refusals, errors."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.refused: Counter[int] = Counter()
        self.errors: Counter[str] = Counter()

    @property
    def requests(self) -> int:
        return len(self.latencies) + sum(self.refused.values()) + sum(self.errors.values())


async def client(
    http: Any, i: int, deadline: float, questions: Any, tally: Tally, obey_retry: bool
) -> None:
    while time.monotonic() < deadline:
        question = next(questions)
        t = time.perf_counter()
        try:
            r = await http.post("/api/ask", json={"question": question})
        except Exception as exc:  # every failure is a finding, not a crash of the bench
            tally.errors[type(exc).__name__] += 1
            continue
        if r.status_code in (429, 503):
            tally.refused[r.status_code] += 1
            if obey_retry:
                wait = min(5.0, float(r.headers.get("retry-after", "1")))
                await asyncio.sleep(min(wait, max(0.0, deadline - time.monotonic())))
            continue
        if r.status_code != 200:
            tally.errors[f"HTTP {r.status_code}"] += 1
            continue
        r.json()
        tally.latencies.append(time.perf_counter() - t)


def loopback_address(i: int) -> str:
    """The ``i``-th client's own address: 127.0.1.1, 127.0.1.2, ... (Linux
    answers on all of 127.0.0.0/8)."""
    return f"127.0.{1 + i // 250}.{1 + i % 250}"


async def load(
    url: str, clients: int, duration: float, questions: Any, *, addresses: bool = False
) -> tuple[Tally, float]:
    """``clients`` concurrent clients for ``duration`` s; with ``addresses``,
    each from its own loopback address (one connection pool each)."""
    import httpx

    tally = Tally()
    start = time.monotonic()
    deadline = start + duration
    if addresses:
        pools = [
            httpx.AsyncClient(
                base_url=url,
                timeout=300,
                transport=httpx.AsyncHTTPTransport(
                    local_address=f"127.0.{1 + i // 250}.{1 + i % 250}"
                ),
            )
            for i in range(clients)
        ]
    else:
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        shared = httpx.AsyncClient(base_url=url, timeout=300, limits=limits)
        pools = [shared] * clients
    try:
        await asyncio.gather(
            *(
                client(pools[i], i, deadline, questions, tally, obey_retry=addresses)
                for i in range(clients)
            )
        )
    finally:
        for pool in dict.fromkeys(pools):
            await pool.aclose()
    return tally, time.monotonic() - start


def slope_mb_per_min(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of RSS over time, in MB per minute."""
    if len(samples) < 3:
        return 0.0
    xs, ys = zip(*samples, strict=True)
    return float(statistics.linear_regression(xs, ys).slope * 60)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, help="concurrent clients (20; soak 8; flood 200)")
    parser.add_argument("--duration", type=float, help="seconds of load (60; soak 600; flood 300)")
    parser.add_argument("--distinct", action="store_true", help="a new question every request")
    parser.add_argument("--soak", action="store_true", help="10 minutes of distinct questions")
    parser.add_argument("--flood", action="store_true", help="200 clients from 200 addresses")
    parser.add_argument("--engine", choices=["auto", "real", "fake"], default="auto")
    parser.add_argument("--home", type=Path, help="MEDBRIEF_HOME for the server (a fresh temp dir)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--serve", choices=["real", "fake"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.home, args.port)
        return 0

    mode = "soak" if args.soak else "flood" if args.flood else "load"
    clients = args.clients or {"soak": 8, "flood": 200}.get(mode, 20)
    duration = args.duration or {"soak": 600.0, "flood": 300.0}.get(mode, 60.0)
    distinct = args.distinct or mode == "soak"
    # One bench process is one client address: its per-client limit is off but
    # in the flood, where every client has an address of its own.
    server_env = {} if mode == "flood" else {"MEDBRIEF_CLIENT_RATE_LIMIT": "0"}
    kind = args.engine
    if kind == "auto":
        needed = ("medbrief.pipeline", "medbrief.ingest.starter")
        kind = "real" if all(importlib.util.find_spec(m) for m in needed) else "fake"
    questions = itertools.cycle(distinct_questions() if distinct else QUESTIONS)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="medbrief-bench-") as tmp:
        home = args.home or Path(tmp) / "home"
        t = time.perf_counter()
        proc, url = start_server(kind, home, server_env)
        try:
            import httpx

            for q in QUESTIONS:  # warm-up: models, indexes, first answers
                r = httpx.post(f"{url}/api/ask", json={"question": q}, timeout=300)
                r.raise_for_status()
            warm = time.perf_counter() - t
            sampler = RssSampler(proc.pid)
            sampler.start()
            tally, elapsed = asyncio.run(
                load(url, clients, duration, questions, addresses=mode == "flood")
            )
            time.sleep(1.0)
            sampler.stop.set()
            sampler.join()
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    samples = sampler.samples
    warmed = min(60.0, samples[-1][0] / 2)
    after = [s for s in samples if s[0] >= warmed]
    rss = [mb for _, mb in samples]
    latencies = tally.latencies
    refused = sum(tally.refused.values())
    figures = {
        "mode": mode,
        "engine": kind,
        "clients": clients,
        "distinct_questions": distinct,
        "duration_s": round(elapsed, 1),
        "startup_and_warmup_s": round(warm, 1),
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "requests": tally.requests,
        "admitted": len(latencies),
        "errors": sum(tally.errors.values()),
        "error_kinds": dict(tally.errors),
        "refused_429": tally.refused[429],
        "refused_503": tally.refused[503],
        "refused_share": round(refused / tally.requests, 3) if tally.requests else 0.0,
        "throughput_rps": round(len(latencies) / elapsed, 2),
        "admitted_latency_ms": {
            "p50": round(percentile(latencies, 0.50) * 1000, 1) if latencies else None,
            "p95": round(percentile(latencies, 0.95) * 1000, 1) if latencies else None,
            "p99": round(percentile(latencies, 0.99) * 1000, 1) if latencies else None,
            "max": round(max(latencies) * 1000, 1) if latencies else None,
        },
        "server_rss_mb": {
            "start": round(rss[0], 1),
            "end": round(rss[-1], 1),
            "peak": round(max(rss), 1),
            "warm_up_s": round(warmed, 1),
            "slope_after_warm_up_mb_per_min": round(slope_mb_per_min(after), 2),
            "samples": [[round(s, 1), round(mb, 1)] for s, mb in samples],
        },
    }
    shown = {**figures, "server_rss_mb": {**figures["server_rss_mb"], "samples": "..."}}
    print(json.dumps(shown, indent=2))
    series = " ".join(f"{mb:.0f}" for _, mb in samples[:: max(1, len(samples) // 12)])
    print(f"server RSS (MB) over the run: {series}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 1 if tally.errors else 0


if __name__ == "__main__":
    sys.exit(main())
