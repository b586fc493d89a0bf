"""Ranges a text states (ages, laboratory values) and routes of giving, as
guidelines use them to say whom a recommendation is for."""

from __future__ import annotations

import math

import pytest

from medbrief.synthesize.bottom_line import Listed, best_guidelines, leading_sentence, open_line
from medbrief.synthesize.fit import (
    fits,
    narrower,
    other_kind,
    other_route,
    other_severity,
    population_match,
    question_scope,
    routes,
    severities,
    stated_population,
)
from medbrief.synthesize.ranges import (
    ages,
    out_of_range,
    range_fit,
    silent_on_window,
    states_range,
    values,
)
from medbrief.types import GuidelineItem

AASM_IV = (
    "IV ferric carboxymaltose is recommended for adults with RLS and appropriate iron status "
    "(ferritin ≤75 ng/mL or transferrin saturation <20%, "
    "or ferritin 75\u2013100 ng/mL for IV iron)."
)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("ferritin above 100", {"ferritin": (100.000001, math.inf)}),
        ("ferritin level is below 50", {"ferritin": (-math.inf, 49.999999)}),
        (
            AASM_IV,
            {"ferritin": (-math.inf, 100.0), "transferrin saturation": (-math.inf, 19.999999)},
        ),
        ("metformin with eGFR of 45", {"eGFR": (45.0, 45.0)}),
        ("eGFR between 30 and 45", {"eGFR": (30.0, 45.0)}),
        ("May be safely used at eGFR ≥ 30 mL/min/1.73 m²", {"eGFR": (30.0, math.inf)}),
        ("HbA1c above 7.5%", {"HbA1c": (7.500001, math.inf)}),
        ("BMI ≥30", {"BMI": (30.0, math.inf)}),
        ("Does ferritin predict RLS?", {}),
        # treatment windows, in hours
        (
            "alteplase more than 4.5 hours after stroke onset",
            {"time window, hours": (4.500001, math.inf)},
        ),
        ("Extended window: onset-to-needle ≤ 4.5 hours.", {"time window, hours": (0.0, 4.5)}),
        ("alteplase within 3 to 4.5 hours", {"time window, hours": (3.0, 4.5)}),
        ("door-to-needle time of ≤ 60 minutes", {"time window, hours": (0.0, 1.0)}),
        ("Maintain BP < 180/105 mmHg for the first 24 hours", {}),
        # scores that define populations
        ("atrial fibrillation and a CHA2DS2-VASc score of 1", {"CHA2DS2-VASc": (1.0, 1.0)}),
        ("CHA2DS2-VASc ≥ 2: OAC is recommended.", {"CHA2DS2-VASc": (2.0, math.inf)}),
        # names defined by a value (2022 AHA/ACC/HFSA; KDIGO 2012)
        ("Avoid non-dihydropyridine CCBs in HFrEF.", {"LVEF": (-math.inf, 40.0)}),
        ("ACEi for patients with LVEF ≤ 40%", {"LVEF": (-math.inf, 40.0)}),
        ("heart failure with preserved ejection fraction", {"LVEF": (50.0, math.inf)}),
        ("IV iron in patients with HFrEF or HFmrEF", {"LVEF": (-math.inf, 49.0)}),
        # a stated value outranks a name mentioned in passing
        (
            "HFmrEF (LVEF 41\u201349%): ARNi, ACEi, ARB, MRA, and beta-blockers may be considered "
            "based on extrapolation from HFrEF data",
            {"LVEF": (41.0, 49.0)},
        ),
        ("metformin in CKD stage 3b", {"eGFR": (30.0, 44.0)}),
        ("dose adjustment in stage 4 chronic kidney disease", {"eGFR": (15.0, 29.0)}),
        ("CKD stage 3", {"eGFR": (30.0, 59.0)}),
        ("metformin in kidney disease stage 4", {"eGFR": (15.0, 29.0)}),
        # the 10-year risk, in each of the ways guidelines state it
        (
            "an estimated 10-year risk of a cardiovascular event of 10% or greater",
            {"10-year risk": (10.0, math.inf)},
        ),
        (
            "an estimated 10-year risk of a cardiovascular event of 7.5% to less than 10%.",
            {"10-year risk": (7.5, 10.0 - 1e-6)},
        ),
        ("adults who have a 10% or greater 10-year CVD risk", {"10-year risk": (10.0, math.inf)}),
        ("10-year ASCVD risk 5% to < 7.5%: Consider", {"10-year risk": (5.0, 7.5 - 1e-6)}),
        ("statins with 10 year risk 7.5 to 10%?", {"10-year risk": (7.5, 10.0)}),
        ("eGFR 30 or greater", {"eGFR": (30.0, math.inf)}),
    ],
)
def test_laboratory_values_in_words_and_signs(
    text: str, found: dict[str, tuple[float, float]]
) -> None:
    got = values(text)
    assert set(got) == set(found)
    for name, span in found.items():
        assert got[name] == pytest.approx(span)


def test_a_range_that_misses_the_questions_is_another_population() -> None:
    question = "Is oral iron effective for RLS when ferritin is above 100?"
    assert out_of_range(question, AASM_IV)
    assert range_fit(question, AASM_IV) == -1
    low = "Is oral iron effective for RLS when ferritin is below 50?"
    assert not out_of_range(low, AASM_IV) and range_fit(low, AASM_IV) == 1
    # nothing stated on one side: nothing to compare
    assert not out_of_range("Is iron effective for RLS?", AASM_IV)
    assert range_fit("Is iron effective for RLS?", AASM_IV) == 0
    # ages count the same way
    assert out_of_range("Should adults over 85 be screened?", "adults aged 76 to 85 years")


def test_ranges_of_a_value_that_only_touch_do_not_overlap() -> None:
    question = "Statins for adults 40 to 75 with a 10-year risk of 7.5 to 10%?"
    grade_b = "an estimated 10-year risk of a cardiovascular event of 10% or greater"
    grade_c = "an estimated 10-year risk of a cardiovascular event of 7.5% to less than 10%"
    assert out_of_range(question, grade_b) and not out_of_range(question, grade_c)
    # a single value still fits the span that ends at it
    assert not out_of_range("Metformin at an eGFR of 30?", "eGFR >= 30")


def test_a_heart_failure_type_is_its_ejection_fraction() -> None:
    hfref = "Are ACE inhibitors recommended for HFrEF?"
    assert out_of_range(hfref, "HFmrEF (LVEF 41\u201349%): ARNi, ACEi ... from HFrEF data")
    assert out_of_range(hfref, "HFpEF (LVEF ≥ 50%): Diuretics for congestion")
    assert not out_of_range(hfref, "ACEi (or ARB) for patients with LVEF ≤ 40%")
    assert range_fit(hfref, "ACEi (or ARB) for patients with LVEF ≤ 40%") == 1
    assert range_fit("Should patients with LVEF 35% receive an ACE inhibitor?", "HFrEF") == 1
    # whom a recommendation is for, from its section when the statement says not
    assert stated_population(None, "HFmrEF Pharmacotherapy (LVEF 41\u201349%)") == (
        "HFmrEF Pharmacotherapy (LVEF 41\u201349%)"
    )
    assert stated_population(None, "Stages of Heart Failure > Stage B") is None


def test_a_recommendation_for_another_severity_is_for_others() -> None:
    severe = "Should corticosteroids be used in severe community acquired pneumonia?"
    nonsevere = "Do NOT routinely use corticosteroids in adults with nonsevere CAP."
    assert severities(nonsevere) == {"mild", "moderate"}
    assert other_severity(severe, nonsevere)
    assert not other_severity(severe, "Do NOT routinely use corticosteroids in severe CAP.")
    assert not other_severity("Are steroids recommended for CAP?", nonsevere)
    assert not other_severity("mild to moderate RLS", "moderate to severe RLS")
    # how many episodes is a scale: a first flare is not ">= 2 flares per year"
    first = "Should urate lowering therapy be started after a first gout flare?"
    assert other_severity(first, "Frequent gout flares defined as >= 2 flares per year")
    assert other_severity(first, "> 1 prior flare but < 2/year: initiate ULT")
    assert not other_severity(first, "First gout flare only: recommended against ULT")
    assert severities("first-line therapy") == frozenset()
    # "moderate quality of evidence" is no severity
    assert severities("Strong recommendation, moderate quality of evidence") == frozenset()
    # a step of a stepwise plan is a scale of its own, apart from stages
    step1 = "ics laba for asthma step 1?"
    assert other_severity(step1, "Step 5 - Severe Asthma: Controller: High-dose ICS-formoterol")
    assert not other_severity(step1, "Steps 1-2: As-needed low-dose ICS-formoterol")
    assert not other_severity(step1, "Stage 2 Hypertension: start two drugs")
    # risk is a scale of its own
    low = "Is preoperative stress testing needed before low risk surgery?"
    assert other_severity(low, "For patients with elevated risk, exercise stress testing.")
    assert not other_severity(low, "Stress testing is not useful before low-risk surgery.")
    assert not other_severity(low, "Nonsevere CAP.")  # another scale: nothing to compare
    scope = question_scope(severe)
    assert population_match(scope, nonsevere) == -1
    assert population_match(scope, "adults with severe CAP") == 1


def test_a_statement_without_a_time_window_says_nothing_on_one() -> None:
    late = "Is alteplase recommended more than 4.5 hours after stroke onset?"
    assert silent_on_window(late, "IV alteplase should NOT be withheld awaiting thrombectomy.")
    assert not silent_on_window(late, "IV alteplase within 4.5 hours of onset is recommended.")
    assert out_of_range(late, "IV alteplase within 4.5 hours of onset is recommended.")
    # a question without a window asks nothing of it
    assert not silent_on_window("Is alteplase recommended for stroke?", "IV alteplase.")


def test_how_a_condition_was_known_and_whom_a_question_leaves_out() -> None:
    vitamin_e = question_scope("vitamin E for biopsy-proven NASH in non diabetics")
    assert "diagnosis" not in vitamin_e.kinds and "diabetes" not in vitamin_e.groups
    assert "diagnosis" in question_scope("Is a biopsy needed for NASH?").kinds
    assert "diabetes" in question_scope("vitamin E for NASH in diabetics").groups


def test_an_age_under_18_is_a_young_person() -> None:
    assert "young" in question_scope("should my 16 year old be screened for depression").groups
    assert "young" not in question_scope("should a 45 year old be screened for diabetes").groups
    assert "young" in question_scope("vision screening toddlers").groups
    # the perinatal period is pregnancy and the year after birth
    perinatal = question_scope("counseling to prevent perinatal depression").groups
    assert {"pregnancy", "breastfeeding"} <= perinatal


def test_a_perinatal_statement_is_for_pregnancy_and_breastfeeding_not_for_all_adults() -> None:
    acog = "Screen patients at least once during the perinatal period for depression."
    for asked in ("is sertraline safe in breastfeeding", "depression screening in pregnancy"):
        assert fits(question_scope(asked), frozenset(), acog)
    assert not fits(question_scope("Should adults be screened for depression?"), frozenset(), acog)


def test_a_bare_number_after_at_is_an_age_and_a_quantity_is_not() -> None:
    assert ages("colon cancer screening at 80") == (80, 80)
    assert ages("statins for 80 year olds") == (80, 80)
    assert ages("70 yo man with stemi") == (70, 70)
    assert ages("a 45 y/o woman") == (45, 45)
    for quantity in ("MAP at 65 mmHg", "screening at 24 weeks", "LDL at 70 mg/dL", "INR at 2.5"):
        assert ages(quantity) is None


def test_a_statement_for_patients_having_surgery_is_narrower() -> None:
    periop = "Continue methotrexate, leflunomide, hydroxychloroquine through surgery."
    asked = question_scope("should hydroxychloroquine be added to methotrexate in ra")
    assert narrower(asked, periop)
    for surgical in ("continue statins perioperatively?", "wait for elective surgery after DES"):
        assert not narrower(question_scope(surgical), periop)


def test_a_measurement_asked_about_is_a_question_of_testing() -> None:
    assert "diagnosis" in question_scope("should ferritin be checked in all rls patients").kinds
    assert "diagnosis" not in question_scope("iv iron for rls when ferritin is 90").kinds


def test_a_passage_of_another_kind_than_asked() -> None:
    drug = question_scope("patient with nash and diabetes, which drug")
    assert other_kind(drug, "HCC Screening in NAFLD Cirrhosis: Consider HCC screening")
    assert not other_kind(drug, "Pioglitazone may be considered for patients with NASH")
    # a question on diagnosis is answered by a screening tool too
    assert not other_kind(question_scope("Should qSOFA be used to diagnose sepsis?"), "screening")


def test_a_check_in_lay_words_asks_about_screening() -> None:
    assert "screening" in question_scope("skin check for melanoma in adults").kinds
    assert "screening" in question_scope("should kids get their cholesterol checked").kinds
    assert "screening" not in question_scope("check INR on warfarin").kinds


def test_a_window_the_question_says_cannot_be_met_is_the_time_beyond_it() -> None:
    hours = "time window, hours"
    question = "Should fibrinolysis be given if PCI not available within 120 minutes?"
    assert values(question)[hours] == (2.0 + 1e-6, math.inf)
    assert values("PCI cannot be performed within 90 min")[hours] == (1.5 + 1e-6, math.inf)
    assert values("treat within 4.5 hours")[hours] == (0.0, 4.5)
    # a time since onset is a point; with a comparator, the comparator's span
    assert values("tPA for stroke 4 hours after onset")[hours] == (4.0, 4.0)
    assert values("more than 4.5 hours after stroke onset")[hours] == (4.5 + 1e-6, math.inf)
    assert values("PCI for STEMI over 12 hours symptom onset")[hours] == (12.0 + 1e-6, math.inf)
    statement = (
        "Fibrinolytic therapy should be given at non-PCI-capable hospitals when the anticipated "
        "FMC-to-device time exceeds 120 minutes."
    )
    assert values(statement)[hours] == (2.0 + 1e-6, math.inf)
    assert not out_of_range(question, statement) and not silent_on_window(question, statement)
    assert out_of_range(question, "Primary PCI within 90 minutes of first medical contact.")


def test_routes_of_giving() -> None:
    assert routes("Is oral iron effective?") == {"oral"}
    # into the CSF: questions say "intrathecal", the IDSA "intraventricular"
    assert routes("intrathecal antibiotics for shunt infection") == {"intrathecal"}
    assert routes("Intraventricular antimicrobial therapy should be considered") == {"intrathecal"}
    assert routes(AASM_IV) == {"intravenous"}
    assert other_route("Is oral iron effective for RLS?", AASM_IV)
    assert not other_route("Does IV iron help RLS?", AASM_IV)
    assert not other_route("Does iron help RLS?", AASM_IV)  # the question names none
    oral = question_scope("Is oral iron effective for RLS?")
    assert population_match(oral, "Oral ferrous sulfate for adults with RLS") == 1
    assert population_match(oral, AASM_IV) == -1
    # a narrower group the question does not name ranks lower
    assert population_match(question_scope("Does IV iron help RLS?"), "adults with ESRD") == -1
    aspirin = question_scope("Is aspirin recommended for primary prevention?")
    ada = "Aspirin may be considered for primary prevention in patients with diabetes."
    assert narrower(aspirin, ada) and population_match(aspirin, ada) == -1
    # diabetes as one risk factor in a list is no narrower population
    uspstf = "adults who have 1 or more CVD risk factors (i.e. dyslipidemia, diabetes, smoking)"
    assert not narrower(aspirin, uspstf)
    diabetics = question_scope("Is aspirin recommended for primary prevention in diabetics?")
    assert not narrower(diabetics, ada) and population_match(diabetics, ada) == 1


def test_the_bottom_line_quotes_the_sentence_on_the_questions_range() -> None:
    ada = (
        "Metformin: May be safely used at eGFR ≥ 30 mL/min/1.73 m². "
        "Metformin: Risk of lactic acidosis increases at eGFR < 30 mL/min/1.73 m²."
    )
    item = GuidelineItem(1, "ADA", 2024, ada, None, None)
    question = "Can metformin be used with eGFR of 25?"
    assert leading_sentence(item, question) == (
        "Metformin: Risk of lactic acidosis increases at eGFR < 30 mL/min/1.73 m²"
    )
    assert leading_sentence(item) == "Metformin: May be safely used at eGFR ≥ 30 mL/min/1.73 m²"
    # a recommendation for another route does not speak for its body
    iv = Listed(GuidelineItem(2, "AASM", 2024, AASM_IV, "strong", "moderate"), None, (0, 2), 0)
    assert best_guidelines([iv], "Is oral iron effective for RLS when ferritin is below 50?") == []


def test_an_open_question_is_not_answered_for_other_ages() -> None:
    def listed(ref: int, statement: str, grade: str) -> Listed:
        return Listed(GuidelineItem(ref, "USPSTF", 2021, statement, grade, None), None, (0, 2), 0)

    fifty = listed(1, "Screen adults aged 50 to 75 years for colorectal cancer.", "Grade A")
    younger = listed(2, "Screen adults aged 45 to 49 years for colorectal cancer.", "Grade B")
    question = "How often should adults aged 50 be screened for colorectal cancer?"
    assert open_line([fifty, younger], [], question).refs == (1,)
    assert open_line([fifty, younger], []).refs == (1, 2)  # no ages asked: both


def test_years_since_quitting_smoking_is_a_value() -> None:
    lung = (
        "The USPSTF recommends annual screening for lung cancer with low-dose computed "
        "tomography in adults aged 50 to 80 years who have a 20 pack-year smoking history and "
        "currently smoke or have quit within the past 15 years."
    )
    assert values(lung)["years since quitting smoking"] == (-math.inf, 15.0)
    assert out_of_range("lung cancer screening for a 55 yo who quit smoking 20 years ago", lung)
    assert not out_of_range("low dose ct for a 60 year old who quit 5 years ago", lung)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("is mammogram needed after 75", (76, 130)),
        ("statins over the age of 75", (76, 130)),
        # a value's number, not an age
        ("keep map over 65", None),
        ("bp over 140", None),
        ("ferritin over 100", None),
        ("antibiotics over 48 hours", None),
    ],
)
def test_a_bare_number_past_an_age_is_one_unless_a_value_or_a_time(
    text: str, expected: tuple[int, int] | None
) -> None:
    assert ages(text) == expected


def test_a_question_states_ages_or_values_or_neither() -> None:
    assert states_range("lung cancer screening for a 55 yo who quit smoking 20 years ago")
    assert states_range("oral iron when ferritin is above 100?")
    assert not states_range("is lung cancer screening recommended for former smokers")
