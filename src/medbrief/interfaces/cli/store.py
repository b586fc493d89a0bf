"""medbrief stats | show ID | settings: look inside the store and the settings."""

from __future__ import annotations

import json
import textwrap
from typing import Any

import click

from medbrief.interfaces.cli import CliContext, pass_cli
from medbrief.types import Document, Recommendation

_TOP = 15  # rows per breakdown in the human-readable stats


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print every count as JSON.")
@pass_cli
def stats(cli: CliContext, as_json: bool) -> None:
    """Counts in the store: by kind, source, publication type and year.

    `documents` counts research articles plus guideline documents (PubMed
    records typed Practice Guideline or Guideline, guideline summaries);
    graded guideline recommendations are counted separately.
    """
    from medbrief.engine import Engine

    with Engine(cli.settings()) as engine:
        data = engine.store.stats()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"store            {data['store']} (schema {data['schema_version']})")
    click.echo(
        f"documents        {data['documents']:,} "
        f"({data['research']:,} research, {data['guideline_documents']:,} guideline documents)"
    )
    click.echo(f"recommendations  {data['recommendations']:,}")
    click.echo(f"deleted (PubMed) {data['deleted']:,}")
    for title, key in (
        ("by source", "by_source"),
        ("by publication type", "by_publication_type"),
        ("recommendations by issuing body", "recommendations_by_body"),
    ):
        _table(title, data[key], sort=True)
    _table("by year", data["by_year"], sort=False)


def _table(title: str, counts: dict[str, int], sort: bool) -> None:
    if not counts:
        return
    click.echo(f"\n{title}:")
    items = list(counts.items())
    if sort:
        items.sort(key=lambda kv: (-kv[1], kv[0]))
    else:
        items = _decades(items)
    for name, n in items[:_TOP]:
        click.echo(f"  {n:>9,}  {name}")
    if len(items) > _TOP:
        rest = sum(n for _, n in items[_TOP:])
        click.echo(f"  {rest:>9,}  ({len(items) - _TOP} more)")


def _decades(items: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Years grouped by decade when there are many of them."""
    if len(items) <= _TOP:
        return items
    grouped: dict[str, int] = {}
    for year, n in items:
        key = f"{year[:3]}0s" if year.isdigit() else year
        grouped[key] = grouped.get(key, 0) + n
    return list(grouped.items())


@click.command()
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Print the stored record as JSON.")
@pass_cli
def show(cli: CliContext, ref: str, as_json: bool) -> None:
    """Show one stored item with every field.

    REF is a store id (pmid:31229168, beir:scifact:4983, uspstf:426), a bare
    PMID, a DOI, a recommendation id or a source id.
    """
    from medbrief import codec
    from medbrief.engine import Engine

    with Engine(cli.settings()) as engine:
        item = engine.item(_normalise_ref(ref))
    if as_json:
        click.echo(json.dumps(codec.to_builtins(item), indent=2, ensure_ascii=False))
    elif isinstance(item, Recommendation):
        click.echo(format_recommendation(item))
    else:
        click.echo(format_document(item))


def _normalise_ref(ref: str) -> str:
    """DOIs are stored lower-cased; accept "doi:", "https://doi.org/" forms."""
    ref = ref.strip()
    low = ref.lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "doi:"):
        if low.startswith(prefix):
            return low[len(prefix) :]
    return low if low.startswith("10.") else ref


def format_document(doc: Document) -> str:
    lines = [doc.title or "(no title)", ""]
    version = f" (version {doc.version})" if doc.pmid and doc.version != 1 else ""
    pairs: list[tuple[str, Any]] = [
        ("id", doc.id),
        ("kind", doc.kind + ("  ** RETRACTED **" if doc.retracted else "")),
        ("source", f"{doc.source} {doc.source_id}"),
        ("PMID", f"{doc.pmid}{version}" if doc.pmid else None),
        ("DOI", doc.doi),
        ("PMC", doc.pmcid),
        ("journal", doc.journal),
        ("published", doc.pub_date or doc.year),
        ("authors", ", ".join(doc.authors)),
        ("language", doc.language),
        ("types", "; ".join(doc.publication_types)),
        ("keywords", "; ".join(doc.keywords)),
        ("chemicals", "; ".join(doc.chemicals)),
        ("link", doc.link),
        ("note", doc.note),
    ]
    lines += _pairs(pairs)
    if doc.mesh:
        lines.append("MeSH (* = major topic):")
        for h in doc.mesh:
            quals = "".join(f"/{'*' if q.major else ''}{q.name}" for q in h.qualifiers)
            lines.append(f"  {'*' if h.major else ''}{h.descriptor}{quals}")
    if doc.corrections:
        lines.append("comments and corrections:")
        for c in doc.corrections:
            target = " ".join(x for x in (c.source, f"PMID {c.pmid}" if c.pmid else None) if x)
            lines.append(f"  {c.ref_type}: {target}")
    if doc.abstract:
        lines.append("")
        for section in doc.abstract:
            head = f"{section.label}: " if section.label else ""
            lines.append(_wrap(head + section.text))
    return "\n".join(lines)


def format_recommendation(rec: Recommendation) -> str:
    pairs: list[tuple[str, Any]] = [
        ("id", rec.id),
        ("guideline", rec.guideline_title),
        ("issued by", f"{rec.body} {rec.year}" if rec.year else rec.body),
        ("section", rec.section),
        ("population", rec.population),
        ("direction", rec.direction),
        (
            "strength",
            f"{rec.strength} [{rec.strength_norm}]" if rec.strength else rec.strength_norm,
        ),
        (
            "certainty",
            f"{rec.certainty} [{rec.certainty_norm}]" if rec.certainty else rec.certainty_norm,
        ),
        ("statement type", rec.statement_type),
        ("PMID", rec.pmid),
        ("DOI", rec.doi),
        ("link", rec.url),
        ("source", rec.source),
    ]
    paragraphs = [_wrap(p) for p in rec.statement.split("\n\n")]
    lines = ["\n\n".join(paragraphs), "", *_pairs(pairs)]
    if rec.key_points:
        lines += ["", "key points:"]
        lines += [_wrap(p, indent="  - ", rest="    ") for p in rec.key_points]
    return "\n".join(lines)


def _pairs(pairs: list[tuple[str, Any]]) -> list[str]:
    return [f"{k + ':':<16}{v}" for k, v in pairs if v not in (None, "")]


def _wrap(text: str, indent: str = "", rest: str = "") -> str:
    return "\n".join(
        textwrap.wrap(text, width=100, initial_indent=indent, subsequent_indent=rest) or [indent]
    )


@click.command("settings")
@click.option("--json", "as_json", is_flag=True, help="Print settings as JSON.")
@pass_cli
def settings_cmd(cli: CliContext, as_json: bool) -> None:
    """Every setting with its value and description.

    Each can be set in the environment as MEDBRIEF_<NAME> (upper case), e.g.
    MEDBRIEF_HOME=/data/medbrief or MEDBRIEF_LEXICAL_BACKEND=fts5.
    Secrets (the NCBI API key) are shown only as set or unset.
    """
    settings = cli.settings()
    rows = []
    for name, field in type(settings).model_fields.items():
        value = getattr(settings, name)
        if "key" in name and value is not None:
            value = "(set)"
        rows.append(
            {
                "name": name,
                "env": f"MEDBRIEF_{name.upper()}",
                "value": str(value) if value is not None and not _plain(value) else value,
                "description": field.description or "",
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(f"{row['env']} = {row['value']}")
        click.echo(_wrap(row["description"], indent="    ", rest="    "))


def _plain(value: Any) -> bool:
    return isinstance(value, bool | int | float | str)
