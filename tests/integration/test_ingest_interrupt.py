"""A real `medbrief ingest pubmed` killed mid-file (SIGKILL) or interrupted
(SIGINT) leaves a consistent store that a re-run completes exactly."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

# A shell without job control starts background commands with SIGINT ignored
# (POSIX 2.11), and a child inherits that: `pytest ... &` would then test an
# ingest that cannot be interrupted. The child restores Python's own handler.
CLI = (
    "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from medbrief.interfaces.cli import main; main()"
)


def start(home: Path, path: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CLI, "--home", str(home), "ingest", "pubmed", str(path), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def count(home: Path) -> int:
    db = home / "medbrief.sqlite3"
    if not db.exists():
        return 0
    with closing(sqlite3.connect(db, timeout=30)) as conn:
        try:
            return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
        except sqlite3.OperationalError:
            return 0  # schema not created yet


def wait_for(home: Path, proc: subprocess.Popen[str], n: int) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        got = count(home)
        if got >= n:
            return got
        assert proc.poll() is None, f"ingest ended early: {proc.communicate()}"
        time.sleep(0.05)
    raise AssertionError("ingest made no progress")


def check_consistent(home: Path) -> tuple[int, list[str]]:
    with closing(sqlite3.connect(home / "medbrief.sqlite3")) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        n = int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
        statuses = [r[0] for r in conn.execute("SELECT status FROM ingest_log ORDER BY n")]
    return n, statuses


def rerun(home: Path, path: Path) -> dict[str, int]:
    out = subprocess.run(
        [sys.executable, "-c", CLI, "--home", str(home), "ingest", "pubmed", str(path), "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    total: dict[str, int] = json.loads(out)["total"]
    return total


def test_sigkill_mid_file_then_rerun(tmp_path: Path, shared: Path) -> None:
    path = shared / "pubmed" / "pubmed20n0014.xml.gz"  # 30,000 records, no duplicates
    home = tmp_path / "home"
    proc = start(home, path, "--batch-size", "1000")
    wait_for(home, proc, 3000)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    kept, statuses = check_consistent(home)
    assert kept % 1000 == 0  # only whole committed batches
    assert 3000 <= kept < 30_000
    assert statuses == ["running"]  # the log shows the run never finished

    total = rerun(home, path)
    assert (total["unchanged"], total["inserted"]) == (kept, 30_000 - kept)
    assert check_consistent(home)[0] == 30_000

    with closing(sqlite3.connect(home / "medbrief.sqlite3")) as conn:
        doc = json.loads(
            conn.execute("SELECT data FROM documents WHERE id = 'pmid:399696'").fetchone()[0]
        )
    assert (doc["pub_date"], doc["year"]) == ("1979 Nov-1980 May", 1979)


def test_sigint_mid_file_then_rerun(tmp_path: Path, shared: Path) -> None:
    path = shared / "pubmed" / "pubmed21n1298.xml.gz"
    home = tmp_path / "home"
    proc = start(home, path, "--batch-size", "500")
    wait_for(home, proc, 2000)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip().splitlines()[-1] == (
        "medbrief: interrupted; everything committed so far is kept, "
        "run the same command again to complete it"
    )
    kept, statuses = check_consistent(home)
    assert 2000 <= kept < 20_783
    assert statuses == ["interrupted"]

    total = rerun(home, path)
    assert total["records"] == 20_788
    assert check_consistent(home) == (20_783, ["interrupted", "ok"])
