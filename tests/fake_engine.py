"""A fake :class:`medbrief.engine.Engine` for the HTTP, page and benchmark tests.

It has the engine's ``answer/search/item`` methods and writes a brief the way
the real pipeline shapes one (guidelines numbered first, research per concept,
exact source sentences as citations) from whatever documents it is given: the
real RLS records in ../shared, or tiny inline records whose text is hostile
HTML and Markdown. Its data is controlled, so tests can expect exact output,
inject failures (``fail``) and slow answers (``delay``).
"""

from __future__ import annotations

import functools
import json
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from medbrief.errors import NotFoundError, QueryError
from medbrief.settings import Settings, get_settings
from medbrief.types import (
    AbstractSection,
    Brief,
    Bullet,
    Citation,
    Concept,
    Document,
    Facet,
    Filters,
    GuidelineItem,
    Hit,
    MeshHeading,
    Provenance,
    Reading,
    Recommendation,
    Reference,
    SearchResult,
    SpellingFix,
)

_STOP_WORDS = """the and for with are was were from that this there what which should does into
than then have has had not but any all can may its their they them who whom how when where why
between among about after before adults aged"""
STOP = frozenset(_STOP_WORDS.split())
FIXES = {"drain": "brain"}
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
_LABEL = re.compile(r"^([A-Z][A-Za-z /-]{2,40}):\s+(.*)$")
_SIZE = re.compile(r"\b(\d{2,6}) (?:patients|subjects|participants|adults|children|women)\b")
_NEGATION = re.compile(r"\b(?:no|not|did not|failed to)\b", re.I)
_PT_DESIGN = (
    ("Meta-Analysis", "meta-analysis"),
    ("Systematic Review", "systematic-review"),
    ("Randomized Controlled Trial", "rct"),
    ("Practice Guideline", "guideline"),
    ("Clinical Trial", "non-randomised-trial"),
    ("Review", "narrative-review"),
)


@functools.lru_cache(maxsize=4096)
def words(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z][a-z0-9]{2,}", text.lower()) if w not in STOP)


def design_of(doc: Document) -> str:
    for pt, design in _PT_DESIGN:
        if pt in doc.publication_types:
            return design
    return "other"


def sentences(doc: Document) -> list[tuple[str | None, str]]:
    return [(s.label, t) for s in doc.abstract for t in _SENTENCE.split(s.text) if t.strip()]


# ----------------------------------------------------------------- corpora


def load_rls(data: Path) -> tuple[list[Document], list[Recommendation]]:
    """The real RLS records of ../shared/data/rls as store values."""
    docs = []
    for line in (data / "rls" / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        a = json.loads(line)
        sections = []
        for part in a["abstract"].split("\n"):
            m = _LABEL.match(part)
            sections.append(AbstractSection(m.group(2), m.group(1)) if m else AbstractSection(part))
        types = tuple(t for t in a["publication_types"] if t != "unknown")
        docs.append(
            Document(
                id=f"pmid:{a['pmid']}",
                source_id=a["pmid"],
                source="rls",
                kind="guideline" if "Practice Guideline" in types else "research",
                title=a["title"],
                abstract=tuple(sections),
                pmid=a["pmid"],
                doi=a.get("doi"),
                journal=a.get("journal"),
                year=a.get("year"),
                authors=tuple(a.get("authors") or ()),
                publication_types=types,
            )
        )
    recs = []
    for line in (data / "rls" / "guideline_recommendations.jsonl").read_text().splitlines():
        r = json.loads(line)
        recs.append(
            Recommendation(
                id=r["id"],
                guideline_title=r["title"],
                body=r["issuing_body"],
                statement=r["recommendation_statement"],
                year=r.get("year"),
                direction=r.get("direction"),
                strength=r.get("strength"),
                certainty=r.get("certainty_of_evidence"),
                population=r.get("population"),
                url=r.get("source_url") if r.get("primary_source") else None,
                statement_type=r.get("statement_type", "verbatim").split(" ")[0],
            )
        )
    return docs, recs


#: A title built to break a page that inserts source text as HTML or Markdown.
XSS_TITLE = (
    '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> '
    "**Iron** and _restless legs_ [click](javascript:window.__xss=3)"
)


def inline_corpus() -> tuple[list[Document], list[Recommendation]]:
    """Three studies and two recommendations, one of each with hostile text."""
    docs = [
        Document(
            id="pmid:1001",
            source_id="1001",
            source="inline",
            title="Oral iron for restless legs syndrome: a randomized trial",
            abstract=(
                AbstractSection(
                    "Iron deficiency is common in restless legs syndrome.", "BACKGROUND"
                ),
                AbstractSection(
                    "Oral iron reduced restless legs syndrome severity in 120 patients. "
                    "Ferritin rose with treatment.",
                    "CONCLUSIONS",
                ),
            ),
            pmid="1001",
            journal="Sleep Medicine",
            year=2009,
            publication_types=("Randomized Controlled Trial",),
        ),
        Document(
            id="doi:10.1000/rls/brain-iron",
            source_id="10.1000/rls/brain-iron",
            source="inline",
            title="Brain iron transport across the blood-brain barrier in restless legs syndrome",
            abstract=(
                AbstractSection(
                    "Iron uptake across the blood-brain barrier is reduced in restless legs "
                    "syndrome. Brain iron was low in 30 patients."
                ),
            ),
            doi="10.1000/rls/brain-iron",
            journal="Neurology",
            year=2019,
            publication_types=("Review",),
        ),
        Document(
            id="pmid:666",
            source_id="666",
            source="inline",
            title=XSS_TITLE,
            abstract=(
                AbstractSection(
                    "<b>Iron</b> <script>window.__xss = 4</script> improved restless legs "
                    "syndrome in 40 patients."
                ),
            ),
            pmid="666",
            journal="<i>Journal</i> of *Markdown*",
            year=2020,
            url="javascript:window.__xss=5",
            publication_types=("Retracted Publication",),
        ),
    ]
    recs = [
        Recommendation(
            id="AASM2024-R-FCM",
            guideline_title="Treatment of restless legs syndrome (AASM guideline)",
            body="American Academy of Sleep Medicine (AASM)",
            statement="IV ferric carboxymaltose is recommended for adults with restless legs "
            "syndrome and appropriate iron status.",
            year=2024,
            direction="for",
            strength="strong",
            certainty="moderate",
            statement_type="paraphrase",
            key_points=("Check ferritin and transferrin saturation first.",),
        ),
        Recommendation(
            id="XSS-REC",
            guideline_title="<script>window.__xss = 6</script> guideline",
            body="<img src=x onerror=window.__xss=7> Society",
            statement="Iron for restless legs syndrome <script>window.__xss = 8</script>.",
            year=2020,
            strength="**weak**",
            certainty="<em>low</em>",
        ),
    ]
    return docs, recs


# ------------------------------------------------------------------ engine


class FakeEngine:
    """Duck-typed Engine over a fixed list of documents and recommendations."""

    def __init__(
        self,
        documents: Iterable[Document],
        recommendations: Iterable[Recommendation] = (),
        *,
        settings: Settings | None = None,
        delay: float = 0.0,
    ) -> None:
        home = Path(tempfile.gettempdir()) / "medbrief-fake-engine"
        # The test server takes every request from 127.0.0.1: the per-client
        # rate limit is off unless a test about it turns it on.
        self.settings = settings or get_settings(home=home, load_starter=False, client_rate_limit=0)
        self.documents = {d.id: d for d in documents}
        self.recommendations = {r.id: r for r in recommendations}
        self.delay = delay
        self.fail: BaseException | None = None
        self.threads: set[int] = set()
        self.calls: list[str] = []
        self.in_flight = 0
        self.most_in_flight = 0  # the most calls ever sleeping in ``delay`` at once
        self._lock = threading.Lock()

    # -- what the API calls

    def answer(
        self,
        question: str,
        *,
        filters: Filters | None = None,
        live: bool = False,
        on_stage: Callable[[str, Any], None] | None = None,
    ) -> Brief:
        self._enter("answer")
        emit = on_stage or (lambda name, value: None)
        reading = self.read(question)
        emit("reading", reading)
        recs = self._ranked_recs(reading, filters)[:3]
        guidelines = tuple(
            GuidelineItem(
                ref=i + 1,
                body=r.body,
                year=r.year,
                statement=r.statement,
                strength=r.strength,
                certainty=r.certainty,
                direction=r.direction,
                statement_type=r.statement_type,
                key_points=r.key_points,
            )
            for i, r in enumerate(recs)
        )
        emit("guidelines", guidelines)
        docs = self._ranked_docs(reading, filters)[:8]
        numbers: dict[str, int] = {}
        facets = tuple(self._facet(c, docs, len(recs), numbers) for c in reading.concepts[:3])
        emit("research", facets)
        key = tuple(f.bullets[0] for f in facets if f.status == "evidence")[:3]
        by_id = {d.id: d for d in docs}
        refs = [self._rec_reference(i + 1, r) for i, r in enumerate(recs)]
        refs += [self._doc_reference(n, by_id[i]) for i, n in numbers.items()]
        brief = Brief(
            question=question,
            reading=reading,
            guidelines=guidelines,
            research=facets,
            key_findings=key,
            references=tuple(refs),
            abstained=not refs,
            notes=() if refs else ("No guideline or study in the store matches the question.",),
        )
        emit("brief", brief)
        return brief

    def search(self, query: str, *, k: int = 10, filters: Filters | None = None) -> SearchResult:
        self._enter("search")
        reading = self.read(query)
        scored: list[tuple[float, str, Document | Recommendation]] = [
            (self._score(reading, d.text), d.id, d) for d in self._ranked_docs(reading, filters)
        ]
        scored += [
            (self._score(reading, r.statement), r.id, r)
            for r in self._ranked_recs(reading, filters)
        ]
        scored.sort(key=lambda t: (-t[0], t[1]))
        hits = tuple(
            Hit(
                id=id_,
                kind="recommendation" if isinstance(item, Recommendation) else item.kind,
                score=score,
                rank=rank,
                lexical_rank=rank,
                document=item if isinstance(item, Document) else None,
                recommendation=item if isinstance(item, Recommendation) else None,
            )
            for rank, (score, id_, item) in enumerate(scored[:k], start=1)
        )
        return SearchResult(reading=reading, hits=hits)

    def item(self, ref: str) -> Document | Recommendation:
        ref = ref.strip()
        if ref in self.documents:
            return self.documents[ref]
        if ref in self.recommendations:
            return self.recommendations[ref]
        for doc in self.documents.values():
            if ref in {doc.pmid, doc.doi, doc.source_id}:
                return doc
        raise NotFoundError(f"nothing stored under {ref!r} (tried id, PMID, DOI, source id)")

    def provenance(self, filters: Filters | None = None) -> Provenance:
        from medbrief import __version__
        from medbrief.render.provenance import now

        years = [d.year for d in self.documents.values() if d.year]
        years += [r.year for r in self.recommendations.values() if r.year]
        return Provenance(
            version=__version__,
            generated=now(),
            documents=len(self.documents),
            recommendations=len(self.recommendations),
            newest_year=max(years, default=None),
            filters=filters,
        )

    # -- the fake pipeline

    def _enter(self, method: str) -> None:
        with self._lock:
            self.threads.add(threading.get_ident())
            self.calls.append(method)
        if self.fail is not None:
            raise self.fail
        if self.delay:
            with self._lock:
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
            try:
                time.sleep(self.delay)
            finally:
                with self._lock:
                    self.in_flight -= 1

    def read(self, question: str) -> Reading:
        if not question.strip():
            raise QueryError("the question is empty")
        fixes = [
            SpellingFix(w, FIXES[w]) for w in re.findall(r"[a-z]+", question.lower()) if w in FIXES
        ]
        corrected = question
        for fix in fixes:
            corrected = re.sub(rf"\b{fix.original}\b", fix.corrected, corrected, flags=re.I)
        parts = re.split(r",|\band\b|\?|;", corrected)
        labels = [" ".join(w for w in p.split() if w.lower() not in STOP).strip() for p in parts]
        concepts = tuple(Concept(label=lb, terms=(lb.lower(),)) for lb in labels if words(lb))
        return Reading(
            question=question,
            corrected=corrected,
            corrections=tuple(fixes),
            concepts=concepts,
            search_text=" ".join(c.label for c in concepts),
        )

    @staticmethod
    def _score(reading: Reading, text: str) -> float:
        return float(len(words(reading.corrected) & words(text)))

    def _keep(self, year: int | None, kind: str, design: str | None, f: Filters | None) -> bool:
        if f is None:
            return True
        if f.kinds and kind not in f.kinds:
            return False
        if f.year_min and (year is None or year < f.year_min):
            return False
        if f.year_max and (year is None or year > f.year_max):
            return False
        return not (design and f.designs and design not in f.designs)

    def _ranked_docs(self, reading: Reading, f: Filters | None) -> list[Document]:
        docs = [
            d
            for d in self.documents.values()
            if self._keep(d.year, d.kind, design_of(d), f) and self._score(reading, d.text) >= 2
        ]
        return sorted(docs, key=lambda d: (-self._score(reading, d.text), d.id))

    def _ranked_recs(self, reading: Reading, f: Filters | None) -> list[Recommendation]:
        recs = [
            r
            for r in self.recommendations.values()
            if self._keep(r.year, "recommendation", None, f)
            and self._score(reading, r.statement) >= 2
        ]
        return sorted(recs, key=lambda r: (-self._score(reading, r.statement), r.id))

    def _facet(
        self, concept: Concept, docs: Sequence[Document], offset: int, numbers: dict[str, int]
    ) -> Facet:
        want = words(concept.label)
        bullets: list[Bullet] = []
        for doc in docs:
            found = [t for label, t in sentences(doc) if want <= words(t)]
            if not found or len(bullets) == 2:
                continue
            n = numbers.setdefault(doc.id, offset + len(numbers) + 1)
            bullets.append(Bullet(found[-1], (n,), (Citation(n, found[-1], 0.9),)))
        label = concept.label
        if not bullets:
            text = f"No study among those retrieved addresses {label}."
            return Facet(label, (label,), "no_evidence", (Bullet(text, kind="summary"),))
        if len(bullets) < 2:
            return Facet(label, (label,), "evidence", tuple(bullets))
        a, b = bullets[0].refs[0], bullets[1].refs[0]
        negative = [bool(_NEGATION.search(x.text)) for x in bullets]
        if negative[0] != negative[1]:
            yes, no = (b, a) if negative[0] else (a, b)
            text = f"The evidence is inconsistent: [{yes}] found an effect; [{no}] found none."
            summary = Bullet(text, (yes, no), kind="summary")
            return Facet(label, (label,), "inconsistent", (*bullets, summary))
        summary = Bullet(f"[{a}, {b}] both address {label}.", (a, b), kind="summary")
        return Facet(label, (label,), "evidence", (*bullets, summary))

    @staticmethod
    def _rec_reference(n: int, r: Recommendation) -> Reference:
        return Reference(
            n=n,
            kind="guideline",
            id=r.id,
            title=r.guideline_title,
            year=r.year,
            doi=r.doi,
            pmid=r.pmid,
            url=r.url,
            design="guideline",
            body=r.body,
        )

    @staticmethod
    def _doc_reference(n: int, d: Document) -> Reference:
        size = _SIZE.search(d.abstract_text)
        return Reference(
            n=n,
            kind="study",
            id=d.id,
            title=d.title,
            journal=d.journal,
            year=d.year,
            pmid=d.pmid,
            doi=d.doi,
            url=d.url,
            design=design_of(d),
            sample_size=int(size.group(1)) if size else None,
            retracted=d.retracted,
        )


# ------------------------------------------------- a brief built by hand


def constructed_corpus() -> tuple[list[Document], list[Recommendation]]:
    """Records behind :func:`constructed_brief`: two studies, and three
    recommendations of three guideline documents (one superseded)."""
    docs = [
        Document(
            id="pmid:2001",
            source_id="2001",
            source="inline",
            title="Oral iron for restless legs syndrome: a randomized trial",
            abstract=(
                AbstractSection("Adults with restless legs syndrome and low ferritin.", "METHODS"),
                AbstractSection("Oral iron reduced symptom severity in 120 patients.", "RESULTS"),
            ),
            pmid="2001",
            journal="Sleep Medicine",
            year=2009,
            authors=("Wang J", "O'Reilly B", "Venkataraman R"),
            volume="10",
            issue="9",
            pages="973-5",
            publication_types=("Randomized Controlled Trial",),
            mesh=(MeshHeading("Ferrous Compounds", major=True),),
            note="Abstract copied from a PubMed mirror; labels added by the curator.",
        ),
        Document(
            id="pmid:2002",
            source_id="2002",
            source="inline",
            title="Iron sulfate in restless legs syndrome: a placebo-controlled trial",
            abstract=(AbstractSection("Iron sulfate did not improve symptoms in 28 patients."),),
            pmid="2002",
            journal="European Neurology",
            year=2000,
            authors=("Davis BJ", "Rajput A"),
            volume="43",
            issue="2",
            pages="70-5",
            publication_types=("Randomized Controlled Trial",),
            mesh=(MeshHeading("Ferrous Compounds", major=True),),
        ),
    ]
    recs = [
        Recommendation(
            id="USPSTF-CRC-45",
            guideline_title="Colorectal Cancer: Screening",
            body="U.S. Preventive Services Task Force (USPSTF)",
            statement="The USPSTF recommends screening for colorectal cancer in adults aged "
            "45 to 49 years.",
            year=2021,
            strength="Grade B",
            certainty="moderate certainty",
            url="https://www.uspreventiveservicestaskforce.org/uspstf/recommendation/"
            "colorectal-cancer-screening",
        ),
        Recommendation(
            id="AASM2024-GPS1",
            guideline_title="Treatment of restless legs syndrome",
            body="American Academy of Sleep Medicine (AASM)",
            statement="Clinicians should test serum iron studies in all patients with "
            "clinically significant RLS, and supplement if ferritin is between 75 ng/mL and "
            "[stored copy truncated here]",
            year=2024,
            strength="Good practice statement (expert consensus; not a graded recommendation)",
            certainty="not graded",
            pmid="39324694",
            statement_type="verbatim (partial: stored copy ends mid-sentence)",
        ),
        Recommendation(
            id="AASM2012-IRON",
            guideline_title="Treatment of RLS: an update for 2012",
            body="American Academy of Sleep Medicine (AASM) (superseded by 2024 guideline)",
            statement="Iron supplementation is an option for patients with low ferritin.",
            year=2012,
            strength="OPTION (lowest of STANDARD/GUIDELINE/OPTION)",
            doi="10.5665/sleep.1988",
        ),
    ]
    return docs, recs


def constructed_brief(question: str, bottom_line: bool = True) -> Brief:
    """A brief as the pipeline shapes it once the bottom line exists: a bottom
    line and tallies citing studies whose sentences are only in their stance."""
    from medbrief.types import BottomLine, StudyStance

    guidelines = (
        GuidelineItem(1, "U.S. Preventive Services Task Force (USPSTF)", 2021,
                      "The USPSTF recommends screening for colorectal cancer in adults aged "
                      "45 to 49 years.", "Grade B", "moderate certainty", "for",
                      item_id="USPSTF-CRC-45"),
        GuidelineItem(2, "American Academy of Sleep Medicine (AASM)", 2024,
                      "Clinicians should test serum iron studies in all patients with "
                      "clinically significant RLS, and supplement if ferritin is between "
                      "75 ng/mL and [stored copy truncated here]",
                      "Good practice statement (expert consensus; not a graded recommendation)",
                      "not graded", "for",
                      statement_type="verbatim (partial: stored copy ends mid-sentence)",
                      item_id="AASM2024-GPS1"),
        GuidelineItem(3, "American Academy of Sleep Medicine (AASM) (superseded by 2024 "
                      "guideline)", 2012, "Iron supplementation is an option for patients "
                      "with low ferritin.", "OPTION (lowest of STANDARD/GUIDELINE/OPTION)",
                      None, "for", item_id="AASM2012-IRON"),
    )  # fmt: skip
    yes = "Oral iron reduced symptom severity in 120 patients."
    no = "Iron sulfate did not improve symptoms in 28 patients."
    tally = Bullet(
        "The evidence is inconsistent: 1 study reports a benefit [4]; 1 study reports no "
        "benefit [5].",
        (4, 5),
        kind="summary",
    )
    research = (
        Facet("Treatment of restless legs syndrome with iron", ("iron", "RLS"), "inconsistent",
              (tally, Bullet(yes, (4,), (Citation(4, yes, 0.9),)))),
    )  # fmt: skip
    references = (
        Reference(1, "guideline", "USPSTF-CRC-45", "Colorectal Cancer: Screening",
                  year=2021, design="guideline",
                  body="U.S. Preventive Services Task Force (USPSTF)",
                  url="https://www.uspreventiveservicestaskforce.org/uspstf/recommendation/"
                  "colorectal-cancer-screening", recommendations=("USPSTF-CRC-45",)),
        Reference(2, "guideline", "AASM2024-GPS1", "Treatment of restless legs syndrome",
                  journal="Journal of Clinical Sleep Medicine", year=2024, pmid="39324694",
                  design="guideline", body="American Academy of Sleep Medicine (AASM)",
                  authors=("Winkelman JW", "Berkowski JA"), volume="21", issue="1",
                  pages="137-152", recommendations=("AASM2024-GPS1",)),
        Reference(3, "guideline", "AASM2012-IRON", "Treatment of RLS: an update for 2012",
                  year=2012, doi="10.5665/sleep.1988", design="guideline",
                  body="American Academy of Sleep Medicine (AASM) (superseded by 2024 "
                  "guideline)", recommendations=("AASM2012-IRON",), superseded=True),
        Reference(4, "study", "pmid:2001", "Oral iron for restless legs syndrome: a "
                  "randomized trial", journal="Sleep Medicine", year=2009, pmid="2001",
                  design="rct", sample_size=120, authors=("Wang J", "O'Reilly B"),
                  volume="10", issue="9", pages="973-5",
                  stance=StudyStance("yes", yes, "Treatment of restless legs syndrome with iron")),
        Reference(5, "study", "pmid:2002", "Iron sulfate in restless legs syndrome: a "
                  "placebo-controlled trial", journal="European Neurology", year=2000,
                  pmid="2002", design="rct", sample_size=28, authors=("Davis BJ", "Rajput A"),
                  volume="43", issue="2", pages="70-5",
                  stance=StudyStance("no", no, "Treatment of restless legs syndrome with iron")),
    )  # fmt: skip
    line = BottomLine(
        "The USPSTF recommends screening adults aged 45 to 49 years (Grade B) [1]; "
        "for iron in restless legs syndrome the trials disagree [4, 5].",
        verdict="mixed",
        lean="yes",
        confidence=0.55,
        refs=(1, 4, 5),
        citations=(Citation(4, yes, 0.9), Citation(5, no, 0.9)),
    )
    key = (
        Bullet("USPSTF (2021): screening at 45 to 49 years. Graded by the source: Grade B.",
               (1,)),
        Bullet(f"Treatment of restless legs syndrome with iron: {tally.text}", (4, 5),
               kind="summary"),
    )  # fmt: skip
    return Brief(
        question=question,
        reading=Reading(question, question, concepts=(Concept("iron"), Concept("RLS"))),
        bottom_line=line if bottom_line else None,
        guidelines=guidelines,
        research=research,
        key_findings=key,
        references=references,
    )


class ConstructedEngine(FakeEngine):
    """Answers every question with :func:`constructed_brief` (no bottom line when
    the question says "without bottom line"), or abstains when it says "nothing"."""

    def __init__(self) -> None:
        super().__init__(*constructed_corpus())

    def answer(
        self,
        question: str,
        *,
        filters: Filters | None = None,
        live: bool = False,
        on_stage: Callable[[str, Any], None] | None = None,
    ) -> Brief:
        self._enter("answer")
        emit = on_stage or (lambda name, value: None)
        reading = self.read(question)
        emit("reading", reading)
        if "nothing" in question.lower():
            return Brief(
                question=question,
                reading=reading,
                abstained=True,
                notes=(
                    "No relevant evidence found: no guideline recommendation or study among "
                    "those stored addresses this question.",
                ),
            )
        brief = constructed_brief(question, bottom_line="without bottom line" not in question)
        emit("guidelines", brief.guidelines)
        emit("research", brief.research)
        return brief
