"""answer() and search(): the stages in order, and nothing else.

understand -> retrieve -> grade -> synthesize -> cite -> synthesize.compose
"""

from __future__ import annotations

import difflib
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from medbrief.cite import check_findings, unresolved_markers
from medbrief.grade import grade
from medbrief.grade.stance import stance
from medbrief.retrieve.hybrid import expansion_terms
from medbrief.synthesize.facets import plan_facets
from medbrief.synthesize.guidelines import (
    covered_by,
    document_drafts,
    order,
    recommendation_drafts,
)
from medbrief.synthesize.match import Matcher
from medbrief.synthesize.research import FacetFindings, facet_findings
from medbrief.synthesize.writer import compose, guideline_items
from medbrief.types import (
    Brief,
    Document,
    Evidence,
    Filters,
    Hit,
    Reading,
    Recommendation,
    SearchResult,
    SpellingFix,
)

if TYPE_CHECKING:
    from medbrief.engine import Engine, StageCallback

GUIDELINE_CANDIDATES = 25
FACET_CANDIDATES = 15


def search(
    engine: Engine, query: str, *, k: int = 10, filters: Filters | None = None, raw: bool = False
) -> SearchResult:
    """Hybrid search; ``raw`` searches the text as given (no spelling or expansion)."""
    if raw:
        from medbrief.understand import validate_question

        text = validate_question(query, engine.settings.max_question_chars)
        reading = Reading(question=query, corrected=text, search_text=text)
    else:
        reading = engine.reader.read(query)
    k = max(1, min(k, engine.settings.max_k))
    hits = engine.retriever.search(
        reading.corrected, k, filters, expansions=expansion_terms(reading)
    )
    return SearchResult(reading, tuple(hits), engine.index_notes())


def _with_kind(filters: Filters | None, kind: str) -> Filters | None:
    base = filters or Filters()
    if base.kinds and kind not in base.kinds:
        return None  # the user filtered this kind out
    return replace(base, kinds=(kind,))  # type: ignore[arg-type]


def answer(
    engine: Engine,
    question: str,
    *,
    filters: Filters | None = None,
    live: bool = False,
    on_stage: StageCallback | None = None,
) -> Brief:
    emit = on_stage or (lambda name, value: None)
    reading = engine.reader.read(question)
    live_ids: tuple[str, ...] = ()
    notes: list[str] = list(engine.index_notes())
    if live:
        from medbrief.live import fetch_for_reading, spelling_second_opinion

        suggestion = spelling_second_opinion(engine, reading)
        if suggestion is not None:
            reading = _reread(engine, reading, suggestion)
        fetched = fetch_for_reading(engine, reading)
        live_ids = fetched.fetched
        if fetched.note:
            notes.append(fetched.note)
    emit("reading", reading)
    if reading.unknown_terms and not live_ids:
        # a question resting on a term no stored source uses cannot be answered
        # from them; answering the rest of it would be answering another question
        brief = compose(question, reading, [], [], {}, {}, 0, notes)
        emit("guidelines", ())
        emit("research", ())
        emit("brief", brief)
        return brief

    matcher = Matcher(reading.concepts)
    retriever = engine.retriever
    settings = engine.settings

    # -- guidelines: graded recommendations, then guideline documents
    recs: list[Recommendation] = []
    gdocs: list[Document] = []
    expansions = expansion_terms(reading)
    rec_filters = _with_kind(filters, "recommendation")
    if rec_filters is not None:
        hits = retriever.search(
            reading.corrected, GUIDELINE_CANDIDATES, rec_filters, expansions=expansions
        )
        recs = [h.recommendation for h in hits if h.recommendation]
    gdoc_filters = _with_kind(filters, "guideline")
    if gdoc_filters is not None:
        hits = retriever.search(
            reading.corrected, GUIDELINE_CANDIDATES, gdoc_filters, expansions=expansions
        )
        gdocs = [h.document for h in hits if h.document]
    drafts = recommendation_drafts(recs, matcher, reading.corrected)
    covered = covered_by(recs, drafts)
    drafts = order(drafts + document_drafts(gdocs, matcher, covered, len(recs)))
    emit("guidelines", guideline_items(drafts))

    # -- research: the whole question, then each sub-topic on its own
    plans = plan_facets(reading.concepts)
    found: dict[str, Hit] = {}
    research_filters = _with_kind(filters, "research")
    if research_filters is not None:
        queries = [(reading.corrected, expansions, settings.brief_studies)]
        for plan in plans:
            concepts = [c for c in reading.concepts if c.label in plan.concepts]
            terms = [t for c in concepts for t in c.terms]
            queries.append((" ".join(plan.concepts), terms, FACET_CANDIDATES))
        for text, extra, k in queries:
            for hit in retriever.search(text, k, research_filters, expansions=extra):
                if hit.document is not None and hit.id not in found:
                    found[hit.id] = hit
    # only a study that names every concept of some sub-topic can be cited:
    # grade those alone
    facets = [set(p.concepts) for p in plans]
    candidates = [
        h
        for h in found.values()
        if h.document and any(f <= matcher.in_document(h.document) for f in facets)
    ]
    evidence = _graded(candidates, filters)
    similarity = engine.similarity()
    findings = facet_findings(plans, list(evidence.values()), matcher, stance, similarity)

    # -- cite: every finding against its sources' own text
    items: dict[str, Document | Recommendation] = {r.id: r for r in recs}
    items.update({d.id: d for d in gdocs})
    items.update({e.document.id: e.document for e in evidence.values()})
    sources = {i: (x.text if isinstance(x, Document) else x.statement) for i, x in items.items()}
    checked: list[FacetFindings] = []
    dropped = 0
    for ff in findings:
        result = check_findings(ff.findings, sources, similarity)
        dropped += result.dropped_claims
        checked.append(FacetFindings(ff.plan, result.findings, ff.silent))
    retracted = [e.document for e in evidence.values() if e.document.retracted]
    notes.extend(f"Retracted and not used: {d.title} (PMID {d.pmid})" for d in retracted if d.pmid)
    brief = compose(question, reading, drafts, checked, items, evidence, dropped, notes)
    brief = replace(brief, live_fetched=live_ids)
    missing = unresolved_markers(brief)
    if missing:  # a defect, never a user error: fail loudly rather than mis-cite
        raise AssertionError(f"citations without a reference: {missing}")
    emit("research", brief.research)
    emit("brief", brief)
    return brief


def _reread(engine: Engine, reading: Reading, suggestion: str) -> Reading:
    """The question read again as NCBI ESpell spelled it, keeping the original
    question and recording each word ESpell changed as a correction."""
    again = engine.reader.read(suggestion)
    before, after = reading.corrected.split(), suggestion.split()
    fixes = list(reading.corrections)
    matcher = difflib.SequenceMatcher(a=[w.lower() for w in before], b=[w.lower() for w in after])
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "replace":
            fixes.append(SpellingFix(" ".join(before[i1:i2]), " ".join(after[j1:j2])))
    fixes.extend(f for f in again.corrections if f not in fixes)
    note = f"spelling checked with NCBI ESpell: searched as '{suggestion}'"
    return replace(
        again, question=reading.question, corrections=tuple(fixes), notes=(*again.notes, note)
    )


def _graded(hits: Any, filters: Filters | None) -> dict[str, Evidence]:
    designs = set(filters.designs) if filters and filters.designs else None
    out: dict[str, Evidence] = {}
    for hit in hits:
        ev = grade(hit.document)
        if designs is not None and ev.design not in designs:
            continue
        out[hit.id] = replace(ev, relevance=hit.score)
    return out
