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
    The brief, the answer first:
      Bottom line / Key Findings  what the evidence adds up to, cited
      From the Guidelines         recommendations with body, year, strength and certainty as
                                  stated, and what each grading system's grades mean
      From the Research           findings per sub-topic, each cited, with design, size and year
      How the question was read   spelling corrections, expanded abbreviations, concepts
      References                  one per guideline document, then studies (Vancouver style)
      Provenance                  medbrief version, corpus, filters, time generated
    When nothing stored addresses the question it says so, with a PubMed search
    for the same concepts and what the store does hold nearby.

    \b
    Examples:
      medbrief ask "iron, blood drain barrier and restless legs syndrome"
      medbrief ask "Should adults aged 45 to 49 be screened for colorectal cancer?" --json
      medbrief ask "statins for primary prevention" --year-min 2015 --design rct
    """
    from medbrief.engine import Engine

    chosen = filters_from(**filters)
    related: tuple[str, ...] = ()
    with Engine(cli.settings()) as engine:
        brief = engine.answer(question, filters=chosen, live=live)
        provenance = engine.provenance(chosen)
        if brief.abstained and fmt != "json" and not as_json:
            from medbrief.synthesize.related import related_topics

            related = related_topics(engine.search(question, k=30))
    fmt = "json" if as_json else fmt
    if fmt == "json":
        from medbrief.render.json import brief_to_dict

        out: Any = json.dumps(brief_to_dict(brief, provenance), indent=2, ensure_ascii=False)
    elif fmt == "html":
        from medbrief.render.html import render_html

        out = render_html(brief, provenance, related)
    else:
        from medbrief.render.markdown import render_markdown

        out = render_markdown(brief, provenance, related)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
