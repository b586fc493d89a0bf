"""The faiss structures behind the dense index, and how each is searched.

``hnsw-sq8``: HNSW graph (Malkov & Yashunin 2018), M=32, over int8 scalar
quantised codes (one byte per dimension, per-dimension ranges trained on a
sample): ~4x smaller than float32 at a recall cost of about a point.
``ivf-pq``: inverted lists over product-quantised codes (Jegou et al.
2011), 48 bytes per 384-d vector, read memory-mapped, for millions of
passages. Labels are the dense index's member labels (``IndexIDMap`` for
HNSW, native ids for IVF).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from medbrief.errors import disk_full, is_disk_full
from medbrief.index.base import Vector

#: Below this many passages IVF-PQ cannot train its quantisers well; an
#: exact flat index is fast at that size anyway.
IVF_MIN = 10_000


def faiss_module() -> Any:
    """faiss, typed loosely: its bundled stubs miss much of the SWIG API."""
    import faiss

    return faiss


def new_structure(kind: str, dim: int, live: int, sample: Vector) -> Any:
    """An empty, trained structure for ``live`` passages of dimension ``dim``."""
    faiss = faiss_module()
    index: Any
    if kind == "ivf-pq" and live >= IVF_MIN:
        # nlist ~ sqrt(n): the faiss wiki's "Guidelines to choose an index"
        # give 1-16 sqrt(n); the low end keeps k-means affordable on 2 cores,
        # and k-means wants >= 39 training points per list. 8-dim sub-vectors.
        nlist = int(min(len(sample) // 39, max(16, math.sqrt(live))))
        index = faiss.IndexIVFPQ(
            faiss.IndexFlatIP(dim), dim, nlist, dim // 8, 8, faiss.METRIC_INNER_PRODUCT
        )
        index.cp.niter = 10
        index.pq.cp.niter = 10
    elif kind == "ivf-pq":
        index = faiss.IndexIDMap(faiss.IndexFlatIP(dim))
    else:
        inner = faiss.IndexHNSWSQ(
            dim, faiss.ScalarQuantizer.QT_8bit, 32, faiss.METRIC_INNER_PRODUCT
        )
        inner.hnsw.efConstruction = 64
        index = faiss.IndexIDMap(inner)
    if len(sample):
        index.train(np.ascontiguousarray(sample, dtype=np.float32))
    return index


def read(path: Path, mmap: bool) -> Any:
    faiss = faiss_module()
    # Memory-mapped inverted lists: the OS pages in the lists a query probes,
    # so the index need not fit in RAM (faiss IO_FLAG_MMAP).
    flags = faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY if mmap else 0
    return faiss.read_index(str(path), flags)


def write(index: Any, path: Path) -> None:
    """Atomically: readers see the old file or the new one. A failed write
    (a full disk) leaves no partial temporary file behind."""
    tmp = path.with_suffix(".tmp")
    try:
        faiss_module().write_index(index, str(tmp))
        tmp.replace(path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if is_disk_full(exc):
            raise disk_full(f"cannot write the vector index {path}") from None
        raise


def is_ivf(index: Any) -> bool:
    faiss = faiss_module()
    return isinstance(faiss.downcast_index(index), faiss.IndexIVF)


def search(
    index: Any, query: Vector, fetch: int, ef_search: int, allowed: Any = None
) -> tuple[Any, Any]:
    """Labels and scores of the ``fetch`` nearest, optionally only ``allowed`` labels."""
    faiss = faiss_module()
    params: Any
    if is_ivf(index):
        params = faiss.SearchParametersIVF(nprobe=max(8, ef_search // 4))
    elif isinstance(faiss.downcast_index(index.index), faiss.IndexHNSW):
        params = faiss.SearchParametersHNSW(efSearch=max(ef_search, fetch))
    else:
        params = faiss.SearchParameters()
    if allowed is not None:
        params.sel = faiss.IDSelectorBatch(allowed)
    scores, labels = index.search(query.reshape(1, -1), fetch, params=params)
    return labels[0], scores[0]
