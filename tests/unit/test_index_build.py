"""Bulk dense builds: worker processes give the single-process vectors, bit
for bit; the GPU embedder's device choice and batching (checked on the CPU:
no GPU here)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from medbrief.errors import ConfigError
from medbrief.index import open_vector, sync
from medbrief.index.build import PoolEmbedder, build_embedder
from medbrief.index.cache import VectorCache, cache_path
from medbrief.index.embed import HashEmbedder, MiniLMEmbedder
from medbrief.index.embed_float import MiniLMFloatEmbedder, choose_device, providers
from medbrief.interfaces.cli import main
from medbrief.settings import Settings
from medbrief.store import Store
from medbrief.types import AbstractSection, Document
from medbrief.workers import LocalPool

TEXTS = [
    "Iron deficiency and restless legs syndrome: ferritin below 75 µg/L.",
    "Metformin in chronic kidney disease; lactic acidosis was rare.",
    "Dopamine agonists cause augmentation over years of treatment.",
    "A randomised trial of intravenous ferric carboxymaltose in 46 patients.",
    "Sleep quality improved (p < 0.01).",
    "x",
    "Transport of transferrin across the blood-brain barrier " * 30,  # cut at 256 pieces
] * 3


def docs(n: int) -> list[Document]:
    return [
        Document(
            id=f"pmid:{i}",
            source_id=str(i),
            source="pubmed",
            title=TEXTS[i % len(TEXTS)][:60] + f" {i}",
            abstract=(AbstractSection(f"study {i} of iron"),),
        )
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def pool() -> LocalPool:
    with LocalPool(2) as p:
        yield p  # type: ignore[misc]


def test_minilm_vectors_from_worker_processes_are_bit_identical(pool: LocalPool) -> None:
    alone = MiniLMEmbedder(threads=1).embed(TEXTS)
    threaded = MiniLMEmbedder(threads=2).embed(TEXTS)
    workers = PoolEmbedder(MiniLMEmbedder(), "minilm-int8", pool).embed(TEXTS)
    assert workers.dtype == np.float32 and workers.shape == (len(TEXTS), 384)
    assert np.array_equal(alone, threaded)
    assert np.array_equal(alone, workers)


def test_a_dense_build_on_workers_stores_the_same_vectors(
    settings: Settings, store: Store, tmp_path: Path, pool: LocalPool
) -> None:
    store.write_documents(docs(40))
    here = settings.model_copy(update={"embedder": "hash"})
    there = here.model_copy(update={"home": tmp_path / "other"})
    with Store.open(there.db_path) as other:
        other.write_documents(docs(40))
        built = open_vector(there, build_embedder(there, pool))
        assert built is not None
        assert sync(built, other) == 40
    index = open_vector(here, HashEmbedder())
    assert index is not None and sync(index, store) == 40

    def cached(s: Settings) -> dict[bytes, bytes]:
        cache = VectorCache(cache_path(s.index_dir, "hash-64"), "hash-64", 64)
        rows = dict(cache.conn.execute("SELECT hash, vec FROM vectors").fetchall())
        cache.close()
        return rows

    assert cached(here) == cached(there)
    assert len(cached(here)) == 40


def test_index_command_uses_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    monkeypatch.setattr("medbrief.index.build.POOL_MIN_ITEMS", 1)
    monkeypatch.setenv("MEDBRIEF_EMBEDDER", "hash")
    monkeypatch.setenv("MEDBRIEF_LOAD_STARTER", "false")
    with Store.open(settings.db_path) as store:
        store.write_documents(docs(30))
    seen: list[int] = []
    real = PoolEmbedder.embed

    def spy(self: PoolEmbedder, texts: list[str]) -> np.ndarray:
        seen.append(self.pool.workers)
        return real(self, texts)

    monkeypatch.setattr(PoolEmbedder, "embed", spy)
    result = CliRunner().invoke(
        main, ["--home", str(settings.home), "index", "--workers", "2", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["dense"]["indexed"] == 30
    assert seen == [2]


# ------------------------------------------------------------------ GPU


def test_device_choice() -> None:
    cuda = ["CUDAExecutionProvider", "CPUExecutionProvider"]
    cpu_only = ["AzureExecutionProvider", "CPUExecutionProvider"]
    assert choose_device("auto", cuda) == "cuda"
    assert choose_device("auto", cpu_only) == "cpu"
    assert choose_device("cpu", cuda) == "cpu"
    assert choose_device("cuda", cuda) == "cuda"
    with pytest.raises(ConfigError, match=r"pip install 'medbrief\[gpu\]'"):
        choose_device("cuda", cpu_only)
    assert providers("cuda")[0][0] == "CUDAExecutionProvider"
    assert providers("cuda")[-1] == "CPUExecutionProvider"
    assert providers("cpu") == ["CPUExecutionProvider"]


def test_build_embedder_takes_the_gpu_only_for_the_float_model(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import onnxruntime

    monkeypatch.setattr(onnxruntime, "get_available_providers", lambda: ["CUDAExecutionProvider"])
    fp32 = settings.model_copy(update={"embedder": "minilm-fp32"})
    gpu = build_embedder(fp32, None)
    assert isinstance(gpu, MiniLMFloatEmbedder) and gpu.device == "cuda" and gpu.batch > 1
    cpu = build_embedder(fp32.model_copy(update={"index_device": "cpu"}), None)
    assert isinstance(cpu, MiniLMFloatEmbedder) and cpu.device == "cpu" and cpu.batch == 1
    # the int8 model cannot batch without changing its vectors: CPU workers
    int8 = build_embedder(settings, LocalPool(2))
    assert isinstance(int8, PoolEmbedder) and int8.batch_items == 512


def test_float_model_batched_with_padding_matches_one_at_a_time() -> None:
    single = MiniLMFloatEmbedder()
    batched = MiniLMFloatEmbedder()
    batched.batch = 8  # what the GPU path does, here on the CPU provider
    a, b = single.embed(TEXTS), batched.embed(TEXTS)
    assert np.allclose(a, b, atol=1e-5)  # padding and neighbours change nothing
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    int8 = MiniLMEmbedder(threads=1).embed(TEXTS)
    cosine = (a * int8).sum(axis=1)
    assert cosine.min() > 0.98  # the same model, another arithmetic
    assert single.name != MiniLMEmbedder().name  # so never mixed in one index
