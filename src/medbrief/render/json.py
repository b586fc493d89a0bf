"""The brief's JSON contract, version ``BRIEF_SCHEMA`` (docs/json-contract.md).

Fields named by the contract are stable within a major version; other fields
may be added. Every value is plain JSON; text is never pre-rendered markup.
"""

from __future__ import annotations

from typing import Any

from medbrief.render import citation
from medbrief.render._references import pubmed_search, statement, wording
from medbrief.render.grades import chip_dict, chips, legends_dicts
from medbrief.render.provenance import provenance_dict
from medbrief.types import (
    BottomLine,
    Brief,
    Bullet,
    Citation,
    GuidelineItem,
    Provenance,
    Reference,
    StudyStance,
)

BRIEF_SCHEMA = "1.0"


def _citation(c: Citation) -> dict[str, Any]:
    return {"n": c.n, "sentence": c.sentence, "support": round(c.support, 3)}


def _bullet(b: Bullet) -> dict[str, Any]:
    return {
        "text": b.text,
        "kind": b.kind,
        "refs": list(b.refs),
        "citations": [_citation(c) for c in b.citations],
    }


def _bottom_line(b: BottomLine | None) -> dict[str, Any] | None:
    if b is None:
        return None
    return {
        "text": b.text,
        "verdict": b.verdict,
        "lean": b.lean,
        "confidence": round(b.confidence, 3),
        "refs": list(b.refs),
        "citations": [_citation(c) for c in b.citations],
    }


def _stance(s: StudyStance | None) -> dict[str, Any] | None:
    return None if s is None else {"label": s.label, "sentence": s.sentence, "facet": s.facet}


def _guideline(g: GuidelineItem) -> dict[str, Any]:
    text, truncated = statement(g.statement)
    return {
        "ref": g.ref,
        "item_id": g.item_id,
        "body": g.body,
        "year": g.year,
        "statement": text,
        "truncated": truncated,
        "statement_type": g.statement_type,
        "wording": wording(g),
        "direction": g.direction,
        "strength": g.strength,
        "certainty": g.certainty,
        "certainty_quote": g.certainty_quote,
        "grades": [chip_dict(c) for c in chips(g)],
        "key_points": list(g.key_points),
        "superseded": g.superseded,
    }


def _reference(ref: Reference) -> dict[str, Any]:
    return {
        "n": ref.n,
        "kind": ref.kind,
        "id": ref.id,
        "title": ref.title,
        "journal": ref.journal,
        "year": ref.year,
        "pmid": ref.pmid,
        "doi": ref.doi,
        "url": ref.url,
        "design": ref.design,
        "sample_size": ref.sample_size,
        "body": ref.body,
        "retracted": ref.retracted,
        "population": ref.population,
        "text_source": ref.text_source,
        "stance": _stance(ref.stance),
        "authors": list(ref.authors),
        "volume": ref.volume,
        "issue": ref.issue,
        "pages": ref.pages,
        "recommendations": list(ref.recommendations),
        "superseded": ref.superseded,
        "citation": {"vancouver": citation.vancouver(ref), "ama": citation.ama(ref)},
    }


def brief_to_dict(brief: Brief, provenance: Provenance | None = None) -> dict[str, Any]:
    """The brief as the JSON contract; ``provenance`` adds what produced it."""
    r = brief.reading
    out: dict[str, Any] = {
        "schema": BRIEF_SCHEMA,
        "question": brief.question,
        "abstained": brief.abstained,
        "bottom_line": _bottom_line(brief.bottom_line),
        "reading": {
            "question": r.question,
            "corrected": r.corrected,
            "corrections": [{"from": c.original, "to": c.corrected} for c in r.corrections],
            "expansions": [{"from": e.abbreviation, "to": e.expansion} for e in r.expansions],
            "concepts": [c.label for c in r.concepts],
            "concept_terms": {c.label: list(c.terms) for c in r.concepts},
            "searched": r.search_text,
            "notes": list(r.notes),
            "pubmed_search": pubmed_search(r),
        },
        "guidelines": [_guideline(g) for g in brief.guidelines],
        "grading_systems": legends_dicts(brief.guidelines),
        "research": [
            {
                "facet": f.facet,
                "concepts": list(f.concepts),
                "status": f.status,
                "bullets": [_bullet(b) for b in f.bullets],
            }
            for f in brief.research
        ],
        "key_findings": [_bullet(b) for b in brief.key_findings],
        "references": [_reference(ref) for ref in brief.references],
        "dropped_claims": brief.dropped_claims,
        "notes": list(brief.notes),
        "live_fetched": list(brief.live_fetched),
    }
    if provenance is not None:
        out["provenance"] = provenance_dict(provenance)
    if brief.writer is not None:  # only with a language model configured
        w = brief.writer
        for facet, facet_out in zip(brief.research, out["research"], strict=True):
            facet_out["synthesis"] = [_bullet(b) for b in facet.synthesis]
        out["guidelines_synthesis"] = [_bullet(b) for b in brief.guidelines_synthesis]
        out["writer"] = {
            "model": w.model,
            "base_url_host": w.base_url_host,
            "written": list(w.written),
            "fell_back": list(w.fell_back),
            "sentences": w.sentences,
            "dropped_claims": w.dropped_claims,
            "stance": w.stance,
        }
    return out
