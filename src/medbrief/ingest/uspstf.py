"""USPSTF Prevention TaskForce API JSON: the raw API dump and the flat
one-topic-per-line JSONL made from it.

Each ``specificRecommendations`` entry becomes one Recommendation
``uspstf:<id>``; its topic (``generalRecommendations``) gives the guideline
title, year, type of service and the Rationale and Clinical Considerations
text, kept as key points: one per subsection, headed by its heading, with
footnote markers and markup removed but the words untouched.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from typing import Any

from medbrief.errors import IngestError
from medbrief.ingest.grading import normalise_certainty, normalise_strength, uspstf_direction
from medbrief.ingest.records import checked
from medbrief.types import Recommendation

BODY = "U.S. Preventive Services Task Force (USPSTF)"
_SITE = "https://www.uspreventiveservicestaskforce.org/uspstf/recommendation/"
_GRADES = frozenset("ABCDI")
_BLOCK_TAGS = re.compile(r"<\s*(/?)\s*(h[1-6]|p|li|tr|div|br|ul|ol|table)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
_CELL = re.compile(r"<\s*/?\s*t[dh]\b[^>]*>", re.I)
# <sup>12</sup> or <sup>3-5, 8</sup>: reference markers, unless a unit
# exponent such as kg/m<sup>2</sup>.
_SUP_REF = re.compile(r"(?<!/m)(?<![0-9]m)<sup>\s*[\d,\s\u2013-]+\s*</sup>", re.I)
# The same markers left as bare numbers by a text export: "benefit. 2 The"
_BARE_REF = re.compile(
    r"([.;:,)\]])[ \t]+\d{1,3}(?:\s*[,\u2013-]\s*\d{1,3})*[ \t]*(?=\n|$| [A-Z(])"
)
_HEADING_MAX = 90


def iter_uspstf_api(data: dict[str, Any], name: str) -> Iterator[Recommendation]:
    """Recommendations of the raw API dump (one JSON object)."""
    topics = _shape(data.get("generalRecommendations") or {}, dict, "generalRecommendations", name)
    specs = _shape(data.get("specificRecommendations") or [], list, "specificRecommendations", name)
    for n, item in enumerate(specs, 1):
        spec = _shape(item, dict, "a recommendation", name, f"recommendation {n}")
        where = f"id {spec.get('id')!s:.40}"
        topic = topics.get(str(spec.get("general")))
        if topic is None:
            raise IngestError(name, "recommendation without its topic", where)
        topic = _shape(topic, dict, "a topic", name, where)
        yield _recommendation(
            spec,
            topic,
            statement=html_paragraphs(_text(spec.get("text"))),
            key_points=[
                *_key_points(html_blocks(_text(topic.get("rationale")))),
                *_key_points(html_blocks(_text(topic.get("clinical")))),
            ],
            name=name,
            where=where,
        )


def iter_uspstf_flat(
    rows: Iterable[tuple[int, dict[str, Any]]], name: str
) -> Iterator[Recommendation]:
    """Recommendations of the flat JSONL (one topic per line)."""
    for lineno, topic in rows:
        where = f"line {lineno}"
        if "recommendations" not in topic or "uspstfAlias" not in topic:
            raise IngestError(name, "not a USPSTF topic line", where)
        for item in _shape(topic["recommendations"], list, "recommendations", name, where):
            spec = _shape(item, dict, "a recommendation", name, where)
            yield _recommendation(
                spec,
                topic,
                statement=text_paragraphs(_text(spec.get("text"))),
                key_points=[
                    *_key_points(text_blocks(_text(topic.get("rationale")))),
                    *_key_points(text_blocks(_text(topic.get("clinical_considerations")))),
                ],
                name=name,
                where=where,
            )


def _shape(value: Any, kind: type, what: str, name: str, where: str | None = None) -> Any:
    """``value``, or an IngestError unless it is a ``kind`` (dict or list)."""
    if not isinstance(value, kind):
        shape = "an object" if kind is dict else "a list"
        raise IngestError(name, f"{what} must be {shape}", where)
    return value


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _recommendation(
    spec: dict[str, Any],
    topic: dict[str, Any],
    *,
    statement: str,
    key_points: list[str],
    name: str,
    where: str,
) -> Recommendation:
    grade = str(spec.get("grade") or "").strip().upper()
    if grade not in _GRADES:
        raise IngestError(name, f"unknown USPSTF grade {grade!r:.40}", where)
    if spec.get("id") in (None, ""):
        raise IngestError(name, "recommendation without an id", where)
    title = _text(spec.get("title"))
    # "Cervical Cancer: Screening -- Women aged 21 to 65 years"
    _, sep, population = title.partition(" -- ")
    strength = f"Grade {grade}"
    alias = _text(topic.get("uspstfAlias"))
    rec = Recommendation(
        id=f"uspstf:{spec['id']}",
        guideline_title=_text(topic.get("title")) or title,
        body=BODY,
        statement=statement,
        year=topic.get("topicYear"),
        direction=uspstf_direction(grade),
        strength=strength,
        strength_norm=normalise_strength(strength, BODY),
        certainty=None,  # stated only by the grade's generic definition
        certainty_norm=normalise_certainty(None),
        population=population.strip() if sep else None,
        section=_text(topic.get("topicType")) or None,
        url=f"{_SITE}{alias}" if alias else None,
        key_points=tuple(key_points),
        statement_type="verbatim",
        source="uspstf",
    )
    return checked(rec, name, where)


# ---------------------------------------------------------------- cleaning

Block = tuple[str, str]  # ("heading" | "text", text)


def html_blocks(markup: str) -> list[Block]:
    """Headings and paragraphs of an HTML fragment, as plain text."""
    markup = _SUP_REF.sub("", markup)
    blocks: list[Block] = []
    kind = "text"
    pos = 0
    for tag in _BLOCK_TAGS.finditer(markup + "<p>"):
        chunk = _plain(markup[pos : tag.start()])
        if chunk:
            blocks.append((kind, chunk))
        closing, name = tag.group(1), tag.group(2).lower()
        kind = "heading" if name.startswith("h") and not closing and name != "h1" else "text"
        pos = tag.end()
    return blocks


def text_blocks(text: str) -> list[Block]:
    """Headings and paragraphs of the flat export's text: a short line with
    no closing punctuation standing alone is a heading."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", _BARE_REF.sub(r"\1", text)):
        lines = [" ".join(line.split()) for line in chunk.splitlines() if line.strip()]
        while len(lines) > 1 and _looks_like_heading(lines[0]):
            blocks.append(("heading", lines.pop(0)))
        if len(lines) == 1 and _looks_like_heading(lines[0]):
            blocks.append(("heading", lines[0]))
        elif lines:
            blocks.append(("text", " ".join(lines)))
    return blocks


def _looks_like_heading(line: str) -> bool:
    return len(line) <= _HEADING_MAX and not re.search(r"[.:;?!,)\]]$", line)


def _key_points(blocks: list[Block]) -> list[str]:
    """One key point per subsection: "Heading: paragraph paragraph"."""
    points: list[str] = []
    heading: str | None = None
    body: list[str] = []

    def close() -> None:
        if body:
            text = " ".join(body)
            points.append(f"{heading}: {text}" if heading else text)

    for kind, text in blocks:
        if kind == "heading":
            close()
            heading, body = text, []
        else:
            body.append(text)
    close()
    # the section title alone ("Rationale") heads nothing
    return points


def html_paragraphs(markup: str) -> str:
    return "\n\n".join(text for _, text in html_blocks(markup))


def text_paragraphs(text: str) -> str:
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p)


def _plain(markup: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", _CELL.sub(" ", markup))).split())
