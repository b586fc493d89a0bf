import pytest

from medbrief.grade import sample_size
from medbrief.grade.sample import parse_count, sample_size_from_text
from medbrief.types import AbstractSection, Document


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We enrolled patients with RLS (n = 120).", 120),
        ("In all, 120 patients were randomized to iron or placebo.", 120),
        ("A total of 1,234 women completed the survey.", 1234),
        ("It was examined in 18 elderly patients with RLS and in 18 matched control subjects.", 36),
        ("Thirty-nine RLS patients and 29 age-matched healthy controls were scanned.", 68),
        ("Twenty-eight patients were randomized to ferrous sulfate 325 mg or placebo.", 28),
        ("One thousand ninety-nine women aged 50 and older were recruited.", 1099),
        ("Iron (n = 59) improved scores over placebo (n = 51).", 110),
        ("We randomized 64 adults to two arms.", 64),
        ("We included 12 trials with 1,234 participants.", 1234),
        ("a population of 642 pregnant women", 642),
        ("PATIENTS: 27 (18 females, 9 males), aged 29-81 years.", 27),
        ("Hormones were compared in 22 patients and 22 euthyroid control subjects.", 44),
        ("We included 37 adolescents born preterm (22 BPD cases and 15 preterm controls).", 37),
    ],
)
def test_stated_counts(text: str, expected: int) -> None:
    assert sample_size_from_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Iron was given for 12 weeks at 325 mg.",
        "Four studies enrolled subjects with RLS.",
        "Improvement was seen in 12 patients.",
        "Ferritin was 75 ng/ml in 2019.",
        "Seven brains of people with RLS were examined. Five age-matched individuals served as "
        "controls.",
        "",
    ],
)
def test_no_guess_from_other_numbers(text: str) -> None:
    assert sample_size_from_text(text) is None


def test_parse_count() -> None:
    assert parse_count("1,234") == 1234
    assert parse_count("Twenty-eight") == 28
    assert parse_count("One thousand ninety-nine") == 1099
    assert parse_count("two hundred and five") == 205
    assert parse_count("many") is None


def test_document_sample_size() -> None:
    d = Document(
        id="x:1",
        source_id="1",
        source="x",
        abstract=(AbstractSection("Forty patients were enrolled.", "METHODS"),),
    )
    assert sample_size(d) == 40
    assert sample_size(Document(id="x:2", source_id="2", source="x", title="No abstract")) is None
