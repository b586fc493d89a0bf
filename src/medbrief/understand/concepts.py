"""Concept extraction: the things a question is about.

Longest match, left to right, of the question's word units against the
concept lexicon (curated synonym sets, MeSH names, drug names; British
spellings tried in their American form), with abbreviations read through
their resolved sense. Words left over are grouped into content phrases and
kept as concepts only when they look domain-specific (not common English).
Question framing and populations ("link", "should ... be given", "adults")
never make a concept on their own, and names of the same concept (RLS,
restless legs syndrome, Willis-Ekbom disease) merge into one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from medbrief.types import Concept, Expansion
from medbrief.understand import sources
from medbrief.understand.abbreviations import Resolution
from medbrief.understand.lexicon import CURATED, Entry
from medbrief.understand.text import (
    STOP_WORDS,
    Token,
    adverb_of,
    fold,
    key_words,
    noun_of_verb,
    singular,
)
from medbrief.understand.units import Unit, runs, split_units
from medbrief.understand.vocabulary import Vocabulary, americanize

MAX_WORDS = 6
MAX_CONCEPTS = 8
MAX_DRUG_NAMES = 6
#: Concepts that name what is done rather than what it is done about; they
#: follow the topic concepts ("colorectal cancer; screening").
ASPECTS = frozenset({"screening", "diagnosis", "prevention", "prognosis", "vaccination"})
#: A concept right after these words says whom the question excludes ("adults
#: without heart disease"): it narrows the population, it is not a sub-topic.
_EXCLUDING = re.compile(
    r"\b(?:(?<!with or )without|free of|excluding|no (?:history of|known|prior|previous))\s+"
    r"(?:(?:a|an|any|known|prior|previous|established|existing|pre-?existing|overt|clinical)\s+)*$",
    re.IGNORECASE,
)
#: a bare "no" before a disease: "is aspirin ok for a 65 year old man no heart disease"
_NO = re.compile(r"\bno\s+(?:(?:known|prior|previous|established|history of)\s+)*$", re.I)
#: "non-diabetic adults", "non smokers": a one-word name of people or of a
#: state right after "non" excludes it, as "without" does. Not a longer name
#: ("non-small cell lung cancer", "non-ST elevation MI", "non-cardiac surgery"
#: are kinds of their own): only a single word read as the concept.
_NON = re.compile(r"\bnon[\s\-]?$", re.IGNORECASE)
_NON_ADJECTIVE = re.compile(r"(?:ics?|ers|ants?|ives?)$", re.IGNORECASE)
#: "biopsy-proven NASH", "culture-confirmed sepsis": the test qualifies the
#: condition after it (how it was known), it is not a sub-topic of the question
_QUALIFYING = frozenset({"proven", "confirmed", "documented", "verified"})
#: the head noun of a procedure MeSH 2015 does not name ("left atrial
#: appendage occlusion", MeSH 2021's Left Atrial Appendage Closure; "bridging
#: anticoagulation"): read as one only where MeSH gives the name no category
PROCEDURE_HEAD = re.compile(
    r"(?:occlusion|closure|ablation|repair|replacement|implantation|transplantation|"
    r"ectomy|plasty|ostomy|otomy|scopy|anticoagulation|cultures?)$"
)
#: words joining two names that share their last word ("rate vs rhythm control")
_COORDINATORS = frozenset({"vs", "versus", "or", "and", "v"})


@dataclass
class _Found:
    key: str
    position: int
    label: str
    mesh_ui: str | None
    terms: list[str] = field(default_factory=list)
    surfaces: list[str] = field(default_factory=list)
    drug: bool = False


class ConceptExtractor:
    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.nonconcepts = sources.nonconcepts()
        self.eponyms = sources.eponyms()
        self.drug_classes = sources.drug_classes()
        self.class_names = sources.class_names()
        self.classes_of = sources.classes_of()
        self.groups_of = sources.condition_groups_of()
        self.kinds = sources.condition_kinds()
        self.screens = sources.screening_tests()
        self.broader = sources.broader_classes()

    def extract(
        self, text: str, tokens: list[Token], resolutions: dict[int, Resolution]
    ) -> tuple[tuple[Concept, ...], tuple[Expansion, ...], tuple[str, ...]]:
        """Concepts, synonym expansions, and the labels of excluded concepts."""
        units = split_units(tokens)
        found: dict[str, _Found] = {}
        expansions: list[Expansion] = []
        for run in runs(text, units):
            self._match_run(text, units, run, resolutions, found, expansions)
        self._screened(found)
        ordered = sorted(found.values(), key=lambda f: (f.label in ASPECTS, f.position))
        excluded = [f for f in ordered if self._excluded(text, f)]
        if len(excluded) == len(ordered):
            excluded = []  # "surgery without anaesthesia?" asks about what it excludes
        kept = [f for f in ordered if f not in excluded][:MAX_CONCEPTS]
        broader = {f.key: self._classes(f) for f in kept}
        # a class two concepts share, or one that is itself a concept, tells
        # neither apart ("ticagrelor over clopidogrel")
        counts = Counter(c for names in broader.values() for c in names)
        labels = {fold(f.label) for f in kept}
        shared = {c for c, n in counts.items() if n > 1 or fold(c) in labels}
        concepts = tuple(
            self._concept(f, [c for c in broader[f.key] if c not in shared]) for f in kept
        )
        return concepts, tuple(dict.fromkeys(expansions)), tuple(f.label for f in excluded)

    def _screened(self, found: dict[str, _Found]) -> None:
        """A screening test named without a condition asks about screening
        for what it screens for (``screening_tests.tsv``): "colonoscopy at
        76" is colorectal cancer screening, and the test is named by that
        screening's names."""
        tests = [
            (f, condition)
            for f in found.values()
            for name in (f.label, *f.surfaces)
            for condition in self.screens.get(fold(name), ())
        ]
        if not tests or any(self._is_condition(f) for f in found.values()):
            return
        for f, condition in tests:
            entry = self._lookup(key_words(condition))
            if entry is not None:
                self._add(found, entry, condition, f.position)
            # and statements on that screening speak of the test: "The USPSTF
            # recommends screening for colorectal cancer in all adults aged 50
            # to 75 years" is a position on colonoscopy as a screening test
            f.terms.extend((f"screening for {condition}", f"{condition} screening"))
        screening = self._lookup(["screening"])
        if screening is not None:
            self._add(found, screening, "screening", max(f.position for f, _ in tests))

    @staticmethod
    def _categories(f: _Found) -> frozenset[str]:
        """Its MeSH tree categories (data/mesh/categories.tsv)."""
        by_ui, by_name = sources.mesh_categories()
        return by_ui.get(f.mesh_ui or "") or by_name.get(fold(f.label), frozenset())

    def _treatment(self, f: _Found) -> bool:
        """A drug, a class of drugs, or a procedure or test by its MeSH tree
        (D chemicals and drugs, E techniques) and no disease."""
        if f.drug or fold(f.label) in self.drug_classes:
            return True
        cats = self._categories(f)
        if not cats:
            return bool(PROCEDURE_HEAD.search(f.label.lower()))
        return bool(cats & {"D", "E"}) and not cats & {"C", "F03"}

    @classmethod
    def _is_condition(cls, f: _Found) -> bool:
        """A disease or a mental disorder by its MeSH tree (C, F03)."""
        return bool(cls._categories(f) & {"C", "F03"})

    def _excluded(self, text: str, found: _Found) -> bool:
        """Whether the question names ``found`` as whom or what it leaves out.
        A treatment or test after "without" is what the question asks about
        going without ("cardioversion without anticoagulation", "thrombolysis
        without CT"), not whom it leaves out, unlike a condition ("adults
        without heart disease")."""
        before = text[: found.position]
        excluding = _EXCLUDING.search(before)
        if excluding:
            return not (excluding.group(0).lower().startswith("without") and self._treatment(found))
        if _NO.search(before) and self._is_condition(found):
            return True  # "a 65 year old man, no heart disease"
        return bool(_NON.search(before)) and any(
            " " not in s and bool(_NON_ADJECTIVE.search(s)) for s in found.surfaces
        )

    # -------------------------------------------------------------- matching

    def _match_run(
        self,
        text: str,
        units: list[Unit],
        run: list[int],
        resolutions: dict[int, Resolution],
        found: dict[str, _Found],
        expansions: list[Expansion],
    ) -> None:
        i = 0
        leftover: list[int] = []
        while i < len(run):
            unit = units[run[i]]
            resolution = resolutions.get(unit.token)
            if resolution is not None:
                self._flush(text, units, leftover, found)
                i += self._abbreviation(text, units, run, i, resolution, found)
                continue
            width, entry = self._longest(units, run[i:], resolutions)
            if entry is None:
                leftover.append(run[i])
                i += 1
                continue
            self._flush(text, units, leftover, found)
            if i + width < len(run) and units[run[i + width]].bare in _QUALIFYING:
                i += width + 1
                continue
            span = units[run[i]].start, units[run[i + width - 1]].end
            surface = text[span[0] : span[1]]
            if (width > 1 and not self._framing(units, run[i : i + width])) or self._is_topic(
                units[run[i]].bare, entry
            ):
                self._add(found, entry, surface, span[0])
                synonym = self._synonym_expansion(surface, entry)
                if synonym is not None:
                    expansions.append(synonym)
                if width > 1:
                    self._coordinated(text, units, run[i], width, found)
            i += width
        self._flush(text, units, leftover, found)

    def _coordinated(
        self, text: str, units: list[Unit], start: int, width: int, found: dict[str, _Found]
    ) -> None:
        """The other half of a shared head: in "rate vs. rhythm control" or
        "breast or lung cancer" the word before the coordinator takes the
        matched phrase's other words, when that makes a name of its own ("rate
        control", "breast cancer"), and is then no concept by itself."""
        if start < 2 or units[start - 1].bare not in _COORDINATORS:
            return
        first, joiner = units[start - 2], units[start - 1]
        gaps = (text[first.end : joiner.start], text[joiner.end : units[start].start])
        if any(gap.strip() not in ("", ".") for gap in gaps) or self._framing_word(first.bare):
            return
        rest = [units[idx].bare for idx in range(start + 1, start + width)]
        entry = self._lookup([first.bare, *rest])
        if entry is None:
            return
        for key in [k for k, f in found.items() if f.surfaces == [first.text]]:
            del found[key]
        self._add(found, entry, f"{first.text} {' '.join(rest)}", first.start)

    def _abbreviation(
        self,
        text: str,
        units: list[Unit],
        run: list[int],
        i: int,
        resolution: Resolution,
        found: dict[str, _Found],
    ) -> int:
        """Read an abbreviation through its sense, with the words after it when
        they continue the phrase ("RSV vaccine" is respiratory syncytial virus
        vaccines; the "cholesterol" of "LDL cholesterol" is LDL's own).
        Returns the number of units used."""
        token = units[run[i]].token
        width = sum(1 for idx in run[i:] if units[idx].token == token)
        start = units[run[i]].start
        listed = self._listed_name([units[idx].bare for idx in run[i : i + width + 3]], width)
        if listed is not None:
            n, name = listed
            self._add(found, name, text[start : units[run[i + n - 1]].end], start)
            return n
        if resolution.sense is None:
            # an ambiguous abbreviation (ASD: autism spectrum disorder or atrial
            # septal defect) is still a sub-topic of the question, read as written
            abbreviation = resolution.abbreviation
            self._add(found, Entry(abbreviation, None, "text"), abbreviation, units[run[i]].start)
            return width
        expansion = key_words(resolution.sense.expansion)
        after = [units[idx].bare for idx in run[i + width : i + width + 3]]
        for n in range(len(after), 0, -1):
            entry = self._lookup([*expansion, *after[:n]])
            if entry is not None:
                end = units[run[i + width + n - 1]].end
                self._add(found, entry, text[start:end], start)
                return width + n
        entry = self._lookup(expansion)
        if entry is not None and " ".join(expansion) not in self.nonconcepts:
            self._add(found, entry, resolution.abbreviation, start)
        overlap = bool(after) and singular(after[0]) == expansion[-1]
        return width + int(overlap)

    def _longest(
        self, units: list[Unit], rest: list[int], resolutions: dict[int, Resolution]
    ) -> tuple[int, Entry | None]:
        limit = 0
        for idx in rest[:MAX_WORDS]:
            if units[idx].token in resolutions:
                break
            limit += 1
        listed = self._listed_name([units[idx].bare for idx in rest[:MAX_WORDS]], limit)
        if listed is not None:
            return listed
        for n in range(limit, 0, -1):
            entry = self._lookup([units[idx].bare for idx in rest[:n]])
            if entry is not None:
                return n, entry
        noun = _noun_of_verb(units[rest[0]].bare, self.vocab.common_english)
        if noun is None:
            return 1, None
        # the noun by its entry, or as the domain word it is ("cardioversion")
        entry = self._lookup([noun])
        return 1, entry or (Entry(noun, None, "text") if self._domain_word(noun) else None)

    def _listed_name(self, words: list[str], shortest: int) -> tuple[int, Entry] | None:
        """The longest curated name made of more than ``shortest`` of the
        leading ``words``: a listed name may run on into an abbreviation
        ("GLP1 RA" and "GLP-1 RA" are a class of drugs, not GLP1 and
        rheumatoid arthritis)."""
        for n in range(len(words), shortest, -1):
            entry = self._lookup(words[:n])
            if entry is not None and entry.kind == CURATED:
                return n, entry
        return None

    def _lookup(self, words: list[str]) -> Entry | None:
        """The entry named by these words, also in American spelling."""
        for variant in (words, [americanize(w) for w in words]):
            entry = self.vocab.entry(" ".join(singular(w) for w in variant))
            if entry is not None:
                return entry
        return None

    def _framing_word(self, word: str) -> bool:
        """A stop word or a word questions are framed with ("risk", "effect")."""
        return word in STOP_WORDS or word in self.nonconcepts or singular(word) in self.nonconcepts

    def _framing(self, units: list[Unit], span: list[int]) -> bool:
        """A phrase of framing words only: "risk factors" is a MeSH heading,
        but in "Is X a risk factor for Y?" it is how the question is asked."""
        return all(self._framing_word(units[j].bare) for j in span)

    def _is_topic(self, word: str, entry: Entry) -> bool:
        """A one-word match that names a topic, not the question's framing."""
        if len(word) < 3 or word.isdigit() or self._framing_word(word):
            return False
        return entry.kind != "drug" or word not in self.vocab.common_english or bool(entry.label)

    def _flush(
        self, text: str, units: list[Unit], leftover: list[int], found: dict[str, _Found]
    ) -> None:
        """Unmatched words: gene and protein symbols (BRCA1, KRAS) are concepts;
        runs of content words are, when they look domain-specific."""
        content = []
        for idx in leftover:
            unit = units[idx]
            if _SYMBOL.match(unit.text):
                same = [u for u in units if u.token == unit.token]
                symbol = text[same[0].start : same[-1].end]  # CHA2DS2-VASc, not CHA2DS2
                self._add(found, Entry(symbol, None, "text"), symbol, unit.start)
            elif (
                unit.is_word
                and not self._framing_word(unit.bare)
                and not adverb_of(unit.bare, self.vocab.english)
            ):
                content.append(idx)
        leftover.clear()
        phrase: list[int] = []
        for idx in [*content, -1]:
            if idx != -1 and (not phrase or idx == phrase[-1] + 1) and len(phrase) < 4:
                phrase.append(idx)
                continue
            for part in self._split_unused(units, phrase):
                if any(self._domain_word(units[k].bare) for k in part):
                    start, end = units[part[0]].start, units[part[-1]].end
                    label = self._shown(text[start:end])
                    self._add(found, Entry(label, None, "text"), text[start:end], start)
            phrase = [idx] if idx != -1 else []

    def _split_unused(self, units: list[Unit], phrase: list[int]) -> list[list[int]]:
        """A run of unmatched words split where the corpus never puts the two
        words together, when a side still has a domain word: "third
        trimester ultrasound" is two concepts, since no stored text says
        "trimester ultrasound"; "sectoral heterochromia" stays one; and a
        side of common words only is dropped (by the caller): "get
        pharmacotherapy" is "pharmacotherapy", "continued perioperatively"
        "perioperatively"."""
        bigrams = self.vocab.corpus_bigrams
        if len(phrase) < 2 or not bigrams:
            return [phrase] if phrase else []
        for cut in range(1, len(phrase)):
            pair = f"{units[phrase[cut - 1]].bare} {units[phrase[cut]].bare}"
            if bigrams.get(pair, 0):
                continue
            left, right = phrase[:cut], phrase[cut:]
            if any(any(self._domain_word(units[k].bare) for k in side) for side in (left, right)):
                return [left, *self._split_unused(units, right)]
        return [phrase]

    def _domain_word(self, word: str) -> bool:
        if word in self.vocab.common_english or len(word) < 4:
            return False
        forms = {word, singular(word), americanize(word)}
        return any(w in self.vocab.medical or self.vocab.corpus_words.get(w, 0) >= 3 for w in forms)

    # -------------------------------------------------------------- results

    def _add(self, found: dict[str, _Found], entry: Entry, surface: str, position: int) -> None:
        label = entry.label or self._shown(surface)
        american = " ".join(americanize(w) if w.islower() else w for w in surface.split(" "))
        if entry.kind == "mesh" and fold(american) == fold(label):
            label = self._shown(american)  # "catheter" as asked, not MeSH's "Catheters"
        key = entry.mesh_ui or fold(entry.drug or label)
        item = found.get(key)
        if item is None:
            item = found[key] = _Found(key, position, label, entry.mesh_ui)
            item.terms.extend(entry.terms)
            if entry.drug:
                item.terms.append(entry.drug)
                item.terms.extend(self.vocab.drug_forms.get(entry.drug, [])[:MAX_DRUG_NAMES])
        item.surfaces.append(surface)
        item.drug = item.drug or entry.kind == "drug" or bool(entry.drug)

    def _synonym_expansion(self, surface: str, entry: Entry) -> Expansion | None:
        """A different name for the concept (brand -> generic, eponym -> name),
        not a plural or a British spelling of the same name."""
        label = entry.label or entry.drug
        if not label:
            return None
        asked = fold(" ".join(americanize(w) for w in surface.lower().split(" ")))
        if asked == fold(label) or asked[:5] == fold(label)[:5]:
            return None
        return Expansion(surface, label)

    def _classes(self, f: _Found) -> list[str]:
        """The names of the drug classes or condition groups a concept is a
        member of (``drug_classes.tsv``, ``condition_groups.tsv``), or, for a
        class, the wider classes that hold it (loop diuretics: diuretics)."""
        names: list[str] = []
        for name in (f.label, *f.surfaces):
            names.extend(self.classes_of.get(fold(name), ()))
            names.extend(self.groups_of.get(fold(name), ()))
            names.extend(self.broader.get(fold(name), ()))
        return list(dict.fromkeys(names))

    def _concept(self, f: _Found, classes: list[str]) -> Concept:
        terms: list[str] = []
        seen = {fold(f.label)}
        # a member is named by its classes' names too: "Do not use diuretics
        # to prevent AKI" is a position on furosemide
        related: list[str] = list(classes)
        for name in (f.label, *f.surfaces):
            # a class is searched by its other names and its members' names
            # too (drug_classes.tsv)
            related.extend(self.class_names.get(fold(name), ()))
            related.extend(self.drug_classes.get(fold(name), ()))
            # a condition by its kinds' names (condition_kinds.tsv)
            related.extend(self.kinds.get(fold(name), ()))
            # "low-dose aspirin" is aspirin at a dose: sources name the drug
            dosed = _DOSE_MODIFIER.match(name)
            if dosed:
                related.append(dosed.group(1))
        # A name that contains the label ("iron powder", "reduced iron" for
        # iron) matches nothing the label does not, and searching its extra
        # word only pulls retrieval off topic.
        label_words = set(key_words(f.label))
        variants = [*self._spelling_variants(f.label), *self._adjective_forms(f.label)]
        for term in [*f.surfaces, *f.terms, *variants, *related]:
            key = fold(term)
            if label_words < set(key.split(" ")):
                continue
            if key and key not in seen:
                seen.add(key)
                terms.append(term)
        return Concept(label=f.label, terms=(f.label, *terms), mesh_ui=f.mesh_ui, drug=f.drug)

    def _shown(self, surface: str) -> str:
        """A phrase from the question as a label: acronyms, symbols and
        eponyms as written, a trailing type letter in capitals ("vitamin D",
        "hepatitis B"), other words in lower case."""
        words = []
        for i, word in enumerate(surface.split(" ")):
            if i and len(word) == 1 and word.isalpha():
                words.append(word.upper())
                continue
            keep = (
                (len(word) > 1 and word.isupper())
                or any(c.isdigit() for c in word)
                or word.removesuffix("'s") in self.eponyms
            )
            words.append(word if keep else word.lower())
        return " ".join(words)

    def _adjective_forms(self, label: str) -> list[str]:
        """An adverb's adjective, where the corpus uses it: sources say
        "perioperative initiation of statins", questions "continued
        perioperatively"."""
        *head, last = label.split(" ")
        if len(last) < 7 or not last.endswith("ly"):
            return []
        stem = last[:-2]
        forms = [stem[:-2], stem] if stem.endswith("ical") else [stem]
        known = [w for w in forms if self.vocab.corpus_words.get(w, 0) or w in self.vocab.medical]
        return [" ".join([*head, w]) for w in known[:1]]

    def _spelling_variants(self, label: str) -> list[str]:
        words = label.split(" ")
        other = [self.vocab.american.get(w, self.vocab.british.get(w, w)) for w in words]
        return [" ".join(other)] if other != words else []


_DOSE_MODIFIER = re.compile(
    r"^(?:low|high|standard|very low|ultra-low)[- ]dose (.+)$", re.IGNORECASE
)
_SYMBOL = re.compile(r"^(?=(?:[^A-Z]*[A-Z]){3})[A-Z][A-Z0-9]{2,9}$")


def _noun_of_verb(word: str, common: frozenset[str]) -> str | None:
    """The noun a ward verb is the act of: "anticoagulate" is anticoagulation,
    "intubate" intubation. Only a verb outside common English: "rate",
    "estimate" or "operate" name no procedure."""
    return None if word in common else noun_of_verb(word)
