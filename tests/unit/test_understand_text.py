"""The small pure pieces of reading: cleaning, validation, tokens, keys,
sounds, distances, abbreviations (inline data only)."""

from __future__ import annotations

import pytest

from medbrief.errors import QueryError
from medbrief.understand.abbreviations import AbbreviationTable
from medbrief.understand.lexicon import deinvert, display
from medbrief.understand.phonetic import sound_key
from medbrief.understand.sources import AbbreviationSense
from medbrief.understand.spelling import osa_distance, same_family
from medbrief.understand.text import (
    adverb_of,
    clean,
    fold,
    foreign_scripts,
    noun_of_verb,
    singular,
    tokenize,
    validate_question,
)
from medbrief.understand.units import runs, split_units, token_is_plain
from medbrief.understand.vocabulary import americanize

ALPHA, BETA, MICRO, MU = "\u03b1", "\u03b2", "\u00b5", "\u03bc"


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize("text", ["", "   ", "\n\t  \r\n"])
def test_empty_question_is_refused(text: str) -> None:
    with pytest.raises(QueryError, match="empty"):
        validate_question(text, 2000)


def test_oversized_question_names_the_limit() -> None:
    with pytest.raises(QueryError) as info:
        validate_question("iron " * 20_480, 2000)  # 100 kB
    message = str(info.value)
    assert "102,400 characters" in message
    assert "limit is 2,000" in message
    assert "MEDBRIEF_MAX_QUESTION_CHARS" in message


def test_question_of_only_control_characters_is_refused() -> None:
    with pytest.raises(QueryError, match="control or invisible"):
        validate_question("\x00\x07\u200b", 2000)


def test_question_of_only_punctuation_is_refused() -> None:
    with pytest.raises(QueryError, match="no letters or digits"):
        validate_question("?!...", 2000)


def test_non_text_question_is_refused() -> None:
    with pytest.raises(QueryError, match="must be text"):
        validate_question(42, 2000)  # type: ignore[arg-type]


def test_clean_strips_control_and_invisible_characters_and_says_so() -> None:
    text, notes = clean("iron\x00 and\u200b RLS\x1b\n\tin CKD")
    assert text == "iron and RLS in CKD"
    assert notes == ("removed 3 control or invisible characters from the question",)


def test_clean_leaves_ordinary_text_alone() -> None:
    assert clean("  Is iron   safe?  ") == ("Is iron safe?", ())


def test_clean_normalises_compatibility_characters() -> None:
    # full-width letters and the micro sign fold to their ordinary forms (NFKC)
    assert clean(f"{full_width('metformin')} 5 {MICRO}g")[0] == f"metformin 5 {MU}g"


# ---------------------------------------------------------------------- tokens


def test_tokens_keep_symbols_doses_and_spans_whole() -> None:
    text = f"BRCA1, HLA-B27 and TNF-{ALPHA}; 5 mg/kg of 500mg (Alzheimer's)"
    tokens = tokenize(text)
    assert [t.text for t in tokens] == [
        "BRCA1",
        "HLA-B27",
        "and",
        f"TNF-{ALPHA}",
        "5",
        "mg/kg",
        "of",
        "500mg",
        "Alzheimer's",
    ]
    assert all(text[t.start : t.end] == t.text for t in tokens)


def test_symbols_are_not_plain_words() -> None:
    plain = {t.text: token_is_plain(t) for t in tokenize("IL-6 eGFR RLS iron blood-brain Ekbom")}
    assert plain == {
        "IL-6": False,
        "eGFR": False,
        "RLS": False,
        "iron": True,
        "blood-brain": True,
        "Ekbom": True,
    }


def test_units_split_hyphens_and_runs_stop_at_punctuation() -> None:
    text = "iron, blood-brain barrier (BBB)"
    units = split_units(tokenize(text))
    assert [u.text for u in units] == ["iron", "blood", "brain", "barrier", "BBB"]
    assert runs(text, units) == [[0], [1, 2, 3], [4]]


@pytest.mark.parametrize(
    ("text", "scripts"),
    [
        ("Что такое метформин?", ["Cyrillic"]),
        ("二甲双胍 diabetes", ["Chinese/Japanese (CJK)"]),
        (f"TNF-{ALPHA} and {BETA}-blockers", []),
        ("metformin", []),
    ],
)
def test_foreign_scripts(text: str, scripts: list[str]) -> None:
    assert foreign_scripts(tokenize(text)) == scripts


# ------------------------------------------------------------------------ keys


def test_fold_matches_spelling_forms_of_one_phrase() -> None:
    assert fold("Blood-Brain Barrier") == fold("blood brain barrier") == "blood brain barrier"
    assert fold("Hip Fractures") == fold("hip fracture")
    assert fold("Alzheimer's disease") == fold("Alzheimer disease")
    assert singular("diabetes") == "diabete"  # consistent on both sides, never shown
    assert singular("mellitus") == "mellitus"
    assert singular("arteries") == "artery"


def test_mesh_names_are_deinverted_and_shown_in_lower_case() -> None:
    assert deinvert("Anemia, Iron-Deficiency") == "Iron-Deficiency Anemia"
    assert deinvert("Diabetes Mellitus, Type 2") == "Type 2 Diabetes Mellitus"
    assert deinvert("Amino Acids, Peptides, and Proteins") is None
    assert deinvert("Iron") is None
    eponyms = frozenset({"Alzheimer"})
    assert display("Alzheimer Disease", eponyms) == "Alzheimer disease"
    assert display("HLA-B27 Antigen", eponyms) == "HLA-B27 antigen"
    assert display("COVID-19", eponyms) == "COVID-19"


def test_british_spellings_become_american() -> None:
    assert americanize("anaemia") == "anemia"
    assert americanize("oesophagus") == "esophagus"
    assert americanize("haemoglobin") == "hemoglobin"
    assert americanize("tumour") == "tumor"
    assert americanize("randomised") == "randomized"
    assert americanize("diarrhoea") == "diarrhea"
    assert americanize("shoes") == "shoes"
    assert americanize("four") == "four"


# ------------------------------------------------------------ sounds, distances


def test_sound_key_groups_phonetic_misspellings() -> None:
    assert sound_key("exema") == sound_key("eczema")
    assert sound_key("pleuracy") == sound_key("pleurisy")
    assert sound_key("neumonia") == sound_key("pneumonia")
    assert sound_key("skitzophrenia") == sound_key("schizophrenia")
    assert sound_key("enema") != sound_key("eczema")


def test_osa_distance() -> None:
    assert osa_distance("metfromin", "metformin") == 1  # one transposition
    assert osa_distance("hypertenion", "hypertension") == 1
    assert osa_distance("diarea", "diarrhea") == 2
    assert osa_distance("iron", "iron") == 0
    assert osa_distance("", "abc") == 3


def test_forms_of_one_word_are_one_family() -> None:
    assert same_family("neuropathic", "neuropathy")
    assert same_family("biomarker", "biomarkers")
    assert not same_family("diabetis", "diabetes")
    assert not same_family("arthritus", "arthritis")


# --------------------------------------------------------------- abbreviations

SENSES = [
    AbbreviationSense("RLS", "restless legs syndrome"),
    AbbreviationSense("CKD", "chronic kidney disease"),
    AbbreviationSense("NSAID", "non-steroidal anti-inflammatory drug"),
    AbbreviationSense("PD", "Parkinson disease", ("parkinson", "levodopa")),
    AbbreviationSense("PD", "peritoneal dialysis", ("dialysis", "kidney")),
    AbbreviationSense("IV", "intravenous", (), ("stage", "grade")),
    AbbreviationSense("CAP", "community-acquired pneumonia"),
    AbbreviationSense("HbA1c", "glycated hemoglobin"),
    AbbreviationSense("Hb", "hemoglobin"),
]


def test_abbreviations_with_one_sense_resolve_everywhere() -> None:
    table = AbbreviationTable(SENSES, english={"cap"})
    resolved = table.resolve("RLS", set(), None)
    assert resolved is not None
    assert resolved.sense is not None
    assert resolved.sense.expansion == "restless legs syndrome"
    assert table.canonical("NSAIDs") == "NSAID"
    assert table.canonical("ckd") == "CKD"  # not an English word
    assert table.canonical("cap") is None  # an English word
    assert table.canonical("iron") is None
    # capitals inside a word or a digit mark an abbreviation typed in lower case
    assert table.canonical("hba1c") == "HbA1c"
    assert table.canonical("hb") is None  # too short to be sure


def test_ambiguous_abbreviations_need_a_cue() -> None:
    table = AbbreviationTable(SENSES, english=set())
    alone = table.resolve("PD", {"pd", "and", "sleep"}, None)
    assert alone is not None
    assert alone.sense is None
    assert [s.expansion for s in alone.ambiguous] == ["Parkinson disease", "peritoneal dialysis"]
    cued = table.resolve("PD", {"pd", "catheter", "dialysis"}, None)
    assert cued is not None
    assert cued.sense is not None
    assert cued.sense.expansion == "peritoneal dialysis"


def test_roman_numerals_are_not_routes() -> None:
    table = AbbreviationTable(SENSES, english=set())
    assert table.resolve("IV", set(), "stage") is None
    resolved = table.resolve("IV", set(), "give")
    assert resolved is not None
    assert resolved.sense is not None


@pytest.mark.parametrize(
    ("word", "noun"),
    [
        ("anticoagulate", "anticoagulation"),
        ("immunize", "immunization"),
        ("catheterise", "catheterisation"),
        ("transfuse", "transfusion"),
        ("cardiovert", "cardioversion"),
        ("rate", None),
        ("aspirin", None),
    ],
)
def test_the_noun_of_a_verb(word: str, noun: str | None) -> None:
    assert noun_of_verb(word) == noun


def test_adverbs_made_from_adjectives() -> None:
    english = {"acute", "chronic", "possible", "easy", "aggressive", "family", "ear"}
    made = [
        w
        for w in ("acutely", "chronically", "possibly", "easily", "aggressively")
        if adverb_of(w, english)
    ]
    assert made == ["acutely", "chronically", "possibly", "easily", "aggressively"]
    assert not any(adverb_of(w, english) for w in ("family", "early", "ally", "butterfly"))
