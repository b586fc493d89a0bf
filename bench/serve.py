"""The HTTP server under load: concurrent clients asking for briefs.

    .venv/bin/python bench/serve.py [--clients 20] [--duration 60] [--engine auto|real|fake]

1. Starts ``medbrief serve``'s app in a subprocess on a free loopback port
   (uvicorn, as the CLI runs it), on a fresh home with the bundled starter
   corpus (``--engine real``, the default once ``medbrief.pipeline`` exists), or
   on the test suite's fake engine over the RLS records (``--engine fake``).
2. Warms it up: each question asked once, in turn.
3. Runs ``--clients`` concurrent clients for ``--duration`` seconds, each
   POSTing a question to /api/ask (a handful of varied questions, in rotation)
   and waiting for the answer before asking again. Every request counts: any
   non-200 answer or transport error is an error.
4. Samples the server's RSS every second, and reports errors, throughput,
   latency percentiles, and RSS at the start, the end, its peak, and its slope
   over the second half of the run (flat memory: a slope near 0 MB/min).

All traffic goes to 127.0.0.1; the run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
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

    if engine_kind == "real":
        from medbrief.engine import Engine
        from medbrief.settings import get_settings

        engine: Any = Engine(get_settings(home=home, load_starter=True))
    else:
        sys.path.insert(0, str(ROOT / "tests"))
        from fake_engine import FakeEngine, inline_corpus, load_rls

        corpus = load_rls(SHARED_DATA) if (SHARED_DATA / "rls").is_dir() else inline_corpus()
        engine = FakeEngine(*corpus)
    app = create_app(engine, warm=True, trusted_hosts=["127.0.0.1"])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", ws="none")


def start_server(engine_kind: str, home: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", engine_kind, "--home", str(home), "--port", str(port)]
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


async def client(
    http: Any, i: int, deadline: float, latencies: list[float], errors: Counter[str]
) -> None:
    n = i
    while time.monotonic() < deadline:
        question = QUESTIONS[n % len(QUESTIONS)]
        n += 1
        t = time.perf_counter()
        try:
            r = await http.post("/api/ask", json={"question": question})
            if r.status_code != 200:
                errors[f"HTTP {r.status_code}"] += 1
                continue
            r.json()
        except Exception as exc:  # every failure is a finding, not a crash of the bench
            errors[type(exc).__name__] += 1
            continue
        latencies.append(time.perf_counter() - t)


async def load(url: str, clients: int, duration: float) -> tuple[list[float], Counter[str], float]:
    import httpx

    latencies: list[float] = []
    errors: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        start = time.monotonic()
        deadline = start + duration
        await asyncio.gather(
            *(client(http, i, deadline, latencies, errors) for i in range(clients))
        )
        elapsed = time.monotonic() - start
    return latencies, errors, elapsed


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
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (20)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (60)")
    parser.add_argument("--engine", choices=["auto", "real", "fake"], default="auto")
    parser.add_argument("--home", type=Path, help="MEDBRIEF_HOME for the server (a fresh temp dir)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--serve", choices=["real", "fake"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.home, args.port)
        return 0

    kind = args.engine
    if kind == "auto":
        needed = ("medbrief.pipeline", "medbrief.ingest.starter")
        kind = "real" if all(importlib.util.find_spec(m) for m in needed) else "fake"
    with tempfile.TemporaryDirectory(prefix="medbrief-bench-") as tmp:
        home = args.home or Path(tmp) / "home"
        t = time.perf_counter()
        proc, url = start_server(kind, home)
        try:
            import httpx

            for q in QUESTIONS:  # warm-up: models, indexes, first answers
                r = httpx.post(f"{url}/api/ask", json={"question": q}, timeout=300)
                r.raise_for_status()
            warm = time.perf_counter() - t
            sampler = RssSampler(proc.pid)
            sampler.start()
            latencies, errors, elapsed = asyncio.run(load(url, args.clients, args.duration))
            time.sleep(1.0)
            sampler.stop.set()
            sampler.join()
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    samples = sampler.samples
    half = [s for s in samples if s[0] >= samples[-1][0] / 2]
    rss = [mb for _, mb in samples]
    figures = {
        "engine": kind,
        "clients": args.clients,
        "duration_s": round(elapsed, 1),
        "startup_and_warmup_s": round(warm, 1),
        "requests": len(latencies) + sum(errors.values()),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "throughput_rps": round(len(latencies) / elapsed, 2),
        "latency_ms": {
            "p50": round(percentile(latencies, 0.50) * 1000, 1) if latencies else None,
            "p95": round(percentile(latencies, 0.95) * 1000, 1) if latencies else None,
            "p99": round(percentile(latencies, 0.99) * 1000, 1) if latencies else None,
            "max": round(max(latencies) * 1000, 1) if latencies else None,
        },
        "server_rss_mb": {
            "start": round(rss[0], 1),
            "end": round(rss[-1], 1),
            "peak": round(max(rss), 1),
            "slope_second_half_mb_per_min": round(slope_mb_per_min(half), 2),
            "samples": [[round(s, 1), round(mb, 1)] for s, mb in samples],
        },
    }
    shown = {**figures, "server_rss_mb": {**figures["server_rss_mb"], "samples": "..."}}
    print(json.dumps(shown, indent=2))
    series = " ".join(f"{mb:.0f}" for _, mb in samples[:: max(1, len(samples) // 12)])
    print(f"server RSS (MB) over the run: {series}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
