"""Study design of a record, one of ``medbrief.types.DESIGNS``.

In order of trust:

1. NLM publication types (``PublicationType``, list at
   https://www.nlm.nih.gov/mesh/pubtypes.html), assigned by indexers who read
   the article;
2. MeSH study-design headings (``Cohort Studies``, ``Case-Control
   Studies``...; "... as Topic" headings describe the subject, not the
   design, and are ignored), and ``Animals`` without ``Humans``, NLM's
   check-tag convention for animal-only studies;
3. words of the title and abstract, for records NLM has not indexed yet
   (in-process and publisher-supplied records carry only "Journal Article")
   and for other sources.

Types that say little about design ("Journal Article", "Comparative
Study", "Multicenter Study") defer to the later steps.
"""

from __future__ import annotations

import re

from medbrief.types import Document

_GUIDELINE_TYPES = frozenset(
    {
        "practice guideline",
        "guideline",
        "consensus development conference",
        "consensus development conference, nih",
    }
)
# Checked in this order: the first type present decides.
_TYPE_DESIGNS: tuple[tuple[str, frozenset[str]], ...] = (
    ("meta-analysis", frozenset({"meta-analysis", "network meta-analysis"})),
    ("systematic-review", frozenset({"systematic review"})),
    (
        "rct",
        frozenset(
            {
                "randomized controlled trial",
                "equivalence trial",
                "randomized controlled trial, veterinary",
            }
        ),
    ),
    (
        "non-randomised-trial",
        frozenset(
            {
                "controlled clinical trial",
                "clinical trial",
                "clinical trial, phase i",
                "clinical trial, phase ii",
                "clinical trial, phase iii",
                "clinical trial, phase iv",
                "clinical trial, veterinary",
                "pragmatic clinical trial",
                "adaptive clinical trial",
            }
        ),
    ),
    ("case-report", frozenset({"case reports"})),
    ("narrative-review", frozenset({"review", "scoping review"})),
)
#: Types of records that report no study: letters, editorials, errata...
_NON_STUDY_TYPES = frozenset(
    {
        "letter", "editorial", "comment", "news", "newspaper article", "published erratum",
        "biography", "portrait", "interview", "lecture", "historical article", "autobiography",
        "retraction of publication", "expression of concern", "clinical trial protocol",
        "video-audio media", "congress", "directory", "bibliography", "patient education handout",
    }
)  # fmt: skip
_OBSERVATIONAL_TYPES = frozenset({"observational study", "observational study, veterinary"})

_MESH_DESIGNS: tuple[tuple[str, frozenset[str]], ...] = (
    ("case-control", frozenset({"case-control studies"})),
    (
        "cohort",
        frozenset(
            {"cohort studies", "prospective studies", "longitudinal studies", "follow-up studies"}
        ),
    ),
    ("cross-sectional", frozenset({"cross-sectional studies"})),
    ("cohort", frozenset({"retrospective studies"})),
)


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_TITLE_GUIDELINE = _rx(
    r"\b(?:guidelines?|consensus (?:statement|recommendations?|guidelines?|conference)|"
    r"position (?:statement|paper)|practice parameter|recommendations? (?:for|on|of the))\b"
)
_META = _rx(r"\bmeta-?analys[ie]s\b|\bmetaanalys[ie]s\b|\bpooled analysis\b")
_SYSTEMATIC = _rx(
    r"\bsystematic(?:ally)? (?:review(?:ed)?|literature search|search)|\bcochrane review\b|"
    r"\bsearched (?:the )?(?:medline|pubmed|embase|cochrane|web of science|cinahl|scopus)"
)
_EARLIER = _rx(r"\b(?:previous|prior|earlier|recent|published|existing)\b")
# Sentences that call for trials rather than report one.
_CALL_FOR = _rx(r"\b(?:needs?|needed|warrant(?:s|ed)?|future|further|should|required)\b")
_NONRANDOM = _rx(
    r"\bnon-?randomi[sz]ed\b|\bsingle-arm\b|\bopen-label\b|\buncontrolled\b|"
    r"\bquasi-experimental\b|\bphase (?:i|ii|1|2)(?:/ii|/2)? (?:trial|study)\b|\bpilot trial\b|"
    r"\bbefore-and-after\b"
)
_RANDOM = _rx(
    r"(?<!non-)(?<!non)(?<!mendelian )\brandomi[sz](?:ed|ation)\b|"
    r"\brandomly (?:\w+ )?(?:assigned|allocated|divided|administered|given|received)\b|"
    r"\bdouble-?blind(?:ed)?\b|\bplacebo-controlled\b"
)
_PROTOCOL = _rx(r"\bprotocol\b|\bstudy design and rationale\b")
_ANIMAL = _rx(
    r"\b(?:mice|mouse|murine|rats?|rodents?|rabbits?|dogs?|canine|pigs?|piglets?|porcine|"
    r"swine|sheep|lambs?|ovine|goats?|cattle|bovine|cows?|horses?|equine|monkeys?|macaques?|"
    r"primates?|zebrafish|drosophila|c\. elegans|guinea pigs?|hamsters?|ferrets?|cats?|"
    r"feline|chickens?|xenopus)\b"
)
_HUMAN = _rx(
    r"\b(?:patients?|participants?|volunteers?|women|men|children|infants?|adults?|"
    r"subjects with|individuals|persons|people|humans?|clinical)\b"
)
# People taking part, as opposed to "human cells" or "clinical implications".
_PARTICIPANTS = _rx(
    r"\b(?:patients?|participants?|volunteers?|women|men|children|infants?|adults?|"
    r"subjects|individuals|persons|people)\b"
)
_IN_VITRO = _rx(
    r"\bin vitro\b|\bcell lines?\b|\bcultured\b|\bcell cultures?\b|\bhela\b|\borganoids?\b|"
    r"\bipscs?\b|\bstem[- ]cell[- ]derived\b|\bcells were (?:treated|incubated|exposed)\b"
)
_CASE_CONTROL = _rx(r"\bcase-?control\b|\bcase control\b")
# People with the condition compared with people without it, the design
# NLM indexes as Case-Control Studies when the article does not name it.
_VERSUS_CONTROLS = _rx(
    r"\b(?:healthy|matched|age-matched|sex-matched|normal|unaffected|non-?\w+) "
    r"(?:\w+ ){0,2}?(?:controls|control (?:subjects|individuals|participants|group))\b|"
    r"\bserved as controls\b|\b\d+ (?:\w+ ){0,2}?controls\b|\bcontrol group consisted of\b"
)
_COHORT = _rx(
    r"\bcohort\b|\bprospective(?:ly)? (?:study|studies|followed|enrolled|collected|observational)"
    r"|\bretrospective(?:ly)? (?:study|review|analysis|cohort|chart)|\blongitudinal\b|"
    r"\bregistry\b|\bfollowed (?:up )?for\b|\bpopulation-based\b"
)
_CROSS_SECTIONAL = _rx(r"\bcross-?sectional\b|\bsurvey\b|\bquestionnaire study\b|\bprevalence\b")
_CASE_REPORT = _rx(
    r"\bcase reports?\b|^a case of\b|"
    r"\b(?:a|one|the) (?:\w+ ){0,3}?(?:patient|case|man|woman|boy|girl|infant|child) "
    r"(?:with|who|of)\b[^.]{0,200}\b(?:is|was) (?:presented|described|reported)\b|"
    r"\b(?:a|one) (?:\w+ )?case\b[^.]{0,120}\b(?:is|was) (?:also )?"
    r"(?:presented|described|reported)\b|"
    r"\bin (?:a|one) (?:\w+ ){0,2}patient (?:with|who)\b|"
    r"\bwe (?:report|describe|present) (?:a|an|the|one) (?:\w+ ){0,3}?case\b|"
    r"\b(?:a|an) \d{1,3}-year-old (?:man|woman|boy|girl|male|female|patient|child|infant)\b|"
    r"\bthis case\b"
)
_SMALL = r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten)"
_CASE_SERIES = _rx(
    rf"\bcase series\b|\b{_SMALL} (?:\w+ ){{0,3}}?cases\b"
    r"[^.]{0,200}\b(?:are|were) (?:presented|described|reported)\b|"
    rf"\bwe (?:report|describe|present) {_SMALL} (?:\w+ )?(?:cases|patients)\b|"
    r"\bconsecutive (?:patients|cases)\b"
)
_REVIEW = _rx(
    r"\breview\b|\bwe (?:review|summari[sz]e|discuss)\b|\bthis (?:article|paper) (?:reviews|"
    r"summari[sz]es|discusses)\b|\boverview\b|\bstate of the art\b|\bcurrent concepts\b"
)


def classify_design(doc: Document) -> str:
    """The design of ``doc``: one of ``medbrief.types.DESIGNS``."""
    types = {t.strip().lower() for t in doc.publication_types}
    mesh = {h.descriptor.strip().lower() for h in doc.mesh}
    if types & _GUIDELINE_TYPES:
        return "guideline"
    if "animals" in mesh and "humans" not in mesh:
        return "animal"
    for design, names in _TYPE_DESIGNS:
        if types & names:
            return _refine(design, doc)
    if mesh:
        from_mesh = _from_mesh(mesh)
        if from_mesh:
            return from_mesh
        if "in vitro techniques" in mesh and not types & _OBSERVATIONAL_TYPES:
            return "in-vitro"
    if types & _NON_STUDY_TYPES and not types & _OBSERVATIONAL_TYPES:
        return "other"
    from_text = design_from_text(doc.title, doc.abstract_text)
    if from_text == "other" and types & _OBSERVATIONAL_TYPES:
        return "cohort"
    return from_text


def _refine(design: str, doc: Document) -> str:
    """Corrections of a type-based design by the text.

    NLM typed many randomised trials of the 1990s "Clinical Trial" only, and
    types systematic reviews and meta-analyses "Review" until 2019 (the
    "Systematic Review" type dates from 2019).
    """
    if design == "non-randomised-trial" and _randomised(doc.title, doc.abstract_text):
        return "rct"
    if design == "narrative-review":
        text = f"{doc.title} {doc.abstract_text}"
        if _mentions_own(_META, doc.title, doc.abstract_text):
            return "meta-analysis"
        if _SYSTEMATIC.search(text):
            return "systematic-review"
    return design


def _from_mesh(mesh: set[str]) -> str | None:
    for design, names in _MESH_DESIGNS:
        if mesh & names:
            return design
    return None


def _mentions_own(pattern: re.Pattern[str], title: str, abstract: str) -> bool:
    """``pattern`` in the title, or in an abstract sentence not about earlier work."""
    if pattern.search(title):
        return True
    for sentence in re.split(r"(?<=[.!?])\s+", abstract):
        if pattern.search(sentence) and not _EARLIER.search(sentence):
            return True
    return False


def _randomised(title: str, abstract: str) -> bool | None:
    """True for a randomised design, False for a non-randomised trial, None if unsaid.

    Judged sentence by sentence, skipping sentences about earlier work
    ("Previous open-label trials have shown..."); the title decides first.
    """
    for sentence in [title, *re.split(r"(?<=[.!?])\s+", abstract)]:
        if sentence is not title and (_EARLIER.search(sentence) or _CALL_FOR.search(sentence)):
            continue
        if _NONRANDOM.search(sentence):
            return False
        if _RANDOM.search(sentence):
            return True
    return None


def design_from_text(title: str, abstract: str) -> str:
    """The design suggested by the words of a title and abstract alone."""
    text = f"{title}\n{abstract}"
    if _PROTOCOL.search(title):
        return "other"
    if _TITLE_GUIDELINE.search(title):
        return "guideline"
    if _mentions_own(_META, title, abstract):
        return "meta-analysis"
    if _mentions_own(_SYSTEMATIC, title, abstract):
        return "systematic-review"
    if not _REVIEW.search(title):
        # A review quotes animal and laboratory work without being either.
        if _ANIMAL.search(text) and not _HUMAN.search(text):
            return "animal"
        if _IN_VITRO.search(text) and not _PARTICIPANTS.search(text):
            return "in-vitro"
    randomised = _randomised(title, abstract)
    if randomised is not None:
        return "rct" if randomised else "non-randomised-trial"
    if _CASE_CONTROL.search(text):
        return "case-control"
    if _COHORT.search(text):
        return "cohort"
    if _CROSS_SECTIONAL.search(text):
        return "cross-sectional"
    if _VERSUS_CONTROLS.search(text):
        return "case-control"
    if _CASE_SERIES.search(text):
        return "case-series"
    if _CASE_REPORT.search(text):
        return "case-report"
    if _REVIEW.search(title) or (_REVIEW.search(abstract) and not _HUMAN.search(abstract)):
        return "narrative-review"
    return "other"
