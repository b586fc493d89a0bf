"""Bulk dense builds: every core, a GPU, or a Ray cluster.

The int8 model runs one passage per model run with one thread (see
:mod:`medbrief.index.embed`): about 38 passages a second per core, and
batching on a CPU is slower and changes the vectors. So a build scales by
running *processes*, each with its own single-threaded session, on a
:class:`~medbrief.workers.Pool`: local worker processes (one per CPU by
default) or Ray workers. Each worker computes exactly what the in-process
embedder computes for a passage, so the vectors are bit-identical to a
single-process build, whatever the number or kind of workers (on one CPU
model: another instruction set may round float parts differently).

This process keeps the rest: reading store changes, the vector cache, the
members table and the faiss structure, in batches of ``BATCH_ITEMS`` items
per worker, so each round of embedding keeps every worker busy.

A GPU is used by the ``minilm-fp32`` embedder (:mod:`medbrief.index.embed_float`),
batched there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from medbrief.index.base import Embedder, Vector
from medbrief.index.dense import BATCH_ITEMS
from medbrief.settings import Settings
from medbrief.workers import Pool

#: passages per task: small enough to spread evenly over the workers at the
#: end of a batch, large enough that sending them costs nothing
CHUNK = 8
#: fewer pending items than this are embedded in this process: starting
#: workers (each loads the model, ~1 s) would take longer
POOL_MIN_ITEMS = 500

_MODELS: dict[str, Any] = {}


def embed_texts(job: tuple[str, list[str]]) -> Vector:
    """Vectors of ``texts`` with embedder ``name``, in a worker process; the
    model loads once per worker and stays (a module-level cache)."""
    name, texts = job
    embedder = _MODELS.get(name)
    if embedder is None:
        from medbrief import registry
        from medbrief.settings import get_settings

        # one thread: the pool is the parallelism
        settings = get_settings(embed_threads=1, load_starter=False)
        embedder = _MODELS[name] = registry.create("embedder", name, settings)
    vectors: Vector = embedder.embed(texts)
    return vectors


class PoolEmbedder:
    """An :class:`~medbrief.index.base.Embedder` whose passages run on a pool."""

    def __init__(self, base: Embedder, backend: str, pool: Pool) -> None:
        self.name = base.name
        self.dim = base.dim
        self.backend = backend
        self.pool = pool
        #: items per dense-index batch (read by FaissIndex.apply)
        self.batch_items = BATCH_ITEMS * pool.workers

    def embed(self, texts: Sequence[str]) -> Vector:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        texts = list(texts)
        jobs = [(self.backend, texts[i : i + CHUNK]) for i in range(0, len(texts), CHUNK)]
        return np.vstack(list(self.pool.imap(embed_texts, jobs, ahead=len(jobs))))


def build_embedder(settings: Settings, pool: Pool | None) -> Embedder:
    """The embedder a bulk build uses: the configured one on the GPU when
    it can use one (``index_device``), else on ``pool``, else in process."""
    from medbrief.index.sync import open_embedder

    if settings.embedder == "minilm-fp32":
        import onnxruntime as ort

        from medbrief.index.embed_float import MiniLMFloatEmbedder, choose_device

        device = choose_device(settings.index_device, ort.get_available_providers())
        if device == "cuda":
            return MiniLMFloatEmbedder(settings, device="cuda")
    base = open_embedder(settings)
    if pool is None:
        return base
    return PoolEmbedder(base, settings.embedder, pool)
