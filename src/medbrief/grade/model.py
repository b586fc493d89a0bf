"""A multinomial logistic regression over sparse named features, in numpy.

Small enough to train in seconds on the 500 PubMedQA PQA-L questions and to
ship as JSON: ``{"classes": [...], "bias": [...], "weights": {feature:
[one weight per class]}, "training": {...}}``. The objective is the mean
cross-entropy plus ``l2 / 2 * ||W||^2`` (the bias is not penalised),
minimised with Adam (Kingma & Ba 2015) on the full batch.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

Features = Mapping[str, float]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class LinearModel:
    classes: tuple[str, ...]
    index: dict[str, int]
    weights: FloatArray  # (features, classes)
    bias: FloatArray  # (classes,)
    training: dict[str, Any] = field(default_factory=dict)

    def scores(self, features: Features) -> FloatArray:
        z = self.bias.copy()
        for name, value in features.items():
            row = self.index.get(name)
            if row is not None and value:
                z += value * self.weights[row]
        return z

    def proba(self, features: Features) -> dict[str, float]:
        z = self.scores(features)
        p = np.exp(z - z.max())
        p /= p.sum()
        return {c: float(v) for c, v in zip(self.classes, p, strict=True)}

    def predict(self, features: Features) -> str:
        return self.classes[int(np.argmax(self.scores(features)))]

    def to_json(self) -> dict[str, Any]:
        names = sorted(self.index, key=self.index.__getitem__)
        return {
            "classes": list(self.classes),
            "bias": [round(float(b), 6) for b in self.bias],
            "weights": {
                n: [round(float(w), 6) for w in self.weights[self.index[n]]]
                for n in names
                if np.abs(self.weights[self.index[n]]).max() >= 1e-5
            },
            "training": self.training,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LinearModel:
        names = list(data["weights"])
        weights = np.array([data["weights"][n] for n in names], dtype=np.float64)
        return cls(
            classes=tuple(data["classes"]),
            index={n: i for i, n in enumerate(names)},
            weights=weights.reshape(len(names), len(data["classes"])),
            bias=np.array(data["bias"], dtype=np.float64),
            training=dict(data.get("training", {})),
        )

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), separators=(",", ":"), sort_keys=True) + "\n")

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        return cls.from_json(json.loads(path.read_text()))


def train(
    examples: Sequence[Features],
    labels: Sequence[str],
    *,
    l2: float = 0.02,
    min_count: int = 2,
    steps: int = 600,
    learning_rate: float = 0.05,
    classes: Sequence[str] | None = None,
) -> LinearModel:
    """Fit the model; features seen in fewer than ``min_count`` examples are dropped."""
    if len(examples) != len(labels) or not examples:
        raise ValueError("need as many labels as examples, and at least one")
    counts = Counter(name for ex in examples for name, v in ex.items() if v)
    names = sorted(n for n, c in counts.items() if c >= min_count)
    index = {n: i for i, n in enumerate(names)}
    cls = tuple(classes) if classes else tuple(sorted(set(labels)))
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for i, ex in enumerate(examples):
        for name, value in ex.items():
            j = index.get(name)
            if j is not None and value:
                rows.append(i)
                cols.append(j)
                vals.append(value)
    x = _Sparse(len(examples), len(names), np.array(rows), np.array(cols), np.array(vals))
    y = np.zeros((len(labels), len(cls)))
    y[np.arange(len(labels)), [cls.index(label) for label in labels]] = 1.0
    w, b = _adam(x, y, l2=l2, steps=steps, learning_rate=learning_rate)
    return LinearModel(cls, index, w, b)


@dataclass(frozen=True)
class _Sparse:
    """A sparse matrix in coordinate form: the features are ~5% dense."""

    n_rows: int
    n_cols: int
    rows: npt.NDArray[np.int_]
    cols: npt.NDArray[np.int_]
    vals: FloatArray

    def dot(self, w: FloatArray) -> FloatArray:
        """``x @ w`` for a dense ``w`` of shape (n_cols, k)."""
        contrib = self.vals[:, None] * w[self.cols]
        return np.stack(
            [np.bincount(self.rows, contrib[:, c], self.n_rows) for c in range(w.shape[1])],
            axis=1,
        )

    def tdot(self, g: FloatArray) -> FloatArray:
        """``x.T @ g`` for a dense ``g`` of shape (n_rows, k)."""
        contrib = self.vals[:, None] * g[self.rows]
        return np.stack(
            [np.bincount(self.cols, contrib[:, c], self.n_cols) for c in range(g.shape[1])],
            axis=1,
        )


def _adam(
    x: _Sparse, y: FloatArray, *, l2: float, steps: int, learning_rate: float
) -> tuple[FloatArray, FloatArray]:
    n, d = x.n_rows, x.n_cols
    k = y.shape[1]
    # Start the bias at the log class priors: fewer steps to converge.
    prior = y.mean(axis=0).clip(1e-6)
    params = [np.zeros((d, k)), np.log(prior) - np.log(prior).mean()]
    moments = [[np.zeros_like(p), np.zeros_like(p)] for p in params]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for t in range(1, steps + 1):
        z = x.dot(params[0]) + params[1]
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - y) / n
        grads = [x.tdot(g) + l2 * params[0], g.sum(axis=0)]
        for i, grad in enumerate(grads):
            first, second = moments[i]
            first *= beta1
            first += (1 - beta1) * grad
            second *= beta2
            second += (1 - beta2) * grad * grad
            step = (first / (1 - beta1**t)) / (np.sqrt(second / (1 - beta2**t)) + eps)
            params[i] -= learning_rate * step
    return params[0], params[1]


def log_loss(model: LinearModel, examples: Sequence[Features], labels: Sequence[str]) -> float:
    total = 0.0
    for ex, label in zip(examples, labels, strict=True):
        total -= math.log(max(model.proba(ex)[label], 1e-12))
    return total / len(examples)
