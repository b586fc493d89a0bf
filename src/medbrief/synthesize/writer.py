"""Compose the Brief: number the sources, write the summaries, key findings.

Every sentence of a brief is either a source's own sentence or one of the
templates below filled with computed facts (counts, stances, names of
sub-topics, the issuing body and year). Nothing else is written, so nothing
can be invented. Guidelines are numbered first, then studies in order of
first citation: the bottom line's first (``bottom_line``), then the
research section's.

A sub-topic whose studies disagree is "inconsistent" only when the minority
is material (``weigh.material``: a quarter of the weight, or the heaviest
study); otherwise its summary says "mostly consistent" and names the
dissenting studies. Every ``[n]`` of a summary carries, in its citations,
the sentence that source was counted on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from medbrief.grade import split_sentences
from medbrief.synthesize.aspects import gives_asked
from medbrief.synthesize.bottom_line import (
    Listed,
    best_guidelines,
    for_others,
    guideline_votes,
    in_passing_last,
    leading_sentence,
    may_speak,
    named_in_passing,
    names_only_forgone,
    open_line,
    strongest_first,
    yes_no_line,
)
from medbrief.synthesize.draft import Finding
from medbrief.synthesize.facets import role
from medbrief.synthesize.fit import last_heading, stated_population
from medbrief.synthesize.guidelines import GuidelineDraft, stated_grades, strength_rank
from medbrief.synthesize.match import ConceptMatcher
from medbrief.synthesize.ranges import range_fit, states_range
from medbrief.synthesize.research import FacetFindings
from medbrief.synthesize.subject import (
    anchor_of,
    comparison,
    forgone_of,
    mentions_other_treatments,
    mentions_subject,
    names_a_drug,
    names_only_members,
    on_subject,
    subject_first,
    subject_of,
)
from medbrief.synthesize.verdict import Vote, asks_recommendation, decide
from medbrief.synthesize.weigh import APART, Side, material, newest_year, plural, study_weight
from medbrief.types import (
    DESIGN_LABELS,
    BottomLine,
    Brief,
    Bullet,
    Citation,
    Concept,
    Document,
    Evidence,
    Facet,
    GuidelineItem,
    Reading,
    Recommendation,
    Reference,
    StudyStance,
    canonical_link,
)

MAX_BULLETS_PER_FACET = 6
MAX_KEY_GUIDELINES = 2

_POSITIVE = {
    "association": "an association",
    "topic": "a positive finding",
    "treatment": "a benefit",
    "procedure": "a benefit",
    # the stance says a difference was found, not which way it went
    "comparison": "a difference",
}
_NEGATIVE = {
    "association": "no association",
    "topic": "a negative finding",
    "treatment": "no benefit",
    "procedure": "no benefit",
    "comparison": "no difference",
}


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def _sources(ids: Sequence[str], designs: Mapping[str, str]) -> str:
    """ "3 studies report", "2 studies and 1 narrative review report": a
    narrative review summarises others' work, and animal and in-vitro work is
    not clinical evidence: each is counted on its own, never as a study
    (``weigh.APART``; CEBM level 5)."""
    counts: dict[str, int] = {}
    for i in ids:
        design = designs.get(i, "")
        key = design if design in APART else "study"
        counts[key] = counts.get(key, 0) + 1
    parts = []
    for key in ("study", *sorted(APART)):
        n = counts.get(key, 0)
        if n:
            label = "study" if key == "study" else DESIGN_LABELS[key]
            parts.append(_count(n, label, plural(label)))
    return f"{' and '.join(parts)} {'reports' if len(ids) == 1 else 'report'}"


@dataclass
class _Numbering:
    order: list[str] = field(default_factory=list)

    def n(self, item_id: str) -> int:
        if item_id not in self.order:
            self.order.append(item_id)
        return self.order.index(item_id) + 1


def _refs(numbering: _Numbering, ids: Sequence[str]) -> tuple[int, ...]:
    return tuple(sorted({numbering.n(i) for i in ids}))


def _shown(findings: Sequence[Finding]) -> list[Finding]:
    """The findings listed under a sub-topic: strongest evidence first, but
    every side of a disagreement gets its bullets (a reader must see what
    the studies finding no effect say, not only their count)."""
    sides: dict[str, list[Finding]] = {}
    for f in findings:
        sides.setdefault(f.stance, []).append(f)
    share = max(MAX_BULLETS_PER_FACET // max(len(sides), 1), 2)
    picked = {id(f) for side in sides.values() for f in side[:share]}
    for f in findings:  # fill what is left in order of strength
        if len(picked) >= MAX_BULLETS_PER_FACET:
            break
        picked.add(id(f))
    return [f for f in findings if id(f) in picked]


def _finding_bullet(f: Finding, numbering: _Numbering) -> Bullet:
    citations = tuple(Citation(numbering.n(s.item_id), s.sentence, s.score) for s in f.supports)
    return Bullet(f.text, tuple(sorted({c.n for c in citations})), citations)


def _summary(
    facet: FacetFindings,
    numbering: _Numbering,
    designs: Mapping[str, str],
    weights: Mapping[str, float],
) -> tuple[str, Bullet | None]:
    intent = facet.plan.intent
    by: dict[str, list[str]] = {"yes": [], "no": [], "maybe": []}
    said: dict[str, str] = {}
    for f in facet.findings:
        by[f.stance].extend(i for i in f.item_ids if i not in by[f.stance])
        for sup in f.supports:
            said.setdefault(sup.item_id, sup.sentence)
    yes, no, maybe = by["yes"], by["no"], by["maybe"]
    if not (yes or no or maybe):
        label = facet.plan.label
        text = f"No study among those retrieved addresses {label[:1].lower()}{label[1:]}."
        return "no_evidence", Bullet(text, kind="summary")
    phrases = {
        "yes": f"{_POSITIVE[intent]} {{yes}}",
        "no": f"{_NEGATIVE[intent]} {{no}}",
        "maybe": "mixed or unclear results {maybe}",
    }
    parts = {k: f"{_sources(v, designs)} {phrases[k]}" for k, v in by.items() if v}
    refs = {k: _refs(numbering, v) for k, v in by.items()}
    marks = {k: "[" + ", ".join(map(str, r)) + "]" for k, r in refs.items()}
    status = "evidence"
    order: list[str] = [k for k in ("yes", "no", "maybe") if k in parts]
    if yes and no:
        sides = {
            k: Side(tuple(by[k]), sum(weights.get(i, 0.0) for i in by[k])) for k in ("yes", "no")
        }
        major, minor = sorted(("yes", "no"), key=lambda k: -sides[k].weight)  # stable: yes on a tie
        heaviest = max(weights.get(i, 0.0) for i in yes + no)
        if material(sides[minor], sides[major], heaviest):
            status = "inconsistent"
            text = "The evidence is inconsistent: " + "; ".join(parts[k] for k in order) + "."
        else:
            order = [major, minor] + (["maybe"] if maybe else [])
            dissent = _dissent(by[minor], designs, numbering)
            text = (
                "Mostly consistent: "
                + "; ".join(parts[k] for k in order)
                + f" (the dissent: {dissent})."
            )
    elif len(yes) + len(no) + len(maybe) > 1:
        text = "; ".join(parts[k] for k in order)
        text = f"{text[:1].upper()}{text[1:]}."
    else:
        return status, None
    text = text.format(**marks)
    all_refs = tuple(sorted(set(refs["yes"]) | set(refs["no"]) | set(refs["maybe"])))
    ids = {numbering.n(i): i for k in order for i in by[k]}
    citations = tuple(Citation(n, said.get(ids[n]), 1.0) for n in all_refs)
    return status, Bullet(text, all_refs, citations, kind="summary")


def _dissent(ids: Sequence[str], designs: Mapping[str, str], numbering: _Numbering) -> str:
    """The dissenting studies by design: "a case report [7]"."""
    named = []
    for i in ids:
        label = DESIGN_LABELS.get(designs.get(i, ""), "study of unstated design")
        article = "an" if label[:1] in "aeiou" else "a"
        named.append(f"{article} {label} [{numbering.n(i)}]")
    return ", ".join(named)


def guideline_items(drafts: Sequence[GuidelineDraft]) -> tuple[GuidelineItem, ...]:
    """The guideline section; guidelines are numbered first, 1..G, in this order."""
    return tuple(
        GuidelineItem(
            ref=n,
            body=g.body,
            year=g.year,
            statement=g.statement,
            strength=g.strength,
            certainty=g.certainty,
            direction=g.direction,
            statement_type=g.statement_type,
            key_points=g.key_points,
            superseded=g.superseded,
        )
        for n, g in enumerate(drafts, 1)
    )


def _compared(facets: Sequence[FacetFindings], reading: Reading) -> tuple[Concept, ...]:
    """The two treatments a comparison asks about ("Is colonoscopy better
    than FIT?"), in the question's order; none for other questions."""
    labels = next((f.plan.concepts for f in facets if f.plan.intent == "comparison"), ())
    by_label = {c.label: c for c in reading.concepts}
    return tuple(by_label[label] for label in labels if label in by_label)


#: a pointer to elsewhere in the source, not whom a statement is for: "See the
#: Clinical Considerations section for ... rescreening in pregnancy" (USPSTF)
_SEE_ALSO = re.compile(r"\bSee the\b.*", re.S)


def compose(
    question: str,
    reading: Reading,
    guideline_drafts: Sequence[GuidelineDraft],
    facets: Sequence[FacetFindings],
    items: dict[str, Document | Recommendation],
    evidence: dict[str, Evidence],
    dropped_claims: int,
    notes: Sequence[str] = (),
    *,
    votes: Sequence[Vote] | None = None,
) -> Brief:
    """The Brief. ``votes``: each study's stance on the question as asked,
    for a question that asks yes or no (``verdict.read_votes``); None for
    other questions."""
    # judged on the question as read (spelling corrected: "recomend"), told as asked
    asked, question = question, reading.corrected or question
    # On a comparison, a recommendation is on the question when it states
    # the comparison, in the question's order ("ticagrelor over
    # clopidogrel"); "screen adults aged 50 to 75 for colorectal cancer" or
    # "discontinue ticagrelor >= 3 days ... clopidogrel >= 5 days before
    # surgery" compare nothing.
    compared = comparison(question, _compared(facets, reading), reading.concepts)
    if compared is None:
        concepts = subject_first(reading.concepts, question)
        about = mentions_subject(concepts)
        tried = mentions_other_treatments(concepts)
        by_members = names_only_members(concepts)
        on = on_subject(
            [(d.body, _headed(d.statement, items.get(d.item_id), about)) for d in guideline_drafts],
            concepts,
        )
        subject_concept = subject_of(concepts)
        # a question on no treatment or test is on its first concept
        named = subject_concept or next(iter(concepts), None)
        silent_on = f"name {named.label if named else 'it'}"
        anchor = anchor_of(concepts, question)
        forgone = forgone_of(concepts, question)
    else:
        on = [2 * compared.on_it(d.statement) for d in guideline_drafts]
        anchor = forgone = None
        silent_on = compared.missing
        about = compared.on_it
        tried = about
        by_members = names_only_members(())
    # whom the question is about: its conditions, and its other concepts that
    # are no treatment or test ("pregnancy" in "Is HIV screening recommended
    # in pregnancy?": the statement for "all pregnant persons")
    conditions = [ConceptMatcher(c) for c in reading.concepts if role(c) in ("condition", "other")]

    def as_listed(g: GuidelineItem, d: GuidelineDraft, named: bool) -> Listed:
        item = items.get(d.item_id)
        population = _population(item)
        x = Listed(
            g,
            population,
            (d.population_fit, d.matched),
            strength_rank(d),
            _quote(g, question, about, anchor),
            named,
            unanchored=anchor is not None and not anchor.in_text(g.statement),
            # whom it is for comes from its section heading only ("Special
            # Populations > Chronic Kidney Disease (CKD)": "BP target: < 130/80")
            headed=isinstance(item, Recommendation) and not item.population and bool(population),
            title=_title(item),
        )
        if compared is not None:
            # on a comparison, ``about`` needs both sides: naming one after
            # "over" is the comparison itself, not in passing; one stated the
            # other way round prefers what the question sets second
            return replace(x, without=compared.reverses(x.said))
        # what it says: an excerpt's quoted sentence ("The panel suggests
        # anticoagulation alone over routine thrombolysis"), not the next one
        # it is joined with ("Thrombolysis may be considered in select patients")
        return replace(
            x,
            without=names_only_forgone(x.said, about, tried),
            in_passing=named_in_passing(x.said, about),
            forgone=forgone is not None,
            conditions=sum(m.in_text(_SEE_ALSO.sub("", x.said)) for m in conditions),
            by_members=by_members(x.said),
        )

    def listing(key: Callable[[int], tuple[int, ...]]) -> tuple[list[int], list[Listed]]:
        # the drafts' indices in listed order (stable: the section's order
        # within equal keys), and each listed
        at = sorted(range(len(guideline_drafts)), key=key)
        drafts = [guideline_drafts[i] for i in at]
        items = guideline_items(drafts)
        return at, [as_listed(g, d, on[i] > 0) for g, d, i in zip(items, drafts, at, strict=True)]

    # a statement that names the treatment asked about is listed (and
    # numbered) before one that names only its class, then the rest; and,
    # within each, one that may speak for its body before one for other ages,
    # values, routes or groups, listed after as context (an ADA statement for
    # adults with type 2 diabetes after KDIGO's for adults with CKD)
    at, listed = listing(lambda i: (-on[i],))
    speaks = {
        i: may_speak(x, question) and not x.passing(question)
        for i, x in zip(at, listed, strict=True)
    }

    # on an open question asking a dose, a duration, a target or a time, one
    # that gives it is listed first among those that may speak ("Default: 12
    # months of DAPT after ACS" before "DAPT duration ... should be guided by
    # an interprofessional team")
    gives = {
        i: votes is None and speaks[i] and gives_asked(x.item.statement, question)
        for i, x in zip(at, listed, strict=True)
    }

    def key(i: int) -> tuple[int, ...]:
        return (-on[i], not speaks[i], not gives[i])

    if [key(i) for i in at] != sorted(key(i) for i in at):  # relisted only when it moves
        at, listed = listing(key)
    guideline_drafts = [guideline_drafts[i] for i in at]
    numbering = _Numbering([g.item_id for g in guideline_drafts])
    guidelines = tuple(x.item for x in listed)
    listed = in_passing_last(listed, question)
    bottom: BottomLine | None = None
    # When no current statement is on the question's subject, the line says
    # so; when those that are are all for other ages, values, time windows,
    # routes or groups (``for_others``), it says that.
    # A statement naming it only in passing ("Standard CAP regimens (e.g.,
    # beta-lactam plus macrolide)") takes no position on it either.
    in_force = [x for x in listed if not x.item.superseded]
    on_it = [x for x in in_force if x.on_subject]
    silent: tuple[list[Listed], str] = (in_force, silent_on)
    if on_it:
        unfit = all(for_others(x, question) for x in on_it)
        passing = all(x.passing(question) for x in on_it)
        silent = (
            (on_it, _UNFIT)
            if unfit
            else (on_it, f"{silent_on} other than in passing")
            if passing and compared is None
            else ([], "")
        )
    stances: dict[str, StudyStance] = {}
    if votes is not None:
        chosen = best_guidelines(listed, question)
        by_guideline = guideline_votes(chosen, question, forgone=forgone is not None)
        asks_what_to_do = asks_recommendation(question)
        weighing = decide(votes, by_guideline, asks_what_to_do)
        if weighing.guideline_led:
            # The guideline's position answers, and the studies are only
            # reported: those the research section cites under a sub-topic,
            # not every study that names the question's words (a cohort on
            # COVID-19 mortality under aspirin is no evidence on whether
            # adults should take aspirin to prevent cardiovascular disease).
            reported = {s.item_id for f in facets for x in f.findings for s in x.supports}
            votes = [v for v in votes if v.item_id in reported]
            weighing = decide(votes, by_guideline, asks_what_to_do)
        if (
            silent[1] == _UNFIT
            and not by_guideline
            and weighing.verdict != "insufficient"
            and states_range(question)
            and not any(range_fit(question, v.sentence or "") > 0 for v in weighing.votes)
        ):
            # the guidelines are for other ages or values than the question
            # states, and no study states them: the USPSTF's Grade B for
            # those who quit smoking within 15 years, "discontinued once a
            # person has not smoked for 15 years", is no yes for someone who
            # quit 20 years ago because a trial of screening finds a benefit
            weighing = replace(weighing, verdict="insufficient", lean=None, unstated=True)
        bottom = yes_no_line(weighing, chosen, evidence, numbering.n, silent)
        stances.update((v.item_id, StudyStance(v.label, v.sentence)) for v in votes)  # type: ignore[arg-type]
    research = []
    key_facets = []
    designs = {i: e.design for i, e in evidence.items()}
    newest = newest_year(evidence.values())
    weights = {i: study_weight(e, newest) for i, e in evidence.items()}
    for facet in facets:
        shown = _shown(facet.findings)
        bullets = [_finding_bullet(f, numbering) for f in shown]
        status, summary = _summary(facet, numbering, designs, weights)
        for f in facet.findings:
            for sup in f.supports:
                stances.setdefault(
                    sup.item_id, StudyStance(f.stance, sup.sentence, facet.plan.label)
                )
        if summary is not None:
            bullets.insert(0, summary)
            key_facets.append(
                Bullet(
                    f"{facet.plan.label}: {summary.text}",
                    summary.refs,
                    summary.citations,
                    kind="summary",
                )
            )
        elif bullets:
            key_facets.append(
                Bullet(
                    f"{facet.plan.label}: {bullets[0].text}", bullets[0].refs, bullets[0].citations
                )
            )
        research.append(
            Facet(facet.plan.label, facet.plan.concepts, status, tuple(bullets))  # type: ignore[arg-type]
        )
    # the recommendations the bottom line leads with, in its order: the best
    # fitting current ones, strongest first; superseded ones last
    current = [x for x in listed if may_speak(x, question)]
    picked = strongest_first(current) + [x for x in listed if x.item.superseded]
    key_findings = [
        Bullet(_guideline_key(x.item), (x.item.ref,)) for x in picked[:MAX_KEY_GUIDELINES]
    ]
    key_findings.extend(key_facets)
    if bottom is None:
        bottom = open_line(listed, research, question, silent)
    abstained = not guidelines and all(f.status == "no_evidence" for f in research) and not votes
    references = tuple(
        _reference(n, items[i], evidence.get(i), stances.get(i))
        for n, i in enumerate(numbering.order, 1)
    )
    if abstained:
        return Brief(
            question=asked,
            reading=reading,
            bottom_line=BottomLine(
                "No guideline recommendation or study among those stored addresses this question.",
                verdict=None if votes is None else "insufficient",
            ),
            abstained=True,
            notes=(
                "No relevant evidence found: no guideline recommendation or study among those "
                "stored addresses this question.",
                *notes,
            ),
            dropped_claims=dropped_claims,
        )
    return Brief(
        question=asked,
        reading=reading,
        bottom_line=bottom,
        guidelines=guidelines,
        research=tuple(research),
        key_findings=tuple(key_findings),
        references=references,
        dropped_claims=dropped_claims,
        notes=tuple(notes),
    )


#: what the recommendations on the subject do not do, when all are for others
_UNFIT = "apply to the ages, values, time windows, routes or groups the question states"


def _quote(
    g: GuidelineItem,
    question: str,
    about: Callable[[str], bool],
    anchor: ConceptMatcher | None = None,
) -> str:
    """The sentence quoted for a recommendation (``leading_sentence``), or,
    when that one is not ``about`` the question's subject or comparison, the
    first of its sentences that is ("Crystalloid Type: ... balanced
    crystalloids over 0.9% normal saline", not "Initial Crystalloid Volume:
    ... 30 mL/kg"); and one that names the question's ``anchor`` too where
    one does ("Anticoagulate for >= 3 weeks before cardioversion", not
    "Amiodarone IV is the preferred agent", for cardioversion without
    anticoagulation)."""
    quote = leading_sentence(g, question)
    sentences = split_sentences(g.statement)
    for anchored in (anchor, None) if anchor is not None else (None,):
        if about(quote) and (anchored is None or anchored.in_text(quote)):
            return quote
        sentence = next(
            (s for s in sentences if about(s) and (anchored is None or anchored.in_text(s))), None
        )
        if sentence:
            return sentence.strip().rstrip(".")
    return quote


def _headed(
    statement: str, item: Document | Recommendation | None, about: Callable[[str], bool]
) -> str:
    """A terse statement with the heading it stands under, when only the
    heading names what the question asks about: "HFrEF: Recommended for
    patients with HFrEF to improve survival" under "Long-Term Rhythm Control
    > Catheter Ablation (First-Line in Many Cases)" is on catheter ablation;
    not one that names a drug of its own ("a GLP-1 RA is preferred" under
    "SGLT2 Inhibitors")."""
    if not isinstance(item, Recommendation) or about(statement) or names_a_drug(statement):
        return statement
    heading = last_heading(item.section)
    return f"{heading}: {statement}" if heading and about(heading) else statement


def _title(item: Document | Recommendation | None) -> str:
    """The title of the guideline a recommendation or an excerpt comes from."""
    if isinstance(item, Recommendation):
        return item.guideline_title
    return item.title if item is not None else ""


def _population(item: Document | Recommendation | None) -> str | None:
    if isinstance(item, Recommendation):
        return stated_population(item.population, item.section)
    return None


def _guideline_key(g: GuidelineItem) -> str:
    grades = stated_grades(g.strength, g.certainty)
    year = f" ({g.year})" if g.year else ""
    first = leading_sentence(g)
    grading = f" Graded by the source: {grades}." if grades else ""
    return f"{g.body}{year}: {first}.{grading}"


def _reference(
    n: int, item: Document | Recommendation, ev: Evidence | None, stance: StudyStance | None
) -> Reference:
    if isinstance(item, Recommendation):
        link = canonical_link(item.pmid, item.doi, item.url)
        return Reference(
            n=n,
            kind="guideline",
            id=item.id,
            title=item.guideline_title,
            year=item.year,
            pmid=item.pmid,
            doi=item.doi,
            url=link,
            design="guideline",
            body=item.body,
            population=item.population,
            text_source=item.url if item.url and item.url != link else None,
        )
    design = ev.design if ev else ("guideline" if item.kind == "guideline" else None)
    return Reference(
        n=n,
        kind="guideline" if item.kind == "guideline" else "study",
        id=item.id,
        title=item.title,
        journal=item.journal,
        year=item.year,
        pmid=item.pmid,
        doi=item.doi,
        url=item.link,
        design=DESIGN_LABELS.get(design, design) if design else None,
        sample_size=ev.sample_size if ev else None,
        retracted=item.retracted,
        stance=stance,
    )
