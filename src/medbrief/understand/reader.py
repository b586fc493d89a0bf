"""The Reader: one question in, one :class:`~medbrief.types.Reading` out.

Steps, in order: clean and validate the text; correct spelling; resolve
abbreviations; extract concepts (with their synonyms, brand/generic names
and spelling variants); assemble the lexical query; note anything unusual.
"""

from __future__ import annotations

import re

from medbrief.types import Concept, Expansion, Reading, SpellingFix
from medbrief.understand.abbreviations import AbbreviationTable, Resolution
from medbrief.understand.concepts import ConceptExtractor
from medbrief.understand.spelling import Fix, Speller, osa_distance
from medbrief.understand.text import (
    STOP_WORDS,
    Token,
    adverb_of,
    clean,
    foreign_scripts,
    key_words,
    singular,
    tokenize,
    validate_question,
)
from medbrief.understand.units import split_units
from medbrief.understand.vocabulary import Vocabulary

#: Below this many documents the corpus is too small to say a word is absent
#: from it on purpose.
MIN_CORPUS_DOCUMENTS = 500
#: Extra terms of one concept added to the lexical query (the rest stay in
#: ``Concept.terms`` for retrieval to use as it sees fit).
MAX_TERMS_SEARCHED = 4
DEFAULT_MAX_CHARS = 2000


class Reader:
    def __init__(self, vocabulary: Vocabulary, *, max_chars: int = DEFAULT_MAX_CHARS) -> None:
        self.vocabulary = vocabulary
        self.max_chars = max_chars
        self.abbreviations = AbbreviationTable(english=vocabulary.english)
        self.speller = Speller(vocabulary, self.abbreviations)
        self.extractor = ConceptExtractor(vocabulary)

    def read(self, question: str) -> Reading:
        text = validate_question(question, self.max_chars)
        notes = list(clean(question)[1])
        if _shouted(text):
            # capitals carry no meaning in an all-capitals question; read as
            # they are, every word would look like a gene symbol or acronym
            text = self._lower_case(text)
            notes.append("the question is in capitals; read in lower case")
        tokens = tokenize(text)
        scripts = foreign_scripts(tokens)
        if scripts:
            notes.append(
                f"the question contains {' and '.join(scripts)} script; those words are "
                "searched as given, without spelling correction or concept matching"
            )
        fixes = self.speller.correct(text, tokens)
        corrected = apply_fixes(text, fixes)
        tokens = tokenize(corrected)
        resolutions = self._resolve(tokens)
        expansions = [
            Expansion(tokens[i].text, r.sense.expansion)
            for i, r in sorted(resolutions.items())
            if r.sense is not None
        ]
        for r in resolutions.values():
            if r.sense is None:
                senses = ", ".join(s.expansion for s in r.ambiguous)
                notes.append(f"{r.abbreviation} is ambiguous ({senses}); searched as written")
        concepts, synonyms, excluded = self.extractor.extract(corrected, tokens, resolutions)
        for label in excluded:
            notes.append(
                f"'{label}' is read as an exclusion (whom or what the question leaves out), "
                "not a sub-topic"
            )
        expansions.extend(synonyms)
        expansions.extend(self._spelling_variants(tokens))
        if not concepts:
            notes.append("no medical terms recognised in the question; searched as written")
        expansions = list(dict.fromkeys(expansions))
        unknown = self._unknown_terms(tokens, concepts)
        if unknown:
            notes.append("no stored document mentions " + ", ".join(f"'{w}'" for w in unknown))
        return Reading(
            question=question,
            corrected=corrected,
            corrections=tuple(SpellingFix(f.original, f.replacement) for f in fixes),
            expansions=tuple(expansions),
            concepts=concepts,
            search_text=self._search_text(tokens, expansions, concepts),
            notes=tuple(dict.fromkeys(notes)),
            unknown_terms=unknown,
        )

    def _lower_case(self, text: str) -> str:
        """Every word in lower case except what reads as an abbreviation (HIV,
        COPD): a known one, or a short word that is not common English."""

        def lower(m: re.Match[str]) -> str:
            word = m.group()
            lower = word.lower()
            short = len(word) <= 5 and lower not in self.vocabulary.common_english
            keep = self.abbreviations.is_abbreviation(word) or (short and lower not in STOP_WORDS)
            return word if keep else lower

        return re.sub(r"[A-Za-z][\w'-]*", lower, text)

    def _unknown_terms(self, tokens: list[Token], concepts: tuple[Concept, ...]) -> tuple[str, ...]:
        """Content words outside every concept that the corpus never uses;
        not a word of framing or population ("teenagers": ``nonconcepts.txt``),
        which is read for whom the question asks about, not searched for, nor
        a slip of a function word the speller left ("shoud")."""
        vocab = self.vocabulary
        if vocab.corpus_documents < MIN_CORPUS_DOCUMENTS:
            return ()
        covered = {w for c in concepts for t in (c.label, *c.terms) for w in key_words(t)}
        out = []
        for unit in split_units(tokens):
            word = unit.bare
            if not unit.is_word or len(word) < 4 or word in STOP_WORDS:
                continue
            if word in covered or singular(word) in covered or word in vocab.medical:
                continue
            if word in self.extractor.nonconcepts or _slip_of_a_stop_word(word):
                continue
            if adverb_of(word, vocab.english):
                continue
            if not any(vocab.corpus_words.get(w, 0) for w in (word, singular(word))):
                out.append(unit.text)
        return tuple(dict.fromkeys(out))

    def _resolve(self, tokens: list[Token]) -> dict[int, Resolution]:
        context = {t.lower for t in tokens}
        context |= {u.bare for u in split_units(tokens)}
        found: dict[int, Resolution] = {}
        for i, tok in enumerate(tokens):
            previous = tokens[i - 1].text if i else None
            resolution = self.abbreviations.resolve(tok.text, context, previous)
            if resolution is not None:
                found[i] = resolution
        return found

    def _spelling_variants(self, tokens: list[Token]) -> list[Expansion]:
        """British spellings, searched in their American form as well."""
        out = []
        for unit in split_units(tokens):
            us = self.vocabulary.british.get(unit.bare)
            if us is not None:
                out.append(Expansion(unit.text, us))
        return out

    def _search_text(
        self, tokens: list[Token], expansions: list[Expansion], concepts: tuple[Concept, ...]
    ) -> str:
        parts = [t.text for t in tokens if t.lower not in STOP_WORDS]
        seen = {w for p in parts for w in key_words(p)}
        extra = [e.expansion for e in expansions]
        for concept in concepts:
            extra.extend(concept.terms[: MAX_TERMS_SEARCHED + 1])
        for term in extra:
            words = key_words(term)
            if any(w not in seen and w not in STOP_WORDS for w in words):
                parts.append(term)
                seen.update(words)
        return " ".join(parts)


def _shouted(text: str) -> bool:
    """Written in capitals: at least four words, and nearly no lower-case letter."""
    letters = [c for c in text if c.isalpha()]
    return len(text.split()) >= 4 and sum(c.isupper() for c in letters) >= 0.9 * len(letters)


def apply_fixes(text: str, fixes: list[Fix]) -> str:
    out = []
    last = 0
    for fix in sorted(fixes, key=lambda f: f.start):
        out.append(text[last : fix.start])
        out.append(fix.replacement)
        last = fix.end
    out.append(text[last:])
    return "".join(out)


def _slip_of_a_stop_word(word: str) -> bool:
    """One edit from a function word ("shoud", "wich"): no topic of its own."""
    return any(
        abs(len(stop) - len(word)) <= 1 and osa_distance(word, stop) == 1 for stop in STOP_WORDS
    )
