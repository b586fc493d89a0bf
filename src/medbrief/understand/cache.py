"""The vocabulary on disk, under ``<home>/vocabulary``, and when to rebuild it.

The cache records the store's change counter (``seq``) and document count at
build time. A vocabulary is kept while the corpus has changed little (fewer
than :data:`REBUILD_FRACTION` of its documents written since): word
frequencies barely move with a few more records, and the build costs a pass
over the store. It is rebuilt when the corpus grew or changed a lot, when
the curated data or the installed vocabularies changed, or on request.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from medbrief.settings import Settings
from medbrief.store import Store
from medbrief.understand import sources
from medbrief.understand.vocabulary import FORMAT, Vocabulary, build_vocabulary

REBUILD_FRACTION = 0.1
#: Documents read for the corpus counts at most: word frequencies from an even
#: sample of a large store are as good for spelling as from all of it, and a
#: build over all of PubMed would take an hour and gigabytes of counters.
SAMPLE_DOCUMENTS = 200_000
_VOCAB = "vocabulary.msgpack"
_MANIFEST = "manifest.json"


def vocabulary_dir(settings: Settings) -> Path:
    return settings.home / "vocabulary"


def load_vocabulary(
    settings: Settings,
    store: Store | None = None,
    *,
    rebuild: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Vocabulary:
    """The cached vocabulary if still good for ``store``, else a fresh build."""
    folder = vocabulary_dir(settings)
    digest = sources.data_digest()
    manifest = _read_manifest(folder)
    if not rebuild and manifest is not None and _fresh(manifest, digest, store):
        try:
            return Vocabulary.load(folder / _VOCAB, folder / manifest["symspell"])
        except (OSError, ValueError, KeyError, msgspec.DecodeError):
            pass  # unreadable cache: rebuild below
    return _build(folder, digest, store, progress)


def _fresh(manifest: dict[str, Any], digest: str, store: Store | None) -> bool:
    if manifest.get("format") != FORMAT or manifest.get("digest") != digest:
        return False
    if store is None:
        return True
    built_seq = int(manifest.get("seq", 0))
    seq = store.max_seq()
    if seq == built_seq:
        return True
    if seq < built_seq:
        return False  # another store (or a recreated one) in this home
    changed = store.count_changes(built_seq)
    return changed <= REBUILD_FRACTION * int(manifest.get("documents", 0))


def _build(
    folder: Path, digest: str, store: Store | None, progress: Callable[[int], None] | None
) -> Vocabulary:
    started = time.perf_counter()
    seq = store.max_seq() if store is not None else 0
    documents = store.count() if store is not None else 0
    if store is not None:
        sample = store.sample_documents(SAMPLE_DOCUMENTS)
        vocab = build_vocabulary(sample, store.iter_recommendations(), progress)
    else:
        vocab = build_vocabulary(progress=progress)
    folder.mkdir(parents=True, exist_ok=True)
    symspell = f"symspell-{time.time_ns()}.pkl"
    vocab.save(folder / _VOCAB)
    vocab.symspell_path = folder / symspell
    manifest = {
        "format": FORMAT,
        "digest": digest,
        "seq": seq,
        # the store's size, not the sample's: what a later change is measured against
        "documents": max(documents, vocab.corpus_documents),
        "symspell": symspell,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "build_seconds": round(time.perf_counter() - started, 2),
        "stats": vocab.stats(),
    }
    tmp = folder / f".{_MANIFEST}.{time.time_ns()}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    tmp.replace(folder / _MANIFEST)
    for old in folder.glob("symspell-*.pkl"):
        if old.name != symspell:
            old.unlink(missing_ok=True)
    return vocab


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def manifest(settings: Settings) -> dict[str, Any] | None:
    """What the cached vocabulary was built from (for ``medbrief`` status output)."""
    return _read_manifest(vocabulary_dir(settings))
