"""The vocabulary a question is read against, and how it is built and stored.

A :class:`Vocabulary` holds general English word frequencies, the medical
words and concept names of MeSH, the drug dictionary and the curated files,
the corpus's own word and bigram counts, and British -> American spelling
pairs. It is built once per corpus (:func:`build_vocabulary`, a few seconds
plus one pass over the store) and saved as MessagePack, with the SymSpell
index pickled beside it, so that a process loads it in well under a second.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import msgspec

from medbrief.types import Document, Recommendation
from medbrief.understand import sources
from medbrief.understand.corpus import CorpusCounts, count_corpus
from medbrief.understand.lexicon import Entry, LexiconBuilder
from medbrief.understand.phonetic import sound_key

#: Bump when the stored layout or the build rules change.
FORMAT = 2
#: English words this frequent are "common English": never a concept on
#: their own unless a vocabulary names them.
COMMON_ENGLISH = 20_000
#: ... and words this frequent cannot anchor a two-word phrase correction.
VERY_COMMON_ENGLISH = 10_000
#: Words at least this long (and with a vocabulary neighbour) are corrected.
_SPELL_PREFIX = 5
_SPELL_DISTANCE = 2
#: Words this long are indexed by sound, for corrections three edits away.
SOUND_INDEX_LENGTH = 8


@dataclass
class Vocabulary:
    english: dict[str, int]
    #: words of every medical name (recognised as correctly spelled)
    medical: frozenset[str]
    #: words of MeSH, curated and generic drug names (what corrections produce)
    core: frozenset[str]
    #: concept entries, stored as rows (see :meth:`Entry.to_row`), built on access
    rows: list[str]
    lexicon: dict[str, int]
    phrases: dict[str, str]
    drug_forms: dict[str, list[str]]
    british: dict[str, str]
    corpus_words: dict[str, int] = field(default_factory=dict)
    corpus_bigrams: dict[str, int] = field(default_factory=dict)
    corpus_tokens: int = 0
    corpus_documents: int = 0
    #: sound key -> long words with that key, space-separated (candidates
    #: three edits away that sound alike)
    sounds: dict[str, str] = field(default_factory=dict)
    #: where the pickled SymSpell index lives (built on first use when absent)
    symspell_path: Path | None = None

    # ------------------------------------------------------------- lookups

    @cached_property
    def english_total(self) -> int:
        return sum(self.english.values()) or 1

    @cached_property
    def common_english(self) -> frozenset[str]:
        return frozenset(list(self.english)[:COMMON_ENGLISH])

    @cached_property
    def very_common_english(self) -> frozenset[str]:
        return frozenset(list(self.english)[:VERY_COMMON_ENGLISH])

    @cached_property
    def protected(self) -> frozenset[str]:
        return sources.protected_words()

    @cached_property
    def american(self) -> dict[str, str]:
        """American -> British, for searching both spellings."""
        return {us: gb for gb, us in self.british.items()}

    def in_dictionary(self, word: str) -> bool:
        """A word of English, of a medical vocabulary, or frequent in the corpus."""
        return (
            word in self.english
            or word in self.medical
            or word in self.protected
            or self.corpus_words.get(word, 0) >= 3
        )

    def per_million(self, word: str) -> float:
        """How common a word is: the larger of its English and corpus rates."""
        english = self.english.get(word, 0) / self.english_total
        corpus = self.corpus_words.get(word, 0) / max(self.corpus_tokens, 1)
        return 1e6 * max(english, corpus)

    def entry(self, key: str) -> Entry | None:
        entry_id = self.lexicon.get(key)
        return None if entry_id is None else Entry.from_row(self.rows[entry_id])

    @cached_property
    def phrase_slots(self) -> dict[str, list[str]]:
        """Phrases one word away: "blood * barrier" -> ["blood brain barrier"]."""
        slots: dict[str, list[str]] = {}
        for key in self.phrases:
            words = key.split(" ")
            if len(words) > 5:
                continue
            for i in range(len(words)):
                slot = " ".join([*words[:i], "*", *words[i + 1 :]])
                slots.setdefault(slot, []).append(key)
        return slots

    @cached_property
    def symspell(self) -> Any:
        """The SymSpell index over every word a correction may produce."""
        from symspellpy import SymSpell

        index = SymSpell(max_dictionary_edit_distance=_SPELL_DISTANCE, prefix_length=_SPELL_PREFIX)
        if self.symspell_path is not None and self.symspell_path.exists():
            index.load_pickle(self.symspell_path, compressed=False)
            return index
        for word in self.correction_targets():
            index.create_dictionary_entry(word, 1 + int(1000 * self.per_million(word)))
        if self.symspell_path is not None:
            _atomic(self.symspell_path, lambda p: index.save_pickle(p, compressed=False))
        return index

    def correction_targets(self) -> Iterable[str]:
        """Words a misspelling may be corrected to: English, medical names, and
        words the corpus uses at least three times."""
        seen: set[str] = set()
        for source in (self.english, self.core, self.corpus_words):
            for word in source:
                if word in seen or not word.isalpha() or len(word) < 3:
                    continue
                if source is self.corpus_words and self.corpus_words[word] < 3:
                    continue
                seen.add(word)
                yield word

    # ------------------------------------------------------------- storage

    def save(self, path: Path) -> None:
        data = {
            "format": FORMAT,
            "english": self.english,
            "medical": sorted(self.medical),
            "core": sorted(self.core),
            "rows": self.rows,
            "lexicon": self.lexicon,
            "phrases": self.phrases,
            "drug_forms": self.drug_forms,
            "british": self.british,
            "corpus_words": self.corpus_words,
            "corpus_bigrams": self.corpus_bigrams,
            "corpus_tokens": self.corpus_tokens,
            "corpus_documents": self.corpus_documents,
            "sounds": self.sounds,
        }
        blob = msgspec.msgpack.encode(data)
        _atomic(path, lambda p: Path(p).write_bytes(blob))

    @classmethod
    def load(cls, path: Path, symspell_path: Path | None = None) -> Vocabulary:
        data = msgspec.msgpack.decode(path.read_bytes())
        if data.get("format") != FORMAT:
            raise ValueError(f"{path}: vocabulary format {data.get('format')}, expected {FORMAT}")
        return cls(
            english=data["english"],
            medical=frozenset(data["medical"]),
            core=frozenset(data["core"]),
            rows=data["rows"],
            lexicon=data["lexicon"],
            phrases=data["phrases"],
            drug_forms=data["drug_forms"],
            british=data["british"],
            corpus_words=data["corpus_words"],
            corpus_bigrams=data["corpus_bigrams"],
            corpus_tokens=data["corpus_tokens"],
            corpus_documents=data["corpus_documents"],
            sounds=data["sounds"],
            symspell_path=symspell_path,
        )

    def stats(self) -> dict[str, int]:
        return {
            "english_words": len(self.english),
            "medical_words": len(self.medical),
            "concept_names": len(self.lexicon),
            "concepts": len(self.rows),
            "phrases": len(self.phrases),
            "british_pairs": len(self.british),
            "sound_keys": len(self.sounds),
            "corpus_documents": self.corpus_documents,
            "corpus_words": len(self.corpus_words),
            "corpus_bigrams": len(self.corpus_bigrams),
        }


def _atomic(path: Path, write: Callable[[str], object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{time.time_ns()}.tmp")
    try:
        write(str(tmp))
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


# ------------------------------------------------------------------- build


def build_vocabulary(
    documents: Iterable[Document] = (),
    recommendations: Iterable[Recommendation] = (),
    progress: Callable[[int], None] | None = None,
) -> Vocabulary:
    """Build the vocabulary from the installed sources and a corpus (may be empty)."""
    counts = count_corpus(documents, recommendations, progress)
    english = sources.english_words()
    builder = LexiconBuilder(sources.eponyms())
    builder.add_mesh(list(sources.mesh_descriptors()))
    builder.add_curated(sources.synonym_sets())
    builder.add_abbreviations(sources.abbreviations())
    drug_forms = builder.add_drugs(sources.drug_variants(), sources.drug_blocklist())
    medical = frozenset(builder.words)
    vocab = Vocabulary(
        english=english,
        medical=medical,
        core=frozenset(builder.core_words),
        rows=[e.to_row() for e in builder.entries],
        lexicon=builder.keys,
        phrases=builder.phrases,
        drug_forms=_rank_forms(drug_forms, counts),
        british=british_pairs(english, medical, counts),
        corpus_words=counts.words,
        corpus_bigrams=counts.bigrams,
        corpus_tokens=counts.tokens,
        corpus_documents=counts.documents,
    )
    sounds: dict[str, list[str]] = {}
    for word in vocab.correction_targets():
        if len(word) >= SOUND_INDEX_LENGTH:
            sounds.setdefault(sound_key(word), []).append(word)
    vocab.sounds = {key: " ".join(words) for key, words in sounds.items()}
    return vocab


_CHEMICAL = re.compile(r"methyl|ethyl|amino|hydro|chlor|fluor|brom|iod|acid|guan|phen|benz|oxy|yl$")
MAX_DRUG_FORMS = 6


def _rank_forms(forms: dict[str, list[str]], counts: CorpusCounts) -> dict[str, list[str]]:
    """The other names of each drug worth searching: those the corpus uses,
    most used first, then the brand names. The dictionary lists a drug's
    brand names (from MedlinePlus) right after the generic, before its
    salts, chemical names and translations, so brands are read up to the
    first name that spells the generic or looks chemical."""
    ranked: dict[str, list[str]] = {}
    for canonical, variants in forms.items():
        used = sorted(
            (-n, v)
            for v in variants
            if (n := counts.bigrams.get(v, 0) if " " in v else counts.words.get(v, 0))
        )
        names = [v for _, v in used]
        stem = canonical[:5]
        for v in variants:
            if v.startswith(stem) or any(c.isdigit() for c in v) or _CHEMICAL.search(v):
                break
            if v.isalpha():
                names.append(v)
        ranked[canonical] = list(dict.fromkeys(names))[:MAX_DRUG_FORMS]
    return ranked


# British -> American spelling rules for Greek/Latin medical words (Oxford and
# Merriam-Webster conventions): haem- -> hem-, oe- -> e-, -our -> -or,
# -ise/-isation -> -ize/-ization, -tre -> -ter, -yse -> -yze, sulph- -> sulf-.
_US_RULES = (
    (re.compile(r"^aetiol"), "etiol"),
    (re.compile(r"(?<=\w)ae"), "e"),
    (re.compile(r"^oe|oe(?=a)|(?<=^f)oe|(?<=^c)oe"), "e"),
    (re.compile(r"(?<=\w\w)our(?=s?$|ed$|ing$|al$|ite$)"), "or"),
    (re.compile(r"(?<=\w\w)is(?=e$|es$|ed$|ing$|ation$|ations$)"), "iz"),
    (re.compile(r"(?<=\w\w)tre(?=s?$)"), "ter"),
    (re.compile(r"(?<=\w\w)ys(?=e$|es$|ed$|ing$)"), "yz"),
    (re.compile(r"^sulph"), "sulf"),
)


def americanize(word: str) -> str:
    for pattern, repl in _US_RULES:
        word = pattern.sub(repl, word)
    return word


def british_pairs(
    english: dict[str, int], medical: frozenset[str], counts: CorpusCounts
) -> dict[str, str]:
    """British spelling -> American, where the American form is a known medical
    or corpus word (so that "does" never becomes "des")."""
    known = medical | counts.words.keys()
    pairs: dict[str, str] = {}
    for word in (*english, *counts.words):
        if len(word) < 5 or not word.isalpha():
            continue
        us = americanize(word)
        if us != word and len(us) >= 4 and (us in known or us.removesuffix("s") in known):
            pairs[word] = us
    return pairs
