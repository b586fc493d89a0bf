"""The small metadata file every index keeps beside its data.

It records what built the index (backend, model, dimension, index schema
version, medbrief version) and the watermark. Opening an index built by
something else fails with :class:`IndexStateError` rather than returning
silently wrong results (vectors of another model are not comparable).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from medbrief.errors import IndexStateError, disk_full, is_disk_full
from medbrief.index.base import INDEX_SCHEMA_VERSION

REBUILD_HINT = "run `medbrief index --rebuild` to recreate it from the store"


def medbrief_version() -> str:
    try:
        return version("medbrief")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


@dataclass(frozen=True, slots=True)
class IndexMeta:
    backend: str
    schema: int = INDEX_SCHEMA_VERSION
    model: str | None = None
    dim: int | None = None
    watermark: int = 0
    items: int = 0
    medbrief: str = ""
    updated: str = ""
    #: backend-specific numbers (e.g. the highest faiss label persisted)
    extra: dict[str, Any] | None = None

    def advanced(self, watermark: int, items: int, **extra: Any) -> IndexMeta:
        return replace(
            self,
            watermark=watermark,
            items=items,
            medbrief=medbrief_version(),
            updated=datetime.now(UTC).isoformat(timespec="seconds"),
            extra={**(self.extra or {}), **extra},
        )


def read_meta(path: Path) -> IndexMeta | None:
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return IndexMeta(**data)
    except (OSError, ValueError, TypeError) as exc:
        raise IndexStateError(
            f"index metadata {path} is unreadable ({exc}); {REBUILD_HINT}"
        ) from None


def write_meta(path: Path, meta: IndexMeta) -> None:
    """Write atomically: a crash leaves the old file or the new one, never half."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8") as f:
            json.dump(asdict(meta), f, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if is_disk_full(exc):
            raise disk_full(f"cannot write {path}") from None
        raise


def check_meta(
    path: Path, found: IndexMeta, backend: str, model: str | None = None, dim: int | None = None
) -> None:
    """Raise :class:`IndexStateError` unless ``found`` was built the way we would build it."""
    problems = []
    if found.backend != backend:
        problems.append(f"backend {found.backend!r}, settings ask for {backend!r}")
    if found.schema != INDEX_SCHEMA_VERSION:
        problems.append(
            f"index schema version {found.schema}, this medbrief uses {INDEX_SCHEMA_VERSION}"
        )
    if model is not None and found.model != model:
        problems.append(f"embedding model {found.model!r}, settings ask for {model!r}")
    if dim is not None and found.dim != dim:
        problems.append(f"dimension {found.dim}, the model gives {dim}")
    if problems:
        raise IndexStateError(
            f"the index at {path.parent} was built with {'; '.join(problems)}: {REBUILD_HINT}"
        )


def remove_temporaries(index_dir: Path) -> None:
    """Delete the ``*.tmp`` files that atomic writes (``faiss.tmp``,
    ``meta.json.tmp``) leave when their process is killed mid-write: the
    files they were replacing are intact, and the next write makes new ones."""
    for path in index_dir.glob("*/*.tmp"):
        if path.is_file():
            path.unlink(missing_ok=True)


def dir_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    if not path.exists():
        return 0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
