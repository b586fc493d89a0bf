"""The nouns that flow between medbrief's stages.

Every value here is a frozen dataclass: a stage receives values, never edits
them, and returns new ones. The data flow is::

    Document / Recommendation  (ingest -> store)
    Reading                    (understand)
    Hit                        (retrieve)
    Evidence                   (grade)
    Brief                      (synthesize -> cite -> render)

Serialisation to and from the store and JSON goes through ``medbrief.codec``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

#: What a stored item is. Guideline *documents* (PubMed records typed Practice
#: Guideline, guideline summaries) are documents; graded *recommendations* are
#: their own kind and live in their own table.
DocKind = Literal["research", "guideline"]
ItemKind = Literal["research", "guideline", "recommendation"]

StanceLabel = Literal["yes", "no", "maybe", "not_addressed"]

#: Study designs, from the strongest design for questions of effect to the
#: weakest (the order of the Oxford CEBM levels of evidence, 2011); the level
#: ordering itself lives in ``medbrief.grade.level``.
DESIGNS: tuple[str, ...] = (
    "guideline",
    "meta-analysis",
    "systematic-review",
    "rct",
    "non-randomised-trial",
    "cohort",
    "case-control",
    "cross-sectional",
    "case-series",
    "case-report",
    "narrative-review",
    "animal",
    "in-vitro",
    "other",
)
DESIGN_LABELS: dict[str, str] = {
    "guideline": "guideline",
    "meta-analysis": "meta-analysis",
    "systematic-review": "systematic review",
    "rct": "randomised controlled trial",
    "non-randomised-trial": "non-randomised trial",
    "cohort": "cohort study",
    "case-control": "case-control study",
    "cross-sectional": "cross-sectional study",
    "case-series": "case series",
    "case-report": "case report",
    "narrative-review": "narrative review",
    "animal": "animal study",
    "in-vitro": "in-vitro study",
    "other": "other design",
}
FacetStatus = Literal["evidence", "no_evidence", "inconsistent"]
#: The answer to a yes/no question as the evidence adds up (docs/json-contract.md).
Verdict = Literal["yes", "no", "mixed", "insufficient"]
Lean = Literal["yes", "no"]


# ---------------------------------------------------------------- documents


@dataclass(frozen=True, slots=True)
class AbstractSection:
    """One section of a (possibly structured) abstract.

    ``label`` is the author's heading as printed (``Label`` attribute of
    ``AbstractText`` in the PubMed DTD); ``category`` is NLM's normalised
    ``NlmCategory`` (BACKGROUND, OBJECTIVE, METHODS, RESULTS, CONCLUSIONS).
    """

    text: str
    label: str | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class MeshQualifier:
    name: str
    ui: str | None = None
    major: bool = False


@dataclass(frozen=True, slots=True)
class MeshHeading:
    descriptor: str
    ui: str | None = None
    major: bool = False
    qualifiers: tuple[MeshQualifier, ...] = ()


@dataclass(frozen=True, slots=True)
class Correction:
    """A PubMed CommentsCorrections link, e.g. ``RetractionIn`` -> PMID."""

    ref_type: str
    pmid: str | None = None
    source: str | None = None


#: CommentsCorrections RefTypes that mark the record itself as retracted or
#: under concern (NLM "Errata, Retractions, and Other Linked Citations").
RETRACTION_REF_TYPES = frozenset({"RetractionIn", "ExpressionOfConcernIn"})


@dataclass(frozen=True, slots=True)
class Document:
    """A research article or guideline document.

    ``id`` is the store's key, namespaced by identifier type so that ids from
    different sources cannot collide: ``pmid:31229168``, ``doi:10.1/x``,
    ``beir:scifact:4983``. ``source_id`` is the identifier exactly as the
    source gave it (a PMID, a BEIR ``_id``), used in run files and links.
    """

    id: str
    source_id: str
    source: str
    kind: DocKind = "research"
    title: str = ""
    abstract: tuple[AbstractSection, ...] = ()
    pmid: str | None = None
    version: int = 1
    doi: str | None = None
    pmcid: str | None = None
    journal: str | None = None
    year: int | None = None
    pub_date: str | None = None
    authors: tuple[str, ...] = ()
    #: where in the journal: JournalIssue Volume / Issue and MedlinePgn as
    #: NLM prints them ("21", "1", "137-152"); None when not given
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    language: str | None = None
    publication_types: tuple[str, ...] = ()
    mesh: tuple[MeshHeading, ...] = ()
    keywords: tuple[str, ...] = ()
    chemicals: tuple[str, ...] = ()
    corrections: tuple[Correction, ...] = ()
    url: str | None = None
    #: Free-text provenance note, e.g. "summary written by <author>, not the
    #: publisher's text" for guideline summaries.
    note: str | None = None

    @property
    def abstract_text(self) -> str:
        return "\n".join(f"{s.label}: {s.text}" if s.label else s.text for s in self.abstract)

    @property
    def text(self) -> str:
        """Title and abstract, the text that is indexed and graded."""
        return f"{self.title}\n{self.abstract_text}".strip()

    @property
    def retracted(self) -> bool:
        return "Retracted Publication" in self.publication_types or any(
            c.ref_type in RETRACTION_REF_TYPES for c in self.corrections
        )

    @property
    def link(self) -> str | None:
        """The record's own address: PubMed, else doi.org, else the stored URL.

        The stored URL is where a copy was taken from (a mirror, an
        aggregator), so it comes last: a reader should land on the record of
        reference, not on whichever site the copy came from.
        """
        return canonical_link(self.pmid, self.doi, self.url)


def canonical_link(pmid: str | None, doi: str | None, url: str | None) -> str | None:
    if pmid:
        return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
    if doi:
        return f"https://doi.org/{doi}"
    return url


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One graded guideline recommendation (schema: docs/guidelines-schema.md).

    ``strength`` and ``certainty`` are the source's words, verbatim;
    ``strength_norm`` and ``certainty_norm`` are medbrief's normalised forms
    (see ``medbrief.ingest.grading``) used for sorting and filtering only.
    """

    id: str
    guideline_title: str
    body: str
    statement: str
    year: int | None = None
    direction: str | None = None
    strength: str | None = None
    strength_norm: str = "unknown"
    certainty: str | None = None
    certainty_norm: str = "unknown"
    population: str | None = None
    section: str | None = None
    url: str | None = None
    doi: str | None = None
    pmid: str | None = None
    #: Practical text a clinician can act on: rationale, clinical
    #: considerations, key points, as written by the source.
    key_points: tuple[str, ...] = ()
    #: "verbatim", "paraphrase", "summary": how close the statement is to the
    #: guideline's own words.
    statement_type: str = "verbatim"
    source: str = "jsonl"


# ------------------------------------------------------------- understanding


@dataclass(frozen=True, slots=True)
class SpellingFix:
    original: str
    corrected: str


@dataclass(frozen=True, slots=True)
class Expansion:
    abbreviation: str
    expansion: str


@dataclass(frozen=True, slots=True)
class Concept:
    """A concept of the question: a preferred label and the terms searched."""

    label: str
    terms: tuple[str, ...] = ()
    mesh_ui: str | None = None
    #: read as a drug name (the drug dictionary): a treatment even where
    #: the MeSH tree categories, which stop at 2015, do not know it
    drug: bool = False


@dataclass(frozen=True, slots=True)
class Reading:
    """How a question was read: the input to retrieval and to the brief."""

    question: str
    corrected: str
    corrections: tuple[SpellingFix, ...] = ()
    expansions: tuple[Expansion, ...] = ()
    concepts: tuple[Concept, ...] = ()
    #: The lexical query actually sent to the index.
    search_text: str = ""
    notes: tuple[str, ...] = ()
    #: Content words of the question that no stored document contains: the
    #: corpus cannot speak to them, so a brief must not pretend it does.
    unknown_terms: tuple[str, ...] = ()


# ----------------------------------------------------------------- retrieval


@dataclass(frozen=True, slots=True)
class Filters:
    year_min: int | None = None
    year_max: int | None = None
    publication_types: tuple[str, ...] = ()
    kinds: tuple[ItemKind, ...] = ()
    #: study designs (names from ``DESIGNS``), applied after grading
    designs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Hit:
    """One retrieved item with the evidence of how it was found."""

    id: str
    kind: ItemKind
    score: float
    rank: int
    lexical_rank: int | None = None
    dense_rank: int | None = None
    lexical_score: float | None = None
    dense_score: float | None = None
    document: Document | None = None
    recommendation: Recommendation | None = None


@dataclass(frozen=True, slots=True)
class SearchResult:
    reading: Reading
    hits: tuple[Hit, ...]
    notes: tuple[str, ...] = ()


# -------------------------------------------------------------------- grading


@dataclass(frozen=True, slots=True)
class Stance:
    """What a source found on a question: label and the sentence it rests on."""

    label: StanceLabel
    sentence: str | None = None
    score: float = 0.0
    #: the sentence contradicts the claim the question makes (a "no" read
    #: from the claim's own words, ``medbrief.grade.contradict``), rather
    #: than from cue words
    contradicts: bool = False


@dataclass(frozen=True, slots=True)
class Evidence:
    """A retrieved study, graded."""

    document: Document
    design: str
    level: int
    sample_size: int | None = None
    stance: Stance = field(default_factory=lambda: Stance("not_addressed"))
    relevance: float = 0.0


# ---------------------------------------------------------------------- brief


@dataclass(frozen=True, slots=True)
class StudyStance:
    """How a cited study was counted: its stance on a sub-topic (or on the
    question itself, ``facet`` None) and the sentence that stance rests on."""

    label: StanceLabel
    sentence: str | None = None
    facet: str | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    n: int
    kind: Literal["guideline", "study"]
    id: str
    title: str
    journal: str | None = None
    year: int | None = None
    pmid: str | None = None
    doi: str | None = None
    url: str | None = None
    design: str | None = None
    sample_size: int | None = None
    body: str | None = None
    retracted: bool = False
    #: for a recommendation: whom it is for, so that each reference names
    #: the exact recommendation and not just its guideline
    population: str | None = None
    #: for a recommendation: where its stored wording was taken from, when
    #: that is not ``url`` (a secondary source quoting or paraphrasing it)
    text_source: str | None = None
    #: for a study: how it was counted (stance and the sentence it rests on)
    stance: StudyStance | None = None
    #: bibliographic detail for citing it: authors as PubMed prints them
    #: ("Winkelman JW"), and where in the journal
    authors: tuple[str, ...] = ()
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    #: for a guideline document: the ids of its recommendations cited in the
    #: brief (one reference per document, its recommendations under it)
    recommendations: tuple[str, ...] = ()
    #: the source says a newer guideline replaces this one
    superseded: bool = False


@dataclass(frozen=True, slots=True)
class Citation:
    """A claim's link to a reference, with the source sentence that backs it."""

    n: int
    sentence: str | None = None
    support: float = 0.0


@dataclass(frozen=True, slots=True)
class Bullet:
    """A statement of the brief.

    A "finding" is a source's own sentence; its ``refs`` are appended when
    rendered. A "summary" is a template filled with computed facts whose text
    already carries its citation markers ("[3, 4] report ...; [5] ...").
    """

    text: str
    refs: tuple[int, ...] = ()
    citations: tuple[Citation, ...] = ()
    kind: Literal["finding", "summary"] = "finding"


@dataclass(frozen=True, slots=True)
class GuidelineItem:
    ref: int
    body: str
    year: int | None
    statement: str
    strength: str | None
    certainty: str | None
    direction: str | None = None
    statement_type: str = "verbatim"
    key_points: tuple[str, ...] = ()
    #: the stored recommendation (or guideline document) this item shows
    item_id: str | None = None
    #: when ``certainty`` was not stored as a field but the source's own text
    #: states it ("The USPSTF concludes with moderate certainty that ..."):
    #: that sentence, and ``certainty`` holds its words ("moderate certainty")
    certainty_quote: str | None = None
    #: marked superseded by its source; listed after current guidelines
    superseded: bool = False


@dataclass(frozen=True, slots=True)
class Facet:
    """A research sub-topic of the question and what the studies say on it."""

    facet: str
    concepts: tuple[str, ...]
    status: FacetStatus
    bullets: tuple[Bullet, ...] = ()
    #: a paragraph the optional language-model writer wrote on the sub-topic,
    #: one checked sentence per bullet (``kind`` "summary": the text carries
    #: its [n] markers); empty when no model wrote it (``medbrief.write``)
    synthesis: tuple[Bullet, ...] = ()


@dataclass(frozen=True, slots=True)
class BottomLine:
    """What the evidence adds up to, first in every brief.

    ``text`` is one to three sentences built only from computed facts, each
    carrying its ``[n]`` markers. For a question asking yes or no,
    ``verdict`` is the answer the evidence gives and ``lean`` the side its
    weight favours (also when ``mixed``); for other questions both are None
    and the text gives the top recommendation(s). ``confidence`` is in [0, 1].
    """

    text: str
    verdict: Verdict | None = None
    lean: Lean | None = None
    confidence: float = 0.0
    refs: tuple[int, ...] = ()
    #: each cited source with the sentence it was counted on
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True, slots=True)
class Provenance:
    """What produced a brief: printed in every export and at the foot of the page."""

    version: str
    generated: str
    """When the brief was written: ISO 8601, UTC, to the second."""
    documents: int = 0
    recommendations: int = 0
    newest_year: int | None = None
    """The publication year of the newest stored record."""
    last_ingest: str | None = None
    """When the last ingest finished (ISO 8601, UTC), or None."""
    starter: str | None = None
    """The starter corpus version, when it was loaded."""
    filters: Filters | None = None


@dataclass(frozen=True, slots=True)
class WriterInfo:
    """The language model that wrote a brief's prose, and how much of it held up.

    Present only when a model is configured (``llm_model``): a brief without
    it is entirely extractive. Section names are "bottom_line",
    "guidelines" or a research sub-topic's name.
    """

    model: str
    base_url_host: str
    #: sections whose prose is the model's, every sentence checked
    written: tuple[str, ...] = ()
    #: sections that kept their extractive text (``Brief.notes`` say why)
    fell_back: tuple[str, ...] = ()
    #: sentences the model wrote, and how many of them failed the checks
    sentences: int = 0
    dropped_claims: int = 0
    #: whether the model also judged the studies' stances
    stance: bool = False


@dataclass(frozen=True, slots=True)
class Brief:
    question: str
    reading: Reading
    bottom_line: BottomLine | None = None
    guidelines: tuple[GuidelineItem, ...] = ()
    research: tuple[Facet, ...] = ()
    key_findings: tuple[Bullet, ...] = ()
    references: tuple[Reference, ...] = ()
    dropped_claims: int = 0
    #: True when nothing relevant was found; the brief then says so and
    #: carries no guideline or research content.
    abstained: bool = False
    notes: tuple[str, ...] = ()
    live_fetched: tuple[str, ...] = ()
    #: the language model's paragraph on the guidelines (as ``Facet.synthesis``)
    guidelines_synthesis: tuple[Bullet, ...] = ()
    writer: WriterInfo | None = None
