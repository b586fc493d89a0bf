"""The writer's parts on tiny inline data, with exact expectations."""

from __future__ import annotations

from dataclasses import replace

from medbrief.cite import check_findings, check_support
from medbrief.cite.check import lexical_similarity, numbers
from medbrief.render.markdown import md_escape, render_markdown
from medbrief.retrieve.candidates import GuidelineCandidates
from medbrief.synthesize.aspects import asked_aspects, gives_asked
from medbrief.synthesize.draft import Finding, Support, clean_sentence
from medbrief.synthesize.facets import FacetPlan, plan_facets, role
from medbrief.synthesize.guidelines import (
    GuidelineDraft,
    covered_by,
    document_drafts,
    guideline_drafts,
    recommendation_drafts,
)
from medbrief.synthesize.match import ConceptMatcher, Matcher
from medbrief.synthesize.research import FacetFindings, facet_findings
from medbrief.synthesize.writer import compose
from medbrief.types import (
    AbstractSection,
    Concept,
    Document,
    Evidence,
    Reading,
    Recommendation,
    Stance,
)

IRON = Concept("iron", ("iron", "ferrous sulfate"))
RLS = Concept("restless legs syndrome", ("restless legs syndrome", "RLS"))
BBB = Concept("blood-brain barrier", ("blood-brain barrier",))


def doc(pmid: str, title: str, abstract: str, year: int = 2020) -> Document:
    return Document(
        id=f"pmid:{pmid}",
        source_id=pmid,
        source="pubmed",
        pmid=pmid,
        title=title,
        abstract=(AbstractSection(abstract),),
        year=year,
    )


def guideline_doc(n: str, *sections: AbstractSection) -> Document:
    """A guideline summary as the Markdown ingester stores it: one section each."""
    return Document(
        id=f"summary:{n}",
        source_id=n,
        source="markdown:open_medicine",
        kind="guideline",
        title="Guideline",
        abstract=sections,
    )


VITAMIN_D = Concept("vitamin D", ("vitamin D",))
FALLS = Concept("falls", ("falls", "falling"))
METFORMIN = Concept("metformin", ("metformin",))
CKD = Concept("chronic kidney disease", ("chronic kidney disease", "CKD"))


# ------------------------------------------------------------------ matching


def test_matcher_tolerates_inflection_hyphens_and_abbreviations() -> None:
    screening = ConceptMatcher(Concept("screening"))
    assert screening.in_text("Adults were screened every year")
    prep = ConceptMatcher(Concept("pre-exposure prophylaxis"))
    assert prep.in_text("clinicians prescribe preexposure prophylaxis")
    assert prep.in_text("Pre\u2010exposure prophylaxis")  # U+2010 hyphen from PMC pages
    rls = ConceptMatcher(RLS)
    assert rls.in_text("Patients with RLS had lower ferritin")
    iron = ConceptMatcher(IRON)
    assert not iron.in_text("An ironic twist")
    assert iron.in_text("Oral ferrous sulfate was given")
    anticoagulant = ConceptMatcher(Concept("anticoagulant"))
    assert anticoagulant.in_text("patients who require long-term anticoagulation")
    # a short stem is not specific enough to lose its ending
    assert not ConceptMatcher(Concept("implant")).in_text("implementation of screening")
    # "pregnancy" names "pregnant": the USPSTF's folic acid statement
    pregnancy = ConceptMatcher(Concept("pregnancy"))
    assert pregnancy.in_text("all persons planning to or who could become pregnant")
    # an initial may take its full stop; a word's full stop still ends a sentence
    aureus = ConceptMatcher(Concept("Staphylococcus aureus", ("S aureus",)))
    assert aureus.in_text("Daptomycin is an alternative for S. aureus NVE")
    assert not ConceptMatcher(Concept("iron deficiency")).in_text("Give iron. Deficiency recurs")


def test_matcher_reads_mesh_headings() -> None:
    from medbrief.types import MeshHeading

    d = Document(
        id="pmid:1",
        source_id="1",
        source="pubmed",
        title="A trial",
        mesh=(MeshHeading("Restless Legs Syndrome", "D012148"),),
    )
    assert ConceptMatcher(Concept("restless legs syndrome", mesh_ui="D012148")).in_document(d)
    assert not ConceptMatcher(IRON).in_document(d)


# ------------------------------------------------------------------- facets


def test_roles_come_from_mesh_categories() -> None:
    assert [role(c) for c in (IRON, BBB, RLS)] == ["drug", "other", "condition"]
    assert role(Concept("screening")) == "procedure"
    # a procedure named after MeSH 2015, by its head noun; only where MeSH
    # gives the name no category (an arterial occlusion is a condition)
    assert role(Concept("left atrial appendage occlusion")) == "procedure"
    assert role(Concept("retinal artery occlusion")) == "condition"


def test_two_treatments_compared_beside_another_word_are_the_comparison() -> None:
    concepts = (Concept("insulin"), Concept("injectable"), Concept("GLP-1 receptor agonists"))
    question = "Is insulin recommended as first injectable over GLP-1 RA?"
    first = plan_facets(concepts, question)[0]
    assert first.intent == "comparison"
    assert first.concepts == ("insulin", "GLP-1 receptor agonists")


def test_a_comparison_sets_two_concepts_on_either_side_of_its_word() -> None:
    insulin, pregnancy = Concept("insulin"), Concept("pregnancy")
    diabetes = Concept("diabetes mellitus", ("diabetes",), "D003920")
    question = "Is insulin preferred over oral agents in pregnancy diabetes?"
    # what insulin is set against is no concept; pregnancy is whom it is for
    plans = plan_facets((insulin, pregnancy, diabetes), question)
    assert all(p.intent != "comparison" for p in plans)
    arni, ace = Concept("ARNI"), Concept("ACE inhibitors", ("ACE inhibitor",))
    plans = plan_facets((arni, ace), "Is ARNI better than an ACE inhibitor?")
    assert (plans[0].intent, plans[0].concepts) == ("comparison", ("ARNI", "ACE inhibitors"))


def test_facets_are_pairs_with_a_treatment_sub_topic() -> None:
    plans = plan_facets((IRON, BBB, RLS))
    assert [(p.label, p.intent) for p in plans] == [
        ("Iron and restless legs syndrome", "association"),
        ("Treatment of restless legs syndrome with iron", "treatment"),
        ("Blood-brain barrier and restless legs syndrome", "association"),
        ("Iron and blood-brain barrier", "topic"),
    ]
    assert [
        p.label
        for p in plan_facets(
            (Concept("colorectal cancer", ("colorectal neoplasms",)), Concept("screening"))
        )
    ] == ["Screening for colorectal cancer"]
    assert [p.label for p in plan_facets((RLS,))] == ["Restless legs syndrome"]
    assert plan_facets(()) == []


def test_a_generic_procedure_qualifies_the_specific_one_rather_than_pairing_with_it() -> None:
    mammography = Concept("mammography", ("mammography",), "D008327")
    breast_cancer = Concept("breast cancer", ("breast neoplasms",), "D001943")
    plans = plan_facets((mammography, breast_cancer, Concept("screening")))
    assert [(p.label, p.intent, p.named_by) for p in plans] == [
        ("Mammography for breast cancer", "procedure", ()),
        ("Screening for breast cancer", "procedure", ("mammography",)),
    ]
    # without a condition to pair each with, the pair is the only sub-topic
    assert [p.label for p in plan_facets((mammography, Concept("screening")))] == [
        "Mammography and screening"
    ]
    # "screening" in a question on lung cancer is lung cancer screening, also
    # when it is said of a population: no "Smokers and screening" sub-topic,
    # which took colonoscopy studies in smokers
    lung_cancer = Concept("lung cancer", ("lung neoplasms",), "D008175")
    smokers = Concept("smokers", ("smokers",))
    plans = plan_facets((lung_cancer, smokers, Concept("screening")))
    assert [p.label for p in plans] == ["Smokers and lung cancer", "Screening for lung cancer"]


def test_a_head_to_head_question_has_a_comparison_sub_topic_first() -> None:
    doac = Concept("direct oral anticoagulant", ("direct oral anticoagulant", "apixaban"))
    warfarin = Concept("warfarin", ("warfarin",), "D014859")
    af = Concept("atrial fibrillation", ("atrial fibrillation",), "D001281")
    assert role(doac) == "drug"  # a drug class, from drug_classes.tsv
    plans = plan_facets((doac, warfarin, af), "DOAC versus warfarin in atrial fibrillation")
    assert (plans[0].label, plans[0].intent, plans[0].concepts) == (
        "Direct oral anticoagulant versus warfarin",
        "comparison",
        ("direct oral anticoagulant", "warfarin"),
    )
    assert "Direct oral anticoagulant and warfarin" not in [p.label for p in plans]
    # without a word of comparison, no comparison
    plans = plan_facets((doac, warfarin, af), "DOAC and warfarin in atrial fibrillation")
    assert all(p.intent != "comparison" for p in plans)
    # "better than" compares too, and a test without a MeSH drug or procedure
    # category (FIT) can be one side
    colonoscopy = Concept("colonoscopy", ("colonoscopy",), "D003113")
    fit = Concept("FIT", ("fecal immunochemical test",))
    crc = Concept("colorectal cancer", ("colorectal cancer",), "D015179")
    screening = Concept("screening", ("screening",))
    question = "Is colonoscopy better than FIT for colorectal cancer screening?"
    plans = plan_facets((colonoscopy, fit, crc, screening), question)
    assert (plans[0].intent, plans[0].concepts) == ("comparison", ("colonoscopy", "FIT"))


def test_a_recommendation_must_name_a_condition_of_the_question() -> None:
    family = Concept("family history", ("family history",))
    colon = Concept("colon cancer", ("colon cancer", "colorectal cancer"), "D003110")
    screening = Concept("screening", ("screening",))

    def rec(i: str, statement: str) -> Recommendation:
        return Recommendation(id=i, guideline_title="G", body="USPSTF", statement=statement)

    recs = [
        rec(
            "prostate",
            "No separate advice on screening men with a family history of prostate cancer.",
        ),
        rec("colorectal", "Screening for colorectal cancer in adults aged 45 to 49 years."),
        rec("history", "Take a family history before screening."),
    ]
    drafts = recommendation_drafts(recs, Matcher((family, colon, screening)), "q")
    assert [d.item_id for d in drafts] == ["colorectal"]
    # without a condition in the question, any two concepts will do
    drafts = recommendation_drafts(recs, Matcher((family, screening)), "q")
    assert [d.item_id for d in drafts] == ["prostate", "history"]


def test_key_points_name_the_question_and_stand_on_their_own() -> None:
    rec = Recommendation(
        id="r",
        guideline_title="Falls prevention",
        body="USPSTF",
        statement="The USPSTF recommends against vitamin D supplementation to prevent falls.",
        key_points=(
            "History of falls was the risk factor most used to identify people at risk.",
            "If both thresholds are below these values, vitamin D and fall prevention are advised.",
            "Vitamin D supplementation has no benefit in preventing falls.",
            "This recommendation applies to vitamin D taken to prevent falls.",
            "Vitamin D supplementation has no benefit in preventing falls.",
            "Assessment: Vitamin D supplementation has no benefit in preventing falls (Table).",
        ),
    )
    (draft,) = recommendation_drafts([rec], Matcher((VITAMIN_D, FALLS)), "q")
    # practical wording ("recommendation") ranks first; a sentence stored twice
    # in the source, or again under another heading, is shown once
    assert draft.key_points == (
        "This recommendation applies to vitamin D taken to prevent falls.",
        "Vitamin D supplementation has no benefit in preventing falls.",
    )


def test_a_guideline_excerpt_does_not_open_on_a_reference_to_text_not_shown() -> None:
    guideline = guideline_doc(
        "1",
        AbstractSection(
            "If both thresholds are below these values, vitamin D and fall prevention. "
            "They also advise vitamin D for falls. "
            "Offer vitamin D to adults at risk of falls with low vitamin D levels."
        ),
    )
    (draft,) = document_drafts([guideline], Matcher((VITAMIN_D, FALLS)), set(), 0)
    assert (
        draft.statement == "Offer vitamin D to adults at risk of falls with low vitamin D levels."
    )


def test_a_guideline_excerpt_keeps_the_sub_heading_that_names_its_subject() -> None:
    guideline = guideline_doc(
        "2",
        AbstractSection(
            "Metformin\n- Reduce the dose of metformin in CKD stage 3b.\n"
            "SGLT2 Inhibitors (Recommendation 9.18, Grade A)\n"
            "Recommended for patients with CKD, independent of metformin use.\n"
            "| Drug | Dose |",
            "Medication Classes",
        ),
    )
    (draft,) = document_drafts([guideline], Matcher((METFORMIN, CKD)), set(), 0)
    assert draft.statement == (
        "Metformin: Reduce the dose of metformin in CKD stage 3b. "
        "SGLT2 Inhibitors (Recommendation 9.18, Grade A): Recommended for patients with CKD, "
        "independent of metformin use."
    )
    # a section's label heads its sentences; a heading does not run on into the
    # next section; a sentence introducing a list is not an excerpt
    guideline = guideline_doc(
        "3",
        AbstractSection("Biomarkers (If Measured)\nAlbuminuria is measured.", "Risk"),
        AbstractSection(
            "Before starting metformin in CKD, the discussion should address:\n"
            "- Metformin: Safe in CKD at eGFR of 30 or more.",
            "Chronic Kidney Disease",
        ),
    )
    (draft,) = document_drafts([guideline], Matcher((METFORMIN, CKD)), set(), 0)
    assert (
        draft.statement == "Chronic Kidney Disease: Metformin: Safe in CKD at eGFR of 30 or more."
    )


def test_a_numbered_line_over_a_list_heads_its_items() -> None:
    sglt2 = Concept("SGLT2 inhibitors", ("SGLT2 inhibitors", "SGLT2"))
    guideline = guideline_doc(
        "4",
        AbstractSection(
            "1. RAS Inhibitors (ACEi or ARB)\n- Indication: First-line for all CKD stages.\n"
            "2. SGLT2 Inhibitors\n"
            "- Indication: Recommended for adults with CKD regardless of diabetes (Grade 1A).",
            "Treatment",
        ),
    )
    (draft,) = document_drafts([guideline], Matcher((sglt2, CKD)), set(), 0)
    assert draft.statement == (
        "SGLT2 Inhibitors: Indication: Recommended for adults with CKD regardless of "
        "diabetes (Grade 1A)."
    )
    # a numbered list's own items are no headings
    items = guideline_doc(
        "5",
        AbstractSection("1. Metformin in CKD\n2. SGLT2 inhibitors in CKD", "Classes"),
    )
    (draft,) = document_drafts([items], Matcher((sglt2, CKD)), set(), 0)
    assert draft.statement == "Classes: SGLT2 inhibitors in CKD"


def test_a_recommendation_introducing_a_long_list_is_quoted_with_its_first_items() -> None:
    guideline = guideline_doc(
        "6",
        AbstractSection(
            "Metformin should be stopped in CKD when any of the following apply (Class I):\n"
            + "".join(f"- criterion {n}\n" for n in range(1, 7)),
            "Kidney",
        ),
    )
    (draft,) = document_drafts([guideline], Matcher((METFORMIN, CKD)), set(), 0)
    assert draft.statement.endswith(
        "(Class I): criterion 1; criterion 2; criterion 3; criterion 4; [...]"
    )


# ----------------------------------------------------------------- research


def _stance(labels: dict[str, str]) -> object:
    """A fake stance: the label by keyword, the sentence = the abstract's last sentence."""

    def stance(question: str, text: str) -> Stance:
        for word, label in labels.items():
            if word in text:
                last = text.strip().split(". ")[-1]
                return Stance(label, last)  # type: ignore[arg-type]
        return Stance("not_addressed")

    return stance


def test_findings_need_the_concepts_and_a_finding_sentence() -> None:
    ev = [
        Evidence(
            doc("1", "Iron in RLS", "Methods were used. Oral iron improved RLS symptoms."), "rct", 2
        ),
        Evidence(
            doc("2", "Iron and RLS", "We studied iron therapy in RLS. Iron did not help RLS."),
            "rct",
            2,
        ),
        Evidence(
            doc("3", "Iron therapy in RLS", "Randomised iron therapy. We enrolled 40 patients."),
            "rct",
            2,
        ),
        Evidence(doc("4", "Iron in anaemia", "Oral iron improved anaemia."), "rct", 2),
    ]
    plans = [
        FacetPlan(
            "Treatment of restless legs syndrome with iron",
            ("iron", "restless legs syndrome"),
            "treatment",
            "Is iron effective for treating RLS?",
        )
    ]
    stance = _stance({"improved": "yes", "did not": "no", "enrolled": "yes"})
    out = facet_findings(plans, ev, Matcher((IRON, RLS)), stance, lexical_similarity)  # type: ignore[arg-type]
    (facet,) = out
    assert [(f.text, f.stance, f.item_ids) for f in facet.findings] == [
        ("Oral iron improved RLS symptoms.", "yes", ("pmid:1",)),
        ("Iron did not help RLS.", "no", ("pmid:2",)),
    ]
    # 3's "finding" names neither concept (a methods sentence); 4 is not about RLS
    assert facet.silent == ("pmid:3",)


def test_a_trial_of_another_drug_is_not_a_trial_of_the_one_asked_about() -> None:
    ev = [
        Evidence(
            doc("1", "Pramipexole for RLS", "Placebo controlled. Iron-replete RLS improved."),
            "rct",
            2,
        ),
        Evidence(doc("2", "Oral iron for RLS", "Placebo controlled. Iron improved RLS."), "rct", 2),
    ]
    plan = FacetPlan("T", ("iron", "restless legs syndrome"), "treatment", "Iron for RLS?")
    stance = _stance({"improved": "yes"})
    (facet,) = facet_findings([plan], ev, Matcher((IRON, RLS)), stance, lexical_similarity)  # type: ignore[arg-type]
    assert [f.item_ids for f in facet.findings] == [("pmid:2",)]
    assert facet.silent == ("pmid:1",)


def test_the_authors_advice_is_no_finding() -> None:
    advice = "We recommend that iron be checked in RLS."
    ev = [
        Evidence(doc("1", "Iron and RLS.", f"Iron was low. {advice}"), "cohort", 3),
        Evidence(doc("2", "Iron in RLS.", "Iron was read. Iron was lower in RLS."), "cohort", 3),
    ]
    plan = FacetPlan("A", ("iron", "restless legs syndrome"), "association", "Iron in RLS?")
    stance = _stance({"recommend": "yes", "lower": "yes"})
    (facet,) = facet_findings([plan], ev, Matcher((IRON, RLS)), stance, lexical_similarity)  # type: ignore[arg-type]
    assert [f.text for f in facet.findings] == ["Iron was lower in RLS."]
    assert facet.silent == ("pmid:1",)


def test_a_screening_sub_topic_takes_studies_titled_by_the_screening_test_asked_about() -> None:
    mammo = Concept("mammography", ("mammography",))
    cancer = Concept("breast cancer", ("breast cancer",))
    screening = Concept("screening", ("screening",))
    text = "Women were screened. Screening mammography detected breast cancer early."
    ev = [
        Evidence(doc("1", "Mobile mammography services", text), "cohort", 3),
        Evidence(doc("2", "Breast cancer in rural women", text), "cohort", 3),
    ]
    plan = FacetPlan(
        "Screening for breast cancer",
        ("screening", "breast cancer"),
        "procedure",
        "Is screening effective for breast cancer?",
        ("mammography",),
    )
    matcher = Matcher((mammo, cancer, screening))
    stance = _stance({"detected": "yes"})
    (facet,) = facet_findings([plan], ev, matcher, stance, lexical_similarity)  # type: ignore[arg-type]
    assert [f.item_ids for f in facet.findings] == [("pmid:1",)]
    assert facet.silent == ("pmid:2",)


def test_an_association_sub_topic_emptied_by_its_trials_is_not_reported_empty() -> None:
    ev = [
        Evidence(doc("1", "Oral iron for RLS", "Placebo controlled. Iron improved RLS."), "rct", 2)
    ]
    plans = plan_facets((IRON, RLS))
    assert [p.intent for p in plans] == ["association", "treatment"]
    stance = _stance({"improved": "yes"})
    out = facet_findings(plans, ev, Matcher((IRON, RLS)), stance, lexical_similarity)  # type: ignore[arg-type]
    assert [(f.plan.intent, [x.item_ids for x in f.findings]) for f in out] == [
        ("treatment", [("pmid:1",)])
    ]
    # with no trial either, both sub-topics say plainly that nothing addresses them
    out = facet_findings(plans, [], Matcher((IRON, RLS)), stance, lexical_similarity)  # type: ignore[arg-type]
    assert [f.plan.intent for f in out] == ["association", "treatment"]


def test_a_title_that_states_the_finding_is_used_when_the_abstract_is_vague() -> None:
    title = "Iron formulations do not cross the blood-brain barrier"
    vague = "Cells were grown. This has implications for iron."
    ev = [Evidence(doc("1", title, vague), "other", 5)]
    plan = FacetPlan("Iron and BBB", ("iron", "blood-brain barrier"), "topic", "Iron and BBB?")

    def stance(question: str, text: str) -> Stance:
        if text.startswith("CONCLUSIONS: "):
            return Stance("no", text.removeprefix("CONCLUSIONS: "))
        return Stance("yes", "This has implications for iron.")

    (facet,) = facet_findings([plan], ev, Matcher((IRON, BBB)), stance, lexical_similarity)  # type: ignore[arg-type]
    assert [(f.text, f.stance) for f in facet.findings] == [(title, "no")]


def test_retracted_studies_are_not_used() -> None:
    from medbrief.types import Correction

    d = doc("9", "Iron in RLS", "Oral iron improved RLS symptoms.")
    retracted = Document(
        **{
            **{f: getattr(d, f) for f in d.__dataclass_fields__},
            "corrections": (Correction("RetractionIn", "10"),),
        }
    )
    plans = plan_facets((IRON, RLS))[:1]
    out = facet_findings(
        plans,
        [Evidence(retracted, "cohort", 3)],
        Matcher((IRON, RLS)),
        _stance({"improved": "yes"}),
        lexical_similarity,
    )  # type: ignore[arg-type]
    assert out[0].findings == ()


# --------------------------------------------------------------------- cite


def test_support_requires_the_sentence_and_its_numbers() -> None:
    source = "Background text. Ferritin was 33 vs 59 ug/l (p < 0.01). Iron helped."
    found = check_support("Ferritin was 33 vs 59 ug/l (p < 0.01).", source, None)
    assert found is not None and found.score == 1.0
    assert check_support("Ferritin was 31 vs 59 ug/l (p < 0.01).", source, None) is None
    assert check_support("Dopamine agonists cause augmentation.", source, None) is None
    assert numbers("n = 1,234 and 0.5%") == {"1234", "0.5"}


def test_unsupported_citations_and_claims_are_dropped() -> None:
    sources = {"a": "Oral iron improved symptoms in 20 patients.", "b": "Nothing related here."}
    findings = [
        Finding(
            "Oral iron improved symptoms in 20 patients.",
            "yes",
            (Support("a", ""), Support("b", "")),
        ),
        Finding("Iron cured everyone.", "yes", (Support("b", ""),)),
    ]
    result = check_findings(findings, sources)
    assert [f.item_ids for f in result.findings] == [("a",)]
    assert (result.dropped_claims, result.dropped_citations) == (1, 2)


def test_clean_sentence_drops_labels_and_source_reference_markers() -> None:
    assert clean_sentence("CONCLUSIONS: Iron helps [12, 13].") == "Iron helps."
    assert clean_sentence("Results: Iron helps [3-5] a lot.") == "Iron helps a lot."


# -------------------------------------------------------------------- write


def _reading() -> Reading:
    return Reading("iron and RLS", "iron and RLS", concepts=(IRON, RLS))


def test_compose_numbers_guidelines_first_and_reports_disagreement() -> None:
    plan = plan_facets((IRON, RLS))[1]
    f1 = Finding("Iron improved RLS.", "yes", (Support("pmid:1", "Iron improved RLS."),))
    f2 = Finding(
        "Iron improved RLS a lot.", "yes", (Support("pmid:2", "Iron improved RLS a lot."),)
    )
    f3 = Finding("Iron did not help RLS.", "no", (Support("pmid:3", "Iron did not help RLS."),))
    items = {f"pmid:{i}": doc(str(i), f"T{i}", "x") for i in (1, 2, 3)}
    brief = compose("q", _reading(), [], [FacetFindings(plan, (f1, f2, f3))], items, {}, 0)  # type: ignore[arg-type]
    (facet,) = brief.research
    assert facet.status == "inconsistent"
    assert facet.bullets[0].text == (
        "The evidence is inconsistent: 2 studies report a benefit [1, 2]; "
        "1 study reports no benefit [3]."
    )
    assert [r.id for r in brief.references] == ["pmid:1", "pmid:2", "pmid:3"]
    assert not brief.abstained


def test_narrative_reviews_are_counted_apart_from_studies() -> None:
    plan = plan_facets((IRON, RLS))[0]
    findings = tuple(
        Finding(f"Iron is linked to RLS {i}.", "yes", (Support(f"pmid:{i}", "s"),))
        for i in (1, 2, 3)
    )
    items = {f"pmid:{i}": doc(str(i), f"T{i}", "x") for i in (1, 2, 3)}
    evidence = {
        "pmid:1": Evidence(items["pmid:1"], "cohort", 3),
        "pmid:2": Evidence(items["pmid:2"], "narrative-review", 5),
        "pmid:3": Evidence(items["pmid:3"], "narrative-review", 5),
    }
    brief = compose("q", _reading(), [], [FacetFindings(plan, findings)], items, evidence, 0)  # type: ignore[arg-type]
    assert brief.research[0].bullets[0].text == (
        "1 study and 2 narrative reviews report an association [1, 2, 3]."
    )


def test_compose_abstains_when_nothing_addresses_the_question() -> None:
    plan = plan_facets((IRON, RLS))[0]
    brief = compose("q", _reading(), [], [FacetFindings(plan, ())], {}, {}, 0)
    assert brief.abstained and brief.references == () and brief.research == ()
    assert "No relevant evidence found" in render_markdown(brief)


# ------------------------------------------------------------------- render


def test_markdown_escapes_source_and_question_text() -> None:
    assert md_escape("<script>alert(1)</script> **bold** [x](y)") == (
        "\\<script\\>alert(1)\\</script\\> \\*\\*bold\\*\\* \\[x\\](y)"
    )
    brief = compose("<b>hi</b> _there_", Reading("<b>hi</b>", "<b>hi</b>"), [], [], {}, {}, 0)
    text = render_markdown(brief)
    assert "<b>" not in text and "\\<b\\>hi\\</b\\> \\_there\\_" in text


def test_markdown_escapes_source_titles_in_references() -> None:
    plan = plan_facets((IRON, RLS))[0]
    f = Finding("Iron is linked to RLS **always**.", "yes", (Support("pmid:1", "x"),))
    items = {"pmid:1": doc("1", "<script>alert('x')</script> Iron [RLS]", "x")}
    brief = compose("q", _reading(), [], [FacetFindings(plan, (f,))], items, {}, 0)  # type: ignore[arg-type]
    text = render_markdown(brief)
    assert "<script>" not in text
    assert "\\<script\\>alert('x')\\</script\\> Iron \\[RLS\\]" in text
    assert "Iron is linked to RLS \\*\\*always\\*\\*. [1]" in text


def test_references_link_the_record_of_reference_and_name_where_wording_came_from() -> None:
    from dataclasses import replace

    from medbrief.render.json import brief_to_dict
    from medbrief.synthesize.guidelines import GuidelineDraft
    from medbrief.types import Recommendation

    rec = Recommendation(
        id="R1",
        guideline_title="Iron in RLS",
        body="AASM",
        statement="Oral iron is suggested.",
        pmid="39324694",
        url="https://aggregator.example/rls",
    )
    draft = GuidelineDraft("R1", "AASM", 2024, rec.statement, "conditional", "moderate",
                           "for", "paraphrase", (), 0)  # fmt: skip
    plan = plan_facets((IRON, RLS))[0]
    f = Finding("Iron is linked to RLS.", "yes", (Support("pmid:1", "x"),))
    mirrored = replace(doc("1", "Iron and RLS", "x"), url="http://10.0.0.1:8081/1")
    items = {"pmid:1": mirrored, "R1": rec}
    brief = compose("q", _reading(), [draft], [FacetFindings(plan, (f,))], items, {}, 0)  # type: ignore[arg-type]
    guideline, study = brief.references
    assert guideline.url == "https://pubmed.ncbi.nlm.nih.gov/39324694/"
    assert guideline.text_source == "https://aggregator.example/rls"
    assert study.url == "https://pubmed.ncbi.nlm.nih.gov/1/" and study.text_source is None
    text = render_markdown(brief)
    assert "10.0.0.1" not in text
    assert "Wording as stored taken from <https://aggregator.example/rls>" in text
    assert brief_to_dict(brief)["references"][0]["text_source"] == "https://aggregator.example/rls"


def test_every_passage_of_a_guideline_titled_for_a_condition_is_on_it() -> None:
    ckd = Concept("chronic kidney disease", ("chronic kidney disease", "CKD"), "D051436")
    assert role(ckd) == "condition"
    section = AbstractSection("Metformin may be used at an eGFR of 30 or more (Grade B).", "Drugs")
    titled = replace(guideline_doc("4", section), title="Management of Chronic Kidney Disease")
    (draft,) = document_drafts([titled], Matcher((METFORMIN, ckd)), set(), 0)
    assert draft.statement == "Drugs: Metformin may be used at an eGFR of 30 or more (Grade B)."
    # an ungraded passage, or one of a guideline titled for nothing asked
    # about, must name both itself
    background = AbstractSection("Metformin was once avoided at any eGFR.", "History")
    ungraded = replace(titled, abstract=(background,))
    assert document_drafts([ungraded], Matcher((METFORMIN, ckd)), set(), 0) == []
    assert document_drafts([guideline_doc("5", section)], Matcher((METFORMIN, ckd)), set(), 0) == []


# Concepts with MeSH descriptors, so that their roles are known
CANCER = Concept("cancer", ("cancer",), "D009369")
VTE = Concept("venous thromboembolism", ("venous thromboembolism", "VTE"), "D054556")
LMWH = Concept("low molecular weight heparin", ("LMWH",), "D006495")


def test_a_guideline_for_another_condition_must_name_all_of_the_questions() -> None:
    def rec(i: str, title: str, statement: str) -> Recommendation:
        return Recommendation(id=i, guideline_title=title, body="B", statement=statement)

    recs = [
        rec("ich", "Intracerebral Hemorrhage", "LMWH may be reasonable for VTE prevention."),
        rec("cancer", "Cancer-associated VTE", "LMWH is suggested for VTE."),
        rec("both", "Intracerebral Hemorrhage", "In cancer with VTE, LMWH is suggested."),
        # conditions named only as examples are not whom it is for
        rec("e.g.", "Endocarditis", "LMWH for other indications (e.g., cancer, VTE)."),
        # nor as one of a run of them
        rec("run", "Heart Failure", "Manage comorbidities: obesity, cancer, VTE, diabetes, AF."),
    ]
    drafts = recommendation_drafts(recs, Matcher((CANCER, VTE, LMWH)), "q")
    # a guideline titled for one of the conditions may leave the other unsaid
    assert [d.item_id for d in drafts] == ["cancer", "both"]


def test_an_excerpt_names_the_questions_conditions_with_its_guidelines_topic() -> None:
    section = AbstractSection(
        "For patients with recurrent VTE on a VKA, the panel suggests switching to LMWH.",
        "Breakthrough VTE",
    )
    guideline = guideline_doc("5", section)
    assert document_drafts([guideline], Matcher((CANCER, VTE, LMWH)), set(), 0) == []
    # a guideline on cancer-associated VTE names cancer by its keywords
    on_cancer = replace(guideline, keywords=("cancer-associated thrombosis", "cancer"))
    (draft,) = document_drafts([on_cancer], Matcher((CANCER, VTE, LMWH)), set(), 0)
    assert draft.statement.startswith("Breakthrough VTE: For patients with recurrent VTE")


def test_a_recommendation_that_introduces_a_list_is_quoted_with_its_items() -> None:
    naltrexone = Concept("naltrexone", ("naltrexone",), "D009271")
    aud = Concept("alcoholism", ("alcoholism", "alcohol use disorder"), "D000437")
    guideline = guideline_doc(
        "6",
        AbstractSection(
            "APA recommends (1B) that naltrexone be offered to patients with alcohol use "
            "disorder who:\n- Have a goal of reducing alcohol consumption\n"
            "- Have no contraindications\nNaltrexone is an opioid antagonist.",
            "Statement 9",
        ),
    )
    (draft,) = document_drafts([guideline], Matcher((naltrexone, aud)), set(), 0)
    assert draft.statement == (
        "Statement 9: APA recommends (1B) that naltrexone be offered to patients with alcohol "
        "use disorder who: Have a goal of reducing alcohol consumption; Have no "
        "contraindications."
    )


def test_what_an_excerpt_advises_is_on_its_sections_topic() -> None:
    nsbb = Concept("nonselective beta blockers", ("nonselective beta blockers", "NSBB"))
    varices = Concept("variceal bleeding", ("variceal bleeding",), "D004932")
    guideline = guideline_doc(
        "7",
        AbstractSection(
            "Primary Prophylaxis\n- Carvedilol is the preferred NSBB for portal hypertension.\n"
            "- Start NSBB at a low dose.",
            "Variceal Bleeding",
        ),
    )
    (draft,) = document_drafts([guideline], Matcher((nsbb, varices)), set(), 0)
    assert draft.statement == (
        "Primary Prophylaxis: Carvedilol is the preferred NSBB for portal hypertension."
    )


def test_a_summarys_note_on_calculator_software_is_no_excerpt() -> None:
    guideline = guideline_doc(
        "8",
        AbstractSection(
            "OpenMedicine Calculator: calculate_wells_pe for PE and D-dimer - available via MCP.\n"
            "Obtain a D-dimer when PE is unlikely.",
            "Diagnosis",
        ),
    )
    d_dimer = Concept("D-dimer", ("D-dimer",))
    pe = Concept("pulmonary embolism", ("pulmonary embolism", "PE"), "D011655")
    (draft,) = document_drafts([guideline], Matcher((d_dimer, pe)), set(), 0)
    assert draft.statement == "Diagnosis: Obtain a D-dimer when PE is unlikely."


def test_a_guideline_whose_listed_recommendations_miss_the_subject_is_excerpted() -> None:
    listed = GuidelineDraft(
        item_id="rec", body="ACC/AHA", year=2023, statement="Lenient rate control is reasonable.",
        strength=None, certainty=None, direction=None, statement_type="verbatim",
        key_points=(), rank=0,
    )  # fmt: skip
    rec = Recommendation(id="rec", guideline_title="AF", body="ACC/AHA", statement="x")
    assert covered_by([rec], [listed]) == {"AF"}
    assert covered_by([rec], [listed], lambda text: "digoxin" in text) == set()


def test_a_guideline_whose_listed_statements_do_not_say_when_is_excerpted_where_it_does() -> None:
    antibiotics = Concept("antibiotics", ("antibiotics", "antimicrobials"))
    sepsis = Concept("sepsis", ("sepsis",))
    title = "Surviving Sepsis Campaign: management of sepsis"
    rec = Recommendation(
        id="mrsa", guideline_title=title, body="SSC", statement=(
            "The SSC suggests against empiric antimicrobials with MRSA coverage in sepsis."
        ),
    )  # fmt: skip
    guideline = replace(
        guideline_doc(
            "9",
            AbstractSection(
                "The SSC suggests against empiric antimicrobials with MRSA coverage in sepsis.",
                "MRSA",
            ),
            AbstractSection(
                "The SSC recommends administering antimicrobials immediately, ideally within "
                "1 hour of recognition of sepsis (Strong recommendation).",
                "Timing",
            ),
        ),
        title=title,
    )
    candidates = GuidelineCandidates((rec,), (guideline,))
    matcher = Matcher((antibiotics, sepsis))
    when = guideline_drafts(candidates, matcher, "when should antibiotics be given in sepsis")
    # and, giving what is asked, is listed first
    assert [d.item_id for d in when] == ["summary:9", "mrsa"]
    assert when[0].statement.startswith("Timing: The SSC recommends administering")
    # asked which, the listed statement is the guideline's answer
    which = guideline_drafts(candidates, matcher, "which antibiotics in sepsis")
    assert [d.item_id for d in which] == ["mrsa"]


def test_a_time_window_asks_when() -> None:
    (when,) = asked_aspects("thrombolysis window for ischemic stroke")
    assert when.search("IV alteplase can be given within 4.5 hours")
    assert not when.search("Lower BP to < 185/110 mm Hg before IV alteplase")
    assert asked_aspects("is thrombolysis recommended in stroke") == []


def test_an_excerpt_gives_what_the_question_asks_before_naming_more() -> None:
    rrt = Concept("renal replacement therapy", ("renal replacement therapy", "RRT"))
    aki = Concept("acute kidney injury", ("acute kidney injury", "AKI"))
    guideline = guideline_doc(
        "7",
        AbstractSection("Suggest using RRT with biocompatible membranes in AKI.", "Membranes"),
        AbstractSection("Suggest bicarbonate as the buffer for RRT in AKI.", "Buffer"),
        AbstractSection("Evidence on when to start RRT in AKI is limited.", "Limitations"),
        AbstractSection(
            "Initiate RRT emergently when life-threatening changes exist.", "RRT in AKI"
        ),
    )
    matcher = Matcher((rrt, aki))
    (when,) = document_drafts([guideline], matcher, set(), 0, "when should RRT be started in AKI")
    assert "Initiate RRT emergently" in when.statement
    assert "Limitations" not in when.statement
    (which,) = document_drafts([guideline], matcher, set(), 0, "which RRT membranes in AKI")
    assert "Initiate RRT emergently" not in which.statement


def test_a_target_is_given_with_its_figure() -> None:
    question = "target hba1c for most adults with diabetes"
    assert gives_asked("An A1C goal of < 7% is appropriate for many adults", question)
    assert gives_asked("target HbA1c generally 7% or lower", question)
    assert not gives_asked("Assess A1C biannually in patients meeting goals", question)
