"""Sentences and sections of PubMed abstracts.

Abstracts break the naive "split at a full stop" rule in predictable ways:
abbreviations ("et al.", "e.g.", "vs.", "approx."), decimals ("p = 0.05"),
and labelled sections ("RESULTS: ..."), either one per line (PubMed's
structured ``AbstractText`` elements joined by newlines) or run together in
one paragraph (MEDLINE flat text, PubMedQA). This module handles those cases
with a few rules rather than a model, so it is fast and deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Role = Literal["title", "background", "methods", "results", "conclusion", "other"]

#: Abbreviations after which a full stop does not end a sentence. Lower-case,
#: without the final stop. ("et al." can end one, and "No." / "Fig." only
#: abbreviate before a number; both are handled in ``_ends_sentence``.)
_ABBREVIATIONS = frozenset(
    {
        "e.g", "i.e", "vs", "cf", "approx", "ca", "resp", "incl", "dr", "mr", "mrs",
        "prof", "st", "jr", "sr", "inc", "ltd", "corp", "dept", "univ", "vol", "pp",
        "eq", "spp", "sp", "var", "viz", "u.s", "u.k", "e.u", "esp", "et",
    }
)  # fmt: skip

# A candidate boundary: sentence-final punctuation, optional closing quotes or
# brackets, whitespace, then something that can start a sentence.
_BEFORE_NUMBER = frozenset({"no", "nos", "fig", "figs", "ref", "refs", "eq", "vol", "sec"})

_BOUNDARY = re.compile(
    r"""([.?!])(["'\u201d\u2019)\]]*)\s+(?=["'\u201c\u2018(\[]?[A-Z0-9\u00C0-\u024F])"""
)
_WORD_BEFORE = re.compile(r"(\S+)$")

# "RESULTS:", "Conclusions:", "MEASUREMENTS AND RESULTS:", "Authors' conclusions:"
_LABEL = r"[A-Z][A-Za-z'\u2019/&,\- ]{1,58}?"
_LINE_LABEL = re.compile(rf"^\s*({_LABEL})\s*:\s*(?=\S)")
# Inline labels inside one paragraph must be upper case to be recognised
# ("... were enrolled. RESULTS: ..."), otherwise "Aim: to ..." style prose
# and ratios ("1:2") would be taken for headings.
_INLINE_LABEL = re.compile(r"(?:(?<=^)|(?<=[.?!]\s)|(?<=[.?!]\)\s))([A-Z][A-Z'/&,\- ]{2,58}):\s+")

# PubMed's web page prints labels without a colon: "CONCLUSIONS IV iron ...".
_BARE_LABEL = re.compile(
    r"^([A-Z]{4,}(?: (?:AND|[A-Z]{4,})){0,3})\s+(?=[A-Z][a-z]|[A-Z0-9]{1,3}\b)"
)

_ROLE_WORDS: tuple[tuple[Role, tuple[str, ...]], ...] = (
    ("conclusion", ("conclu", "interpretation", "implication", "discussion", "summary",
                    "significance", "relevance", "take-home", "message", "bottom line")),
    ("results", ("result", "finding", "outcome", "main outcome")),
    ("methods", ("method", "design", "setting", "patient", "participant", "subject",
                 "material", "intervention", "measure", "procedure", "population",
                 "data source", "study selection", "data extraction", "search", "sample",
                 "eligibility", "selection", "analysis", "exposure", "evidence")),
    ("background", ("background", "introduction", "objective", "aim", "purpose", "context",
                    "rationale", "hypothes", "question", "importance", "goal")),
)  # fmt: skip

_NLM_CATEGORY_ROLES: dict[str, Role] = {
    "BACKGROUND": "background",
    "OBJECTIVE": "background",
    "METHODS": "methods",
    "RESULTS": "results",
    "CONCLUSIONS": "conclusion",
}

# Sentences that state the authors' conclusion in unstructured abstracts.
_CONCLUSION_CUE = re.compile(
    r"^(?:in conclusions?|to conclude|in summary|to summari[sz]e|overall|taken together|"
    r"collectively|thus|therefore|hence|we conclude|we suggest|we propose|"
    r"(?:these|our|the present|this|the) (?:results|findings|data|study|studies|observations|"
    r"analysis|trial|review|evidence)\b.{0,40}\b(?:suggest|indicate|show|demonstrate|"
    r"support|confirm|provide|imply|reveal|highlight|point))",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of an abstract with the role of the section it sits in."""

    text: str
    role: Role
    index: int


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``; line breaks always end a sentence.

    >>> split_sentences("Smith et al. found no effect (p = 0.42). Iron, e.g. ferritin, was low.")
    ['Smith et al. found no effect (p = 0.42).', 'Iron, e.g. ferritin, was low.']
    """
    out: list[str] = []
    for line in text.splitlines():
        out.extend(_split_line(line))
    return out


def _split_line(line: str) -> list[str]:
    line = " ".join(line.split())
    if not line:
        return []
    out: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(line):
        end = match.end(2)
        if match.group(1) == "." and not _ends_sentence(line[start : match.start(1)], line, end):
            continue
        piece = line[start:end].strip()
        if piece:
            out.append(piece)
        start = match.end()
    tail = line[start:].strip()
    if tail:
        out.append(tail)
    return out


def _ends_sentence(before: str, line: str, after: int) -> bool:
    word_match = _WORD_BEFORE.search(before)
    if word_match is None:
        return True
    word = word_match.group(1).lstrip("([\"'").lower()
    if word in _ABBREVIATIONS:
        return False
    following = line[after:].lstrip()
    if word in _BEFORE_NUMBER:
        return not following[:1].isdigit()
    if word == "al" and before.lower().endswith("et al"):
        # "Smith et al. (2004)" / "et al. 2004" continue; "et al. The" ends.
        return bool(following) and following[0].isalpha()
    return True


def role_of_label(label: str | None, category: str | None = None) -> Role:
    """The role of a section from NLM's category, else from the author's label."""
    if category and category.upper() in _NLM_CATEGORY_ROLES:
        return _NLM_CATEGORY_ROLES[category.upper()]
    if not label:
        return "other"
    low = label.lower()
    # "Measurements and results", "Results and conclusions": the last word wins,
    # because it names what the section ends with.
    best: tuple[int, Role] = (-1, "other")
    for role, words in _ROLE_WORDS:
        for word in words:
            pos = low.rfind(word)
            if pos > best[0]:
                best = (pos, role)
    return best[1]


def split_sections(abstract: str) -> list[tuple[str | None, str]]:
    """``(label, text)`` pairs: one per ``Label: text`` line or inline label."""
    sections: list[tuple[str | None, str]] = []
    for raw in abstract.splitlines():
        line = raw.strip()
        if not line:
            continue
        match = _LINE_LABEL.match(line)
        label: str | None = None
        if match and _looks_like_label(match.group(1)):
            label, line = match.group(1).strip(), line[match.end() :]
        else:
            bare = _BARE_LABEL.match(line)
            if bare and role_of_label(bare.group(1)) != "other":
                label, line = bare.group(1).strip(), line[bare.end() :]
        sections.extend(_split_inline(label, line))
    return sections


def _looks_like_label(label: str) -> bool:
    words = label.split()
    return 0 < len(words) <= 6 and (label.isupper() or role_of_label(label) != "other")


def _split_inline(label: str | None, text: str) -> list[tuple[str | None, str]]:
    out: list[tuple[str | None, str]] = []
    pos = 0
    for match in _INLINE_LABEL.finditer(text):
        if not _looks_like_label(match.group(1)) or role_of_label(match.group(1)) == "other":
            continue
        chunk = text[pos : match.start()].strip()
        if chunk:
            out.append((label, chunk))
        label, pos = match.group(1).strip(), match.end()
    chunk = text[pos:].strip()
    if chunk:
        out.append((label, chunk))
    return out


def abstract_sentences(abstract: str, title: str | None = None) -> list[Sentence]:
    """Sentences of an abstract, each with the role of its section.

    Unlabelled abstracts get roles from position and cue phrases: a sentence
    that opens with "In conclusion", "These results suggest", ... and every
    sentence after it are the conclusion; failing any cue, the last sentence
    is.
    """
    parts = ((role_of_label(label), text) for label, text in split_sections(abstract))
    return _with_roles(parts, title)


def _with_roles(parts: Iterable[tuple[Role, str]], title: str | None = None) -> list[Sentence]:
    out: list[Sentence] = []
    if title:
        out.append(Sentence(title.strip(), "title", 0))
    labelled = False
    for role, text in parts:
        labelled = labelled or role != "other"
        for sent in split_sentences(text):
            out.append(Sentence(sent, role, len(out)))
    if labelled:
        return out
    return _infer_roles(out)


def _infer_roles(sentences: list[Sentence]) -> list[Sentence]:
    body = [s for s in sentences if s.role != "title"]
    if not body:
        return sentences
    first_cue = next(
        (i for i, s in enumerate(body) if i > 0 and _CONCLUSION_CUE.match(s.text)), len(body) - 1
    )
    roles: list[Role] = []
    for i in range(len(body)):
        if i >= first_cue:
            roles.append("conclusion")
        elif i == 0:
            roles.append("background")
        else:
            roles.append("results")
    titled = [s for s in sentences if s.role == "title"]
    return titled + [Sentence(s.text, r, s.index) for s, r in zip(body, roles, strict=True)]
