"""render_html: a standalone, escaped, print-friendly document of a brief."""

from __future__ import annotations

from html.parser import HTMLParser

from medbrief.render.html import render_html
from medbrief.render.markdown import render_markdown
from medbrief.types import (
    Brief,
    Bullet,
    Citation,
    Concept,
    Facet,
    GuidelineItem,
    Reading,
    Reference,
    SpellingFix,
)

HOSTILE = (
    '<script>alert(1)</script><img src=x onerror="alert(2)"> **bold** [x](javascript:alert(3))'
)


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Tags:
    p = Tags()
    p.feed(html)
    return p


def brief(**over: object) -> Brief:
    reading = Reading(
        question="iron, blood drain barrier and RLS",
        corrected="iron, blood brain barrier and RLS",
        corrections=(SpellingFix("drain", "brain"),),
        concepts=(Concept("iron"), Concept("blood-brain barrier")),
        search_text="iron blood-brain barrier restless legs syndrome",
    )
    values: dict[str, object] = {
        "question": "iron, blood drain barrier and RLS",
        "reading": reading,
        "guidelines": (
            GuidelineItem(
                ref=1,
                body="American Academy of Sleep Medicine (AASM)",
                year=2024,
                statement="IV ferric carboxymaltose is recommended.",
                strength="strong",
                certainty="moderate",
                statement_type="paraphrase",
                key_points=("Check ferritin first.",),
            ),
        ),
        "research": (
            Facet(
                "iron and RLS",
                ("iron", "RLS"),
                "inconsistent",
                (
                    Bullet("Oral iron helped.", (2,), (Citation(2, "Oral iron helped.", 0.9),)),
                    Bullet(
                        "The evidence is inconsistent: [2] found an effect; [3] found none.",
                        (2, 3),
                        kind="summary",
                    ),
                ),
            ),
        ),
        "key_findings": (Bullet("Oral iron helped.", (2,)),),
        "references": (
            Reference(
                1,
                "guideline",
                "AASM2024",
                "Treatment of RLS",
                year=2024,
                body="American Academy of Sleep Medicine (AASM)",
                design="guideline",
            ),
            Reference(
                2,
                "study",
                "pmid:1",
                "Oral iron in RLS",
                journal="Sleep",
                year=2009,
                pmid="1",
                design="rct",
                sample_size=1200,
            ),
            Reference(
                3,
                "study",
                "pmid:2",
                "Iron, no effect",
                journal="Neurology",
                year=2001,
                doi="10.1/x",
                retracted=True,
                url="javascript:alert(4)",
            ),
        ),
        "dropped_claims": 2,
    }
    values.update(over)
    return Brief(**values)  # type: ignore[arg-type]


def test_sections_in_order() -> None:
    # the answer first: Key Findings when there is no bottom line
    html = render_html(brief())
    heads = [
        "Key Findings",
        "From the Guidelines",
        "From the Research",
        "How the question was read",
        "References",
    ]
    positions = [html.index(f"<h2>{h}</h2>") for h in heads]
    assert positions == sorted(positions)
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')


def test_reading_shows_corrections_and_what_was_searched() -> None:
    text = " ".join(parse(render_html(brief())).text)
    assert "drain → brain" in text
    assert "iron blood-brain barrier restless legs syndrome" in text


def test_guideline_grades_are_quoted_with_wording_note() -> None:
    html = render_html(brief())
    assert (
        'As graded by the source: Strength: <span class="chip">strong</span>; '
        'certainty of evidence: <span class="chip">moderate</span>'
    ) in html
    # the grading system met is explained once, by its published definitions
    assert "<h3>GRADE: strength of recommendation and certainty of evidence</h3>" in html
    assert "<dt>strong</dt><dd>Benefits clearly outweigh harms" in html
    assert "paraphrased from a secondary source" in html
    assert '<sup>[<a href="#ref-1">1</a>]</sup>' in html


def test_an_excerpt_without_grading_fields_does_not_claim_the_grade_is_unstated() -> None:
    excerpt = GuidelineItem(
        ref=1,
        body="ADA",
        year=2024,
        statement="SGLT2 Inhibitors (Recommendation 9.18, Grade A): Recommended in CKD.",
        strength=None,
        certainty=None,
        statement_type="summary",
    )
    for text in (
        render_html(brief(guidelines=(excerpt,))),
        render_markdown(brief(guidelines=(excerpt,))),
    ):
        assert "As graded by the source: no grading recorded apart from any quoted" in text
        assert "not stated" not in text


def test_a_superseded_guideline_is_marked_once() -> None:
    old = GuidelineItem(1, "AASM", 2012, "Iron is an option.", "OPTION", None, superseded=True)
    named = GuidelineItem(
        1, "AASM (superseded by 2024 guideline)", 2012, "Iron is an option.", "OPTION", None,
        superseded=True,
    )  # fmt: skip
    assert "**AASM (2012) (superseded)**" in render_markdown(brief(guidelines=(old,)))
    assert "<h3>AASM (2012) (superseded) <sup>" in render_html(brief(guidelines=(old,)))
    # the stored body's name already says so: not "(superseded by ...) (2012) (superseded)"
    md = render_markdown(brief(guidelines=(named,)))
    assert "**AASM (superseded by 2024 guideline) (2012)**" in md
    html = render_html(brief(guidelines=(named,)))
    assert "<h3>AASM (superseded by 2024 guideline) (2012) <sup>" in html


def test_citations_link_to_references() -> None:
    html = render_html(brief())
    # a finding gets its refs appended, with the study's design, size and year
    assert (
        'Oral iron helped. <sup>[<a href="#ref-2">2</a>]</sup> '
        '<span class="meta">(randomised controlled trial, n = 1,200, 2009)</span>'
    ) in html
    # a summary keeps its own markers, as links
    assert (
        'The evidence is inconsistent: <sup>[<a href="#ref-2">2</a>]</sup> found an effect; '
        '<sup>[<a href="#ref-3">3</a>]</sup> found none.'
    ) in html
    assert '<li id="ref-3" value="3">' in html
    assert html.count("Retracted.") == 1
    assert "2 statement(s) dropped" in html


def test_cited_sentences_are_quoted_under_their_reference() -> None:
    html = render_html(brief())
    ref2 = html[html.index('<li id="ref-2"') : html.index('<li id="ref-3"')]
    assert "<blockquote>Oral iron helped.</blockquote>" in ref2


def test_hostile_text_renders_as_text() -> None:
    hostile = brief(
        question=HOSTILE,
        references=(
            Reference(1, "study", "x", HOSTILE, journal=HOSTILE, url="javascript:alert(5)"),
        ),
        research=(Facet(HOSTILE, (), "evidence", (Bullet(HOSTILE, (1,)),)),),
    )
    html = render_html(hostile)
    tags = parse(html)
    assert {t for t, _ in tags.tags} <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "main",
        "h1",
        "h2",
        "h3",
        "p",
        "q",
        "ul",
        "ol",
        "li",
        "a",
        "sup",
        "i",
        "blockquote",
        "code",
        "span",
        "dl",
        "dt",
        "dd",
    }
    for _, attrs in tags.tags:
        assert not any(name.startswith("on") for name in attrs)
        href = attrs.get("href")
        assert href is None or href.startswith(("https://", "http://", "#ref-"))
    assert HOSTILE in "".join(tags.text)  # every character survives, as text
    assert "javascript:" not in " ".join(a.get("href") or "" for _, a in tags.tags)


def test_standalone_and_print_friendly() -> None:
    html = render_html(brief())
    tags = parse(html).tags
    assert not [t for t, a in tags if t in {"script", "link", "img", "iframe"} or "src" in a]
    assert "@media print" in html and "@page" in html
    links = [a["href"] for t, a in tags if t == "a" and a["href"] and a["href"].startswith("http")]
    # each reference is cited in Vancouver style, then linked once to its record
    assert links == ["https://pubmed.ncbi.nlm.nih.gov/1/", "https://doi.org/10.1/x"]


def test_abstained_brief_says_so_and_nothing_else() -> None:
    html = render_html(
        brief(
            abstained=True,
            guidelines=(),
            research=(),
            key_findings=(),
            references=(),
            notes=("Nothing in the store matches.",),
        )
    )
    assert "<h2>No relevant evidence found</h2><p>Nothing in the store matches.</p>" in html
    assert "From the Guidelines" not in html and "References" not in html
