"""Which recommendations are on the treatment or comparison a question asks about."""

from __future__ import annotations

from medbrief.synthesize.subject import (
    anchor_of,
    asks_choice,
    comparison,
    forgone_of,
    names_a_drug,
    names_only_members,
    on_subject,
    subject_first,
)
from medbrief.types import Concept

CAP = Concept("community-acquired pneumonia", ("community-acquired pneumonia", "CAP"))
MACROLIDES = Concept("macrolides", ("macrolides", "azithromycin", "clarithromycin"))
BISPHOSPHONATES = Concept(
    "bisphosphonates", ("bisphosphonates", "alendronate", "risedronate", "ibandronate")
)
OSTEOPOROSIS = Concept("osteoporosis", ("osteoporosis",))


def test_a_statement_that_names_no_treatment_asked_about_is_off_subject() -> None:
    statements = [
        ("ATS/IDSA", "Do NOT routinely obtain blood cultures in outpatients with CAP."),
        ("ATS/IDSA", "A macrolide may be added for outpatients with CAP."),
    ]
    assert on_subject(statements, [MACROLIDES, CAP]) == [0, 2]


def test_every_statement_is_on_subject_when_no_treatment_is_asked_about() -> None:
    statements = [("USPSTF", "Screen adults aged 50 to 75 for colorectal cancer.")]
    colorectal = Concept("colorectal cancer", ("colorectal cancer",))
    assert on_subject(statements, [colorectal, Concept("screening")]) == [2]


def test_one_statement_on_one_member_does_not_speak_for_its_class() -> None:
    single = [("Endocrine Society", "Ibandronate is NOT recommended to reduce hip fracture risk.")]
    assert on_subject(single, [BISPHOSPHONATES, OSTEOPOROSIS]) == [0]
    # a body's statements on two members together are its position on the class
    several = [
        *single,
        ("Endocrine Society", "Alendronate is recommended to reduce fracture risk."),
        ("Other", "Risedronate is suggested for men."),
    ]
    assert on_subject(several, [BISPHOSPHONATES, OSTEOPOROSIS]) == [2, 2, 0]


def test_a_statement_on_the_class_ranks_below_one_on_the_drug_itself() -> None:
    furosemide = Concept("furosemide", ("furosemide", "frusemide", "loop diuretics", "diuretics"))
    aki = Concept("acute kidney injury", ("acute kidney injury", "AKI"))
    statements = [
        ("KDIGO", "Do not use diuretics to prevent AKI."),
        ("X", "Furosemide stress test in AKI."),
    ]
    assert on_subject(statements, [furosemide, aki]) == [1, 2]


def test_a_comparison_is_stated_in_the_questions_order() -> None:
    ticagrelor, clopidogrel = Concept("ticagrelor"), Concept("clopidogrel")
    question = "Should ticagrelor be preferred over clopidogrel?"
    compared = comparison(question, [ticagrelor, clopidogrel], [ticagrelor, clopidogrel])
    assert compared is not None and compared.missing == "compare ticagrelor with clopidogrel"
    assert compared.states("It is reasonable to choose ticagrelor over clopidogrel in STEMI.")
    assert not compared.states("Switching from ticagrelor to clopidogrel may be considered.")
    assert not compared.states("Discontinue ticagrelor 3 days; clopidogrel 5 days before CABG.")
    assert not compared.states("Clopidogrel is preferred over ticagrelor with OAC.")
    # the other way round, it prefers what the question sets second
    assert compared.reverses("Clopidogrel is preferred over ticagrelor with OAC.")
    assert not compared.reverses("It is reasonable to choose ticagrelor over clopidogrel.")
    # "which is better?" asks in either order: nothing is reversed
    either = "Is ticagrelor or clopidogrel better?"
    which = comparison(either, [ticagrelor, clopidogrel], [ticagrelor, clopidogrel])
    assert which is not None and which.states("Clopidogrel is preferred over ticagrelor.")
    assert not which.reverses("Clopidogrel is preferred over ticagrelor.")


def test_preferred_as_the_others_class_is_preferred_over_it() -> None:
    chlorthalidone, hctz = Concept("chlorthalidone"), Concept("hydrochlorothiazide", ("HCTZ",))
    question = "Should chlorthalidone be preferred over HCTZ?"
    compared = comparison(question, [chlorthalidone, hctz], [chlorthalidone, hctz])
    assert compared is not None
    preferred = "Chlorthalidone is the preferred diuretic because of its long half-life."
    assert compared.states(preferred) and not compared.reverses(preferred)
    assert not compared.states("Chlorthalidone is a diuretic; HCTZ is too.")
    other_way = comparison("Is HCTZ better than chlorthalidone?", [hctz, chlorthalidone], [])
    assert other_way is not None and other_way.reverses(preferred)
    # a broad class too: "the preferred first-line ULT agent"
    allopurinol, febuxostat = Concept("allopurinol"), Concept("febuxostat")
    ult = comparison("allopurinol over febuxostat?", [allopurinol, febuxostat], [])
    assert ult is not None
    assert ult.states("Allopurinol remains the preferred first-line ULT agent in CKD.")


def test_a_comparison_of_two_routes() -> None:
    iron = Concept("iron")
    question = "Is intravenous iron better than oral iron for RLS?"
    compared = comparison(question, [], [iron])
    assert compared is not None and compared.missing == "compare intravenous with oral iron"
    assert compared.states("IV iron is suggested over oral iron when ferritin is low.")
    assert not compared.states("IV ferric carboxymaltose is recommended for adults with RLS.")
    assert comparison("Is intravenous iron effective for RLS?", [], [iron]) is None


def test_two_statements_of_a_body_on_one_member_speak_for_its_class() -> None:
    osmotic = Concept("hyperosmolar therapy", ("hyperosmolar therapy", "mannitol"))
    tbi = Concept("traumatic brain injury", ("traumatic brain injury", "TBI"))
    statements = [
        ("BTF", "Mannitol is effective for control of raised ICP."),
        ("BTF", "Avoid arterial hypotension during mannitol administration."),
    ]
    assert on_subject(statements, [osmotic, tbi]) == [2, 2]
    assert on_subject(statements[:1], [osmotic, tbi]) == [0]


def test_only_the_first_treatment_asked_about_is_the_subject() -> None:
    # resuscitation is what albumin would be for
    albumin, sepsis = Concept("albumin", mesh_ui="D000418"), Concept("sepsis")
    resuscitation = Concept("resuscitation")
    hes = [("SSC", "The SSC recommends against using starches for resuscitation in sepsis.")]
    assert on_subject(hes, [albumin, resuscitation, sepsis]) == [0]


def test_a_question_on_combining_two_treatments() -> None:
    ace = Concept("ACE inhibitors", ("ACE inhibitors", "ACE inhibitor"))
    arb = Concept("angiotensin receptor blockers", ("angiotensin receptor blockers", "ARB"))
    question = "Should ACE inhibitors and ARBs be combined?"
    combined = comparison(question, [], [ace, arb])
    assert combined is not None
    assert combined.missing == "address ACE inhibitors combined with angiotensin receptor blockers"
    assert combined.states("Do not combine ACE inhibitor + ARB or a direct renin inhibitor.")
    assert not combined.states("First-line: an ACE inhibitor or an ARB.")
    assert comparison("Should ACE inhibitors or ARBs be used?", [], [ace, arb]) is None


def test_a_drug_mesh_added_after_2015_is_still_a_treatment() -> None:
    from medbrief.synthesize.facets import role

    # rivaroxaban's descriptor is newer than the 2015 tree numbers shipped
    assert role(Concept("rivaroxaban", mesh_ui="D000069552")) == "other"
    assert role(Concept("rivaroxaban", mesh_ui="D000069552", drug=True)) == "drug"
    # and a newer disease name is a kind of an older one
    assert role(Concept("traumatic brain injury", mesh_ui="D000070642")) == "condition"
    # psychotherapy (MeSH F04.754) is a treatment
    assert role(Concept("psychotherapy", mesh_ui="D011613")) == "procedure"
    assert role(Concept("cognitive behavioral therapy", mesh_ui="D015928")) == "procedure"
    # a name MeSH added later is read by its head: "blood cultures" is a test,
    # not the anthropologists' "Culture"
    assert role(Concept("blood cultures", mesh_ui="D000071997")) == "procedure"
    assert role(Concept("bridging anticoagulation")) == "procedure"


def test_what_an_act_is_done_with_is_the_subject() -> None:
    anticoagulation = Concept("anticoagulation", ("anticoagulation",), drug=True)
    pcc = Concept("prothrombin complex concentrate", ("PCC",), drug=True)
    ich = Concept("intracranial hemorrhage", ("ICH",))
    concepts = (anticoagulation, pcc, ich)
    question = "Should anticoagulation be reversed with PCC in ICH?"
    assert subject_first(concepts, question)[0] is pcc
    # a combination or a comparison is no act done with something
    assert subject_first(concepts, "Should anticoagulation be combined with PCC?")[0] is (
        anticoagulation
    )
    assert subject_first(concepts, "Is anticoagulation needed in ICH?") == concepts
    # nor is giving two together ("Should clopidogrel be given with fibrinolysis?")
    assert subject_first(concepts, "Should anticoagulation be given with PCC?") == concepts


def test_the_treatment_a_question_times_its_subject_by() -> None:
    ct = Concept("computed tomography", ("CT",), drug=False, mesh_ui="D014057")
    lp = Concept("lumbar puncture", ("lumbar puncture", "spinal puncture"), mesh_ui="D013129")
    meningitis = Concept("meningitis", ("meningitis",), mesh_ui="D008581")
    concepts = (ct, lp, meningitis)
    anchor = anchor_of(concepts, "Should a CT scan be done before lumbar puncture in meningitis?")
    assert anchor is not None and anchor.concept is lp
    assert not anchor.in_text("Ultrasound or CT of the abdomen should be performed.")
    # a condition is no such time ("after myocardial infarction"), nor is the subject
    assert anchor_of(concepts, "Is CT useful after meningitis?") is None
    assert anchor_of(concepts, "Should lumbar puncture follow CT?") is None


def test_what_an_act_is_done_without_is_the_subject_and_the_act_its_anchor() -> None:
    af = Concept("atrial fibrillation", ("atrial fibrillation", "AF"), mesh_ui="D001281")
    cardioversion = Concept("cardioversion", ("cardioversion", "cardioverted"), mesh_ui="D004554")
    anticoagulation = Concept("anticoagulation", ("anticoagulation",), drug=True)
    concepts = (af, cardioversion, anticoagulation)
    question = "Can AF be cardioverted without anticoagulation?"
    assert forgone_of(concepts, question) is anticoagulation
    assert subject_first(concepts, question)[0] is anticoagulation
    anchor = anchor_of(subject_first(concepts, question), question)
    assert anchor is not None and anchor.concept is cardioversion
    # "DOACs are recommended over warfarin in AF" says nothing on cardioversion
    assert not anchor.in_text("Anticoagulation is recommended in AF.")
    # a condition after "without" is none: the reader leaves it out of the concepts
    assert forgone_of((af, cardioversion), "Cardioversion in AF without heart failure?") is None
    assert forgone_of(concepts, "Can AF be cardioverted with anticoagulation?") is None


def test_a_laboratory_value_the_question_states_is_no_subject() -> None:
    ldl = Concept("LDL cholesterol", ("LDL cholesterol", "LDL"), mesh_ui="D008078")
    statin = Concept("statins", ("statins", "statin"))
    assert subject_first((ldl, statin), "should a 45 year old with ldl 195 get a statin")[0] is (
        statin
    )
    # asked about, not stated, it stays where the question names it
    assert subject_first((ldl, statin), "Should LDL be measured before a statin?")[0] is ldl


def test_a_statement_naming_a_drug_of_its_own_is_not_on_its_headings_drug() -> None:
    assert names_a_drug("In adults with eGFR < 30, a GLP-1 RA is preferred for glycemic management")
    assert names_a_drug("Use loop diuretics instead of thiazides")
    assert not names_a_drug("HFrEF: Recommended for patients with HFrEF to improve survival")


def test_a_member_asked_about_is_not_matched_by_its_siblings() -> None:
    zoledronic = Concept("zoledronic acid", ("zoledronic acid", "bisphosphonates"))
    statements = [
        ("ES", "Ibandronate is NOT recommended to reduce hip fracture risk."),
        ("ES", "Alendronate and risedronate are preferred."),
        ("ES", "Zoledronic acid is preferred."),
    ]
    assert on_subject(statements, [zoledronic, OSTEOPOROSIS]) == [0, 0, 2]
    # asked about the class, its members are its names, some of them only
    members_only = names_only_members([BISPHOSPHONATES, OSTEOPOROSIS])
    assert members_only("Ibandronate is NOT recommended to reduce hip fracture risk.")
    assert not members_only("Bisphosphonates such as alendronate are recommended.")


def test_two_treatments_offered_as_alternatives_ask_which() -> None:
    ticagrelor = Concept("ticagrelor", ("ticagrelor",), drug=True)
    clopidogrel = Concept("clopidogrel", ("clopidogrel",), drug=True)
    nstemi = Concept("NSTEMI", ("NSTEMI",))
    assert asks_choice("ticagrelor or clopidogrel after NSTEMI?", [ticagrelor, clopidogrel, nstemi])
    assert asks_choice(
        "Should ticagrelor, or a clopidogrel, be given?", [ticagrelor, clopidogrel, nstemi]
    )
    # one treatment, or two that are not alternatives, ask yes or no
    assert not asks_choice("Is ticagrelor safe in NSTEMI or unstable angina?", [ticagrelor, nstemi])
    assert not asks_choice(
        "Should clopidogrel be given with or without ticagrelor?", [clopidogrel, ticagrelor]
    )
    assert not asks_choice("ticagrelor and clopidogrel together?", [ticagrelor, clopidogrel])
    # alternatives inside what the question is about are not its choice
    assert not asks_choice(
        "The effect of ticagrelor or clopidogrel on platelets: a role for P2Y12?",
        [ticagrelor, clopidogrel],
    )
