"""The bottom line, the verdict, study weights and guideline fit, on tiny inline data."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

import pytest

from medbrief.cite.check import lexical_similarity, unresolved_markers
from medbrief.render.html import render_html
from medbrief.render.json import brief_to_dict
from medbrief.render.markdown import render_markdown
from medbrief.synthesize.aspects import gives_asked
from medbrief.synthesize.bottom_line import (
    Listed,
    best_guidelines,
    for_others,
    guideline_votes,
    in_passing_last,
    leading_sentence,
    named_in_passing,
    names_in_passing,
    names_only_forgone,
    open_line,
)
from medbrief.synthesize.draft import Finding, Support, usable_title
from medbrief.synthesize.facets import FacetPlan, compares, plan_facets
from medbrief.synthesize.fit import (
    fits,
    kept_from_others,
    misses_group,
    names_excluded,
    narrower,
    other_severity,
    population_match,
    quantities,
    question_scope,
    recommendation_kinds,
    stages,
    states_ages,
    titled_for,
)
from medbrief.synthesize.guidelines import GuidelineDraft, order, recommendation_drafts
from medbrief.synthesize.match import Matcher
from medbrief.synthesize.position import position
from medbrief.synthesize.ranges import ages, of_the_ages
from medbrief.synthesize.research import FacetFindings, facet_findings
from medbrief.synthesize.verdict import (
    GUIDELINE_VOTE,
    Vote,
    asks_harm,
    asks_recommendation,
    asks_yes_no,
    coverage,
    decide,
    guideline_vote,
    read_votes,
)
from medbrief.synthesize.weigh import Side, by_design, material, study_weight
from medbrief.synthesize.writer import compose
from medbrief.types import (
    AbstractSection,
    Brief,
    Concept,
    Document,
    Evidence,
    GuidelineItem,
    Reading,
    Recommendation,
    Stance,
)

IRON = Concept("iron", ("iron",))
RLS = Concept("restless legs syndrome", ("restless legs syndrome", "RLS"))


def doc(pmid: str, abstract: str, year: int = 2020, title: str = "T") -> Document:
    return Document(
        id=f"pmid:{pmid}",
        source_id=pmid,
        source="pubmed",
        pmid=pmid,
        title=title,
        abstract=(AbstractSection(abstract),),
        year=year,
    )


def ev(
    pmid: str, design: str, abstract: str = "x", year: int = 2020, n: int | None = None
) -> Evidence:
    from medbrief.grade.level import evidence_level

    return Evidence(doc(pmid, abstract, year), design, evidence_level(design), sample_size=n)


def vote(i: str, label: str, design: str = "rct", weight: float = 2.0) -> Vote:
    return Vote(f"pmid:{i}", label, f"s{i}", weight, weight, design, design in ("animal",))


# --------------------------------------------------------------- question form


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Is iron effective for restless legs syndrome?", True),
        ("Cycloplegic autorefraction in young adults: is it mandatory?", True),
        ("The nurse cystoscopist: a feasible option?", True),
        ("Methotrexate is an antifolate medication.", True),
        ("In adults, should statins be given?", True),
        ("Does surgery help patients, who have diabetes?", True),
        ("How is chronic kidney disease staged?", False),
        ("What is the first line treatment for hypertension?", False),
        ("At what age should colorectal cancer screening start?", False),
        ("In which patients is ICP monitoring indicated?", False),
        ("In adults with AF, is warfarin needed?", True),
        ("iron, blood drain barrier and restless legs syndrome", False),
        ("ferric carboxymaltose for RLS", False),
        # a topic, a dash, then the question: "how long?" asks no yes or no
        ("colchicine prophylaxis when starting ULT - how long?", False),
        ("breastfeeding counselling - recommended?", True),
        # two schedules or amounts offered ask which; "or" between outcomes does not
        ("mammogram every year or every 2 years?", False),
        ("is annual or biennial mammography recommended", False),
        ("DAPT for 6 or 12 months after PCI?", False),
        ("Does aspirin reduce stroke or death?", True),
        ("Do patients over 65 years or with CKD benefit from statins?", True),
    ],
)
def test_which_questions_ask_yes_or_no(question: str, expected: bool) -> None:
    assert asks_yes_no(question) is expected


def test_a_recommendation_question_is_told_from_a_question_of_effect() -> None:
    assert asks_recommendation("Is low-dose aspirin recommended for primary prevention?")
    assert asks_recommendation("Should adults be screened for depression?")
    assert not asks_recommendation("Do statins prevent cardiovascular disease?")


# ------------------------------------------------------------------- position


@pytest.mark.parametrize(
    ("statement", "strength", "direction", "expected"),
    [
        ("The USPSTF recommends screening for X.", "Grade B", None, "for"),
        (
            "The decision to initiate aspirin should be an individual one.",
            "Grade C",
            "for",
            "conditional",
        ),
        (
            "The USPSTF recommends against aspirin in adults 60 years or older.",
            "Grade D",
            None,
            "against",
        ),
        ("The current evidence is insufficient to assess ...", "Grade I", None, "insufficient"),
        ("Do not combine ACE inhibitor + ARB.", "Class III: Harm", None, "against"),
        ("X may be considered.", "Class IIb", None, "conditional"),
        # ACC/AHA's words for a IIb whose benefit is not shown
        (
            "The usefulness of tranexamic acid is not well established.",
            "Class IIb",
            None,
            "insufficient",
        ),
        (
            "The AASM suggests against the standard use of pramipexole.",
            "conditional",
            "against (standard use)",
            "against",
        ),
        ("IV iron is suggested for adults with RLS.", "conditional", None, "conditional"),
        ("Ferritin should be tested in all patients.", None, None, "for"),
        ("Fenofibrate is conditionally recommended against (Conditional).", None, None, "against"),
        ("Bicarbonate Administration: Not routinely recommended in DKA.", None, None, "against"),
        ("SABA-only treatment is no longer recommended for any step.", None, None, "against"),
        (
            "APA recommends that naltrexone not be used by individuals who use opioids.",
            None,
            None,
            "against",
        ),
        ("Carvedilol is the preferred NSBB for portal hypertension.", None, None, "for"),
        ("Allopurinol remains the preferred first-line ULT agent in CKD.", "Strong", None, "for"),
        # an instruction negated
        (
            "Do NOT administer beta-lactam antibiotics via the intraventricular route.",
            "Strong",
            None,
            "against",
        ),
        ("Administer aspirin 325 mg.", None, None, "for"),
        # a note on other recommendations recommends nothing, whatever its grade
        ("Note: This recommendation differs from the one against NAC.", "Grade 1A", None, None),
        ("It is reasonable to choose ticagrelor (Class IIa, LOE: B).", None, None, "for"),
        ("Prasugrel: Prior stroke (Class III: Harm, LOE: B).", None, None, "against"),
        ("Ferritin reflects iron stores.", None, None, None),
    ],
)
def test_position_reads_grades_direction_and_wording(
    statement: str, strength: str | None, direction: str | None, expected: str | None
) -> None:
    assert position(statement, strength, direction) == expected


# ------------------------------------------------------------------------ fit

HTN_QUESTION = "first line treatment for hypertension in african american patients"


def test_a_screening_statement_for_children_does_not_fit_a_treatment_question() -> None:
    asked = question_scope(HTN_QUESTION)
    assert asked.kinds == {"intervention"} and asked.groups == {"black"}
    kinds = recommendation_kinds(
        "Screening", "The USPSTF concludes ... screening for high blood pressure in children", ""
    )
    assert kinds == {"screening"}
    assert not fits(asked, kinds, "Children and adolescents")
    # nor an adults' screening statement that mentions treatment in passing
    kinds = recommendation_kinds(
        "Screening", "The USPSTF recommends screening ... before starting treatment.", ""
    )
    assert not fits(asked, kinds, "Adults 18 years or older")
    black = "Special Populations > Black Adults"
    kinds = recommendation_kinds(
        black, "Initial antihypertensive treatment should include a CCB.", ""
    )
    assert fits(asked, kinds, black) and population_match(asked, black) == 1


def test_a_condition_of_pregnancy_asks_about_pregnancy() -> None:
    # USPSTF: low-dose aspirin "in persons who are at high risk for preeclampsia"
    pregnant = "Pregnant persons at high risk for preeclampsia"
    kinds = recommendation_kinds("Preventive medication", "low-dose aspirin", "")
    asked = question_scope("What dose of aspirin is recommended to prevent preeclampsia?")
    assert "pregnancy" in asked.groups and fits(asked, kinds, pregnant)
    assert not fits(question_scope("What dose of aspirin prevents stroke?"), kinds, pregnant)


def test_new_mothers_are_breastfeeding_and_their_children_no_children_only_group() -> None:
    whom = "Pregnant women, new mothers, and their children"
    kinds = recommendation_kinds("Counseling", "interventions to support breastfeeding", "")
    assert fits(question_scope("Should breastfeeding be supported?"), kinds, whom)
    assert not fits(question_scope("Should statins be given?"), kinds, whom)


def test_disease_activity_is_a_level_of_severity() -> None:
    low = "For patients presenting with low disease activity: Hydroxychloroquine is recommended."
    asked = "hydroxychloroquine in RA with moderate disease activity"
    assert other_severity(asked, low)
    assert not other_severity("hydroxychloroquine in RA with low disease activity", low)
    # a patient in intensive care is severely ill
    assert other_severity(
        "steroids for CAP in the ICU", "Do NOT use corticosteroids in nonsevere CAP."
    )
    assert not other_severity("steroids for CAP in the ICU", "Do NOT use them in severe CAP.")
    # a goal of low disease activity is for everyone
    goal = "A minimal initial treatment goal of low disease activity is recommended."
    assert not other_severity(asked, goal)


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Should women over 75 be screened for breast cancer?", (76, 130)),
        ("women 75 years or older", (75, 130)),
        ("Should adults aged 45 to 49 be screened for colorectal cancer?", (45, 49)),
        ("women aged 40 to 74 years", (40, 74)),
        ("Adults 60 years or older", (60, 130)),
        ("adults younger than 40 years", (0, 39)),
        ("Should a 62-year-old take aspirin?", (62, 62)),
        ("falls in patients in their 80s", (80, 89)),
        ("adults aged 40 to 59 years who have a 10% or greater 10-year CVD risk", (40, 59)),
        # numbers that are not ages
        ("Does aspirin 75 mg prevent stroke?", None),
        ("treatment of BP over 140", None),
        ("mortality over 10 years of follow-up", None),
        ("older adults", None),
    ],
)
def test_ages_stated_in_words(text: str, span: tuple[int, int] | None) -> None:
    assert ages(text) == span


def test_a_study_is_of_the_asked_ages_when_it_states_or_names_them() -> None:
    over75 = (75, 130)
    assert of_the_ages(over75, "Women aged 70 to 84 years were screened.")
    assert of_the_ages(over75, "Mammography in elderly women.")
    assert of_the_ages(over75, "Outcomes in octogenarians.")
    assert not of_the_ages(over75, "Women aged 40 to 49 years were screened.")
    # states no ages: about women of any age
    assert not of_the_ages(over75, "A mobile van screened 3745 uninsured women.")
    assert not of_the_ages((45, 49), "Screening in children.")
    assert of_the_ages((45, 49), "Screening in adults.")
    assert of_the_ages(None, "Anything at all.")


def test_on_a_question_of_stated_ages_only_studies_of_those_ages_vote() -> None:
    evidence = [
        ev("1", "cohort", "A mobile van screened 3745 uninsured women; screening was successful."),
        ev("2", "cohort", "In women aged 75 to 90 years, screening found early cancers."),
    ]

    def reader(question: str, abstract: str, title: str | None) -> Stance:
        return Stance("yes", abstract, 0.8)

    asked = read_votes("Should women over 75 be screened for breast cancer?", evidence, reader)
    assert [v.item_id for v in asked] == ["pmid:2"]
    assert len(read_votes("Should women be screened for breast cancer?", evidence, reader)) == 2


def test_recommendations_for_the_asked_ages_fit_best() -> None:
    over75 = question_scope("Should women over 75 be screened for breast cancer?")
    assert states_ages("Should women over 75 be screened for breast cancer?")
    # USPSTF 2024: Grade B for 40 to 74, Grade I for 75 or older
    assert population_match(over75, "Women aged 40 to 74 years") == 0
    assert population_match(over75, "Women 75 years or older") == 2
    assert population_match(over75, "Women with dense breasts") == 1
    # no stated ages on either side: groups alone
    assert population_match(question_scope("screening women"), "Women aged 40 to 74 years") == 1
    # 60 or older are older adults (USPSTF aspirin, 2022)
    older = question_scope("aspirin for primary prevention in older adults")
    assert population_match(older, "Adults 60 years or older") == 1


def test_a_low_dose_ct_is_a_test_not_a_treatment() -> None:
    lung = question_scope("Should smokers aged 50 to 80 get low-dose CT for lung cancer?")
    assert lung.kinds == frozenset()  # so the USPSTF's screening statement fits
    assert fits(lung, frozenset({"screening"}), "Adults aged 50 to 80 years who smoke")
    assert question_scope("Is low-dose aspirin recommended?").kinds == {"intervention"}


def test_population_fit_for_pregnancy_children_and_sex() -> None:
    folic = question_scope("folic acid supplementation to prevent neural tube defects")
    assert fits(folic, frozenset({"intervention"}), "Persons who plan to or could become pregnant")
    aspirin = question_scope("Is low-dose aspirin recommended for primary prevention of CVD?")
    assert not fits(aspirin, frozenset({"intervention"}), "Pregnant persons at high risk")
    # a newborn's gestational age is no pregnancy
    preterm = question_scope("What oxygen concentration to resuscitate preterm newborns?")
    by_age = "Initial FiO2 by Gestational Age Preterm infants (< 35 weeks): 21-30% oxygen."
    assert fits(preterm, frozenset({"intervention"}), by_age)
    diabetes = "Screening for gestational diabetes in pregnant persons"
    assert not fits(question_scope("Screening for diabetes?"), frozenset(), diabetes)
    children = question_scope("Should children be screened for obesity?")
    assert not fits(children, frozenset({"screening"}), "Adults 18 years or older")
    assert fits(children, frozenset({"screening"}), "Children and adolescents 6 years and older")
    men = question_scope("screening for abdominal aortic aneurysm in men who smoked")
    assert not fits(men, frozenset({"screening"}), "Women who have never smoked")
    assert fits(men, frozenset({"screening"}), "Men aged 65 to 75 years who have ever smoked")
    # the smokers' recommendation names more of the question's groups
    assert population_match(men, "Men aged 65 to 75 years who have ever smoked") == 2
    assert population_match(men, "Men aged 65 to 75 years who have never smoked") == 1
    never = question_scope("Should women who have never smoked be screened for AAA?")
    assert population_match(never, "Women who have never smoked and have no family history") == 2
    assert population_match(never, "Women aged 65 to 75 years who have ever smoked") == 1
    dialysis = question_scope("Does IV iron improve RLS in hemodialysis patients?")
    assert population_match(dialysis, "Adults with RLS and end-stage renal disease") == 1
    assert population_match(dialysis, "Adults with RLS and appropriate iron status") == 0


def _draft(item_id: str, body: str, *, superseded: bool = False, fit: int = 0) -> GuidelineDraft:
    return GuidelineDraft(
        item_id, body, 2020, "s", None, None, None, "verbatim", (), 0,
        superseded=superseded, population_fit=fit, matched=2,
    )  # fmt: skip


def test_superseded_guidelines_come_last_and_population_fit_first() -> None:
    drafts = [
        _draft("old", "AASM (superseded by 2024 guideline)", superseded=True),
        _draft("usp", "USPSTF"),
        _draft("acc", "ACC/AHA", fit=1),
    ]
    assert [d.item_id for d in order(drafts)] == ["acc", "usp", "old"]


def test_within_a_body_an_excerpt_quoting_its_grade_comes_first() -> None:
    background = replace(
        _draft("sepsis3", "SCCM/ESICM"),
        statement="Septic Shock: Vasopressors to maintain a MAP >= 65 mmHg",
        excerpt=True,
    )
    graded = replace(
        _draft("ssc", "SCCM/ESICM"),
        statement="The SSC recommends an initial target MAP of 65 mmHg (Strong recommendation, "
        "Moderate quality of evidence).",
        excerpt=True,
        rank=5,
    )
    assert [d.item_id for d in order([background, graded])] == ["ssc", "sepsis3"]


def test_key_findings_lead_with_what_the_bottom_line_leads_with() -> None:
    def graded(item_id: str, strength: str, certainty: str | None, fit: int = 0) -> GuidelineDraft:
        statement = f"{item_id.title()} iron is advised.\n\nSee Table 1."
        draft = replace(_draft(item_id, "AASM", fit=fit), statement=statement)
        return replace(draft, strength=strength, certainty=certainty, strength_norm=strength)

    drafts = [
        graded("practice", "good-practice", None),
        graded("dextran", "conditional", "very low"),
        graded("sulfate", "conditional", "moderate"),
        graded("carboxymaltose", "strong", "moderate"),
    ]
    question = "iron for restless legs"
    items: dict[str, Document | Recommendation] = {
        d.item_id: Recommendation(
            id=d.item_id, guideline_title="T", body="AASM", statement=d.statement, year=2020
        )
        for d in [*drafts, graded("thiazide", "conditional", "low")]
    }
    brief = compose(question, _reading(question), drafts, [], items, {}, 0)
    keys = [b.text for b in brief.key_findings]
    assert keys == [
        "AASM (2020): Carboxymaltose iron is advised. Graded by the source: strong; moderate.",
        "AASM (2020): Sulfate iron is advised. Graded by the source: conditional; moderate.",
    ]
    # a better fitting recommendation (its population named) leads, however graded
    fitting = [graded("thiazide", "conditional", "low", fit=1), *drafts]
    brief = compose(question, _reading(question), order(fitting), [], items, {}, 0)
    assert brief.key_findings[0].text.startswith("AASM (2020): Thiazide iron is advised.")
    assert brief.bottom_line is not None
    assert brief.bottom_line.refs == tuple(b.refs[0] for b in brief.key_findings) == (1, 2)


# -------------------------------------------------------------------- weights


def test_study_weight_by_design_size_and_recency() -> None:
    assert study_weight(ev("1", "meta-analysis"), 2020) == 3.0
    assert study_weight(ev("1", "rct"), 2020) == 2.0
    assert study_weight(ev("1", "rct", n=1000), 2020) == pytest.approx(2.0 * 1.15)
    assert study_weight(ev("1", "rct", n=10), 2020) == pytest.approx(2.0 * 0.85)
    assert study_weight(ev("1", "rct", year=2005), 2020) == pytest.approx(2.0 * 0.85)
    assert study_weight(ev("1", "case-report", year=1970), 2020) == pytest.approx(0.6)


def test_a_minority_is_material_from_a_quarter_of_the_weight_or_the_heaviest_study() -> None:
    three_trials = Side(("a", "b", "c"), 6.0)
    assert not material(Side(("d",), 1.0), three_trials, 2.0)  # one case report
    assert material(Side(("d",), 2.0), three_trials, 2.0)  # a trial as heavy as any: 25%
    assert material(Side(("d",), 3.0), Side(("a",) * 12, 12.0), 3.0)  # the only meta-analysis
    assert not material(Side((), 0.0), three_trials, 2.0)


def test_designs_are_counted_strongest_first() -> None:
    assert by_design(["case-report", "rct", "rct", "cohort"]) == (
        "2 randomised controlled trials, 1 cohort study and 1 case report"
    )


# -------------------------------------------------------------------- verdict


def test_the_verdict_is_the_heavier_side_unless_the_other_is_close() -> None:
    w = decide([vote("1", "yes"), vote("2", "yes"), vote("3", "no", "case-report", 1.0)])
    assert (w.verdict, w.lean) == ("yes", "yes")
    assert 0 < w.confidence < 1
    w = decide([vote("1", "yes"), vote("2", "no")])
    assert (w.verdict, w.lean) == ("mixed", "yes")
    assert w.confidence == 0.0
    assert decide([vote("1", "maybe")]).verdict == "insufficient"
    assert decide([]).verdict == "insufficient" and decide([]).lean is None


def test_animal_work_decides_only_without_clinical_studies() -> None:
    votes = [vote("1", "yes"), vote("2", "no", "animal", 3.0), vote("3", "no", "animal", 3.0)]
    assert decide(votes).verdict == "yes"
    assert decide(votes[1:]).verdict == "no"
    assert not decide(votes[1:]).clinical


def test_a_guideline_decides_a_question_of_what_is_recommended() -> None:
    votes = [vote("1", "yes"), vote("2", "yes")]
    against = guideline_vote("1", "against")
    assert against is not None
    # a question of effect: the guideline votes beside the studies
    assert decide(votes, [against]).verdict == "no"
    assert decide([*votes, vote("3", "yes")], [against]).verdict == "mixed"
    w = decide(votes, [against], guideline_decides=True)
    assert (w.verdict, w.decided_by_guideline) == ("no", True)
    assert guideline_vote("1", "insufficient") is None


def test_votes_are_read_on_the_question_as_asked_nearest_first() -> None:
    evidence = [
        ev("1", "rct", "Iron improved RLS."),
        ev("2", "cohort", "Nothing on it."),
        ev("3", "rct", "Iron did not improve RLS."),
    ]
    asked: list[str] = []

    def reader(question: str, abstract: str, title: str | None) -> Stance:
        asked.append(question)
        if "did not" in abstract:
            return Stance("no", abstract, 0.9)
        if "improved" in abstract:
            return Stance("yes", abstract, 0.8)
        return Stance("not_addressed")

    votes = read_votes("Does iron improve RLS?", evidence, reader)
    assert set(asked) == {"Does iron improve RLS?"}
    assert [(v.item_id, v.label) for v in votes] == [("pmid:1", "yes"), ("pmid:3", "no")]
    # relevance falls with the place in the search: the first counts more
    # (both name every specific word of the question: iron, RLS)
    assert votes[0].vote == pytest.approx(2.0 * 1.0 * 0.8)
    assert votes[1].vote == pytest.approx(2.0 * 0.5 * 0.9)


def test_a_titled_study_votes_only_when_its_title_and_sentence_name_every_concept() -> None:
    def titled(pmid: str, title: str, abstract: str) -> Evidence:
        return Evidence(doc(pmid, abstract, title=title), "rct", 2)

    evidence = [
        # the abstract names both, the title and the finding only iron
        titled("1", "Iron and cognition in older adults.", "Iron improved memory. RLS: none."),
        titled("2", "Oral iron in RLS: a randomised trial.", "Symptoms improved."),
        titled("3", "A randomised trial.", "Iron improved RLS symptoms."),
        titled("4", "[No title available]", "Patients with RLS improved on iron."),
    ]

    def reader(question: str, abstract: str, title: str | None) -> Stance:
        return Stance("yes", abstract.split(". ", maxsplit=1)[0], 0.8)

    votes = read_votes("Does iron improve RLS?", evidence, reader, Matcher((IRON, RLS)))
    # the title, the sentence, or both name iron and RLS; untitled: judged by its abstract
    assert [v.item_id for v in votes] == ["pmid:2", "pmid:3", "pmid:4"]
    assert len(read_votes("Does iron improve RLS?", evidence, reader)) == 4


def test_a_contradiction_of_the_claim_outweighs_a_nearer_cue_read_yes() -> None:
    evidence = [
        ev("1", "rct", "Iron and ferritin in RLS."),
        ev("2", "rct", "Iron and ferritin in RLS: lowered."),
    ]

    def reader(question: str, abstract: str, title: str | None) -> Stance:
        if "lowered" in abstract:
            return Stance("no", abstract, 0.5, contradicts=True)
        return Stance("yes", abstract, 0.5)

    votes = read_votes("Does iron change ferritin in RLS?", evidence, reader)
    # yes: 2 * 1 * 0.5 = 1.0; no: 2 * 1/1.5 * 0.5 * CONTRADICTION (4) = 2.67
    assert [v.vote for v in votes] == pytest.approx([1.0, 2.0 / 1.5 * 0.5 * 4])
    assert decide(votes).verdict == "no"
    plain = [replace(v, vote=v.vote / 4) if v.label == "no" else v for v in votes]
    assert decide(plain).verdict == "yes"


def test_a_study_on_part_of_the_question_counts_less() -> None:
    question = "Does iron improve restless legs syndrome in dialysis?"
    assert coverage(question, "Iron improved restless legs syndrome in dialysis.") == 1.0
    # iron, restless, legs, syndrome, dialysis: four of the five words
    assert coverage(question, "Iron improved restless legs syndrome.") == pytest.approx(4 / 5)


def test_untitled_records_have_no_title() -> None:
    assert usable_title("[Untitled]") is None and usable_title("  ") is None
    assert usable_title("[Iron in restless legs]") == "[Iron in restless legs]"


# -------------------------------------------------------------- composition


def _reading(question: str = "Does iron improve RLS?", *concepts: Concept) -> Reading:
    """The question read with ``concepts``, iron and RLS if none given."""
    return Reading(question, question, concepts=concepts or (IRON, RLS))


def test_the_bottom_line_counts_each_side_by_design_and_names_the_strongest() -> None:
    evidence = {
        "pmid:1": ev("1", "meta-analysis", "Iron improved RLS.", n=1200),
        "pmid:2": ev("2", "rct", "Iron improved RLS in trials."),
        "pmid:3": ev("3", "case-report", "Iron did not help RLS."),
        "pmid:4": ev("4", "animal", "Iron improved RLS in mice."),
    }
    votes = [
        Vote("pmid:1", "yes", "Iron improved RLS.", 3.0, 3.0, "meta-analysis", False),
        Vote("pmid:2", "yes", "Iron improved RLS in trials.", 2.0, 1.0, "rct", False),
        Vote("pmid:3", "no", "Iron did not help RLS.", 1.0, 0.5, "case-report", False),
        Vote("pmid:4", "yes", "Iron improved RLS in mice.", 0.5, 0.2, "animal", True),
    ]
    items = {i: e.document for i, e in evidence.items()}
    brief = compose("Does iron improve RLS?", _reading(), [], [], items, evidence, 0, votes=votes)  # type: ignore[arg-type]
    line = brief.bottom_line
    assert line is not None
    assert (line.verdict, line.lean) == ("yes", "yes")
    assert line.text == (
        "The evidence answers yes: of the 3 studies that address the question as asked, "
        "2 find yes [1, 2] (1 meta-analysis and 1 randomised controlled trial) and 1 finds no "
        "[3] (1 case report); the strongest, a meta-analysis (1,200 participants, 2020), finds "
        "yes [1]; counted apart, 1 animal study: 1 finds yes [4]."
    )
    assert [(c.n, c.sentence) for c in line.citations][:1] == [(1, "Iron improved RLS.")]
    assert line.refs == (1, 2, 3, 4)
    # each counted study is a reference, with the stance it was counted on
    refs = {r.id: r for r in brief.references}
    assert refs["pmid:3"].stance is not None
    assert (refs["pmid:3"].stance.label, refs["pmid:3"].stance.facet) == ("no", None)
    assert not brief.abstained and unresolved_markers(brief) == []
    assert brief_to_dict(brief)["bottom_line"]["verdict"] == "yes"
    md = render_markdown(brief)
    assert md.index("## Bottom line") < md.index("## How the question was read")
    assert "_Verdict: yes (confidence " in md
    page = render_html(brief)
    assert page.index("<h2>Bottom line</h2>") < page.index("<h2>How the question was read</h2>")
    assert '<a href="#ref-4">4</a>' in page.split("<h2>How the question")[0]


def _yes_no_text(votes: list[Vote]) -> str:
    evidence = {v.item_id: ev(v.item_id.split(":")[1], v.design) for v in votes}
    items = {i: e.document for i, e in evidence.items()}
    brief = compose("Does iron improve RLS?", _reading(), [], [], items, evidence, 0, votes=votes)  # type: ignore[arg-type]
    assert brief.bottom_line is not None
    return brief.bottom_line.text


def test_when_fewer_studies_outweigh_more_the_bottom_line_says_why() -> None:
    # three studies on part of the question read "yes"; the one on all of it reads "no"
    part = [
        Vote(f"pmid:{i}", "yes", f"s{i}", 1.0, 1.0 * 0.5**3, "other", False, coverage=0.5)
        for i in (1, 2, 3)
    ]
    whole = Vote("pmid:4", "no", "s4", 1.0, 1.0, "other", False, coverage=1.0)
    text = _yes_no_text([*part, whole])
    assert text.startswith("The evidence answers no: of the 4 studies")
    assert text.endswith(
        "; the one that finds no [4] outweighs the 3 that find yes: it names more of the "
        "question's specific words (100% against 50% on average)."
    )
    # a contradiction of the claim in its own words is the reason where it is one
    said = replace(whole, coverage=0.5, contradicts=True, vote=0.5)
    assert _yes_no_text([*part, said]).endswith(
        "outweighs the 3 that find yes: [4] states the opposite of the question's claim in its "
        "own words, which counts 4 times."
    )
    # design weight, when the sides name as much of the question
    trial = Vote("pmid:4", "no", "s4", 2.0, 2.0, "rct", False, coverage=0.5)
    assert _yes_no_text([*part, trial]).endswith(
        "outweighs the 3 that find yes: its design, size and recency weigh more (2.0 against "
        "1.0 on average)."
    )
    # the side with more studies needs no reason
    assert "outweigh" not in _yes_no_text([*part, replace(whole, vote=0.1)])


def test_a_dissent_that_is_not_material_is_named_not_called_inconsistent() -> None:
    plan = plan_facets((IRON, RLS))[1]
    findings = [
        Finding(
            f"Iron improved RLS {i}.", "yes", (Support(f"pmid:{i}", f"Iron improved RLS {i}."),)
        )
        for i in (1, 2, 3)
    ]
    findings.append(Finding("Iron did not help.", "no", (Support("pmid:4", "Iron did not help."),)))
    evidence = {f"pmid:{i}": ev(str(i), "rct") for i in (1, 2, 3)}
    evidence["pmid:4"] = ev("4", "case-report")
    items = {i: e.document for i, e in evidence.items()}
    brief = compose(
        "q", _reading("q"), [], [FacetFindings(plan, tuple(findings))], items, evidence, 0
    )  # type: ignore[arg-type]
    (facet,) = brief.research
    assert facet.status == "evidence"
    summary = facet.bullets[0]
    assert summary.text == (
        "Mostly consistent: 3 studies report a benefit [1, 2, 3]; 1 study reports no benefit [4] "
        "(the dissent: a case report [4])."
    )
    # each [n] of the tally carries the sentence it was counted on
    assert [(c.n, c.sentence) for c in summary.citations] == [
        (1, "Iron improved RLS 1."),
        (2, "Iron improved RLS 2."),
        (3, "Iron improved RLS 3."),
        (4, "Iron did not help."),
    ]
    refs = {r.id: r for r in brief.references}
    assert refs["pmid:4"].stance is not None and refs["pmid:4"].stance.facet == plan.label
    # an open question's bottom line gives the first sub-topic's summary
    assert brief.bottom_line is not None and brief.bottom_line.verdict is None
    assert brief.bottom_line.text.startswith(f"{plan.label}: Mostly consistent")


def uspstf(
    rec_id: str, statement: str, grade: str, year: int
) -> tuple[Recommendation, GuidelineDraft]:
    """A stored USPSTF recommendation and its draft for the guideline section."""
    rec = Recommendation(
        id=rec_id, guideline_title="T", body="USPSTF", statement=statement, year=year,
        strength=grade,
    )  # fmt: skip
    return rec, GuidelineDraft(
        rec_id, "USPSTF", year, statement, grade, None, None, "verbatim", (), 0
    )


def test_a_guideline_position_opens_the_bottom_line() -> None:
    rec, draft = uspstf(
        "uspstf:1",
        "The USPSTF recommends screening for depression in adults. More text.",
        "Grade B",
        2023,
    )
    brief = compose(
        "Should adults be screened for depression?",
        _reading(
            "Should adults be screened for depression?",
            Concept("depression"),
            Concept("screening"),
        ),
        [draft],
        [],
        {rec.id: rec},
        {},
        0,
        votes=[],
    )
    line = brief.bottom_line
    assert line is not None
    assert line.text == (
        "USPSTF (2023) recommends (Grade B): The USPSTF recommends screening for depression in "
        "adults [1]. The guideline's position answers yes; no study among those retrieved "
        "addresses the question as asked."
    )
    assert (line.verdict, line.lean) == ("yes", "yes")


def test_an_untitled_record_can_be_a_treatment_finding() -> None:
    # BioASQ snippet records have no title: the finding itself must name the
    # treatment, as a title would
    untitled = Document(
        id="pmid:9",
        source_id="9",
        source="bioasq-snippets",
        title="[Untitled]",
        abstract=(AbstractSection("Oral iron improved RLS symptoms in a placebo trial."),),
    )
    plan = FacetPlan("T", ("iron", "restless legs syndrome"), "treatment", "Iron for RLS?")

    def stance(question: str, text: str) -> Stance:
        return Stance("yes", "Oral iron improved RLS symptoms in a placebo trial.", 0.9)

    (facet,) = facet_findings(
        [plan], [Evidence(untitled, "rct", 2)], Matcher((IRON, RLS)), stance, lexical_similarity
    )
    assert [f.item_ids for f in facet.findings] == [("pmid:9",)]


def test_a_curators_remark_on_a_grade_is_not_quoted_as_the_sources_words() -> None:

    from medbrief.synthesize.guidelines import stated_grades

    strength = "Good practice statement (expert consensus; not a graded recommendation)"
    certainty = "not graded (consensus; thresholds not empirically tested)"
    assert stated_grades(strength, certainty) == "Good practice statement"
    assert stated_grades("OPTION (lowest of three)", "low") == "OPTION; low"
    assert stated_grades("not stated", None) == ""


def test_the_question_scope_cache_stays_bounded_on_a_server() -> None:
    from medbrief.synthesize.fit import question_scope

    for i in range(1100):  # a server reads a new question with every request
        question_scope(f"Is drug {i} safe in pregnancy?")
    assert question_scope.cache_info().currsize <= 1024


@pytest.mark.parametrize(
    ("yes_share", "no_share", "head"),
    [
        # weakly related studies: the guideline's vote decides alone
        (0.05, 0.0, "The guideline's position answers no; of the 3 studies "),
        # studies that weigh as much as the guideline and lean yes, outvoted
        # once it counts
        (
            0.4,
            0.25,
            "Weighed with the guideline's position, the evidence answers no; the studies "
            "alone lean yes: ",
        ),
    ],
)
def test_a_guideline_that_outvotes_the_studies_says_so(
    yes_share: float, no_share: float, head: str
) -> None:
    question = "Does vitamin D prevent falls in older adults?"
    rec, draft = uspstf(
        "uspstf:2",
        "The USPSTF recommends against vitamin D supplementation to prevent falls.",
        "Grade D",
        2018,
    )
    evidence = {f"pmid:{i}": ev(str(i), "rct") for i in (1, 2, 3, 4)}
    said = {1: "Falls were fewer.", 2: "Fewer falls.", 3: "No fewer falls.", 4: "Fewer deaths."}
    votes = [
        Vote("pmid:1", "yes", said[1], 2.0, yes_share * GUIDELINE_VOTE, "rct", False),
        Vote("pmid:2", "yes", said[2], 2.0, yes_share * GUIDELINE_VOTE, "rct", False),
        Vote("pmid:3", "no", said[3], 2.0, no_share * GUIDELINE_VOTE, "rct", False),
        # names the question's words but the research section cites it under no sub-topic
        Vote("pmid:4", "yes", said[4], 2.0, 0.01 * GUIDELINE_VOTE, "rct", False),
    ]
    plan = FacetPlan("Vitamin D and falls", ("vitamin D", "falls"), "association", question)
    labels: dict[int, Literal["yes", "no"]] = {1: "yes", 2: "yes", 3: "no"}
    cited = tuple(
        Finding(said[i], label, (Support(f"pmid:{i}", said[i]),)) for i, label in labels.items()
    )
    items: dict[str, Document | Recommendation] = {rec.id: rec}
    items.update({i: e.document for i, e in evidence.items()})
    facets = [FacetFindings(plan, cited)]
    reading = _reading(question, Concept("vitamin D"), Concept("falls"))
    brief = compose(question, reading, [draft], facets, items, evidence, 0, votes=votes)
    line = brief.bottom_line
    assert line is not None and line.verdict == "no"
    assert line.text.split(" [1]. ", 1)[1].startswith(head)
    led = head.startswith("The guideline's position")
    # reported, not counted: only the studies the research section cites
    assert ("pmid:4" in {r.id for r in brief.references}) is not led


def _one_guideline_brief(
    question: str,
    statement: str,
    strength: str,
    direction: str,
    study_finds: str,
    *concepts: Concept,
) -> Brief:
    """A brief on one AASM recommendation and one cohort study's vote."""
    rec = Recommendation(
        id="aasm:1", guideline_title="T", body="AASM", statement=statement, year=2024,
        strength=strength, direction=direction,
    )  # fmt: skip
    draft = GuidelineDraft(
        "aasm:1", "AASM", 2024, statement, strength, None, direction, "verbatim", (), 0
    )
    evidence = {"pmid:1": ev("1", "cohort")}
    votes = [Vote("pmid:1", study_finds, "The study's finding.", 1.5, 1.0, "cohort", False)]
    items: dict[str, Document | Recommendation] = {
        rec.id: rec,
        "pmid:1": evidence["pmid:1"].document,
    }
    reading = _reading(question, *concepts)
    return compose(question, reading, [draft], [], items, evidence, 0, votes=votes)


@pytest.mark.parametrize(
    ("question", "verdict"),
    [
        # the guideline's reason is a harm: it does not say the drug fails to work
        ("Is pramipexole effective for RLS?", "yes"),
        # asked what to do, its position answers
        ("Should pramipexole be used for RLS?", "no"),
    ],
)
def test_a_recommendation_against_because_of_harms_does_not_answer_whether_it_works(
    question: str, verdict: str
) -> None:
    statement = "The AASM suggests against pramipexole for RLS (because of augmentation risk)."
    pramipexole = Concept("pramipexole")
    brief = _one_guideline_brief(
        question, statement, "conditional", "against", "yes", pramipexole, RLS
    )
    assert brief.bottom_line is not None and brief.bottom_line.verdict == verdict


@pytest.mark.parametrize(
    ("question", "verdict"),
    [
        # what to do is no answer to whether two things go together
        ("Is low ferritin associated with RLS?", "no"),
        ("Does iron deficiency cause RLS?", "no"),
        # nor to whether it harms
        ("Does iron increase the risk of RLS?", "no"),
        # an effect of what the guideline recommends: its position votes, and outweighs
        ("Does iron improve RLS?", "yes"),
        # "associated" in a name asks nothing about association
        ("IV iron for restless legs syndrome-associated insomnia?", "yes"),
        ("IV iron for RLS associated insomnia?", "yes"),
        ("Are iron and RLS associated?", "no"),
    ],
)
def test_a_guideline_does_not_vote_on_a_question_of_association(
    question: str, verdict: str
) -> None:
    statement = (
        "IV iron (ferric carboxymaltose) is recommended for adults with RLS and low ferritin."
    )
    brief = _one_guideline_brief(question, statement, "strong", "for", "no")
    assert brief.bottom_line is not None and brief.bottom_line.verdict == verdict
    assert brief.bottom_line.text.startswith("AASM (2024) recommends (strong)")


def test_the_strongest_of_equally_fitting_recommendations_speaks_for_the_body() -> None:
    def listed(ref: int, strength: str, rank: int, fit: tuple[int, int] = (0, 2)) -> Listed:
        item = GuidelineItem(ref, "AASM", 2024, f"statement {ref}", strength, None)
        return Listed(item, None, fit, rank)

    practice = listed(1, "Good practice statement", 2)
    conditional = listed(2, "conditional", 1)
    strong = listed(3, "strong", 0)
    narrower = listed(4, "strong", 0, fit=(0, 1))
    question = "Does iron improve restless legs syndrome?"
    assert best_guidelines([practice, narrower, conditional, strong], question)[0] is strong
    # a conditional suggestion gives way to a strong recommendation too
    assert best_guidelines([conditional, strong], question)[0] is strong
    # among equals the first listed stays first
    assert best_guidelines([conditional, listed(5, "conditional", 1)], question)[0] is conditional
    # one that names fewer of the question's concepts is not preferred
    assert best_guidelines([practice, narrower], question)[0] is practice
    # among equally strong, one naming the question's conditions in its own
    # words (not only under its heading); an ungraded excerpt gains nothing by it
    own_words = replace(listed(6, "strong", 0), conditions=1)
    assert best_guidelines([strong, own_words], question)[0] is own_words
    excerpt, named = listed(7, "", 9), replace(listed(8, "", 9), conditions=1)
    assert best_guidelines([excerpt, named], question)[0] is excerpt


def test_an_open_question_is_answered_first_by_what_is_about_its_subject() -> None:
    def listed(ref: int, statement: str, strength: str, certainty: str) -> Listed:
        item = GuidelineItem(ref, "ACC/AHA", 2018, statement, strength, certainty, "for")
        return Listed(item, None, (0, 2), 1)

    pcsk9 = listed(
        1, "On maximally tolerated statin plus ezetimibe: add a PCSK9 inhibitor.", "IIb", "A"
    )
    ezetimibe = listed(2, "If LDL-C remains >= 70 on maximal statin, add ezetimibe.", "IIb", "B-R")
    line = open_line([pcsk9, ezetimibe], [], "ezetimibe when LDL stays high on max statin")
    assert line.refs[0] == 2


def test_a_statement_repeated_in_two_sections_is_quoted_once() -> None:
    def listed(ref: int) -> Listed:
        item = GuidelineItem(ref, "BTF", 2016, "Hypothermia is not recommended.", "Level IIB", None)
        return Listed(item, None, (0, 2), 1)

    line = open_line([listed(1), listed(1)], [])
    assert (
        line.text
        == "BTF (2016) recommends against (Level IIB): Hypothermia is not recommended [1]."
    )


def test_an_open_question_leads_with_the_strongest_most_certain_recommendations() -> None:
    def listed(ref: int, strength: str, certainty: str | None, rank: int) -> Listed:
        item = GuidelineItem(
            ref, "AASM", 2024, f"Statement {ref}. More.", strength, certainty, "for"
        )
        return Listed(item, None, (0, 2), rank)

    practice = listed(1, "Good practice statement", None, 2)
    very_low = listed(2, "conditional", "very low", 1)
    moderate = listed(3, "conditional", "moderate", 1)
    strong = listed(4, "strong", "moderate", 0)
    line = open_line([practice, very_low, moderate, strong], [])
    assert line.text == (
        "AASM (2024) recommends (strong; moderate): Statement 4 [4]; "
        "and recommends (conditional; moderate): Statement 3 [3]."
    )
    assert line.refs == (4, 3) and line.verdict is None
    # a second that names fewer of the question's concepts is left out
    narrower = Listed(GuidelineItem(5, "AASM", 2024, "Other.", "strong", None, "for"), None, (0, 1))
    assert open_line([strong, narrower], []).refs == (4,)
    # the same body's guideline of another year is another guideline
    other_year = Listed(
        GuidelineItem(6, "AASM", 2016, "Statement 6.", "strong", None, "for"), None, (0, 2), 1
    )
    assert open_line([strong, other_year], []).refs == (4,)


def test_an_open_question_on_when_leads_with_a_statement_giving_a_time_or_an_age() -> None:
    def listed(ref: int, statement: str) -> Listed:
        item = GuidelineItem(ref, "USPSTF", 2018, statement, "Grade D", None, "against")
        return Listed(item, None, (0, 2), 1)

    hysterectomy = listed(1, "Do not screen women who have had a hysterectomy.")
    young = listed(2, "Do not screen women younger than 21 years.")
    question = "when to stop cervical cancer screening"
    assert open_line([hysterectomy, young], [], question).refs[0] == 2
    # "when" as a condition asks no time
    assert open_line([hysterectomy, young], [], "screen when symptomatic?").refs[0] == 1


def test_an_open_question_on_a_dose_leads_with_the_statement_giving_one() -> None:
    def listed(ref: int, statement: str, population_fit: int) -> Listed:
        item = GuidelineItem(ref, "KDIGO", 2012, statement, "Grade 1A", None)
        return Listed(item, None, (population_fit, 2), 0)

    catheter = listed(1, "Use ultrasound guidance for dialysis catheter insertion.", 1)
    dose = listed(2, "Recommend delivering a Kt/V of 3.9 per week in AKI.", 0)
    question = "What is the recommended dialysis dose in AKI?"
    assert open_line([catheter, dose], [], question).refs[0] == 2
    # a question that asks no dose keeps the order
    assert open_line([catheter, dose], [], "How is dialysis done in AKI?").refs[0] == 1
    # a target may be a level to maintain
    empiric = listed(3, "Vancomycin plus a beta-lactam is recommended for ventriculitis.", 0)
    trough = listed(4, "The vancomycin trough should be maintained at 15-20 mcg/mL.", 0)
    assert open_line([empiric, trough], [], "vanc trough target for ventriculitis").refs[0] == 4


def test_what_gives_an_aspect_an_open_question_asks() -> None:
    duration = "dual antiplatelet therapy duration after ACS"
    assert gives_asked("Default: 12 months of DAPT after ACS.", duration)
    # naming the aspect is not giving it
    assert not gives_asked("DAPT duration after ACS: guided by the team.", duration)
    assert not gives_asked("Default: 12 months of DAPT after ACS.", "Is DAPT useful after ACS?")
    # a time orders only the first body's statements
    assert not gives_asked("Up to 12 months of OAC plus clopidogrel.", "OAC after stroke, when?")
    # a threshold to act at is a target
    threshold = "what icp threshold should be treated in tbi"
    assert gives_asked("Treating intracranial pressure above 22 mmHg is recommended.", threshold)
    assert not gives_asked("ICP should be monitored in all salvageable patients.", threshold)
    # whether to stop it: a statement on holding, stopping or continuing it
    stop = "should i stop the beta blocker in decompensated heart failure"
    assert gives_asked("Beta-Blockers: Hold or reduce dose if decompensated HF.", stop)
    assert gives_asked("Beta-blockers should be continued in patients on them.", stop)
    assert not gives_asked("Evidence-based beta-blocker for patients with LVEF <= 40%.", stop)
    # when to resume it: a statement on resuming it
    resume = "when to restart anticoagulation after ich"
    assert gives_asked("Resumption may be considered after at least 4 weeks.", resume)
    assert not gives_asked("Anticoagulation should be discontinued immediately.", resume)


def test_the_population_is_said_once() -> None:
    def listed(ref: int, statement: str, population: str) -> Listed:
        item = GuidelineItem(ref, "AASM", 2024, statement, "strong", None, "for")
        return Listed(item, population, (0, 2), 0)

    named = listed(
        1, "IV iron is recommended for adults with RLS (ferritin low).", "Adults with RLS"
    )
    unnamed = listed(2, "Oral iron is suggested.", "Adults with RLS (ferritin 75-100 ng/mL)")
    line = open_line([named, unnamed], [])
    assert line.text == (
        "AASM (2024) recommends (strong): IV iron is recommended for adults with RLS "
        "(ferritin low) [1]; and recommends (strong), in adults with RLS (ferritin 75-100 ng/mL): "
        "Oral iron is suggested [2]."
    )
    # an acronym keeps its capitals; a heading's title case is dropped
    acronym = listed(3, "SGLT2i are recommended.", "HFpEF Pharmacotherapy (LVEF >= 50%)")
    assert ", in HFpEF pharmacotherapy (LVEF >= 50%):" in open_line([named, acronym], []).text
    heading = listed(4, "SGLT2i are recommended.", "Stage C Heart Failure (LVEF <= 40%)")
    assert ", in stage C heart failure (LVEF <= 40%):" in open_line([named, heading], []).text
    # a population in running text keeps its proper names
    proper = listed(5, "Levodopa is recommended.", "Adults with Parkinson Disease aged 40-60")
    assert ", in adults with Parkinson Disease aged 40-60:" in open_line([named, proper], []).text
    # quoted alone, a statement says whom it is for only where its heading
    # alone says it
    alone = listed(6, "A thiazide or CCB is recommended first.", "Black Adults")
    assert open_line([alone], []).text == (
        "AASM (2024) recommends (strong): A thiazide or CCB is recommended first [6]."
    )
    headed = replace(alone, headed=True)
    assert open_line([headed], []).text == (
        "AASM (2024) recommends (strong), in black adults: "
        "A thiazide or CCB is recommended first [6]."
    )


def test_a_second_position_of_the_body_follows_unless_the_question_chooses() -> None:
    def listed(ref: int, statement: str, grade: str, population_fit: int) -> Listed:
        item = GuidelineItem(ref, "USPSTF", 2022, statement, grade, None)
        return Listed(item, None, (population_fit, 2), 0 if grade == "Grade D" else 1)

    against = listed(1, "The USPSTF recommends against aspirin at 60 or older.", "Grade D", 1)
    individual = listed(2, "The decision to start aspirin at 40 to 59 is individual.", "Grade C", 1)
    # "adults": both recommendations are for adults, so the question does not choose
    both = best_guidelines([individual, against], "Should adults take aspirin?")
    assert both == [against, individual]
    # stated ages choose
    aged = best_guidelines([individual, against], "Should adults aged 60 or older take aspirin?")
    assert aged == [against]
    # a recommendation naming fewer of the question's population groups is not added
    narrower = listed(3, "The USPSTF recommends against aspirin in adults.", "Grade D", 0)
    assert best_guidelines([individual, narrower], "Should black adults take aspirin?") == [
        individual
    ]
    # none for other ages than those asked about (USPSTF 2021 colorectal
    # screening stops at 85)
    to85 = listed(5, "Selectively offer screening in adults aged 76 to 85 years.", "Grade C", 1)
    assert best_guidelines([to85], "Should adults over 85 be screened?") == []
    assert best_guidelines([to85], "Should adults aged 80 be screened?") == [to85]
    # nor one naming fewer of the question's concepts (USPSTF 2022: statins,
    # not aspirin, for primary prevention at 76 or older)
    item = GuidelineItem(4, "USPSTF", 2022, "No evidence on statins at 76+.", "Grade I", None)
    statin = Listed(item, None, (1, 1), 1)
    assert best_guidelines([against, statin], "Should older adults take aspirin?") == [against]


@pytest.mark.parametrize(
    ("question", "harm"),
    [
        ("Is vitamin D supplementation harmful?", True),
        ("Is iron harmful in restless legs syndrome?", True),
        ("Does aspirin harm older adults?", True),
        # the adjective qualifies a noun: the question asks about something else
        ("Is unsafe sexual behaviour increasing among HIV-infected individuals?", False),
        ("Are toxic effects of lithium common?", False),
        ("Does iron improve RLS?", False),
    ],
)
def test_a_question_of_harm_in_general_words(question: str, harm: bool) -> None:
    assert asks_harm(question) is harm


def test_on_a_question_of_harm_only_findings_on_harm_or_safety_vote() -> None:
    evidence = [
        ev("1", "rct", "Iron improved RLS symptoms."),
        ev("2", "rct", "IV iron was safe and effective in RLS."),
        ev("3", "cohort", "Iron caused serious adverse events in RLS."),
    ]

    def reader(question: str, abstract: str, title: str | None) -> Stance:
        return Stance("no" if "safe" in abstract else "yes", abstract, 0.8)

    votes = read_votes("Is iron harmful in RLS?", evidence, reader)
    # a benefit is no answer to whether it harms
    assert [(v.item_id, v.label) for v in votes] == [("pmid:2", "no"), ("pmid:3", "yes")]
    assert len(read_votes("Does iron improve RLS?", evidence, reader)) == 3


def test_a_guideline_answers_whether_a_treatment_harms_or_is_contraindicated() -> None:
    def votes(statement: str, strength: str, question: str) -> list[str]:
        item = GuidelineItem(1, "ACC/AHA", 2013, statement, strength, None)
        return [v.position for v in guideline_votes([Listed(item, None, (0, 2), 0)], question)]

    shock = "Beta-blockers are contraindicated in patients with cardiogenic shock."
    asked = "Are beta blockers contraindicated in cardiogenic shock?"
    assert votes(shock, "Class III: Harm", asked) == ["for"]  # yes, contraindicated
    nimodipine = "Early initiation of enteral nimodipine is beneficial."
    assert votes(nimodipine, "Class I", "Is nimodipine contraindicated in SAH?") == ["against"]
    platelets = "Platelet transfusions should not be administered in ICH on antiplatelets."
    harmful = "Is platelet transfusion harmful in ICH patients on aspirin?"
    assert votes(platelets, "Class III: Harm", harmful) == ["for"]
    # "no benefit" says nothing on harm
    txa = "Tranexamic acid is NOT recommended for routine use."
    assert votes(txa, "Class III: No Benefit", "Is tranexamic acid harmful in SAH?") == []
    # nor does a guideline vote on other questions of association
    assert (
        votes(platelets, "Class III: Harm", "Is platelet transfusion associated with death?") == []
    )


def test_a_recommendation_naming_the_subject_only_in_passing_takes_no_position_on_it() -> None:
    question = "Is metformin safe in chronic kidney disease?"
    sglt2 = (
        "SGLT2 inhibitors are recommended for patients with type 2 diabetes and CKD, "
        "independent of metformin use."
    )
    assert names_in_passing(sglt2, question)
    assert not names_in_passing("Metformin is recommended at eGFR of 30 or more.", question)
    assert not names_in_passing("SGLT2 inhibitors are recommended in CKD.", question)
    # what an antidote reverses, the drug a bleed came with, whom it is not for
    idarucizumab = (
        "In patients with dabigatran-associated spontaneous ICH, idarucizumab is reasonable to "
        "reverse the anticoagulant effect of dabigatran."
    )
    assert names_in_passing(idarucizumab, "Should dabigatran be restarted after ICH?")
    assert not names_in_passing(idarucizumab, "How is dabigatran reversed in ICH?")
    not_on = (
        "In patients with spontaneous ICH who are not on anticoagulants, the usefulness of "
        "hemostatic therapies is not well established."
    )
    assert names_in_passing(not_on, "Should anticoagulants be resumed after ICH?")
    empiric = (
        "Vancomycin plus an anti-pseudomonal beta-lactam is recommended as empiric therapy "
        "for healthcare-associated ventriculitis and meningitis."
    )
    assert not names_in_passing(
        empiric, "empiric vancomycin for healthcare associated ventriculitis"
    )
    # a time clause ends at the aim it serves
    breastfeeding = "Should breastfeeding be supported?"
    support = (
        "The USPSTF recommends interventions during pregnancy and after birth to support "
        "breastfeeding."
    )
    assert not names_in_passing(support, breastfeeding)
    assert names_in_passing("Counsel after birth on breastfeeding.", breastfeeding)
    # what is waited for is no position on it
    thrombectomy = "Is thrombectomy recommended 16 hours after stroke onset?"
    waiting = (
        "IV alteplase should NOT be withheld or delayed while awaiting thrombectomy evaluation."
    )
    assert names_in_passing(waiting, thrombectomy)
    assert not names_in_passing("Thrombectomy is recommended.", thrombectomy)
    # a kind of hospital, or a group of patients included, names no position
    pci = "Is PCI recommended more than 12 hours after STEMI onset?"
    lysis = "Fibrinolytic therapy should be given at non-PCI-capable hospitals."
    assert names_in_passing(lysis, pci)
    cooling = "Hypothermia for comatose patients, including patients who undergo primary PCI."
    assert names_in_passing(cooling, pci)
    assert not names_in_passing("Primary PCI is reasonable within 12 to 24 hours.", pci)
    item = GuidelineItem(1, "ADA", 2024, sglt2, "Grade A", None)
    assert Listed(item, None, (0, 2), 0).position == "for"
    assert guideline_votes([Listed(item, None, (0, 2), 0)], question) == []
    metformin = GuidelineItem(2, "ADA", 2024, "Metformin is recommended in CKD.", "Grade A", None)
    assert [v.item_id for v in guideline_votes([Listed(metformin, None, (0, 2), 0)], question)] == [
        "2"
    ]
    # ages and verbs of acting are not the subject
    aged = "Should a 62-year-old take aspirin to prevent heart attack?"
    clopidogrel = "Clopidogrel should be given in addition to aspirin after fibrinolysis."
    assert names_in_passing(clopidogrel, aged)
    assert not names_in_passing("Aspirin is not recommended at 60 or older.", aged)
    # named only as a time or an alternative, up to the clause's end
    alteplase = "Is alteplase recommended for stroke?"
    assert names_in_passing("Maintain BP < 180/105 for 24 hours after alteplase.", alteplase)
    assert names_in_passing("Tenecteplase is an alternative to alteplase, before EVT.", alteplase)
    assert not names_in_passing("After a stroke, alteplase is recommended.", alteplase)
    # what rules another out
    lytic = "Are fibrinolytics recommended in STEMI?"
    pci = "Primary PCI should be performed in patients with contraindications to fibrinolytics."
    assert names_in_passing(pci, lytic)
    # whom a heading is for, by what they do not get
    lysis = "Is thrombolysis recommended for minor stroke?"
    no_lysis = "Acute ischemic stroke (no thrombolysis, SBP 150-220): Lowering SBP is NOT useful."
    assert names_in_passing(no_lysis, lysis)
    given = "Acute ischemic stroke (SBP < 185): thrombolysis is recommended."
    assert not names_in_passing(given, lysis)
    # what another is preferred to, or switched from
    hcq = "Is hydroxychloroquine recommended for rheumatoid arthritis?"
    assert names_in_passing("Methotrexate is recommended over hydroxychloroquine.", hcq)
    assert not names_in_passing("Hydroxychloroquine is suggested over other csDMARDs.", hcq)
    febuxostat = "Is febuxostat recommended for gout?"
    assert names_in_passing("Switching from febuxostat to another agent is suggested.", febuxostat)
    assert not names_in_passing("Screen women over 75.", "Should women over 75 be screened?")
    # a combination with another drug, unless the question asks about combining
    diabetics = "Is aspirin recommended for primary prevention in diabetics?"
    assert names_in_passing("Aspirin + low-dose rivaroxaban may be considered for CAD.", diabetics)
    dapt = "Should aspirin plus clopidogrel be given after TIA?"
    assert not names_in_passing("Aspirin + clopidogrel within 24 hours of TIA.", dapt)
    # a heading names the topic; the sentence after it, what is done
    ivc = "Is there a role for an IVC filter in DVT?"
    heading = "IVC Filter with Lung Disease (Recommendation 10): For DVT, the panel suggests "
    assert names_in_passing(heading + "anticoagulation alone rather than an IVC filter.", ivc)
    assert not names_in_passing(heading + "an IVC filter in addition to anticoagulation.", ivc)
    doac = "DOAC versus warfarin in atrial fibrillation"
    assert not names_in_passing("DOACs (DOACs: apixaban) are recommended over warfarin.", doac)
    # a condition
    assert names_in_passing("Clopidogrel 75 mg/day if aspirin allergy.", diabetics)
    assert not names_in_passing("If CABG is planned, stop aspirin 5 days before.", diabetics)
    # what patients already take
    statin = "statins for peripheral artery disease"
    pcsk9 = "Very high-risk ASCVD on maximally tolerated statin: Adding a PCSK9 inhibitor."
    assert names_in_passing(pcsk9, statin)
    assert not names_in_passing("High-intensity statin therapy for clinical ASCVD.", statin)
    # what a test decides
    antibiotics = "Which antibiotics are recommended for CAP?"
    procalcitonin = "Do NOT use procalcitonin to determine whether to initiate antibiotic therapy."
    assert names_in_passing(procalcitonin, antibiotics)
    assert not names_in_passing("Empiric antibiotic therapy should be initiated.", antibiotics)
    ult = "Should urate lowering therapy be started during a gout flare?"
    fenofibrate = "Switching to fenofibrate for urate-lowering purposes is recommended against."
    assert names_in_passing(fenofibrate, ult)
    # nor does it speak for its body in the bottom line
    alone = Listed(GuidelineItem(3, "ACC", 2013, clopidogrel, "Class I", None), None, (0, 2), 0)
    assert best_guidelines([alone], aged) == []
    # it speaks for the body only after those that are about the subject
    both = [Listed(item, None, (0, 2), 0), Listed(metformin, None, (0, 1), 0)]
    assert [x.item.ref for x in in_passing_last(both, question)] == [2, 1]
    assert [x.item.ref for x in best_guidelines(in_passing_last(both, question), question)] == [2]


def test_a_subject_named_by_its_class_only_in_passing_takes_no_position() -> None:
    def tnf(text: str) -> bool:
        return "biologic dmard" in text.lower() or "tnf" in text.lower()

    mtx = "Methotrexate monotherapy is strongly recommended over biologic DMARD monotherapy."
    assert named_in_passing(mtx, tnf)
    assert not named_in_passing("Addition of a biologic DMARD is recommended.", tnf)
    item = GuidelineItem(1, "ACR", 2021, mtx, "Strong recommendation", None)
    question = "Is TNF inhibitor recommended after methotrexate failure?"
    assert guideline_votes([Listed(item, None, (0, 2), 0, in_passing=True)], question) == []


def test_an_insufficient_grade_answers_what_to_do_and_studies_do_not_turn_it() -> None:
    grade_i = (
        "The USPSTF concludes that the current evidence is insufficient to assess the balance "
        "of benefits and harms of screening for alcohol use in adolescents aged 12 to 17 years."
    )
    item = GuidelineItem(1, "USPSTF", 2018, grade_i, "Grade I", None)
    listed = [Listed(item, None, (1, 2), 0)]
    asked = guideline_votes(listed, "Should adolescents be screened for alcohol misuse?")
    assert [(v.position, v.vote) for v in asked] == [("insufficient", 0.0)]
    weighing = decide([vote("1", "yes"), vote("2", "yes")], asked, guideline_decides=True)
    assert (weighing.verdict, weighing.lean, weighing.guideline_led) == (
        "insufficient",
        None,
        True,
    )
    # a question of effect is answered by the studies: the I statement casts no vote
    assert guideline_votes(listed, "Does screening reduce drinking in adolescents?") == []


def test_preferring_another_over_continuing_it_answers_yes_on_stopping_it() -> None:
    acr = "Switching to DMARDs is conditionally recommended over continuation of glucocorticoids."
    item = GuidelineItem(1, "ACR", 2021, acr, "Conditional", None)
    listed = [Listed(item, None, (0, 2), 0, without=True)]
    tapered = guideline_votes(listed, "should prednisone be tapered in ra")
    assert [v.position for v in tapered] == ["for"]
    assert [v.position for v in guideline_votes(listed, "should prednisone be used in ra")] == [
        "against"
    ]


def test_a_recommendation_only_for_some_answers_no_on_routine_use() -> None:
    some = "Gentle suctioning of the mouth, then nose, only if secretions obstruct the airway."
    item = GuidelineItem(1, "AHA/AAP", 2020, some, "COR 2b", None)
    listed = [Listed(item, None, (0, 1), 0)]
    routine = guideline_votes(listed, "Should newborns be suctioned routinely at birth?")
    assert [v.position for v in routine] == ["against"]
    assert [v.position for v in guideline_votes(listed, "Should newborns be suctioned?")] == [
        "conditional"
    ]


def test_a_recommendation_to_continue_answers_no_on_stopping() -> None:
    statins = "Statins should be continued in patients scheduled for noncardiac surgery."
    item = GuidelineItem(1, "ACC/AHA", 2014, statins, "Class I", None)
    listed = [Listed(item, None, (0, 2), 0)]
    stop = guideline_votes(listed, "Should statins be stopped before noncardiac surgery?")
    assert [v.position for v in stop] == ["against"]
    keep = guideline_votes(listed, "Should statins be continued before noncardiac surgery?")
    assert [v.position for v in keep] == ["for"]
    # "discontinue" is no continuing
    stopping = GuidelineItem(2, "X", 2020, "Ticagrelor should be discontinued.", None, None)
    stop = guideline_votes([Listed(stopping, None, (0, 2), 0)], "Should ticagrelor be stopped?")
    assert [v.position for v in stop] == ["for"]


def test_a_question_on_whether_it_is_safe_or_needed_to_stop_is_one_on_stopping() -> None:
    aspirin = "Aspirin should be continued if possible."
    listed = [Listed(GuidelineItem(1, "ACC/AHA", 2014, aspirin, "Class I", None), None, (0, 2), 0)]
    for question in (
        "Is it safe to stop aspirin before surgery?",
        "Do we need to stop aspirin before surgery?",
        "Is it reasonable to hold aspirin before surgery?",
    ):
        assert [v.position for v in guideline_votes(listed, question)] == ["against"], question
    # what is safe to give is no stopping
    assert [v.position for v in guideline_votes(listed, "Is it safe to give aspirin?")] == ["for"]


def test_stopping_after_a_time_is_answered_by_how_long_to_go_on() -> None:
    five = "Antibiotic therapy should be continued for no less than 5 days."
    item = GuidelineItem(1, "ATS/IDSA", 2019, five, "Strong recommendation", None)
    listed = [Listed(item, None, (0, 2), 0)]

    def stop(question: str) -> list[str]:
        return [v.position for v in guideline_votes(listed, question)]

    assert stop("Is it reasonable to stop antibiotics after 7 days in pneumonia?") == ["for"]
    assert stop("Is it reasonable to stop antibiotics after 3 days in pneumonia?") == ["against"]
    assert stop("Can antibiotics be stopped after 1 week?") == ["for"]
    # no time asked: to continue is a no on stopping
    assert stop("Should antibiotics be stopped in pneumonia?") == ["against"]
    # "given for at least 12 months" is how long to go on too
    twelve = "P2Y12 inhibitor therapy should be given for at least 12 months after a stent."
    item = GuidelineItem(2, "ACCF/AHA", 2013, twelve, "Class I", None)
    p2y12 = [Listed(item, None, (0, 2), 0)]
    six = "Is it safe to stop clopidogrel after 6 months post stent?"
    assert [v.position for v in guideline_votes(p2y12, six)] == ["against"]
    late = "Is it safe to stop clopidogrel after 13 months post stent?"
    assert [v.position for v in guideline_votes(p2y12, late)] == ["for"]


def test_a_recommendation_against_starting_it_is_no_answer_on_stopping_it_later() -> None:
    mrsa = "The SSC suggests against empiric antimicrobials with MRSA coverage at low risk."
    item = GuidelineItem(1, "SCCM/ESICM", 2021, mrsa, "Weak recommendation", None)
    listed = [Listed(item, None, (0, 2), 1)]

    def stop(question: str) -> list[str]:
        return [v.position for v in guideline_votes(listed, question)]

    assert stop("Should antibiotics be avoided in sepsis?") == ["for"]
    assert stop("Should antibiotics be stopped after 48 hours in sepsis?") == []
    assert stop("Should antibiotics be delayed until blood cultures are drawn?") == []
    # "should not delay" is a no on delaying
    imaging = "Antibiotics should not be delayed for imaging."
    item = GuidelineItem(2, "IDSA", 2004, imaging, "Strong recommendation", None)
    votes = guideline_votes([Listed(item, None, (0, 2), 0)], "Can antibiotics be delayed?")
    assert [v.position for v in votes] == ["against"]


def test_going_without_the_subject_turns_each_position_round() -> None:
    before = "Anticoagulate for at least 3 weeks before cardioversion."
    item = GuidelineItem(1, "ACC/AHA", 2023, before, "Class I", None)
    asked = "Can AF be cardioverted without anticoagulation?"
    assert [v.position for v in guideline_votes([Listed(item, None, (0, 3), 0)], asked)] == ["for"]
    votes = guideline_votes([Listed(item, None, (0, 3), 0)], asked, forgone=True)
    assert [v.position for v in votes] == ["against"]
    against = GuidelineItem(2, "X", 2020, "Do not give heparin before cardioversion.", None, None)
    votes = guideline_votes([Listed(against, None, (0, 3), 0)], asked, forgone=True)
    assert [v.position for v in votes] == ["for"]


def test_a_recommendation_to_go_without_the_subject_is_against_it() -> None:
    def steroids(text: str) -> bool:
        return "glucocorticoid" in text.lower()

    acr = (
        "Initiating a csDMARD WITHOUT longer-term (>=3 months) glucocorticoids is strongly "
        "recommended over WITH longer-term glucocorticoids"
    )
    assert names_only_forgone(acr, steroids)
    assert not names_only_forgone("Glucocorticoids are recommended for flares.", steroids)
    # "with or without" names it in passing, not as what to go without
    dmards = "DMARDs (with or without intraarticular glucocorticoids) are recommended."
    assert not names_only_forgone(dmards, steroids)
    item = GuidelineItem(1, "ACR", 2021, acr, "Strong recommendation", None)
    question = "Are steroids recommended in rheumatoid arthritis?"
    votes = guideline_votes([Listed(item, None, (0, 2), 0, without=True)], question)
    assert [v.position for v in votes] == ["against"]


VITAMIN_E = (
    "Vitamin E 800 IU/day may be considered for non-diabetic adults with biopsy-proven NASH. "
    "Vitamin E: NOT recommended in patients with diabetes, NAFLD without biopsy, or cirrhosis."
)


def test_a_recommendation_excluding_what_the_question_names_is_not_listed() -> None:
    diabetes = Concept("diabetes mellitus", terms=("diabetes", "diabetics"))
    matcher = Matcher([Concept("vitamin E"), Concept("NASH"), diabetes])
    assert matcher.excluded("for non-diabetic adults") == {"diabetes mellitus"}
    assert matcher.excluded("adults without diabetes") == {"diabetes mellitus"}
    assert matcher.excluded("adults with or without diabetes") == frozenset()
    assert matcher.excluded("diabetic adults") == frozenset()
    # named as included too, it is not excluded
    fasting = Matcher([Concept("fasting")])
    assert fasting.excluded("Fasting or nonfasting lipid levels are effective") == frozenset()
    assert fasting.excluded("A nonfasting lipid profile is reasonable") == {"fasting"}
    # a compound that starts with the name excludes nobody who has it
    pci = Concept("percutaneous coronary intervention", ("PCI",))
    assert Matcher([pci]).excluded("at non-PCI-capable hospitals") == frozenset()
    assert Matcher([pci]).excluded("in non-PCI patients") == {pci.label}
    # "never" before a name, or before "ever smoked", excludes it
    smoking = Matcher([Concept("smoking", ("smoking", "smoker", "ever smoked"))])
    assert smoking.excluded("in women who have never smoked") == {"smoking"}
    assert smoking.excluded("in never smokers") == {"smoking"}
    assert smoking.excluded("in men who have ever smoked") == frozenset()
    question = "Is vitamin E recommended for NASH in diabetics?"

    def rec(statement: str) -> Recommendation:
        return Recommendation(id=statement[:9], guideline_title="NAFLD", body="AASLD",
                              statement=statement, year=2023)  # fmt: skip

    drafts = recommendation_drafts(
        [rec("Vitamin E may be considered for non-diabetic adults with NASH."),
         rec("Vitamin E is not recommended in diabetics with NASH.")], matcher, question,
    )  # fmt: skip
    assert [d.statement for d in drafts] == ["Vitamin E is not recommended in diabetics with NASH."]


def test_a_condition_its_heading_names_is_whom_a_recommendation_is_for() -> None:
    matcher = Matcher([Concept("hypertension"), Concept("chronic kidney disease", ("CKD",))])

    def rec(section: str, statement: str) -> Recommendation:
        return Recommendation(
            id=section, guideline_title="Hypertension in Adults", body="ACC/AHA",
            statement=statement, year=2017, section=section,
        )  # fmt: skip

    drafts = recommendation_drafts(
        [
            rec("Special Populations > Chronic Kidney Disease (CKD)", "BP target: < 130/80 mm Hg."),
            rec("Special Populations > Diabetes Mellitus", "BP target: < 130/80 mm Hg."),
        ],
        matcher,
        "bp target in adults with hypertension and ckd",
    )
    assert [d.item_id for d in drafts] == ["Special Populations > Chronic Kidney Disease (CKD)"]
    # a treatment its heading names is not what it is on
    thrombolysis = Matcher([Concept("thrombolysis"), Concept("stroke")])
    before = rec("Key Blood Pressure Thresholds Before Thrombolysis", "BP must be < 185/110 mmHg.")
    assert recommendation_drafts([before], thrombolysis, "thrombolysis in minor stroke?") == []


def test_the_sentence_quoted_is_the_one_that_points_the_way_of_the_whole() -> None:
    item = GuidelineItem(1, "AASLD", 2023, VITAMIN_E, None, None, "against")
    assert leading_sentence(item) == (
        "Vitamin E: NOT recommended in patients with diabetes, NAFLD without biopsy, or cirrhosis"
    )
    # a first sentence that points no way, or the same way, is quoted
    graded = GuidelineItem(
        2, "USPSTF", 2022, "Aspirin at 60 or older. See Table 1.", "Grade D", None
    )
    assert leading_sentence(graded) == "Aspirin at 60 or older"
    same = GuidelineItem(3, "X", 2020, "Do not use X. Use Y instead.", None, None)
    assert leading_sentence(same) == "Do not use X"
    # an ungraded excerpt whose first sentence points no way is quoted where
    # it points the way of the whole
    excerpt = GuidelineItem(
        4, "ACR", 2020, "Weight loss lowers urate. Fenofibrate is recommended against.", None, None
    )
    assert leading_sentence(excerpt) == "Fenofibrate is recommended against"
    # a class stated inline grades its own sentence, not an excerpt's first
    # that points a way of its own
    icd = GuidelineItem(
        5,
        "AHA/ACC/HFSA",
        2022,
        "ICD is recommended for primary prevention in HFrEF. Do NOT implant during the first "
        "40 days after acute MI (Class III — Harm, LOE B-R).",
        None,
        None,
    )
    assert leading_sentence(icd) == "ICD is recommended for primary prevention in HFrEF"
    # a first sentence that quotes its own grade speaks for itself
    seizures = GuidelineItem(
        6,
        "BTF",
        2016,
        "With early seizures: phenytoin is recommended for early seizures (Level IIA). "
        "Late seizures: phenytoin is not recommended for late seizures (Level IIA).",
        None,
        None,
    )
    assert leading_sentence(seizures, "phenytoin after TBI").startswith("With early seizures")
    # (unless it is for those the question leaves out)
    assert names_excluded("ERCP without cholangitis", "With Cholangitis: urgent ERCP")
    assert not names_excluded("ERCP without cholangitis", "Without Cholangitis: no ERCP")
    assert not names_excluded("ERCP in pancreatitis", "With Cholangitis: urgent ERCP")
    disulfiram = GuidelineItem(
        6,
        "APA",
        2018,
        "APA suggests (2C) that disulfiram be offered to patients with AUD. APA recommends that "
        "for pregnant women with AUD, pharmacological treatments not be used.",
        None,
        None,
    )
    question = "should disulfiram be used first line for aud"
    assert leading_sentence(disulfiram, question).startswith("APA suggests (2C) that disulfiram")


def test_an_excerpt_is_quoted_by_its_sentence_giving_the_course_asked() -> None:
    excerpt = GuidelineItem(
        7,
        "Endocrine Society",
        2020,
        "Bone Turnover Markers: A decrease in CTX from baseline within 3-6 months suggests "
        "adequate bisphosphonate effect. Reassessment: For oral bisphosphonates: reassess "
        "after 5 years of treatment.",
        None,
        None,
    )
    asked = "how long should bisphosphonates be continued"
    assert leading_sentence(excerpt, asked).endswith("reassess after 5 years of treatment")
    # asked nothing it gives, the excerpt's first sentence
    assert leading_sentence(excerpt, "bisphosphonates").startswith("Bone Turnover Markers")


def test_what_a_choice_is_preferred_to_is_a_position_against_it() -> None:
    def thrombolysis(text: str) -> bool:
        return "thromboly" in text.lower()

    ash = (
        "Submassive PE (Recommendation 7, Conditional, Low Certainty): The panel suggests "
        "anticoagulation alone over routine thrombolysis for patients with PE without "
        "hemodynamic compromise."
    )
    assert names_only_forgone(ash, thrombolysis)
    # the preferred side, and "over" without a choice or before a number
    assert not names_only_forgone(
        "The panel suggests thrombolysis over anticoagulation.", thrombolysis
    )
    assert not names_only_forgone("Thrombolysis is suggested in adults over 75.", thrombolysis)
    assert not names_only_forgone("Give thrombolysis over 2 hours.", thrombolysis)
    item = GuidelineItem(1, "ASH", 2020, ash, "Conditional", None)
    question = "Is thrombolysis recommended for submassive PE?"
    listed = Listed(item, None, (0, 2), 1, without=True, in_passing=True)
    assert not listed.passing(question)
    votes = guideline_votes([listed], question)
    assert [v.position for v in votes] == ["against"]


def test_a_preference_for_another_is_half_a_recommendation_against() -> None:
    strong = GuidelineItem(
        1,
        "ACR",
        2021,
        "Methotrexate is strongly recommended over hydroxychloroquine.",
        "Strong",
        None,
    )
    low = GuidelineItem(
        1, "ACR", 2021, "Hydroxychloroquine is conditionally recommended.", "Conditional", None
    )
    question = "Is hydroxychloroquine recommended for rheumatoid arthritis?"
    votes = guideline_votes(
        [Listed(strong, None, (0, 2), 0, without=True), Listed(low, None, (0, 2), 1)], question
    )
    assert [v.position for v in votes] == ["against", "conditional"]
    assert votes[0].vote == votes[1].vote == guideline_vote("x", "for").vote / 2  # type: ignore[union-attr]
    assert decide([], votes).verdict == "mixed"


def test_what_a_choice_is_preferred_to_is_not_a_way_of_giving_the_subject() -> None:
    def norepinephrine(text: str) -> bool:
        return "norepinephrine" in text.lower()

    ssc = "The SSC suggests adding vasopressin instead of escalating the dose of norepinephrine."
    assert not names_only_forgone(ssc, norepinephrine)
    # nor when what is preferred is a treatment the question names as tried
    acr = "Methotrexate monotherapy is strongly recommended over TNF inhibitor monotherapy."
    assert names_only_forgone(acr, lambda t: "TNF" in t)
    assert not names_only_forgone(acr, lambda t: "TNF" in t, lambda t: "ethotrexate" in t)


def test_an_excerpt_says_what_its_quoted_sentence_says() -> None:
    excerpt = GuidelineItem(
        1,
        "APA",
        2018,
        "APA recommends (1B) that naltrexone be offered to patients with AUD. "
        "APA recommends that naltrexone not be used by individuals who use opioids.",
        None,
        None,
        statement_type="excerpt",
    )
    question = "Is naltrexone recommended for alcohol use disorder?"
    # not the sentence for people who use opioids, a group the question does not name
    quote = leading_sentence(excerpt, question)
    assert quote.startswith("APA recommends (1B) that naltrexone be offered")
    listed = Listed(excerpt, None, (0, 2), 9, quote)
    assert listed.excerpt and listed.said == quote
    assert listed.position == "for"
    # asked about people on opioids, the other sentence speaks
    on_opioids = "Should naltrexone be used in AUD patients on opioids?"
    assert "not be used" in leading_sentence(excerpt, on_opioids)
    # a graded recommendation says what its whole statement says
    graded = replace(excerpt, strength="Strong", statement_type="verbatim")
    assert not Listed(graded, None, (0, 2), 0, quote).excerpt


def test_a_recommendation_keeping_the_subject_from_a_group_is_for_that_group() -> None:
    hepatitis = "APA recommends that naltrexone not be used by patients who have acute hepatitis."
    question = "Is naltrexone recommended for alcohol use disorder?"
    assert kept_from_others(question, hepatitis)
    assert not kept_from_others("Can naltrexone be used in acute hepatitis?", hepatitis)
    # those who have never taken it are whom starting it is about
    naive = "Beta-blockers should NOT be started on the day of surgery in patients who are naive."
    assert not kept_from_others("Should metoprolol be given before surgery?", naive)
    assert not kept_from_others(question, "Naltrexone is recommended.")
    # a condition of the patient, not the treatment it keeps from them
    fq = "Fluoroquinolones should be avoided if the patient has been exposed to a fluoroquinolone."
    assert kept_from_others("Are fluoroquinolones recommended for complicated UTI?", fq)


def test_what_to_avoid_while_giving_the_subject_is_no_position_on_it() -> None:
    statement = (
        "Arterial hypotension (SBP < 90 mmHg) should be avoided during mannitol administration."
    )
    assert names_in_passing(statement, "Is mannitol recommended for raised ICP?")


def test_a_findings_suggestion_is_no_recommendation() -> None:
    finding = "Semaglutide did not improve fibrosis, though post-hoc analyses suggest benefit."
    assert position(finding) is None
    assert position("The SSC suggests using balanced crystalloids.") == "conditional"
    assert position("First-line: Lactulose 15-30 mL PO every 1-2 hours.") == "for"


def test_a_screening_tool_answers_a_question_on_diagnosis() -> None:
    diagnosis = question_scope("Should qSOFA be used to diagnose sepsis?")
    assert fits(diagnosis, frozenset({"screening"}), "")
    screening = question_scope("Should adults be screened for diabetes?")
    assert not fits(screening, frozenset({"diagnosis"}), "")


def test_a_pretest_probability_is_a_level() -> None:
    question = "Is D-dimer useful in low pretest probability PE?"
    assert other_severity(question, 'For "PE Likely" (Score > 4.0): D-dimer is NOT recommended')
    assert not other_severity(question, 'For "PE Unlikely" (Score <= 4.0): Obtain a D-dimer')


def test_a_question_on_what_is_recommended_over_another_compares() -> None:
    assert compares("Is psychotherapy recommended over antidepressants in older adults?")
    assert compares("Is insulin recommended as first injectable over GLP-1 RA?")
    assert not compares("Is N-acetylcysteine recommended to prevent contrast nephropathy?")
    # which of two is better compares, and asks no yes or no
    which = "Is apixaban or warfarin better for AF?"
    assert compares(which) and not asks_yes_no(which)
    assert compares("Which is safer, aspirin or clopidogrel?")
    assert asks_yes_no("Is aspirin or clopidogrel recommended after TIA?")


def test_not_withholding_is_for_and_not_delaying_another_is_no_position() -> None:
    assert (
        position("IV alteplase should NOT be withheld or delayed while awaiting thrombectomy.")
        == "for"
    )
    assert position("HBO should not delay other critical burn care interventions.") is None
    # an instruction after a heading
    assert position("Vasoactive agent: Start Octreotide 50 mcg IV bolus.") == "for"
    # a ward verb is an instruction too
    assert position("If AF duration > 48 hours: Anticoagulate for >= 3 weeks.") == "for"
    assert position("Refractory Ascites: Consider TIPS in selected patients.") == "conditional"
    conditional = "If eosinophils < 300 cells/uL, consider adding Roflumilast or Azithromycin."
    assert position(conditional) == "conditional"


def test_a_combination_the_question_names_is_its_subject() -> None:
    statement = "Hydralazine + Isosorbide Dinitrate (Class I): Recommended for African Americans."
    asked = "Should hydralazine isosorbide dinitrate be used in black patients with heart failure?"
    assert not names_in_passing(statement, asked)
    assert names_in_passing(statement, "Should hydralazine be used in heart failure?")


def test_a_group_named_as_included_does_not_narrow() -> None:
    scope = question_scope("Is allopurinol first line for gout?")
    assert narrower(scope, "Allopurinol remains the preferred agent in patients with CKD.")
    assert not narrower(
        scope, "Allopurinol is preferred for all patients, including those with CKD."
    )


def test_whom_a_question_names_by_group_and_ages() -> None:
    assert ages("should men 55 to 69 be screened for prostate cancer") == (55, 69)
    assert ages("patients 2 to 4 weeks after surgery") is None
    # "including pregnant persons" is not for pregnancy only
    scope = question_scope("Is chlamydia screening recommended in sexually active women?")
    assert fits(
        scope, frozenset({"screening"}), "Sexually active women, including pregnant persons"
    )
    # pregnant women are matched by the pregnancy, not by "women"
    pregnant = question_scope("Should pregnant women take low dose aspirin?")
    assert population_match(pregnant, "after 12 weeks of gestation") > population_match(
        pregnant, "CHA2DS2-VASc >= 2 in women"
    )


def test_a_question_to_rule_out_is_on_diagnosis_and_low_risk_is_a_probability() -> None:
    question = "Should D-dimer be used to rule out pulmonary embolism in low risk patients?"
    assert question_scope(question).kinds == {"diagnosis"}
    assert other_severity(question, 'For "PE Likely" (Score > 4.0): D-dimer is NOT recommended')


def test_a_stage_and_a_time_in_the_course_are_levels() -> None:
    assert stages("Stage 2 Hypertension (>= 140/>= 90 mm Hg)") == {2}
    assert stages("Stage >= 3 CKD or Stage 1--2 CKD with albuminuria") == {1, 2, 3, 4, 5}
    assert stages("stages II-III") == {2, 3}
    assert stages("the stage of disease; backstage 3") == frozenset()
    question = "Should adults with stage 1 hypertension start drug therapy?"
    assert other_severity(question, "Stage 2 Hypertension: antihypertensive drug therapy")
    assert not other_severity(question, "Stage 1 Hypertension: initiate drug therapy")
    early = "Is prophylactic phenytoin recommended to prevent early post traumatic seizures?"
    assert other_severity(early, "Phenytoin is not recommended for late post-traumatic seizures.")
    assert not other_severity(early, "Phenytoin is recommended for early seizures.")


def test_a_sign_that_suggests_a_diagnosis_is_no_suggestion() -> None:
    assert position("Fever without an identifiable source may suggest CSF shunt infection.") is None
    assert position("Change in mental status suggest CSF shunt infection.") is None
    assert position("We suggest removing infected shunts.") == "conditional"
    assert position("Weight loss is the cornerstone of NAFLD management.") == "for"


def test_a_condition_ends_at_its_colon() -> None:
    statement = (
        "Stage 1 Hypertension: If known clinical CVD OR 10-year ASCVD risk >= 10%: initiate "
        "nonpharmacologic therapy PLUS antihypertensive drug therapy"
    )
    assert not names_in_passing(
        statement, "Should adults with stage 1 hypertension start drug therapy?"
    )


def test_the_sentence_quoted_names_the_subject_where_the_first_does() -> None:
    excerpt = GuidelineItem(
        1,
        "AASLD",
        2023,
        "Weight loss is the cornerstone of NAFLD management. Mediterranean diet is recommended.",
        None,
        None,
    )
    question = "Is weight loss recommended for NAFLD?"
    assert leading_sentence(excerpt, question) == (
        "Weight loss is the cornerstone of NAFLD management"
    )


def test_a_second_position_must_say_the_question_in_its_own_words() -> None:
    def listed(ref: int, statement: str, grade: str, conditions: int) -> Listed:
        item = GuidelineItem(ref, "USPSTF", 2023, statement, grade, None)
        strength = 0 if grade == "Grade B" else 9
        return Listed(item, None, (0, 2), strength, conditions=conditions)

    depression = listed(
        1, "The USPSTF recommends screening for depression in pregnant adults.", "Grade B", 1
    )
    suicide = listed(
        2,
        "The USPSTF concludes that the evidence is insufficient on screening pregnant adults "
        "for suicide risk.",
        "Grade I",
        0,
    )
    question = "Should pregnant women be screened for depression?"
    assert best_guidelines([depression, suicide], question) == [depression]


def test_a_question_on_stopping_is_answered_by_what_to_avoid_and_what_to_use() -> None:
    def votes(statement: str, question: str, grade: str | None = None) -> list[str]:
        item = GuidelineItem(1, "KDIGO", 2012, statement, grade, None)
        return [v.position for v in guideline_votes([Listed(item, None, (0, 2), 9)], question)]

    asked = "Should nephrotoxic drugs be stopped in AKI?"
    assert votes("Avoid or discontinue potentially nephrotoxic agents.", asked) == ["for"]
    assert votes("Do not use nephrotoxic drugs in AKI.", asked) == ["for"]
    # a recommendation to use it says nothing on stopping it
    surgery = "Should beta blockers be stopped before noncardiac surgery?"
    assert votes("It may be reasonable to begin beta-blockers.", surgery, "Class IIb") == []
    assert votes("Beta-blockers should not be discontinued.", surgery) == ["against"]
    assert votes("NSAIDs: Contraindications include CKD.", "Should NSAIDs be avoided in CKD?") == [
        "for"
    ]
    # a drug holiday is a stop
    holiday = "Prescribe a bisphosphonate drug holiday for women at low risk."
    assert votes(holiday, "Should bisphosphonates be stopped in low-risk women?") == ["for"]


def test_a_kdigo_level_is_the_wording_of_a_statement_without_a_verb() -> None:
    assert position("Target systolic BP < 120 mmHg in adults with CKD.", "Grade 2B") == (
        "conditional"
    )
    assert position("Kt/V of 3.9 per week for intermittent RRT.", "Grade 1A") == "for"
    assert position("Suggest not using diuretics to treat AKI.", "Grade 2C") == "against"
    assert position("If no contraindication to citrate: regional citrate.") is None
    # what another is for, not the subject contraindicated
    il1 = (
        "For patients for whom colchicine and NSAIDs are ineffective, poorly tolerated, or "
        "contraindicated, IL-1 inhibitors are recommended."
    )
    assert position(il1) == "for"
    assert names_in_passing(il1, "Is colchicine recommended for gout flares?")


def test_a_question_naming_diabetes_or_kidney_disease_is_about_people_who_have_it() -> None:
    scope = question_scope("Should finerenone be added in diabetic kidney disease?")
    assert {"diabetes", "kidney"} <= scope.groups
    statement = "Add to RAS inhibitor in patients with Type 2 Diabetes and CKD (G3-G4)"
    assert not narrower(scope, statement)
    assert narrower(question_scope("Should finerenone be used?"), statement)
    # not where the question excludes it
    without = question_scope("Should SGLT2 inhibitors be used in CKD without diabetes?")
    assert "diabetes" not in without.groups
    assert narrower(without, "adults with type 2 diabetes who have CKD")


def test_an_age_over_sixty_stated_with_a_comparator_is_older_adults() -> None:
    scope = question_scope("should statins be stopped in the elderly")
    assert "older" in scope.groups
    older = "Age > 75 years: it is reasonable to continue high-intensity statin therapy"
    acs = "High-intensity statin should be initiated or continued during hospitalization for ACS"
    assert population_match(scope, older) > population_match(scope, acs)
    assert population_match(scope, "Age >= 20 years: high-intensity statin") == 0


def test_a_named_operation_is_surgery() -> None:
    before = "If CABG is planned, discontinue ticagrelor >= 3 days before surgery."
    for question in (
        "Do we need to stop clopidogrel before CABG?",
        "Should aspirin be held before a cholecystectomy?",
        "anticoagulation before hip replacement",
    ):
        scope = question_scope(question)
        assert "surgery" in scope.groups, question
        assert not narrower(scope, before), question
    assert narrower(question_scope("Should clopidogrel be stopped?"), before)


def test_a_guideline_titled_for_a_group_speaks_only_for_it() -> None:
    assert titled_for("Standards of Care in Diabetes—2024") == {"diabetes"}
    assert titled_for("Hyperglycemic Crises in Adults With Diabetes") == {"diabetes"}
    assert titled_for("KDIGO Clinical Practice Guideline for Acute Kidney Injury") == set()
    target = GuidelineItem(1, "ADA", 2024, "Target LDL < 55 mg/dL.", "Grade B", None)
    ada = Listed(target, None, (0, 1), 0, title="Standards of Care in Diabetes—2024")
    assert for_others(ada, "What is the LDL goal after MI?")
    assert not for_others(ada, "What is the LDL goal in diabetes?")
    # what only people with diabetes have or take names it
    assert not for_others(ada, "potassium replacement before insulin in DKA")
    assert not for_others(ada, "What A1C target for older adults?")
    assert not for_others(replace(ada, title=""), "What is the LDL goal after MI?")
    # children are their own evidence: a statement for adults does not speak for them,
    # one under a guideline titled for newborns does
    statin = GuidelineItem(2, "ACC/AHA", 2018, "Use a maximally tolerated statin.", "Class I", None)
    assert for_others(Listed(statin, None, (0, 1), 0), "Can children get statins?")
    epinephrine = GuidelineItem(
        3, "AHA/AAP", 2020, "Epinephrine is indicated if HR < 60.", None, None
    )
    nrp = Listed(epinephrine, None, (0, 1), 9, title="Neonatal Resuscitation: 2020 Guidelines")
    assert not for_others(nrp, "epinephrine in newborn resuscitation")


def test_a_recommendation_for_people_in_general_does_not_speak_for_breastfeeding() -> None:
    scope = question_scope("is sertraline safe in breastfeeding")
    assert "breastfeeding" in scope.groups
    assert misses_group(scope, "The panel recommends a second-generation antidepressant.")
    assert not misses_group(scope, "Sertraline is preferred in lactating women.")
    pregnant = question_scope("Should pregnant women be screened for depression?")
    assert not misses_group(pregnant, "Screen adults, including pregnant and postpartum persons.")
    # support for breastfeeding is no answer to a question that does not name it
    assert not fits(
        question_scope("Is vitamin D recommended for infants?"),
        frozenset({"intervention"}),
        "Interventions to support breastfeeding",
    )


def test_a_panels_suggestion_is_told_from_a_findings() -> None:
    assert position("KDIGO 2024 suggests a protein intake of 0.8 g/kg/day.") == "conditional"
    assert position("The ACG conditionally suggests lactated Ringer's.") == "conditional"
    assert position("Recommendation: Suggest using regional citrate.") == "conditional"
    assert position("Low-dose aspirin is suggested for secondary prevention.") == "conditional"
    assert position("A decrease in CTX within 3-6 months suggests adequate effect.") is None
    # an instruction to obtain a test
    assert position('For "PE Unlikely": Primary Action: Obtain a D-dimer.') == "for"


def test_an_amount_the_question_states_fits() -> None:
    assert quantities("DAPT for 12 months after ACS") == {("12", "month")}
    assert quantities("A1C < 7% and SBP 130 mmHg") == {("7", "%"), ("130", "mmhg")}
    assert ("130/80", "mmhg") in quantities("BP target: < 130/80 mm Hg")
    assert quantities("women aged 50 years or older") == frozenset()
    scope = question_scope("Is DAPT recommended for 12 months after ACS?")
    assert population_match(scope, "Default: 12 months of DAPT") > population_match(
        scope, "DAPT duration should be guided by the team"
    )


def test_not_at_increased_risk_is_low_risk() -> None:
    question = "Should raloxifene be used in high risk women?"
    assert other_severity(question, "in women who are not at increased risk for breast cancer")
    assert not other_severity(question, "to women who are at increased risk for breast cancer")


def test_framing_and_conditions_are_no_subject() -> None:
    question = "Do guidelines recommend aspirin for primary prevention in diabetics?"
    assert names_in_passing("Aspirin + low-dose rivaroxaban may be considered for CAD.", question)
    pretreat = "Routine pre-treatment is NOT recommended when early invasive strategy is planned."
    assert names_in_passing(pretreat, "Is early invasive strategy recommended in NSTE-ACS?")


def test_the_stopping_asked_about_is_the_subjects() -> None:
    def votes(statement: str, question: str) -> list[str]:
        item = GuidelineItem(1, "SSC", 2021, statement, None, None)
        return [v.position for v in guideline_votes([Listed(item, None, (0, 2), 9)], question)]

    against = "The SSC suggests against using procalcitonin to decide when to start antibiotics."
    # what procalcitonin is for is no stopping of procalcitonin
    assert votes(against, "Is procalcitonin useful to stop antibiotics in sepsis?") == ["against"]
    assert votes("Do not use low-dose dopamine.", "Should we avoid low-dose dopamine?") == ["for"]


def test_a_concession_is_not_what_a_statement_says() -> None:
    conceded = (
        "While procalcitonin is not recommended for guiding antibiotic initiation, declining "
        "levels may support decisions to discontinue antimicrobials."
    )
    assert position(conceded) is None
    assert position("Biomarkers: Although not routine, it may be considered.") == "conditional"
