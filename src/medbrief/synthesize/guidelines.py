"""The "From the Guidelines" section: which recommendations bear on the question.

A recommendation is listed when its statement, guideline title or population
names at least two of the question's concepts (one when the question has a
single concept): a guideline on the condition that is about another treatment
is not an answer. When the question names a condition, one of the
concepts named must be a condition of the question: a recommendation on
screening men with a family history of prostate cancer does not answer a
question on family history and colon cancer screening. Strength and
certainty are carried exactly as stored (the source's words); nothing here
rewrites them. Practical key points are the
source's own sentences that name a concept of the question.

A recommendation must also fit the question's kind (screening, diagnosis,
intervention) and population (``medbrief.synthesize.fit``), and must not
exclude what the question names ("for non-diabetic adults", "without
diabetes", for a question about diabetics); one that names
the question's population group is listed first, and one its source marks
superseded is listed after the current ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from medbrief.grade import split_sentences
from medbrief.grade.terms import content_stems, weights
from medbrief.ingest.grading import normalise_certainty
from medbrief.retrieve.candidates import GuidelineCandidates
from medbrief.synthesize.aspects import asked_aspects
from medbrief.synthesize.facets import role
from medbrief.synthesize.fit import (
    fits,
    last_heading,
    other_kind,
    other_severity,
    population_match,
    question_scope,
    recommendation_kinds,
    superseded,
)
from medbrief.synthesize.match import Matcher
from medbrief.synthesize.subject import on_subject, subject_first
from medbrief.types import Document, Recommendation

MAX_ITEMS = 10
MAX_KEY_POINTS = 3
MAX_KEY_POINT_CHARS = 400
MAX_EXCERPT_SENTENCES = 2

#: "OPTION (lowest of STANDARD/GUIDELINE/OPTION)": the remark in brackets is the
#: curator's, not the source's grade
_REMARK = re.compile(r"^(.*?\S)\s*\(([^()]*)\)\s*$")


def split_remark(text: str) -> tuple[str, str | None]:
    """("OPTION", "lowest of ...") from "OPTION (lowest of ...)": the source's
    words for a grade, and the curator's remark stored with them."""
    found = _REMARK.match(text.strip())
    if found and found.group(1).strip("'\" "):
        return found.group(1), found.group(2).strip() or None
    return text.strip(), None


_UNGRADED = ("not stated", "not graded", "n/a", "not applicable", "none")


def stated_grades(strength: str | None, certainty: str | None) -> str:
    """ "strong; moderate": the grades in the source's words, without a
    curator's remark, leaving out "not stated" and the like."""
    words = (split_remark(x)[0] for x in (strength, certainty) if x)
    return "; ".join(x for x in words if not x.lower().startswith(_UNGRADED))


@dataclass(frozen=True, slots=True)
class GuidelineDraft:
    """A recommendation, or an excerpt of a guideline document, to list."""

    item_id: str
    body: str
    year: int | None
    statement: str
    strength: str | None
    certainty: str | None
    direction: str | None
    statement_type: str
    key_points: tuple[str, ...]
    rank: int
    strength_norm: str = "unknown"
    #: an excerpt of a guideline document rather than a graded recommendation
    excerpt: bool = False
    #: how many of the question's concepts the recommendation names
    matched: int = 0
    #: how many population groups of the question it names (black adults, pregnancy)
    population_fit: int = 0
    #: marked superseded by its source: listed after current guidelines
    superseded: bool = False


def _needed(n_concepts: int) -> int:
    return 1 if n_concepts <= 1 else 2


def _matched(text: str, matcher: Matcher) -> int:
    return len(matcher.in_text(text))


def _conditions(matcher: Matcher) -> frozenset[str]:
    return frozenset(
        label for label, m in matcher.concepts.items() if role(m.concept) == "condition"
    )


def _bears_on(named: frozenset[str], need: int, conditions: frozenset[str]) -> bool:
    return len(named) >= need and (not conditions or bool(named & conditions))


_PRACTICAL = re.compile(
    r"\b(recommend\w*|should|offer\w*|every \d|interval\w*|start\w*|stop\w*|dose\w*|\d+ ?mg\b"
    r"|monitor\w*|avoid\w*|test\w*|consider\w*|initiat\w*|discontinu\w*|refer\w*)\b",
    re.IGNORECASE,
)
#: a passage that carries its own grade: "(Conditional, Low)", "(Class I, LOE A)",
#: or the APA's strength and evidence rating after its verb: "APA recommends (1B)"
#: (1 recommends, 2 suggests; A-C the strength of the research evidence)
_GRADE_IN_PARENS = r"\((?:strong|conditional|weak|class|grade|level|COR|LOE)\b[^()]*\)"
_RATED = r"\b(?:recommends?|suggests?) \([12][A-C]\)"
_GRADED = re.compile(rf"{_GRADE_IN_PARENS}\s*[.:]?\s*$|{_RATED}", re.I)
#: ... and one that quotes a grade anywhere in it
_QUOTES_GRADE = re.compile(rf"{_GRADE_IN_PARENS}|{_RATED}", re.I)


def quotes_grade(text: str) -> bool:
    """Whether a text quotes a grade of its own ("(Level IIA)", "(Strong,
    Moderate)", "recommends (1B)")."""
    return bool(_QUOTES_GRADE.search(text))


def _advice_rank(sentence: str) -> int:
    """0 for a graded recommendation, 1 for the rest."""
    return 0 if _GRADED.search(sentence) else 1


#: a sentence that introduces the list it recommends for: "APA recommends (1B)
#: that naltrexone or acamprosate be offered to patients ... who:"
#: (not "the discussion should address:")
_RECOMMENDS = re.compile(r"\b(?:recommend\w*|suggest\w*)\b", re.I)
_ADVISES = re.compile(r"\b(?:recommend\w*|suggest\w*|should|preferred|first[- ]line)\b", re.I)
#: advice given, not reported ("which suggested against ..." is background):
#: "Long-acting bronchodilators (LABA or LAMA) are typically preferred"
_ADVISES_NOW = re.compile(
    r"\b(?:recommends?|suggests?|should(?! have)|(?:is|are) (?:\w+ )?(?:preferred|recommended))\b|"
    # an instruction to consider: "If eosinophils < 300 cells/uL, consider
    # adding Roflumilast"
    r"(?:^|[:;.,]\s+)consider\b",
    re.I,
)
_LIST_ITEM = re.compile(r"^\s*[-*+]\s+")
#: a guideline's commentary on its own evidence, not what it advises
_COMMENTARY = re.compile(r"^(?:limitations?|evidence gaps?|research (?:needs|gaps))\b", re.I)
#: sections of guideline text that inform but are not something to act on
_BACKGROUND = re.compile(
    r"^(importance|table \d|additional tools|other related|update of previous|research needs"
    r"|[\w ]*burden|available evidence|how did the evidence|response to public comment)",
    re.IGNORECASE,
)


# A sentence that leans on one before it ("If both thresholds are below these
# values ...") says nothing on its own. An excerpt also may not open with a
# pronoun; a key point may ("This recommendation applies to ..."), since it
# is shown under its recommendation.
_DANGLING = re.compile(
    r"\b(?:these|those|such|the above|the same|both) (?:values?|thresholds?|criteria|levels?|"
    r"patients|measures|findings|recommendations?|options|cases)\b",
    re.IGNORECASE,
)
_OPENS_WITH_REFERENCE = re.compile(
    r"^\W*(?:this|these|those|such|it|they|both|the latter|the former)\b", re.IGNORECASE
)


def _key_points(
    texts: Sequence[str],
    matcher: Matcher,
    question_numbers: set[str],
    seen: set[str],
) -> tuple[str, ...]:
    """The source's most practical sentences on the question's concepts.

    A sentence must name as many of the question's concepts as a listed
    recommendation must (``_needed``), and must stand on its own (no "these
    values" pointing back). It scores for naming a concept, for the question's own numbers
    (ages, doses), and for wording that tells a clinician what to do; text
    under background headings (importance, burden, tables) is skipped. A
    sentence already shown under another recommendation is not repeated.
    """
    need = _needed(len(matcher))
    scored: list[tuple[int, int, str]] = []
    seen_here: set[str] = set()
    order = 0
    for text in texts:
        if _BACKGROUND.match(text):
            continue
        for sentence in split_sentences(text):
            order += 1
            # the same sentence may be stored under two headings of one source
            if len(sentence) > MAX_KEY_POINT_CHARS or sentence in seen or sentence in seen_here:
                continue
            seen_here.add(sentence)
            concepts = _matched(sentence, matcher)
            if concepts < need or _DANGLING.search(sentence):
                continue
            score = 2 * concepts + 2 * bool(_PRACTICAL.search(sentence))
            score += 3 * bool(question_numbers & set(re.findall(r"\d+", sentence)))
            scored.append((-score, order, sentence))
    points: list[str] = []
    for _, _, sentence in sorted(scored):
        if len(points) == MAX_KEY_POINTS:
            break
        if not any(_same_point(sentence, p) for p in points):
            points.append(sentence)
    seen.update(points)
    return tuple(points)


_WORDS = re.compile(r"[a-z0-9]+")
_NEAR_DUPLICATE = 0.9


def _same_point(a: str, b: str) -> bool:
    """The same sentence under two headings ("USPSTF Assessment of ...: The USPSTF
    concludes ... (Table)" and "USPSTF assessment The USPSTF concludes ..."):
    nearly all the words of the shorter are in the longer."""
    wa, wb = set(_WORDS.findall(a.lower())), set(_WORDS.findall(b.lower()))
    return len(wa & wb) >= _NEAR_DUPLICATE * min(len(wa), len(wb))


#: examples in parentheses: "(e.g., mechanical valve, atrial fibrillation)"
_EXAMPLES = re.compile(
    r"\((?:e\.g\.|eg|for example|such as)[^()]*\)"
    # or as one of a run of four or more ("comorbidities: hypertension,
    # obesity, coronary artery disease, atrial fibrillation, diabetes")
    r"|[\w'/-]+(?: [\w'/-]+){0,3}(?:, (?:and |or )?[\w'/-]+(?: [\w'/-]+){0,3}){3,}",
    re.I,
)


def recommendation_drafts(
    recs: Sequence[Recommendation], matcher: Matcher, question: str
) -> list[GuidelineDraft]:
    need = _needed(len(matcher))
    conditions = _conditions(matcher)
    numbers = set(re.findall(r"\d+", question))
    asked = question_scope(question)
    seen: set[str] = set()
    drafts = []
    for rank, rec in enumerate(recs):
        scope = " ".join(filter(None, (rec.statement, rec.guideline_title, rec.population)))
        # a condition its heading names is whom it is for: "BP target: < 130/80
        # mm Hg" under "Special Populations > Chronic Kidney Disease (CKD)"
        # (not a treatment: "BP must be < 185/110 mmHg before alteplase" under
        # "... Before Thrombolysis" is no position on thrombolysis)
        named = matcher.in_text(scope) | (matcher.in_text(last_heading(rec.section)) & conditions)
        if not _bears_on(named, need, conditions):
            continue
        # a guideline written for none of the question's conditions speaks
        # only where it names them all: the ICH guideline's "LMWH ... to
        # optimize the benefits of VTE prevention" is no answer for cancer
        # patients with VTE
        # (nor where it names them only as examples: the endocarditis
        # guideline's "patients on chronic anticoagulation for other
        # indications (e.g., mechanical valve, atrial fibrillation)" is no
        # answer on anticoagulation in AF)
        if not matcher.in_text(rec.guideline_title or "") & conditions and not (
            conditions <= matcher.in_text(_EXAMPLES.sub(" ", scope))
        ):
            continue
        section = rec.section or ""
        # for "non-diabetic adults": not for the diabetics asked about
        if matcher.excluded(" ".join(filter(None, (rec.statement, rec.population, section)))):
            continue
        kinds = recommendation_kinds(section, rec.statement, rec.guideline_title)
        if not fits(asked, kinds, rec.population or f"{section} {rec.statement}"):
            continue
        matched = len(named)
        drafts.append(
            GuidelineDraft(
                item_id=rec.id,
                body=rec.body,
                year=rec.year,
                statement=rec.statement,
                strength=rec.strength,
                certainty=rec.certainty,
                direction=rec.direction,
                statement_type=rec.statement_type,
                key_points=_key_points(rec.key_points, matcher, numbers, seen),
                rank=rank,
                strength_norm=rec.strength_norm,
                matched=matched,
                population_fit=population_match(
                    asked, " ".join(filter(None, (rec.population, section, rec.statement)))
                ),
                superseded=superseded(rec.body, rec.guideline_title, section),
            )
        )
    return drafts


def document_drafts(
    docs: Sequence[Document],
    matcher: Matcher,
    covered: set[str],
    start_rank: int,
    question: str = "",
    partly: Mapping[str, Sequence[str]] | None = None,
) -> list[GuidelineDraft]:
    """Guideline documents without graded recommendations: a short excerpt.

    The excerpt is the document's own sentences that name the most concepts;
    the document's grades, if any, are not in our data, so none are shown.
    A guideline in ``partly`` (its listed recommendations, given, name only
    some of the question's concepts) is excerpted only where a passage names
    them all and is not one of those recommendations again.
    """
    need = _needed(len(matcher))
    conditions = _conditions(matcher)
    asked = question_scope(question)
    asked_words = _asked_words(question, matcher)
    aspects = asked_aspects(question)
    drafts = []
    for i, doc in enumerate(docs):
        # a guideline whose recommendations are listed is not listed again
        if covered & {doc.pmid, doc.doi, doc.journal, doc.title}:
            continue
        named = matcher.in_document(doc)
        if not _bears_on(named, need, conditions):
            continue
        if not fits(asked, recommendation_kinds("", "", doc.title), doc.title):
            continue
        matched = len(named)
        passages = _passages(doc)
        # a graded recommendation of a guideline titled for a condition is on
        # it ("ACG Guidelines: Management of Acute Pancreatitis": "The ACG
        # suggests moderately aggressive IV hydration ... (Conditional, Low)");
        # its background sentences ("This represents a change from the 2016
        # guideline, which suggested against ...") must name it themselves
        titled = matcher.in_text(doc.title) & conditions
        # and a graded one on all its title names ("Neonatal Resuscitation":
        # "Epinephrine is indicated when the heart rate remains < 60 bpm ...
        # (COR 2a, LOE C-LD)" is on neonatal resuscitation)
        graded_on = matcher.in_text(doc.title)
        # a sub-heading's section names the topic of what it advises ("2.
        # Variceal Bleeding" over "Primary Prophylaxis (Prevention of First
        # Bleed)": "Carvedilol is the preferred NSBB for portal hypertension");
        # not of a list's items ("Levofloxacin 750 mg IV once daily; OR")
        # "7-Day Course for Non-Fluoroquinolone Agents" names no fluoroquinolone
        names = [
            (
                matcher.in_text(f"{section if _ADVISES.search(s) else ''} {heading} {s}")
                | (
                    graded_on
                    if _GRADED.search(s)
                    else titled
                    if _ADVISES_NOW.search(s)
                    else frozenset()
                )
            )
            - matcher.excluded(f"{heading} {s}")
            for section, heading, s in passages
        ]
        # an excerpt must itself name the concepts a recommendation must name,
        # and, with its guideline's topic (title and keywords), the question's
        # conditions: "For patients who develop recurrent VTE while receiving
        # VKA ..." of a guideline on DVT and PE does not answer on cancer
        # patients; a STEMI guideline's keywords name acute coronary syndromes
        topic = matcher.in_text(" ".join((doc.title, *doc.keywords))) & conditions
        quotable = [
            len(names[j]) >= need
            and conditions <= names[j] | topic
            and not other_kind(asked, f"{heading} {s}")
            for j, (_, heading, s) in enumerate(passages)
        ]
        # what its listed statements (if any) say already, and what the
        # question asks of its concepts (a dose, a duration, a target, a
        # time) that none of them gives: a passage that may be quoted and
        # gives it comes first ("Initiate RRT emergently when life-threatening
        # changes ... exist" for "when should RRT be started in AKI")
        said = [
            t
            for k in (doc.pmid, doc.doi, doc.journal, doc.title)
            for t in (partly or {}).get(k or "", ())
        ]
        wanted = [g for g in aspects if not any(g.search(t) for t in said)]
        # (a guideline's note on its limits is no answer: "Limitations:
        # Evidence for epinephrine dosing in neonates is largely ...")
        gives = [
            bool(wanted)
            and quotable[j]
            and not _COMMENTARY.match(heading)
            and all(g.search(text) for g in wanted)
            for j, (_, heading, text) in enumerate(passages)
        ]
        # then among equals, not one for another level of severity, risk or
        # probability than the question's ("PE Likely" for "low pretest
        # probability"),
        scored = sorted(
            (
                not gives[j],
                -len(names[j]),
                other_severity(question, f"{passages[j][1]} {passages[j][2]}"),
                # then one under a heading on what the question asks of its
                # concepts ("should anticoagulation be resumed after ICH":
                # "Resumption of Anticoagulation After ICH", not "General
                # Principle: ... anticoagulation should be discontinued")
                -_says_asked(asked_words, passages[j][1]),
                # then a graded recommendation first ("Allopurinol is strongly
                # recommended as the preferred first-line ULT agent ...
                # (Strong, Moderate)" before "Titration should occur over ...")
                _advice_rank(passages[j][2]),
                j,
            )
            for j in range(len(passages))
        )
        # the same sentence under two steps of a table is quoted once
        top = [
            j
            for k, (*_, j) in enumerate(scored[:MAX_EXCERPT_SENTENCES])
            if not any(passages[j][2] == passages[i][2] for *_, i in scored[:k])
        ]
        best = sorted(
            (j, f"{passages[j][1]}: {passages[j][2]}" if passages[j][1] else passages[j][2])
            for j in top
            if quotable[j]
        )
        if not best:
            continue
        if said:
            # only what its listed statements leave out: a passage naming
            # every concept where they leave one out, and giving what the
            # question asks of them where none of those statements gives it
            whole = len(matcher) if len(matcher.in_text(" ".join(said))) < len(matcher) else 0
            best = [
                (j, text)
                for j, text in best
                if len(names[j]) >= whole
                and all(g.search(passages[j][2]) for g in wanted)
                and not any(_same_point(passages[j][2], t) for t in said)
            ]
            if not best:
                continue
        drafts.append(
            GuidelineDraft(
                item_id=doc.id,
                body=_body_of(doc),
                year=doc.year,
                statement=" ".join(s for _, s in best),
                strength=None,
                certainty=None,
                direction=None,
                statement_type="summary" if doc.note else "excerpt",
                key_points=(),
                rank=start_rank + i,
                excerpt=True,
                matched=matched,
                population_fit=population_match(asked, doc.title),
                superseded=superseded(doc.title),
            )
        )
    return drafts


def _asked_words(question: str, matcher: Matcher) -> frozenset[str]:
    """The question's specific words that name none of its concepts
    ("resumed", "replacement", "target"), as five-letter stems: what it asks of them."""
    named = {
        s for m in matcher.concepts.values() for t in m.concept.terms for s in content_stems(t)
    }
    specific = weights(content_stems(question))
    return frozenset(
        s[:5]
        for s, w in specific.items()
        if w == 1 and len(s) >= 4 and s not in named and s[:5] not in _FRAMING_STEMS
    )


#: how a question asks, not what about: every recommendation is "recommended"
_FRAMING_STEMS = frozenset(
    ("recom", "sugge", "advis", "indic", "given", "used", "need", "neede", "requi", "routi",
     "effec", "benef", "appro", "consi", "prefe", "long", "best", "bette", "good", "safe")
)  # fmt: skip


def _says_asked(asked: frozenset[str], text: str) -> int:
    return len(asked & {s[:5] for s in content_stems(text)})


_LIST_MARK = re.compile(r"^\s*(?:[-*+]|#+|\d+\.)\s+")
#: a summary's note on the software that computes a score ("OpenMedicine
#: Calculator: calculate_wells_pe — available via MCP"): no recommendation
_TOOL_NOTE = re.compile(r"\bavailable via MCP\b|\bOpenMedicine Calculators?\b", re.I)
# A sub-heading inside a section ("SGLT2 Inhibitors (Recommendation 9.18-9.20,
# Grade A)"): a short line that is not a list item and does not end a sentence.
_HEADING = re.compile(r"^(?:#+\s*)?(?![-*+]\s|\d+\.\s)[^|]{2,100}(?<![.;:!?,])$")
_MAX_HEADING_WORDS = 12
#: a numbered line over a list is that list's heading: "2. SGLT2 Inhibitors"
#: over "- Indication: Recommended for adults with CKD (G1-G4) regardless of
#: diabetes status (Grade 1A/1B)"; not a numbered list's own items
_NUMBERED_HEADING = re.compile(r"^\d+\.\s+[^|]{2,80}(?<![.;:!?,])$")
_MAX_NUMBERED_HEADING_WORDS = 8


def _over_a_list(line: str, following: Sequence[str]) -> bool:
    if not _NUMBERED_HEADING.match(line) or len(line.split()) > _MAX_NUMBERED_HEADING_WORDS:
        return False
    after = next((x.strip() for x in following if x.strip()), "")
    return bool(re.match(r"[-*+]\s", after))


def _passages(doc: Document) -> list[tuple[str, str, str]]:
    """(section label, sub-heading, sentence) of a guideline document.

    Summaries state recommendations under sub-headings that name the subject
    ("SGLT2 Inhibitors (... Grade A)" over "Recommended as part of the
    treatment plan ..."): the sentence alone would be a fragment that reads as
    if it were about whatever else it names. A section's label is its first
    heading. Table rows are not sentences; a sentence that points back to
    text not shown, or introduces a list (ends with ":"), is skipped.
    """
    out: list[tuple[str, str, str]] = []
    for section in doc.abstract:
        label = heading = section.label or ""
        lines = section.text.splitlines()
        for at, raw in enumerate(lines):
            line = raw.strip()
            if not line or "|" in line:
                continue
            if (_HEADING.match(line) and len(line.split()) <= _MAX_HEADING_WORDS) or _over_a_list(
                line, lines[at + 1 :]
            ):
                heading = _LIST_MARK.sub("", line)
                continue
            for piece in split_sentences(line):
                sentence = _LIST_MARK.sub("", piece)
                # a list item's own items are not told from the list's next
                # items once flattened: only a paragraph's list is joined
                if (
                    sentence.endswith(":")
                    # "An early invasive strategy ... should be considered in
                    # NSTE-ACS patients with at least one of the following (Class
                    # I, Level of Evidence A):"
                    and (_RECOMMENDS.search(sentence) or _GRADED.search(sentence))
                    and not _LIST_ITEM.match(raw)
                ):
                    sentence = _with_list(sentence, lines[at + 1 :])
                if _DANGLING.search(sentence) or sentence.endswith(":"):
                    continue
                if not heading and _OPENS_WITH_REFERENCE.match(sentence):
                    continue
                if _TOOL_NOTE.search(sentence):
                    continue
                out.append((label if label != heading else "", heading, sentence))
    return out


#: the most list items a recommendation that introduces a list is quoted with
_MAX_LIST_ITEMS = 4


def _with_list(lead: str, following: Sequence[str]) -> str:
    """A recommendation that introduces a list, quoted with the list's items
    joined by semicolons, so that whom it is for is not cut off (the first
    few, then "[...]", as a quotation marks what it leaves out); unchanged
    (and so skipped) when no list follows."""
    items = []
    for raw in following:
        if not _LIST_ITEM.match(raw):
            break
        items.append(_LIST_MARK.sub("", raw.strip()).rstrip(".;"))
    if not items:
        return lead
    if len(items) > _MAX_LIST_ITEMS:
        return f"{lead} {'; '.join(items[:_MAX_LIST_ITEMS])}; [...]"
    return f"{lead} {'; '.join(items)}."


def _body_of(doc: Document) -> str:
    """Who issued a guideline document: a summary's registry names it as the
    (collective) author; a PubMed record's journal is the best we have."""
    if doc.source != "pubmed" and doc.authors:
        return doc.authors[0]
    return doc.journal or "guideline"


def covered_by(
    recs: Sequence[Recommendation],
    drafts: Sequence[GuidelineDraft],
    about: Callable[[str], bool] = lambda _: True,
    passing: Callable[[str], bool] = lambda _: False,
) -> set[str]:
    """Identifiers of the guidelines whose recommendations are listed, name
    what the question asks about (``about``) and do not fit its population
    worse than one that names none: a guideline whose listed recommendations
    on AF with heart failure do not name digoxin is still excerpted
    ("Digoxin: May be added as a second-line agent for rate control"), and
    one whose only statement on allopurinol is for CKD stage 3 or worse
    ("Allopurinol is strongly recommended as the preferred first-line ULT
    agent for all patients"), nor one whose listed statements name it only in
    passing (``passing``: "Aspirin + low-dose rivaroxaban may be considered
    for stable CAD" beside the ADA's "Aspirin 75-162 mg/day may be considered
    for primary prevention in patients with diabetes")."""
    listed = {
        d.item_id
        for d in drafts
        if about(d.statement) and d.population_fit >= 0 and not passing(d.statement)
    }
    return {k for rec in recs if rec.id in listed for k in _guideline_keys(rec)}


def _guideline_keys(rec: Recommendation) -> list[str]:
    """What names the guideline a recommendation is from, as its documents
    are matched: PMID, DOI, title."""
    return [k for k in (rec.pmid, rec.doi, rec.guideline_title) if k]


def order(
    drafts: Sequence[GuidelineDraft], asked: Sequence[re.Pattern[str]] = ()
) -> list[GuidelineDraft]:
    """The guideline section's order, by issuing body.

    Current guidelines come before superseded ones, a body that gives what
    the question asks of its concepts (``asked``: a dose, a duration, a
    target, a time) before one that does not, and graded recommendations
    before excerpts of guideline documents. Bodies are ordered by whether
    their best recommendation names the question's population group, then
    how many of the question's concepts it names, then bodies that grade
    their recommendations, then the newest guideline (a newer guideline
    usually supersedes an older one), then retrieval rank; within a body, by
    population, concepts named, then rank.
    """
    groups: dict[tuple[bool, bool, str], list[GuidelineDraft]] = {}
    for d in drafts:
        groups.setdefault((d.superseded, d.excerpt, d.body), []).append(d)

    def answers(d: GuidelineDraft) -> bool:
        return bool(asked) and all(g.search(d.statement) for g in asked)

    def group_key(
        key: tuple[bool, bool, str],
    ) -> tuple[bool, bool, bool, int, int, bool, int, int]:
        items = groups[key]
        graded = any(d.strength_norm != "unknown" for d in items)
        return (
            key[0],
            # "when should RRT be started in AKI": KDIGO's "Initiate RRT
            # emergently when life-threatening changes ... exist" before its
            # ten graded statements on membranes, buffers and anticoagulation
            bool(asked) and not any(answers(d) for d in items),
            key[1],
            -max(d.population_fit for d in items),
            -max(d.matched for d in items),
            not graded,
            -max(d.year or 0 for d in items),
            min(d.rank for d in items),
        )

    def item_key(d: GuidelineDraft) -> tuple[int, int, bool, int]:
        # an excerpt that quotes its grade is a recommendation; one that does
        # not may be background (Sepsis-3's definition of septic shock "...
        # vasopressors to maintain a MAP >= 65" after the SSC 2021's "initial
        # target MAP of 65 mmHg ... (Strong recommendation, ...)")
        background = d.excerpt and not quotes_grade(d.statement)
        return (-d.population_fit, -d.matched, background, d.rank)

    ordered: list[GuidelineDraft] = []
    said: set[tuple[str, str]] = set()
    for key in sorted(groups, key=group_key):
        for d in sorted(groups[key], key=item_key):
            # one statement under several headings ("BP target: < 130/80 mm Hg"
            # for CKD, for diabetes, for heart failure) is listed once, under
            # the heading that fits best
            if (d.body, d.statement) not in said:
                said.add((d.body, d.statement))
                ordered.append(d)
    return ordered[:MAX_ITEMS]


#: how much a normalised strength weighs when choosing the key recommendation
_STRENGTH_ORDER = {"strong": 0, "conditional": 1, "good-practice": 2, "expert-opinion": 3}


def strength_rank(draft: GuidelineDraft) -> int:
    """0 for a strong recommendation, then conditional, good practice, expert
    opinion; 9 when the strength is unknown."""
    return _STRENGTH_ORDER.get(draft.strength_norm, 9)


#: equally strong recommendations: the more certain evidence first
_CERTAINTY_ORDER = {"high": 0, "moderate": 1, "low": 2, "very-low": 3}


def certainty_rank(certainty: str | None, strength: str | None, body: str) -> int:
    """0 for high certainty of evidence, then moderate, low, very low; 9 when
    ungraded or unknown (read from the source's words, as ingest does)."""
    return _CERTAINTY_ORDER.get(normalise_certainty(certainty, strength, body), 9)


def guideline_drafts(
    candidates: GuidelineCandidates,
    matcher: Matcher,
    question: str,
    passing: Callable[[str], bool] = lambda _: False,
) -> list[GuidelineDraft]:
    """The guideline section: recommendations that name the question's
    concepts, then excerpts of guideline documents whose recommendations are
    not already listed (or name the question's subject only in ``passing``),
    in the order of :func:`order`."""
    recs = candidates.recommendations
    drafts = recommendation_drafts(recs, matcher, question)
    concepts = subject_first([m.concept for m in matcher.concepts.values()], question)
    # on the subject as the section lists it (``subject.on_subject``): by its
    # own name, or by its members where the body makes two statements on them;
    # one statement on ibandronate is no statement on bisphosphonates
    levels = on_subject([(d.body, d.statement) for d in drafts], concepts)
    named = {d.statement for d, level in zip(drafts, levels, strict=True) if level > 0}
    covered = covered_by(recs, drafts, named.__contains__, passing)
    # a guideline whose listed statements leave out one of the question's
    # concepts may say it elsewhere: the AF guideline's "DOACs ... in
    # DOAC-eligible patients with AF" beside its "Warfarin is recommended only
    # when DOACs are contraindicated (e.g., ... mechanical heart valves)"
    # (and one whose listed statements name them all but give none of what an
    # open question asks of them: the SSC's statements on MRSA cover and
    # gram-negative cover name antibiotics and sepsis, its "administering
    # antimicrobials immediately, ideally within 1 hour" says when)
    by_id = {rec.id: rec for rec in recs}
    listed = [(d, _guideline_keys(by_id[d.item_id])) for d in drafts]
    wanted = asked_aspects(question)
    complete = {
        k
        for d, keys in listed
        # (not one that names the subject in passing: tenecteplase's dose "as an
        # alternative to alteplase" gives no dose of alteplase)
        if d.matched >= len(matcher)
        and all(g.search(d.statement) for g in wanted)
        and not (wanted and passing(d.statement))
        for k in keys
    }
    partly: dict[str, list[str]] = {k: [] for k in covered - complete}
    for d, keys in listed:
        for k in keys:
            if k in partly:
                partly[k].append(d.statement)
    documents = document_drafts(
        candidates.documents, matcher, covered - partly.keys(), len(recs), question, partly
    )
    return order(drafts + documents, wanted)
