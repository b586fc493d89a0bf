"""Sentence similarity with the loaded embedder, cached per text for one brief."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


class CachedSimilarity:
    """``similarity(claim, sentences)`` as cosine of normalised embeddings."""

    def __init__(self, embedder: Any) -> None:
        self._embedder = embedder
        self._cache: dict[str, np.ndarray] = {}

    def warm(self, texts: Sequence[str]) -> None:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            vectors = np.asarray(self._embedder.embed(missing), dtype=np.float32)
            self._cache.update(zip(missing, vectors, strict=True))

    def __call__(self, claim: str, sentences: Sequence[str]) -> list[float]:
        self.warm([claim, *sentences])
        c = self._cache[claim]
        return [float(np.clip(np.dot(c, self._cache[s]), 0.0, 1.0)) for s in sentences]
