"""Property-based test of the HTTP API: schemathesis generates requests from
/openapi.json and sends them to the real server; none may end in a 5xx, and
every response must match what the spec documents (status, content type,
schema). Valid requests (positive mode) and invalid ones (negative mode: wrong
types, out-of-range values, missing fields) for every operation.

Runs on the real engine with the starter corpus once the pipeline exists (see
api_support.make_engine), else on the fake engine over the RLS records.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis

# Imported here, at collection, rather than lazily inside from_url(): pytest
# rewrites schemathesis's modules as it imports them, and on CPython 3.11 an
# ast.parse() that runs after an earlier test in the same worker hit a
# RecursionError fails with "SystemError: AST constructor recursion depth
# mismatch" (seen once in `pytest -n 2`; the file passes alone).
import schemathesis.specs.openapi.schemas
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api_support import engine_kind, make_engine, running
from fake_engine import FakeEngine
from medbrief.interfaces.api import create_app

pytestmark = pytest.mark.integration

#: Examples per operation and mode: enough to reach the limits of every
#: parameter while keeping the run to tens of seconds on the real engine.
EXAMPLES = 15 if engine_kind() == "real" else 40


#: Operations without a constrained input: no invalid request can be made for them.
UNCONSTRAINED = {"GET /healthz", "GET /api/meta", "GET /api/documents/{ref}"}


def cases() -> list[tuple[str, GenerationMode]]:
    spec = create_app(FakeEngine([])).openapi()
    labels = [f"{method.upper()} {path}" for path, ops in spec["paths"].items() for method in ops]
    return [(label, GenerationMode.POSITIVE) for label in labels] + [
        (label, GenerationMode.NEGATIVE) for label in labels if label not in UNCONSTRAINED
    ]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    engine = make_engine(Path(tmp_path_factory.mktemp("home")))
    with running(create_app(engine, warm=True)) as url:
        yield url
    close = getattr(engine, "close", None)
    if close is not None:
        close()


@pytest.fixture(scope="module")
def api_schema(base_url: str) -> Any:
    return schemathesis.openapi.from_url(f"{base_url}/openapi.json")


@pytest.mark.parametrize(("label", "mode"), cases(), ids=lambda v: str(getattr(v, "value", v)))
def test_api_matches_its_spec_and_never_fails(
    api_schema: Any, base_url: str, label: str, mode: GenerationMode
) -> None:
    operation = api_schema.find_operation_by_label(label)

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        # positive_data_acceptance expects every schema-valid request to succeed, but
        # some rules cannot be written in JSON Schema (year_min <= year_max, a
        # question that is not only blanks): those get a documented 400.
        case.call_and_validate(
            base_url=base_url, timeout=60, excluded_checks=[positive_data_acceptance]
        )

    check()
