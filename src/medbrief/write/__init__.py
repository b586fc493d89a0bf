"""write: optional prose by a language model, every sentence checked.

Off unless ``llm_model`` is set; then, after the extractive brief is built and
checked, the configured model (any OpenAI-compatible chat-completions server,
``client``) writes the bottom line (when the brief has one) and a short
paragraph for the guidelines and for each research sub-topic, from an evidence
pack medbrief assembles (``pack``). Each sentence is verified against the
sources it cites (``verify``); a sentence that fails is dropped and counted.
A section whose model text is unusable (the model unreachable, slow or
malformed, or more than half its sentences dropped, or one side of a
disagreement left out) keeps its extractive text, with a note saying why.

The extractive brief is never replaced, only led: the paragraphs go in
``Facet.synthesis`` and ``Brief.guidelines_synthesis`` and the bottom line's
text; ``Brief.writer`` names the model. Configuration: docs/llm-writer.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from medbrief.cite.check import SimilarityFn
from medbrief.errors import ModelError
from medbrief.settings import Settings
from medbrief.synthesize.research import FacetFindings
from medbrief.types import Brief, Bullet, Document, Evidence, Recommendation, WriterInfo
from medbrief.write.client import ChatClient
from medbrief.write.pack import Section, messages, plan_sections
from medbrief.write.verify import Verified, verify

__all__ = ["ChatClient", "WriterEvent", "write_brief"]

#: more than this share of a section's sentences dropped, and what is left
#: would misrepresent the section by omission: it keeps its extractive text
MAX_DROPPED_SHARE = 0.5

Emit = Callable[[str, Any], None]


@dataclass(frozen=True, slots=True)
class WriterEvent:
    """One streamed step of the writer (the HTTP stream's ``writer`` event).

    While the model writes: ``delta`` is the next piece of its raw, unchecked
    text. When the section is checked: ``done``, with the ``sentences`` kept,
    or ``fell_back`` and the ``note`` saying why the extractive text stays.
    """

    section: str
    name: str
    delta: str | None = None
    done: bool = False
    sentences: tuple[Bullet, ...] = ()
    #: the sentences that failed the checks, each with the reason
    dropped: tuple[tuple[str, str], ...] = ()
    fell_back: bool = False
    note: str | None = None


@dataclass
class _Outcome:
    #: section key -> the sentences kept; and the sections' names, in order
    written: dict[str, tuple[Bullet, ...]] = field(default_factory=dict)
    written_names: list[str] = field(default_factory=list)
    fell_back: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sentences: int = 0
    dropped: int = 0


def write_brief(
    brief: Brief,
    settings: Settings,
    *,
    items: Mapping[str, Document | Recommendation],
    evidence: Mapping[str, Evidence],
    findings: Sequence[FacetFindings],
    similarity: SimilarityFn | None,
    emit: Emit | None = None,
) -> Brief:
    """``brief`` led by the configured model's checked prose."""
    client = ChatClient.from_settings(settings)
    send = emit or (lambda name, value: None)
    outcome = _Outcome()
    unavailable: str | None = None
    for section in plan_sections(brief, items, evidence, findings):
        if unavailable is None:
            unavailable = _write(section, brief.question, client, settings, similarity,
                                 send, outcome)  # fmt: skip
        else:
            _fall_back(section, unavailable, send, outcome)
    return _apply(brief, client, outcome, settings)


def _write(
    section: Section,
    question: str,
    client: ChatClient,
    settings: Settings,
    similarity: SimilarityFn | None,
    send: Emit,
    outcome: _Outcome,
) -> str | None:
    """Write and check one section; the reason to stop asking, if the model is gone."""

    def delta(text: str) -> None:
        send("writer", WriterEvent(section.key, section.name, delta=text))

    try:
        reply = client.chat(
            messages(section, question), max_tokens=settings.llm_max_tokens, on_delta=delta
        )
    except ModelError as exc:
        _fall_back(section, str(exc), send, outcome)
        return str(exc) if exc.unavailable else None
    checked = verify(reply, section, similarity)
    outcome.sentences += checked.written
    outcome.dropped += len(checked.dropped)
    problem = _unusable(checked, section)
    if problem:
        _fall_back(section, problem, send, outcome, checked.dropped)
        return None
    outcome.written[section.key] = checked.kept
    outcome.written_names.append(section.name)
    done = WriterEvent(
        section.key, section.name, done=True, sentences=checked.kept, dropped=checked.dropped
    )
    send("writer", done)
    return None


def _unusable(checked: Verified, section: Section) -> str | None:
    if not checked.kept:
        why = checked.dropped[0][1] if checked.dropped else "no sentence"
        return f"none of its {checked.written} sentence(s) passed the checks (first: {why})"
    if len(checked.dropped) > MAX_DROPPED_SHARE * checked.written:
        return f"{len(checked.dropped)} of its {checked.written} sentences failed the checks"
    sides = {s.stance for s in section.sources if s.stance in ("yes", "no")}
    if len(sides) == 2:
        cited = {n for b in checked.kept for n in b.refs}
        told = {s.stance for s in section.sources if s.n in cited}
        if not sides <= told:
            return "it left out one side of the disagreement"
    return None


def _fall_back(
    section: Section,
    why: str,
    send: Emit,
    outcome: _Outcome,
    dropped: tuple[tuple[str, str], ...] = (),
) -> None:
    where = "the bottom line" if section.key == "bottom_line" else f'"{section.name}"'
    note = f"The language model's text for {where} was not used ({why}); medbrief's own is shown."
    outcome.fell_back.append(section.name)
    outcome.notes.append(note)
    event = WriterEvent(
        section.key, section.name, done=True, dropped=dropped, fell_back=True, note=note
    )
    send("writer", event)


def _apply(brief: Brief, client: ChatClient, outcome: _Outcome, settings: Settings) -> Brief:
    written = outcome.written
    research = tuple(
        replace(f, synthesis=written[f"research:{i}"]) if f"research:{i}" in written else f
        for i, f in enumerate(brief.research)
    )
    bottom = brief.bottom_line
    if bottom is not None and "bottom_line" in written:
        kept = written["bottom_line"]
        bottom = replace(
            bottom,
            text=" ".join(b.text for b in kept),
            refs=tuple(sorted({n for b in kept for n in b.refs})),
            citations=tuple(c for b in kept for c in b.citations),
        )
    info = WriterInfo(
        model=client.model,
        base_url_host=client.host,
        written=tuple(outcome.written_names),
        fell_back=tuple(outcome.fell_back),
        sentences=outcome.sentences,
        dropped_claims=outcome.dropped,
        stance=settings.llm_stance,
    )
    return replace(
        brief,
        bottom_line=bottom,
        research=research,
        guidelines_synthesis=written.get("guidelines", ()),
        dropped_claims=brief.dropped_claims + outcome.dropped,
        notes=(*brief.notes, *outcome.notes),
        writer=info,
    )
