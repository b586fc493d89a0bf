"""answer() and search(): the stages in order, and nothing else.

understand -> [live] -> retrieve -> grade -> synthesize -> cite -> compose
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from medbrief.cite import check_facets, unresolved_markers
from medbrief.grade import grade_hits
from medbrief.grade.stance import StanceReader, stance
from medbrief.retrieve.candidates import guideline_candidates, study_candidates
from medbrief.retrieve.hybrid import expansion_terms
from medbrief.synthesize.bottom_line import names_in_passing
from medbrief.synthesize.facets import compares, plan_facets
from medbrief.synthesize.fit import population_terms
from medbrief.synthesize.guidelines import guideline_drafts
from medbrief.synthesize.match import Matcher
from medbrief.synthesize.references import finish_references
from medbrief.synthesize.research import facet_findings
from medbrief.synthesize.subject import asks_choice
from medbrief.synthesize.verdict import asks_yes_no, read_votes
from medbrief.synthesize.writer import compose, guideline_items
from medbrief.types import Brief, Document, Filters, Reading, Recommendation, SearchResult

if TYPE_CHECKING:
    from medbrief.engine import Engine, StageCallback


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


def answer(
    engine: Engine,
    question: str,
    *,
    filters: Filters | None = None,
    live: bool = False,
    on_stage: StageCallback | None = None,
) -> Brief:
    emit = on_stage or (lambda name, value: None)
    engine.prepare(emit)
    notes = list(engine.index_notes())
    live_ids: tuple[str, ...] = ()

    reading = engine.reader.read(question)
    if live:
        from medbrief.live import read_live

        reading, fetched = read_live(engine, reading)
        live_ids = fetched.fetched
        notes.extend([fetched.note] if fetched.note else [])
    emit("reading", reading)
    # "ticagrelor or clopidogrel after NSTEMI?" asks which, not yes or no
    yes_no = asks_yes_no(reading.corrected) and not asks_choice(reading.corrected, reading.concepts)
    if reading.unknown_terms and not live_ids and len(reading.concepts) < 2:
        # A question resting on a term no stored source uses, with at most one
        # other concept, cannot be answered from them: answering the rest of it
        # would be answering another question. With two concepts or more left,
        # their studies may still bear on it (the note names the unknown word).
        empty = compose(question, reading, [], [], {}, {}, 0, notes, votes=[] if yes_no else None)
        return _emit_all(emit, empty)

    matcher = Matcher(reading.concepts)
    guidelines = guideline_candidates(
        engine.retriever, reading, filters, population_terms(reading.corrected)
    )
    drafts = guideline_drafts(
        guidelines,
        matcher,
        reading.corrected,
        # on a comparison, naming one side after "over" is the comparison itself
        (lambda _: False)
        if compares(reading.corrected)
        else (lambda statement: names_in_passing(statement, reading.corrected)),
    )
    emit("guidelines", guideline_items(drafts))

    plans = plan_facets(reading.concepts, reading.corrected)
    hits = study_candidates(
        engine.retriever,
        reading,
        [p.concepts for p in plans],
        filters,
        engine.settings.brief_studies,
    )
    graded = grade_hits(hits, filters.designs if filters else ())
    reader = _stance_reader(engine)
    # the verdict reads each study, in search order, for its stance on the question as asked
    votes = None
    if yes_no:
        votes = read_votes(reading.corrected, list(graded.values()), _vote_reader(engine), matcher)
    # only a study naming every concept of some sub-topic can be cited under one
    on_topic = {i: e for i, e in graded.items() if matcher.names_any(e.document, plans)}
    similarity = engine.similarity()
    findings = facet_findings(plans, list(on_topic.values()), matcher, reader, similarity)
    counted = {v.item_id for v in votes or ()}
    evidence = {i: e for i, e in graded.items() if i in on_topic or i in counted}

    items: dict[str, Document | Recommendation] = {r.id: r for r in guidelines.recommendations}
    items.update({d.id: d for d in guidelines.documents})
    items.update({e.document.id: e.document for e in evidence.values()})
    checked, dropped = check_facets(findings, items, similarity)

    notes.extend(
        f"Retracted and not used: {e.document.title} (PMID {e.document.pmid})"
        for e in evidence.values()
        if e.document.retracted and e.document.pmid
    )
    brief = compose(
        question, reading, drafts, checked, items, evidence, dropped, notes, votes=votes
    )
    # last of the synthesis: renumbers every [n] (one reference per guideline document)
    brief = finish_references(brief, items, lambda ref: _stored_document(engine, ref))
    brief = replace(brief, live_fetched=live_ids)
    if engine.settings.llm_model and not brief.abstained:  # the optional writer, off by default
        from medbrief.write import write_brief

        # the extractive brief goes out at once; the model's prose follows it
        emit("research", brief.research)
        emit("extractive", brief)
        brief = write_brief(
            brief,
            engine.settings,
            items=items,
            evidence=evidence,
            findings=checked,
            similarity=similarity,
            emit=emit,
        )
    missing = unresolved_markers(brief)
    if missing:  # a defect, never a user error: fail loudly rather than mis-cite
        raise AssertionError(f"citations without a reference: {missing}")
    if brief.writer is not None:
        emit("brief", brief)
        return brief
    return _emit_all(emit, brief, guidelines_sent=True)


def _stored_document(engine: Engine, ref: str) -> Document | None:
    """The stored document a guideline's PMID or DOI names, if any (for its authors,
    volume and pages)."""
    from medbrief.errors import NotFoundError

    try:
        kind, id_ = engine.store.resolve(ref)
    except NotFoundError:
        return None
    return None if kind == "recommendation" else engine.store.get_document(id_)


def _stance_reader(engine: Engine) -> StanceReader:
    """The offline stance reader, or the configured model when asked (``llm_stance``)."""
    if not (engine.settings.llm_stance and engine.settings.llm_model):
        return stance
    from medbrief.write.client import ChatClient
    from medbrief.write.stance import ModelStance

    return ModelStance(ChatClient.from_settings(engine.settings))


def _vote_reader(engine: Engine) -> StanceReader:
    """The reader of each study's stance on the question as asked: as for
    sub-topics, with the entailment feature when ``stance_entailment`` is on
    and no language model reads stances (a sub-topic's concept terms state
    no claim for the feature to test, so sub-topics never get it)."""
    reader = _stance_reader(engine)
    if reader is not stance or not engine.settings.stance_entailment:
        return reader
    from medbrief.errors import DependencyError
    from medbrief.grade import entail

    if not entail.available():  # one clear error, not an import failure inside the reader
        raise DependencyError("stance_entailment", entail.INSTALL)
    return entail.stance


def _emit_all(emit: StageCallback, brief: Brief, guidelines_sent: bool = False) -> Brief:
    if not guidelines_sent:
        emit("guidelines", brief.guidelines)
    emit("research", brief.research)
    emit("brief", brief)
    return brief
