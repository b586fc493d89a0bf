"""A full disk during ingest and index: "disk full" said plainly, no
traceback, no half-written temporary files, and the same command completes
the job once there is space again (issue 16).

Most tests fill the disk the way SQLite sees it (``PRAGMA max_page_count``
makes the real SQLITE_FULL path run) or make faiss fail the way it does on
ENOSPC; one fills a real 1 MB tmpfs where the machine allows an unprivileged
mount namespace (``unshare -rm``).
"""
# ruff: noqa: E501  (command lines and messages quoted whole)

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from medbrief.errors import DiskFullError
from medbrief.index import ann
from medbrief.ingest import ingest_paths
from medbrief.interfaces.cli import main
from medbrief.store import Store

N = 400


def articles(path: Path, n: int = N) -> Path:
    lines = (
        json.dumps(
            {"pmid": str(i), "title": f"Article {i}", "abstract": "Ferritin and iron. " * 30}
        )
        for i in range(1, n + 1)
    )
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """Every store connection opened from now on may grow the file by
    ``limit["pages"]`` pages past its current size, then gets SQLITE_FULL."""
    limit = {"pages": 40}
    connect = Store._connect

    def small_disk(self: Store) -> sqlite3.Connection:
        conn = connect(self)
        if limit["pages"] >= 0:
            (pages,) = conn.execute("PRAGMA page_count").fetchone()
            conn.execute(f"PRAGMA max_page_count = {pages + limit['pages']}")
        return conn

    monkeypatch.setattr(Store, "_connect", small_disk)
    yield limit


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def test_ingest_on_a_full_disk_keeps_whole_batches_and_resumes(
    tmp_path: Path, full_disk: dict[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    path = articles(tmp_path / "a.jsonl")
    db = tmp_path / "store.sqlite3"
    with Store.open(db) as store, caplog.at_level(logging.DEBUG):
        with pytest.raises(DiskFullError) as err:
            ingest_paths(store, "articles", [path], batch_size=50)
        kept = store.count()
        (status, message) = store.conn.execute("SELECT status, message FROM ingest_log").fetchone()
    assert str(err.value).startswith(f"disk full: cannot write to the store {db}")
    assert "run the same command again" in str(err.value)
    assert 0 < kept < N and kept % 50 == 0  # whole batches only
    report = err.value.partial
    assert report is not None and report.records == kept  # type: ignore[attr-defined]
    assert status == "failed" and message.startswith("disk full")
    assert "cannot rollback" not in caplog.text + message + repr(err.value.__context__)
    assert integrity(db) == "ok"

    full_disk["pages"] = -1  # space again: the same command completes the job
    with Store.open(db) as store:
        (report,) = ingest_paths(store, "articles", [path], batch_size=50)
        assert store.count() == N
    assert (report.inserted, report.unchanged) == (N - kept, kept)
    assert integrity(db) == "ok"


def test_cli_ingest_on_a_full_disk_says_so_without_a_traceback(
    tmp_path: Path, full_disk: dict[str, int]
) -> None:
    path = articles(tmp_path / "a.jsonl")
    home = ["--home", str(tmp_path / "home")]
    result = CliRunner().invoke(
        main, [*home, "ingest", "articles", str(path), "--batch-size", "50"]
    )
    assert result.exit_code == DiskFullError.exit_code, result.output
    assert "Traceback" not in result.output and result.exception is not None
    assert "medbrief: error: disk full: cannot write to the store" in result.stderr
    assert "(stopped by the error below; these records are kept)" in result.stdout

    full_disk["pages"] = -1
    result = CliRunner().invoke(main, [*home, "ingest", "articles", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["total"]["records"] == N
    assert integrity(tmp_path / "home" / "medbrief.sqlite3") == "ok"


# ------------------------------------------------------------------- index


class FullDiskFaiss:
    """faiss whose write_index fails part-way as it does on ENOSPC."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def write_index(self, index: Any, path: str) -> None:
        Path(path).write_bytes(b"\0" * 4096)  # what was written before the disk filled
        raise RuntimeError(
            f"Error in void faiss::write_index(const Index*, IOWriter*, int): write error in "
            f"{path}: 4096 != 58415 (No space left on device)"
        )


def index_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("MEDBRIEF_EMBEDDER", "hash")
    home = ["--home", str(tmp_path / "home")]
    ingest = CliRunner().invoke(
        main, [*home, "ingest", "articles", str(articles(tmp_path / "a.jsonl", 60))]
    )
    assert ingest.exit_code == 0, ingest.output
    return home


def test_index_on_a_full_disk_leaves_no_temporary_file_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = index_home(tmp_path, monkeypatch)
    dense = tmp_path / "home" / "index" / "dense"
    real = ann.faiss_module()
    monkeypatch.setattr(ann, "faiss_module", lambda: FullDiskFaiss(real))
    result = CliRunner().invoke(main, [*home, "index"])
    assert result.exit_code == DiskFullError.exit_code, result.output
    assert "Traceback" not in result.output
    assert (
        f"medbrief: error: disk full: cannot write the vector index {dense / 'faiss.index'}"
        in result.stderr
    )
    assert not list(dense.glob("*.tmp"))
    assert not (dense / "faiss.index").exists()

    monkeypatch.setattr(ann, "faiss_module", lambda: real)
    result = CliRunner().invoke(main, [*home, "index", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["dense"]["indexed"] == 60


def test_index_removes_a_stale_faiss_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = index_home(tmp_path, monkeypatch)
    assert CliRunner().invoke(main, [*home, "index"]).exit_code == 0
    dense = tmp_path / "home" / "index" / "dense"
    (dense / "faiss.tmp").write_bytes(b"\0" * 4096)  # left by a run killed while saving
    result = CliRunner().invoke(main, [*home, "index", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["dense"]["items"] == 0  # nothing else to do
    assert not (dense / "faiss.tmp").exists()
    assert (dense / "faiss.index").is_file()


def test_any_disk_full_error_reaching_the_cli_is_said_plainly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # e.g. a Rust library's message, from a place medbrief does not wrap
    def fail(*args: Any, **kwargs: Any) -> None:
        raise ValueError("An IO error occurred: 'No space left on device (os error 28)'")

    monkeypatch.setenv("MEDBRIEF_LOAD_STARTER", "false")
    monkeypatch.setattr(Store, "stats", fail)
    result = CliRunner().invoke(main, ["--home", str(tmp_path / "home"), "stats"])
    assert result.exit_code == DiskFullError.exit_code
    assert result.stderr.startswith("medbrief: error: disk full: An IO error occurred")
    assert "Traceback" not in result.output


# ---------------------------------------------------------- a real full disk

TMPFS_SCRIPT = """
set -u
mb() { "$PY" -c 'from medbrief.interfaces.cli import main; main()' "$@"; }
mount -t tmpfs -o size=1m tmpfs "$MNT"
export MEDBRIEF_HOME="$MNT/home" MEDBRIEF_LOAD_STARTER=false
mb ingest articles "$DATA" --batch-size 200 > "$OUT/first.out" 2> "$OUT/first.err"
echo $? > "$OUT/first.rc"
ls -a "$MNT/home" "$MNT/home/index" > "$OUT/files" 2>&1
mount -o remount,size=64m "$MNT"
mb ingest articles "$DATA" --json > "$OUT/second.out" 2> "$OUT/second.err"
echo $? > "$OUT/second.rc"
"$PY" -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print(c.execute('PRAGMA integrity_check').fetchone()[0], c.execute('SELECT count(*) FROM documents').fetchone()[0])" "$MNT/home/medbrief.sqlite3" > "$OUT/check"
"""


def test_ingest_on_a_real_full_tmpfs(tmp_path: Path) -> None:
    unshare = shutil.which("unshare")
    probe = [unshare, "-rm", "true"] if unshare else None
    if probe is None or subprocess.run(probe, check=False, capture_output=True).returncode != 0:
        pytest.skip("needs `unshare -rm` (an unprivileged mount namespace) to mount a small tmpfs")
    (tmp_path / "mnt").mkdir()
    (tmp_path / "out").mkdir()
    data = articles(tmp_path / "a.jsonl", 3000)  # ~2 MB of records for a 1 MB disk
    env = {
        "MNT": str(tmp_path / "mnt"),
        "OUT": str(tmp_path / "out"),
        "DATA": str(data),
        "PY": sys.executable,
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
    }
    done = subprocess.run(
        [unshare, "-rm", "bash", "-c", textwrap.dedent(TMPFS_SCRIPT)],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    first_err = (out / "first.err").read_text()
    assert (out / "first.rc").read_text().strip() == str(DiskFullError.exit_code), first_err
    assert first_err.startswith("medbrief: error: disk full: cannot write to the store"), first_err
    assert "Traceback" not in first_err and "cannot rollback" not in first_err
    assert "these records are kept" in (out / "first.out").read_text()
    assert ".tmp" not in (out / "files").read_text()
    assert (out / "second.rc").read_text().strip() == "0", (out / "second.err").read_text()
    assert json.loads((out / "second.out").read_text())["total"]["records"] == 3000
    assert (out / "check").read_text().split() == ["ok", "3000"]
