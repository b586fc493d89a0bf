"""Reading a question against a corpus: the corpus's own rare words are
words, not typos, and framing verbs do not glue onto concepts."""

from __future__ import annotations

import pytest

from medbrief.types import AbstractSection, Document, Reading
from medbrief.understand import Reader
from medbrief.understand.vocabulary import build_vocabulary

#: word -> how many documents use it: each rare word has a frequent neighbour
#: one or two edits away that a typo check could mistake it for
_COUNTS = {
    "conditions": 40,
    "cognitions": 3,
    "revascularization": 40,
    "devascularization": 3,
    "vascularization": 3,
    "oncological": 40,
    "oncologically": 3,
    "policies": 40,
    "peliosis": 40,
    "poliosis": 2,
    "vitiligo": 5,
    "pharmacotherapy": 5,
    "intrathecal": 5,
    "intrathecally": 3,
}


def _corpus() -> list[Document]:
    docs = []
    for word, n in _COUNTS.items():
        for i in range(n):
            text = f"The {word} were studied in patients with chronic pain and hypertension."
            docs.append(
                Document(
                    id=f"t:{word}{i}",
                    source_id=f"{word}{i}",
                    source="t",
                    title=f"Study {i} of {word}",
                    abstract=(AbstractSection(text),),
                )
            )
    return docs


@pytest.fixture(scope="module")
def reader() -> Reader:
    return Reader(build_vocabulary(_corpus()))


def fixes(reading: Reading) -> list[tuple[str, str]]:
    return [(f.original, f.corrected) for f in reading.corrections]


@pytest.mark.parametrize(
    "question",
    [
        "is there an influence of pain-related cognitions?",
        "esophagogastric devascularization in portal hypertension",
        "is partial prostatectomy oncologically adequate?",
    ],
)
def test_a_regular_form_of_a_known_word_is_not_a_corpus_typo(reader: Reader, question: str) -> None:
    # "cognitions" is cognition + s, "devascularization" de + vascularization,
    # "oncologically" oncological + ly: not slips for their frequent neighbours
    assert fixes(reader.read(question)) == []


def test_a_rare_term_of_art_the_corpus_uses_is_kept(reader: Reader) -> None:
    # not taken for "peliosis", one letter away and twenty times as frequent
    reading = reader.read("Is poliosis associated with vitiligo?")
    assert fixes(reading) == []
    assert "poliosis" in [c.label for c in reading.concepts]


def test_a_term_of_art_is_never_corrected_to_an_everyday_word(reader: Reader) -> None:
    # unknown to the corpus: an "-osis" word may only become another "-osis" word
    corrected = reader.speller.suggest("poliosys")
    assert corrected != "policies"
    assert reader.speller.suggest("poliosis") != "policies"


def test_a_framing_verb_is_not_part_of_a_concept(reader: Reader) -> None:
    reading = reader.read("Can third trimester ultrasound predict the presentation of twins?")
    labels = [c.label for c in reading.concepts]
    assert not any("predict" in label for label in labels), labels
    reading = reader.read("is carotenodermia caused by an excess of lycopene in the diet?")
    assert not any("caused" in c.label for c in reading.concepts)
    reading = reader.read("Should women with a history of preeclampsia take aspirin?")
    assert not any("take" in c.label for c in reading.concepts), reading.concepts
    # a population is not a sub-topic
    reading = reader.read("Should nonpregnant adults be screened for syphilis?")
    assert "nonpregnant" not in [c.label for c in reading.concepts]


def test_an_everyday_word_the_corpus_never_puts_beside_a_term_is_no_part_of_it(
    reader: Reader,
) -> None:
    # "get" and "continued" are everyday words no stored text joins to the term
    reading = reader.read("Should pregnant smokers get pharmacotherapy?")
    assert "pharmacotherapy" in [c.label for c in reading.concepts], reading.concepts
    reading = reader.read("Should baclofen be continued intrathecally?")
    concept = next(c for c in reading.concepts if "intrathecally" in c.label)
    # and an adverb is searched by the adjective the corpus uses
    assert concept.label == "intrathecally" and "intrathecal" in concept.terms


def test_a_question_in_capitals_is_read_in_lower_case(reader: Reader) -> None:
    reading = reader.read("IS HIV TESTING USEFUL IN THE CITY OF MELILLA?")
    labels = [c.label for c in reading.concepts]
    assert "THE" not in labels and "CITY" not in labels
    assert "HIV" in reading.corrected
    assert "the question is in capitals; read in lower case" in reading.notes
