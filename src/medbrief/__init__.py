"""medbrief: evidence briefs from clinical guidelines and PubMed, offline.

The public API is exactly ``__all__`` (a test checks it). Importing medbrief
is cheap: the engine, models and indexes load on first use.
"""

import typing as _typing

from medbrief.errors import (
    IngestError,
    InputError,
    MedbriefError,
    NotFoundError,
    QueryError,
)
from medbrief.settings import Settings, get_settings
from medbrief.types import (
    Brief,
    Document,
    Evidence,
    Filters,
    Hit,
    Reading,
    Recommendation,
    Reference,
    SearchResult,
    Stance,
)

if _typing.TYPE_CHECKING:
    from medbrief.engine import Engine

__version__ = "0.1.0"

__all__ = [
    "Brief",
    "Document",
    "Engine",
    "Evidence",
    "Filters",
    "Hit",
    "IngestError",
    "InputError",
    "MedbriefError",
    "NotFoundError",
    "QueryError",
    "Reading",
    "Recommendation",
    "Reference",
    "SearchResult",
    "Settings",
    "Stance",
    "__version__",
    "answer",
    "get_settings",
    "search",
    "stance",
]

_default: "Engine | None" = None


def _engine(settings: Settings | None) -> "Engine":
    from medbrief.engine import Engine

    global _default  # noqa: PLW0603 - one shared engine per process for the convenience API
    if settings is not None:
        return Engine(settings)
    if _default is None:
        _default = Engine()
    return _default


def answer(question: str, *, settings: Settings | None = None, **kwargs: _typing.Any) -> Brief:
    """The evidence brief for a clinical question (see :meth:`Engine.answer`)."""
    return _engine(settings).answer(question, **kwargs)


def search(
    query: str, *, k: int = 10, settings: Settings | None = None, **kwargs: _typing.Any
) -> SearchResult:
    """Hybrid search over the store (see :meth:`Engine.search`)."""
    return _engine(settings).search(query, k=k, **kwargs)


def stance(question: str, abstract: str) -> Stance:
    """What ``abstract`` found on ``question``: yes / no / maybe / not addressed."""
    from medbrief.grade.stance import stance as _stance

    return _stance(question, abstract)


def __getattr__(name: str) -> _typing.Any:
    if name == "Engine":
        from medbrief.engine import Engine

        return Engine
    raise AttributeError(f"module 'medbrief' has no attribute {name!r}")
