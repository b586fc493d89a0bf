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
    pubmed_search: str | None = Field(
        None, description="A PubMed search URL for the same concepts (one OR-block each)."
    )


class GradeOut(_Open):
    kind: Literal["strength", "certainty"]
    label: str = Field(description="The source's words for the grade.")
    system: str | None = Field(
        description="The grading system recognised (a key of `grading_systems`), else null."
    )
    code: str | None = Field(description="The legend entry that defines the grade.")
    note: str | None = Field(description="A curator's remark stored with the grade.")
    tone: Literal["strong", "conditional", "against", "insufficient", "neutral"]


class LegendEntryOut(_Open):
    code: str
    meaning: str
    used: bool = Field(description="Whether a grade of this brief is this entry.")


class GradingSystemOut(_Open):
    system: str
    name: str
    entries: list[LegendEntryOut]


class GuidelineOut(_Open):
    ref: int
    item_id: str | None = Field(
        None, description="The stored recommendation: GET /api/documents/{item_id}."
    )
    body: str
    year: int | None
    statement: str = Field(description="The statement as quoted (a curator's cut mark removed).")
    truncated: bool = Field(False, description="The stored copy stops part-way.")
    statement_type: str
    wording: str | None = Field(None, description="How the words relate to the guideline's own.")
    direction: str | None
    strength: str | None = Field(description="The issuing body's own words.")
    certainty: str | None = Field(description="The issuing body's own words.")
    certainty_quote: str | None = Field(
        None,
        description="When certainty was not a stored field but the source's text states it: "
        "that sentence.",
    )
    grades: list[GradeOut] = Field(default_factory=list)
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
    synthesis: list[BulletOut] | None = Field(
        None,
        description="Only with a language model configured: its paragraph on the sub-topic, "
        "one checked sentence per item (kind 'summary', [n] markers in the text); empty when "
        "it was not written or fell back.",
    )


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


class CitationTextOut(_Open):
    vancouver: str
    ama: str


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
    authors: list[str] = Field(default_factory=list, description="As PubMed prints them.")
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    recommendations: list[str] = Field(
        default_factory=list,
        description="For a guideline document: the ids of its recommendations in the brief.",
    )
    superseded: bool = Field(False, description="The source says a newer guideline replaces it.")
    citation: CitationTextOut | None = None


class FiltersOut(_Open):
    year_min: int | None
    year_max: int | None
    publication_types: list[str]
    kinds: list[str]
    designs: list[str]


class ProvenanceOut(_Open):
    version: str = Field(description="medbrief's version.")
    generated: str = Field(description="When the brief was written (ISO 8601, UTC).")
    documents: int
    recommendations: int
    newest_year: int | None = Field(description="Publication year of the newest stored record.")
    last_ingest: str | None = Field(description="When the last ingest finished, if any.")
    starter: str | None = Field(description="The starter corpus version, when loaded.")
    filters: FiltersOut | None
    corpus: str = Field(description="The corpus part in words, as the exports print it.")
    filters_text: str = Field(description="The filters in words ('none' when none).")
    text: str = Field(description="All of it in one line, as the exports print it.")


class RelatedOut(_Open):
    query: str
    related: list[str] = Field(description="Guidelines and topics stored near the query.")


class WriterOut(_Open):
    model: str = Field(description="The configured model that wrote the brief's prose.")
    base_url_host: str = Field(description="The host of the model server it was sent to.")
    written: list[str] = Field(
        description="Sections whose prose is the model's: 'bottom_line', 'guidelines' or a "
        "sub-topic's name."
    )
    fell_back: list[str] = Field(
        description="Sections that kept medbrief's own text; `notes` say why."
    )
    sentences: int = Field(description="Sentences the model wrote.")
    dropped_claims: int = Field(
        description="Of those, sentences dropped because they failed verification."
    )
    stance: bool = Field(description="Whether the model also judged the studies' stances.")


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
    grading_systems: list[GradingSystemOut] = Field(
        default_factory=list, description="A legend for each grading system the brief meets."
    )
    research: list[FacetOut]
    key_findings: list[BulletOut]
    references: list[ReferenceOut]
    dropped_claims: int
    notes: list[str]
    live_fetched: list[str]
    provenance: ProvenanceOut | None = Field(None, description="What produced the brief.")
    guidelines_synthesis: list[BulletOut] | None = Field(
        None,
        description="Only with a language model configured: its paragraph on the guidelines "
        "(as `research[].synthesis`).",
    )
    writer: WriterOut | None = Field(
        None,
        description="Only with a language model configured: which model wrote the prose and "
        "how much of it held up; absent from an entirely extractive brief.",
    )


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
