"""Normalised strength and certainty: one case per documented rule."""

from __future__ import annotations

import pytest

from medbrief.ingest.grading import (
    normalise_certainty,
    normalise_strength,
    uspstf_direction,
)

USPSTF = "U.S. Preventive Services Task Force (USPSTF)"


@pytest.mark.parametrize(
    ("strength", "body", "expected"),
    [
        ("strong", None, "strong"),
        ("conditional", None, "conditional"),
        ("Weak", None, "conditional"),
        (
            "Good practice statement (expert consensus; not a graded recommendation)",
            None,
            "good-practice",
        ),
        ("Grade 1B", None, "strong"),
        ("Grade 2C", None, "conditional"),
        ("Grade A", USPSTF, "strong"),
        ("Grade B", USPSTF, "strong"),
        ("Grade C", USPSTF, "conditional"),
        ("Grade D", USPSTF, "strong"),
        ("Grade I", USPSTF, "insufficient"),
        ("Grade A", None, "unknown"),  # ambiguous without the grading system
        ("Grade E", "ADA", "expert-opinion"),
        ("Grade A", "ADA", "unknown"),  # ADA letters grade evidence, not strength
        ("Level A", "American Academy of Neurology (AAN)", "strong"),
        ("Level B", None, "conditional"),
        ("Level U", None, "insufficient"),
        ("Class I", None, "strong"),
        ("Class IIa", None, "conditional"),
        ("Class IIb", None, "conditional"),
        ("COR 2b", None, "conditional"),
        ("Class III: No Benefit", None, "conditional"),
        ("Class III: Harm", None, "strong"),
        ("STANDARD (highest level)", None, "strong"),
        ("OPTION (lowest of STANDARD/GUIDELINE/OPTION)", None, "conditional"),
        ("n/a (consensus-based guidance for children)", None, "expert-opinion"),
        ("'effective' (IRLSSG efficacy conclusion from Class I evidence)", None, "unknown"),
        ("NYHA Class III-IV", None, "unknown"),
        ("Level IIB", "BTF", "unknown"),
        ("no level", None, "unknown"),
        (None, None, "unknown"),
    ],
)
def test_strength(strength: str | None, body: str | None, expected: str) -> None:
    assert normalise_strength(strength, body) == expected


@pytest.mark.parametrize(
    ("certainty", "strength", "body", "expected"),
    [
        ("moderate", None, None, "moderate"),
        ("very low", None, None, "very-low"),
        ("Very low quality of evidence", None, None, "very-low"),
        ("moderate certainty ⨁⨁⨁○", None, None, "moderate"),
        ("⨁⨁◯◯", None, None, "low"),
        ("LOE B-NR", None, None, "moderate"),
        ("Level of Evidence C-EO", None, None, "very-low"),
        ('Level of evidence "C" (EBMG scale)', None, None, "low"),
        ("strong evidence (AAN scheme)", None, None, "high"),
        ("Class IV only", None, None, "very-low"),
        ("not graded (consensus)", None, None, "not-graded"),
        ("not applicable", None, None, "not-graded"),
        ("not stated in stored copies", "conditional", None, "unknown"),
        (None, "Grade 1B", None, "moderate"),  # the letter of a GRADE code
        (None, "COR 2b, LOE C-LD", None, "low"),  # not the "2b" of the class
        (None, "Grade B", "ADA", "moderate"),
        (None, "Grade A", USPSTF, "unknown"),  # never invented
    ],
)
def test_certainty(
    certainty: str | None, strength: str | None, body: str | None, expected: str
) -> None:
    assert normalise_certainty(certainty, strength, body) == expected


def test_uspstf_direction() -> None:
    assert [uspstf_direction(g) for g in "ABCDI"] == ["for", "for", "for", "against", None]
