"""The public surface: exactly ``__all__``, every setting described, the error tree."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

import medbrief
from medbrief import errors, registry
from medbrief.errors import ConfigError, MedbriefError
from medbrief.settings import Settings, get_settings


def test_public_api_is_exactly_all() -> None:
    # submodules become attributes once imported anywhere; they are not API
    public = {
        n
        for n in dir(medbrief)
        if not n.startswith("_") and not isinstance(getattr(medbrief, n), types.ModuleType)
    }
    assert public | {"Engine", "__version__"} == set(medbrief.__all__)
    for name in medbrief.__all__:
        assert getattr(medbrief, name) is not None


def test_import_is_cheap_and_side_effect_free() -> None:
    code = (
        "import sys, medbrief; heavy = {'faiss', 'onnxruntime', 'tantivy', 'fastapi', 'lxml'};"
        " print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_setting_is_described() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description and len(field.description) > 15, name


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDBRIEF_RRF_K", "10")
    monkeypatch.setenv("MEDBRIEF_NCBI_API_KEY", "k")
    s = get_settings()
    assert (s.rrf_k, s.effective_rate_limit) == (10, 10.0)
    monkeypatch.setenv("MEDBRIEF_RRF_K", "zero")
    with pytest.raises(ConfigError, match="rrf_k"):
        get_settings()


def test_every_error_is_a_medbrief_error_with_an_exit_code() -> None:
    classes = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, Exception)]
    for cls in classes:
        assert issubclass(cls, MedbriefError)
        assert cls.exit_code > 0 and 400 <= cls.http_status < 600


def test_backends_register_through_entry_points_like_plugins() -> None:
    assert {"tantivy", "fts5"} <= set(registry.names("lexical"))
    assert {"hnsw-sq8", "ivf-pq"} <= set(registry.names("vector"))
    assert "minilm-int8" in registry.names("embedder")
    with pytest.raises(ConfigError, match="unknown lexical backend 'nope'"):
        registry.factory("lexical", "nope")
    registry.register("lexical", "toy", lambda settings: "toy index")
    try:
        assert registry.create("lexical", "toy", None) == "toy index"
    finally:
        registry.unregister("lexical", "toy")
