"""Live PubMed fetch benchmark against the local fake NCBI (no real network).

Serves the first N records of ../shared's MEDLINE update file and measures,
for ``fetch_pubmed`` (ESearch + EFetch pages of 200, parse, store):

- unpaced throughput (parse + store bound), records/s;
- paced at NCBI's 3 requests/s (no key) and 10/s (key), with a simulated
  server latency, records/s and the most requests the server saw in any
  1-second window;
- the cost of faults (every 5th request a 500, one truncated page);
- an interrupted fetch resumed: requests and records fetched in total.

Prints a JSON report.

    .venv/bin/python bench/live_fetch.py [--records 2000] [--latency 0.15]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "integration"))

# the fake lives with the tests; mypy finds it only when run over tests/integration
from fake_ncbi import FakeNCBI, first_records  # type: ignore[import-not-found,unused-ignore]  # noqa: E402

from medbrief.errors import RemoteError  # noqa: E402
from medbrief.live.eutils import EUtilsClient  # noqa: E402
from medbrief.live.fetch import fetch_pubmed  # noqa: E402
from medbrief.settings import get_settings  # noqa: E402
from medbrief.store import Store  # noqa: E402

SHARED = Path(os.environ.get("MEDBRIEF_SHARED", ROOT.parent / "shared")) / "data"


def run(
    records: list[bytes],
    *,
    rate: float,
    server_rate: float | None = 3.0,
    key: bool = False,
    latency: float = 0.0,
    **fake: Any,
) -> dict[str, Any]:
    """One fetch at client ``rate``; the server enforces ``server_rate`` (None: no limit)."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeNCBI(records, rate=server_rate, key_rate=10.0, latency=latency, **fake) as server,
    ):
        settings = get_settings(
            home=Path(tmp),
            load_starter=False,
            eutils_base_url=server.base_url,
            ncbi_rate_limit=rate,
            ncbi_api_key="bench-key" if key else None,
        )
        started = time.perf_counter()
        with Store.open(settings.db_path) as store, EUtilsClient(settings, backoff=0.05) as client:
            report = fetch_pubmed(store, client, "bench", state_dir=settings.home / "live")
            stored = store.count()
        seconds = time.perf_counter() - started
        log = server.requests()
        return {
            "records": stored,
            "seconds": round(seconds, 2),
            "records_per_s": round(stored / seconds),
            "requests": len(log),
            "http_errors": sum(1 for e in log if e.status != 200),
            "max_requests_in_1s": server.max_in_window(),
            "report_requests": report.requests,
        }


def interrupted(records: list[bytes]) -> dict[str, Any]:
    """Fail on the 4th page with retries off, then resume with the WebEnv expired."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeNCBI(records, rate=None, faults={("efetch", 4): "500"}) as server,
    ):
        settings = get_settings(
            home=Path(tmp),
            load_starter=False,
            eutils_base_url=server.base_url,
            ncbi_rate_limit=1000.0,
            ncbi_retries=0,
        )
        with Store.open(settings.db_path) as store:
            with EUtilsClient(settings) as client, contextlib.suppress(RemoteError):
                fetch_pubmed(store, client, "bench", state_dir=settings.home / "live")
            first = store.count()
            server.expire_history()
            with EUtilsClient(settings) as client:
                report = fetch_pubmed(store, client, "bench", state_dir=settings.home / "live")
            served = server.served_pmids()
            return {
                "stored_before_resume": first,
                "stored_after_resume": store.count(),
                "records_served_in_total": len(served),
                "records_served_twice": len(served) - len(set(served)),
                "requests_in_total": len(server.requests()),
                "resumed": report.resumed,
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.15)
    args = parser.parse_args()
    path = SHARED / "pubmed" / "pubmed21n1298.xml.gz"
    records = first_records(path, args.records)
    faults = {("efetch", 2): "truncate"}
    run(records[:400], rate=1000.0, server_rate=None)  # warm-up: imports, first parses
    out = {
        "records_served": len(records),
        "simulated_latency_s": args.latency,
        "unpaced": run(records, rate=1000.0, server_rate=None),
        "paced_3_per_s": run(records, rate=3.0, latency=args.latency),
        "paced_10_per_s_key": run(records, rate=10.0, key=True, latency=args.latency),
        "faults_unpaced": run(records, rate=1000.0, server_rate=None, fail_every=5, faults=faults),
        "interrupted_and_resumed": interrupted(records),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
