from medbrief.grade import split_sentences
from medbrief.grade.sentences import abstract_sentences, role_of_label, split_sections


def test_abbreviations_decimals_and_et_al_do_not_split() -> None:
    text = (
        "Smith et al. found no effect (p = 0.42). Iron, e.g. ferritin, was low vs. controls. "
        "Dose was 325 mg. See Fig. 2 and No. 3. The study by Lee et al. (2004) agreed."
    )
    assert split_sentences(text) == [
        "Smith et al. found no effect (p = 0.42).",
        "Iron, e.g. ferritin, was low vs. controls.",
        "Dose was 325 mg.",
        "See Fig. 2 and No. 3.",
        "The study by Lee et al. (2004) agreed.",
    ]


def test_et_al_before_a_capitalised_word_ends_the_sentence() -> None:
    assert split_sentences("As shown by Lee et al. The effect was small.") == [
        "As shown by Lee et al.",
        "The effect was small.",
    ]


def test_single_capitals_question_marks_and_line_breaks() -> None:
    assert split_sentences("Levels of vitamin D. The end? Yes!\nS. aureus grew") == [
        "Levels of vitamin D.",
        "The end?",
        "Yes!",
        "S. aureus grew",
    ]


def test_lowercase_after_stop_does_not_split() -> None:
    assert split_sentences("Mean 4.5 mm. in diameter was seen.") == [
        "Mean 4.5 mm. in diameter was seen."
    ]


def test_empty_text() -> None:
    assert split_sentences("") == []
    assert split_sentences("\n  \n") == []


def test_sections_on_lines_and_inline() -> None:
    assert split_sections("BACKGROUND: A.\nRESULTS: B. CONCLUSIONS: C.") == [
        ("BACKGROUND", "A."),
        ("RESULTS", "B."),
        ("CONCLUSIONS", "C."),
    ]
    assert split_sections("Ratio was 1:2 in all.") == [(None, "Ratio was 1:2 in all.")]


def test_roles_from_labels() -> None:
    assert role_of_label("MEASUREMENTS AND RESULTS") == "results"
    assert role_of_label("Authors' conclusions") == "conclusion"
    assert role_of_label("STUDY OBJECTIVES") == "background"
    assert role_of_label("Label", "CONCLUSIONS") == "conclusion"
    assert role_of_label(None) == "other"


def test_unlabelled_abstract_gets_roles_from_cues() -> None:
    got = abstract_sentences(
        "We studied iron. Ferritin was low. These results suggest iron matters. More work.",
        "A title",
    )
    assert [(s.text, s.role) for s in got] == [
        ("A title", "title"),
        ("We studied iron.", "background"),
        ("Ferritin was low.", "results"),
        ("These results suggest iron matters.", "conclusion"),
        ("More work.", "conclusion"),
    ]


def test_unlabelled_abstract_without_cue_ends_with_its_conclusion() -> None:
    got = abstract_sentences("One. Two. Three.")
    assert [s.role for s in got] == ["background", "results", "conclusion"]


def test_labels_without_colon_as_printed_by_pubmed() -> None:
    assert split_sections("CONCLUSIONS IV iron sucrose is safe.\nRESULTS Scores fell.") == [
        ("CONCLUSIONS", "IV iron sucrose is safe."),
        ("RESULTS", "Scores fell."),
    ]
    # an upper-case word that is not a section name stays text
    assert split_sections("IRLS scores fell.") == [(None, "IRLS scores fell.")]
