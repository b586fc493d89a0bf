"""``--ray`` on a real local Ray cluster (2 CPUs): parsing and embedding on Ray
workers give the store and the vectors a single process gives."""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from fake_nlm import FakeNLM, medline, split_records
from medbrief.index import open_vector, sync
from medbrief.index.build import build_embedder
from medbrief.index.cache import VectorCache, cache_path
from medbrief.index.embed import MiniLMEmbedder
from medbrief.ingest import ingest_paths, read
from medbrief.ingest.parallel import ingest_parallel
from medbrief.interfaces.cli import main
from medbrief.settings import Settings, get_settings
from medbrief.store import Store
from medbrief.types import Document
from medbrief.workers import RayPool

pytestmark = [
    pytest.mark.integration,
]

ray = pytest.importorskip("ray", reason="Ray is in the test extra: pip install -e '.[test]'")


@pytest.fixture(scope="module")
def cluster() -> Iterator[RayPool]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        pool = RayPool()  # joins the cluster this process started
        assert pool.workers == 2
        yield pool
    finally:
        ray.shutdown()


def contents(store: Store) -> tuple[list[object], list[object], list[object]]:
    docs = store.conn.execute("SELECT id, version, hash, data FROM documents ORDER BY id")
    dead = store.conn.execute("SELECT id, key >= 0 FROM tombstones ORDER BY id")
    log = store.conn.execute(
        "SELECT status, records, inserted, updated, unchanged, deleted FROM ingest_log ORDER BY n"
    )
    return docs.fetchall(), dead.fetchall(), log.fetchall()


def test_ray_ingest_gives_the_single_process_store(
    shared: Path, tmp_path: Path, cluster: RayPool
) -> None:
    files = sorted((shared / "pubmed").glob("pubmed2*.xml.gz"))
    assert len(files) == 2
    with Store.open(tmp_path / "one.sqlite3") as one, Store.open(tmp_path / "ray.sqlite3") as many:
        ingest_paths(one, "pubmed", files)
        reports = ingest_parallel(many, "pubmed", files, cluster)
        assert [r.path for r in reports] == [str(f) for f in files]
        assert many.count() == 30_000 + 20_783
        assert contents(one) == contents(many)


def test_ray_embedding_gives_the_single_process_vectors(
    shared: Path, settings: Settings, tmp_path: Path, cluster: RayPool
) -> None:
    update = shared / "pubmed" / "pubmed21n1298.xml.gz"
    docs = [d for d in islice(read("pubmed", update), 300) if isinstance(d, Document)]
    docs = [d for d in docs if d.abstract][:60]
    there = settings.model_copy(update={"home": tmp_path / "ray-home"})
    for s in (settings, there):
        with Store.open(s.db_path) as store:
            store.write_documents(docs)
            embedder = build_embedder(s, cluster if s is there else None)
            index = open_vector(s, embedder)
            assert index is not None and sync(index, store) == 60

    def vectors(s: Settings) -> dict[bytes, np.ndarray]:
        name = MiniLMEmbedder().name
        cache = VectorCache(cache_path(s.index_dir, name), name, 384)
        rows = cache.conn.execute("SELECT hash, vec FROM vectors").fetchall()
        cache.close()
        return {h: np.frombuffer(v, dtype=np.float16) for h, v in rows}

    here, ray_built = vectors(settings), vectors(there)
    assert len(here) >= 60 and here.keys() == ray_built.keys()
    assert all(np.array_equal(here[h], ray_built[h]) for h in here)


def test_pubmed_sync_with_ray(shared: Path, tmp_path: Path, cluster: RayPool) -> None:
    (part,) = split_records(shared / "pubmed" / "pubmed20n0014.xml.gz", 1, 300)
    with FakeNLM() as nlm:
        nlm.add("baseline", "pubmed25n0001.xml.gz", medline(part[:150]))
        nlm.add("baseline", "pubmed25n0002.xml.gz", medline(part[150:]))
        env = {
            "MEDBRIEF_PUBMED_BASE_URL": nlm.base_url,
            "MEDBRIEF_LOAD_STARTER": "false",
            "MEDBRIEF_VECTOR_BACKEND": "none",
        }
        home = tmp_path / "home"
        result = CliRunner(env=env).invoke(
            main, ["--home", str(home), "pubmed", "sync", "--json", "--ray"]
        )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["records"] == 300
    with Store.open(get_settings(home=home).db_path) as store:
        assert store.count() == 300
