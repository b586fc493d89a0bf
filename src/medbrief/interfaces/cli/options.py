"""Options shared by commands that retrieve: filters and output format."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from medbrief.types import DESIGNS, Filters

F = Callable[..., Any]


def filter_options(f: F) -> F:
    for option in reversed(
        [
            click.option(
                "--year-min", type=int, help="Only items published in or after this year."
            ),
            click.option(
                "--year-max", type=int, help="Only items published in or before this year."
            ),
            click.option(
                "--design",
                "designs",
                multiple=True,
                type=click.Choice(DESIGNS),
                help="Only studies of this design (repeatable).",
            ),
            click.option(
                "--kind",
                "kinds",
                multiple=True,
                type=click.Choice(["research", "guideline", "recommendation"]),
                help="Only this kind of item (repeatable): research articles, guideline "
                "documents, or graded recommendations.",
            ),
            click.option(
                "--publication-type",
                "publication_types",
                multiple=True,
                help="Only this PubMed publication type ('Randomized Controlled Trial').",
            ),
        ]
    ):
        f = option(f)
    return f


def filters_from(
    year_min: int | None,
    year_max: int | None,
    designs: tuple[str, ...],
    kinds: tuple[str, ...],
    publication_types: tuple[str, ...],
) -> Filters | None:
    if year_min is not None and year_max is not None and year_min > year_max:
        raise click.BadParameter(f"--year-min {year_min} is after --year-max {year_max}")
    filters = Filters(year_min, year_max, publication_types, kinds, designs)  # type: ignore[arg-type]
    return None if filters == Filters() else filters
