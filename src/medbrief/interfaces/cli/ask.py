"""medbrief ask: the evidence brief for a clinical question."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from medbrief.interfaces.cli import CliContext, pass_cli
from medbrief.interfaces.cli.options import filter_options, filters_from


@click.command()
@click.argument("question")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "json", "html"]),
    default="markdown",
    show_default=True,
    help="Output format. JSON follows the documented brief contract (docs/json-contract.md).",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option(
    "--live",
    is_flag=True,
    help="Search PubMed (NCBI E-utilities) first and add the top records to the store. "
    "Without network, says so and answers from the local store.",
)
@filter_options
@pass_cli
def ask(
    cli: CliContext, question: str, fmt: str, as_json: bool, live: bool, **filters: Any
) -> None:
    """Write an evidence brief for QUESTION from the guidelines and studies in the store.

    \b
    The brief has five parts:
      How the question was read   spelling corrections, expanded abbreviations, concepts
      From the Guidelines         recommendations with body, year, strength and certainty as stated
      From the Research           findings per sub-topic, each cited, with design, size and year
      Key Findings                a short summary
      References                  guidelines first, with PMID/DOI and links

    \b
    Examples:
      medbrief ask "iron, blood drain barrier and restless legs syndrome"
      medbrief ask "Should adults aged 45 to 49 be screened for colorectal cancer?" --json
      medbrief ask "statins for primary prevention" --year-min 2015 --design rct
    """
    from medbrief.engine import Engine

    with Engine(cli.settings()) as engine:
        brief = engine.answer(question, filters=filters_from(**filters), live=live)
    fmt = "json" if as_json else fmt
    if fmt == "json":
        from medbrief.render.json import brief_to_dict

        out: Any = json.dumps(brief_to_dict(brief), indent=2, ensure_ascii=False)
    elif fmt == "html":
        from medbrief.render.html import render_html

        out = render_html(brief)
    else:
        from medbrief.render.markdown import render_markdown

        out = render_markdown(brief)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
