"""Name -> backend factory, for every swappable part.

Backends are found through Python entry points (group ``medbrief.<kind>``),
the built-in ones included: medbrief's own pyproject declares them exactly
as a third-party plugin would. Tests and applications may also register a
factory at run time with :func:`register`. Nothing is imported until a
backend is asked for by name.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from medbrief.errors import ConfigError

#: The kinds of swappable part, each with its Protocol.
KINDS = ("lexical", "vector", "embedder")

_runtime: dict[tuple[str, str], Callable[..., Any]] = {}


def register(kind: str, name: str, factory: Callable[..., Any]) -> None:
    """Register ``factory`` as backend ``name`` of ``kind`` (overrides entry points)."""
    if kind not in KINDS:
        raise ConfigError(f"unknown backend kind {kind!r}; kinds are {', '.join(KINDS)}")
    _runtime[(kind, name)] = factory


def unregister(kind: str, name: str) -> None:
    _runtime.pop((kind, name), None)


def names(kind: str) -> list[str]:
    found = {ep.name for ep in entry_points(group=f"medbrief.{kind}")}
    found |= {n for (k, n) in _runtime if k == kind}
    return sorted(found)


def factory(kind: str, name: str) -> Callable[..., Any]:
    if (kind, name) in _runtime:
        return _runtime[(kind, name)]
    for ep in entry_points(group=f"medbrief.{kind}", name=name):
        loaded: Callable[..., Any] = ep.load()
        return loaded
    known = ", ".join(names(kind)) or "none installed"
    raise ConfigError(f"unknown {kind} backend {name!r}; available: {known}")


def create(kind: str, name: str, *args: Any, **kwargs: Any) -> Any:
    return factory(kind, name)(*args, **kwargs)
