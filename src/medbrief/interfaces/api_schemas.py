"""The HTTP API's documented shapes (pydantic, as at every edge of medbrief).

Response bodies are built by the library's own serialisers
(``medbrief.render.json.brief_to_dict``, ``medbrief.codec.to_builtins``); the
models here document them in ``/openapi.json``. They allow extra fields, as
the JSON contract does, and a unit test checks that every field the
serialisers emit is documented here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from medbrief.types import DESIGNS

Design = Literal[DESIGNS]  # type: ignore[valid-type]
Kind = Literal["research", "guideline", "recommendation"]

#: Publication years accepted by the filters: PubMed's oldest records are
#: from the 1780s; anything beyond next century is a typo.
YEAR_MIN, YEAR_MAX = 1700, 2100


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


# ------------------------------------------------------------------ errors


class ErrorInfo(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. 'bad_query', 'not_found'.")
    message: str = Field(description="One sentence for a person.")
    detail: Any = Field(None, description="Structured detail (e.g. the invalid fields), or null.")


class ErrorBody(BaseModel):
    """The one shape of every error response."""

    error: ErrorInfo


# ---------------------------------------------------------------- requests


class FiltersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year_min: int | None = Field(None, ge=YEAR_MIN, le=YEAR_MAX, description="Earliest year.")
    year_max: int | None = Field(None, ge=YEAR_MIN, le=YEAR_MAX, description="Latest year.")
    designs: list[Design] = Field(
        default_factory=list, description="Study designs to keep (empty: all)."
    )
    kinds: list[Kind] = Field(default_factory=list, description="Item kinds to keep (empty: all).")


# ------------------------------------------------------------ the brief


class PairOut(_Open):
    from_: str = Field(alias="from")
    to: str


class ReadingOut(_Open):
    question: str
    corrected: str
    corrections: list[PairOut]
    expansions: list[PairOut]
    concepts: list[str]
    concept_terms: dict[str, list[str]]
    searched: str
    notes: list[str]


class GuidelineOut(_Open):
    ref: int
    body: str
    year: int | None
    statement: str
    statement_type: str
    direction: str | None
    strength: str | None = Field(description="The issuing body's own words.")
    certainty: str | None = Field(description="The issuing body's own words.")
    key_points: list[str]
    superseded: bool = Field(
        False, description="Marked superseded by its source; listed after current guidelines."
    )


class CitationOut(_Open):
    n: int
    sentence: str | None = Field(description="The source sentence that backs the claim.")
    support: float


class BulletOut(_Open):
    text: str
    kind: Literal["finding", "summary"] = Field(
        "finding",
        description="'finding': a source's sentence, refs to append; 'summary': a template "
        "whose text already carries its [n] markers.",
    )
    refs: list[int]
    citations: list[CitationOut]


class FacetOut(_Open):
    facet: str
    concepts: list[str]
    status: Literal["evidence", "no_evidence", "inconsistent"]
    bullets: list[BulletOut]


class StudyStanceOut(_Open):
    label: Literal["yes", "no", "maybe", "not_addressed"]
    sentence: str | None = Field(description="The sentence of the study the label rests on.")
    facet: str | None = Field(
        description="The sub-topic the stance is on; null when it is on the question itself."
    )


class BottomLineOut(_Open):
    text: str = Field(description="One to three sentences of computed facts, each cited [n].")
    verdict: Literal["yes", "no", "mixed", "insufficient"] | None = Field(
        description="For a question asking yes or no: the answer the evidence gives; else null."
    )
    lean: Literal["yes", "no"] | None = Field(
        description="The side the weight of evidence favours (also when mixed); else null."
    )
    confidence: float = Field(ge=0.0, le=1.0)
    refs: list[int]
    citations: list[CitationOut]


class ReferenceOut(_Open):
    n: int
    kind: Literal["guideline", "study"]
    id: str = Field(description="Store id: GET /api/documents/{id} returns the source.")
    title: str
    journal: str | None
    year: int | None
    pmid: str | None
    doi: str | None
    url: str | None
    design: str | None
    sample_size: int | None
    body: str | None
    retracted: bool
    population: str | None = Field(
        None, description="Who a guideline recommendation applies to, as the source says."
    )
    text_source: str | None = Field(
        None,
        description="Where a recommendation's stored wording was taken from, when that is "
        "not `url` (a secondary source quoting or paraphrasing the guideline).",
    )
    stance: StudyStanceOut | None = Field(
        None, description="For a study: how it was counted, with the sentence it rests on."
    )


class BriefOut(_Open):
    """The brief's JSON contract (docs/json-contract.md)."""

    schema_: str = Field(alias="schema", description="Contract version.")
    question: str
    abstained: bool
    bottom_line: BottomLineOut | None = Field(
        None, description="What the evidence adds up to; shown first."
    )
    reading: ReadingOut
    guidelines: list[GuidelineOut]
    research: list[FacetOut]
    key_findings: list[BulletOut]
    references: list[ReferenceOut]
    dropped_claims: int
    notes: list[str]
    live_fetched: list[str]


# ---------------------------------------------------------- other bodies


class HitOut(_Open):
    id: str
    kind: Kind
    score: float
    rank: int
    document: dict[str, Any] | None
    recommendation: dict[str, Any] | None


class SearchOut(_Open):
    query: str
    reading: ReadingOut
    hits: list[HitOut]
    notes: list[str]


class ItemOut(_Open):
    kind: Kind
    id: str
    retracted: bool
    link: str | None = Field(description="PubMed, DOI or source link (http/https only).")
    item: dict[str, Any] = Field(description="The stored Document or Recommendation.")


class HealthOut(_Open):
    status: Literal["ok"]
    version: str


class DesignOut(_Open):
    name: str
    label: str


class MetaOut(_Open):
    version: str
    max_question_chars: int
    max_k: int
    designs: list[DesignOut]
    kinds: list[Kind]
    export_formats: list[str]
