"""A collection of guideline summaries in Markdown: ``registry.json`` (a list
of ``{id, title, doi, year, organization, topics, sections}``) and
``content/<id>/<section>.md``, as in ``../shared/data/guidelines/open_medicine``.

Each section file becomes a guideline Document ``guideline:<id>:<section>``,
labelled (``note``) as a summary written by the collection's author, not the
publisher's text. Each bullet that prints an explicit grade in parentheses,
"(Class I)", "(Class IIb, LOE B-NR)", "(Grade 1B)", "(Conditional, Low
certainty)", also becomes a Recommendation (statement_type "summary") with
the grade exactly as printed; bullets without a printed grade get none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medbrief.errors import IngestError
from medbrief.ingest.grading import normalise_certainty, normalise_strength
from medbrief.ingest.records import checked
from medbrief.ingest.sources import RECORD_LIMIT, load_json, too_large
from medbrief.types import AbstractSection, Document, Recommendation

_BULLET = re.compile(r"^(\s*)(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_PAREN = re.compile(r"\(((?:[^()]|\([^()]*\))*)\)")
# A leading recommendation number inside the parentheses: "Rec 9.23, Grade A"
_REC_LABEL = re.compile(
    r"^(Rec(?:ommendation)?s?\.?\s+[\w.]+(?:\s*[\u2013-]\s*[\w.]+)?)\s*(?:,|\u2014|\u2013|:|-)\s*",
    re.I,
)
_GRADE = re.compile(
    r"^(?:(?:Class|COR)\s+(?:III|IIb|IIa|II|I|[123][ab]?)(?![\w-])"
    r"|Grade\s+(?:[12][A-D]|[A-E])(?![\w-])"
    r"|Level\s+(?:of\s+Evidence\s*:?\s*)?(?:[A-CU]|I{1,3}[AB]?)(?![\w-])"
    r"|LOE\b"
    r"|(?:Strong|Weak|Conditional)\b"
    r"|Good practice\b)",
    re.I,
)
_CERTAINTY_PART = re.compile(
    r"LOE|level of evidence|certainty|quality|evidence|\u2a01|^(?:very low|low|moderate|high)\b",
    re.I,
)
_AGAINST = re.compile(r"^(?:Class|COR)\s+(?:III|3)\b", re.I)
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)|`")
_LICENSE_HOLDER = re.compile(r"Copyright\s*\(c\)\s*(?:\d{4}[\s,-]*)+(.+)", re.I)
_DASH_SUFFIX = re.compile(r"\s+[\u2014\u2013-]\s+[^\u2014\u2013]*$")


def iter_markdown_collection(folder: Path) -> Iterator[Document | Recommendation]:
    registry_path = folder / "registry.json"
    name = str(registry_path)
    try:
        registry = load_json(registry_path.read_bytes(), name)
    except OSError as exc:
        raise IngestError(name, f"cannot read: {exc.strerror or exc}") from None
    if not isinstance(registry, list):
        raise IngestError(name, "registry.json must be a list of guideline entries")
    source = f"markdown:{folder.name}"
    note = _note(folder)
    content = (folder / "content").resolve()
    for n, entry in enumerate(registry, 1):
        where = f"entry {n}"
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("title"):
            raise IngestError(name, "entry without id or title", where)
        sections = entry.get("sections") or []
        if not isinstance(sections, list):
            raise IngestError(name, "sections must be a list of names", where)
        for section in sections:
            text = _read_section(content, str(entry["id"]), str(section), name, where)
            for record in _section(entry, str(section), text, source, note):
                yield checked(record, name, where)


def _read_section(content: Path, entry_id: str, section: str, name: str, where: str) -> str:
    """The text of ``content/<id>/<section>.md``. Names come from the
    registry, so the path must stay inside the collection's content folder:
    an absolute id or a ``..`` would otherwise read any file on the machine."""
    try:
        path = (content / entry_id / f"{section}.md").resolve()
    except (ValueError, OSError):  # a NUL in the name; a symlink loop
        raise IngestError(name, f"unusable section name {entry_id!r:.80}", where) from None
    if not path.is_relative_to(content):
        raise IngestError(
            name, f"section {entry_id}/{section} lies outside the collection folder", where
        )
    limit = RECORD_LIMIT.get()
    try:
        if path.stat().st_size > limit:
            raise IngestError(str(path), too_large("the section file", limit))
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise IngestError(str(path), "section file listed in registry.json is missing") from None
    except UnicodeDecodeError as exc:
        raise IngestError(str(path), f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise IngestError(str(path), f"cannot read: {exc.strerror or exc}") from None


def _note(folder: Path) -> str:
    holder = None
    for license_name in ("LICENSE", "LICENSE.md", "LICENSE.txt"):
        path = folder / license_name
        if path.is_file():
            found = _LICENSE_HOLDER.search(path.read_text(encoding="utf-8", errors="replace"))
            holder = found.group(1).strip() if found else None
            break
    author = (
        f"{holder}, the author of the {folder.name} collection"
        if holder
        else (f"the author of the {folder.name} collection")
    )
    return f"Summary written by {author}; not the guideline publisher's text."


def _section(
    entry: dict[str, Any], section: str, text: str, source: str, note: str
) -> Iterator[Document | Recommendation]:
    doi = str(entry["doi"]).lower() if entry.get("doi") else None
    year = entry.get("year") if isinstance(entry.get("year"), int) else None
    body = str(entry.get("organization") or "")
    lines = _content_lines(text)
    h1 = next((t for level, t in _headings(lines) if level == 1), None)
    label = _DASH_SUFFIX.sub("", h1) if h1 else section.replace("_", " ").capitalize()
    yield Document(
        id=f"guideline:{entry['id']}:{section}",
        source_id=f"{entry['id']}/{section}",
        source=source,
        kind="guideline",
        title=f"{entry['title']}: {label}",
        abstract=_sections(lines),
        doi=doi,
        journal=str(entry["title"]),
        year=year,
        pub_date=str(year) if year else None,
        authors=(body,) if body else (),
        keywords=tuple(str(t) for t in entry.get("topics") or ()),
        url=f"https://doi.org/{doi}" if doi else None,
        note=note,
    )
    for k, (statement, grade, key_points, heading) in enumerate(_graded_bullets(lines), 1):
        strength, certainty = _split_grade(grade)
        yield Recommendation(
            id=f"guideline:{entry['id']}:{section}:{k}",
            guideline_title=str(entry["title"]),
            body=body,
            statement=statement,
            year=year,
            direction="against" if _AGAINST.match(strength) else None,
            strength=strength,
            strength_norm=normalise_strength(strength, body),
            certainty=certainty,
            certainty_norm=normalise_certainty(certainty, strength, body),
            section=heading,
            url=f"https://doi.org/{doi}" if doi else None,
            doi=doi,
            key_points=tuple(key_points),
            statement_type="summary",
            source=source,
        )


def _content_lines(text: str) -> list[str]:
    """Lines outside fenced code blocks (flowcharts are not prose)."""
    lines, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(line.rstrip())
    return lines


def _headings(lines: list[str]) -> Iterator[tuple[int, str]]:
    for line in lines:
        found = _HEADING.match(line)
        if found:
            yield len(found.group(1)), _clean(found.group(2))


def _sections(lines: list[str]) -> tuple[AbstractSection, ...]:
    """The text, one section per level-2 heading, Markdown syntax removed."""
    sections: list[AbstractSection] = []
    label: str | None = None
    body: list[str] = []

    def close() -> None:
        text = "\n".join(b for b in body if b).strip()
        if text:
            sections.append(AbstractSection(text, label))

    for line in lines:
        heading = _HEADING.match(line)
        if heading and len(heading.group(1)) <= 2:
            if len(heading.group(1)) == 2:
                close()
                label, body = _clean(heading.group(2)), []
            continue
        if re.match(r"^\s*\|?\s*:?-{3,}", line):
            continue  # table rule
        body.append(_clean(heading.group(2)) if heading else _clean(line.lstrip("> ")))
    close()
    return tuple(sections)


def _graded_bullets(lines: list[str]) -> Iterator[tuple[str, str, list[str], str | None]]:
    """(statement, grade as printed, key points, heading) per graded bullet.

    A nested bullet, or one under a paragraph, that continues a lead-in
    ending in ":" ("Obtain blood cultures in adults who:") is prefixed with
    it, so that the statement reads whole; sub-bullets become key points.
    """
    stack: dict[int, str] = {}
    parents: dict[int, str] = {}  # indent -> text of the open bullet
    lead_in: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        heading = _HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            stack = {k: v for k, v in stack.items() if k < level}
            if level > 1:
                stack[level] = _clean(heading.group(2))
            parents, lead_in = {}, None
            continue
        bullet = _BULLET.match(line)
        if not bullet:
            if line.strip():
                parents = {}
                lead_in = _clean(line) if line.rstrip().endswith(":") else None
            continue
        indent, text = len(bullet.group(1)), bullet.group(2)
        parents = {k: v for k, v in parents.items() if k < indent}
        opener = parents[max(parents)] if parents else lead_in
        parents[indent] = _clean(text)
        graded = [(m, g) for m in _PAREN.finditer(text) if (g := _grade_of(m.group(1)))]
        if not graded:
            continue
        children = []
        while i < len(lines) and lines[i].strip() and _indent(lines[i]) > indent:
            child = _BULLET.match(lines[i])
            children.append(_clean(child.group(2) if child else lines[i]))
            i += 1
        match, (label, grade) = graded[0]
        if len(graded) == 1:
            keep = f"({label})" if label else ""
            text = text[: match.start()] + keep + text[match.end() :]
        statement = _tidy(_clean(text))
        if opener and opener.endswith(":"):
            statement = f"{opener} {statement}"
        section = " > ".join(stack[k] for k in sorted(stack)) or None
        yield statement, grade, children, section


def _grade_of(inside: str) -> tuple[str | None, str] | None:
    """(recommendation label, grade) when a parenthesis prints a grade."""
    inside = inside.replace("**", "").strip()
    label = _REC_LABEL.match(inside)
    rest = inside[label.end() :] if label else inside
    if _GRADE.match(rest):
        return (label.group(1) if label else None), rest.strip()
    return None


def _split_grade(grade: str) -> tuple[str, str | None]:
    """ "Class I, LOE B-NR" -> ("Class I", "LOE B-NR"); both verbatim."""
    for sep in (", ", "; "):
        head, found, tail = grade.partition(sep)
        if found and _CERTAINTY_PART.search(tail) and not _GRADE.match(tail.strip()):
            return head.strip(), tail.strip()
        if found and re.match(r"(?:LOE|Level of Evidence)\b", tail.strip(), re.I):
            return head.strip(), tail.strip()
    return grade, None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _clean(text: str) -> str:
    return " ".join(_EMPHASIS.sub("", text).split())


def _tidy(text: str) -> str:
    text = re.sub(r"\s+([.,;:])", r"\1", text)
    return re.sub(r"\s{2,}", " ", text).strip()
