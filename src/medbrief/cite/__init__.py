"""Cite: every [n] resolves, every cited claim is supported by its source."""

from medbrief.cite.check import (
    CheckResult,
    check_facets,
    check_findings,
    check_support,
    unresolved_markers,
)

__all__ = ["CheckResult", "check_facets", "check_findings", "check_support", "unresolved_markers"]
