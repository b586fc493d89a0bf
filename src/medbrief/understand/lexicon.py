"""The concept lexicon: every name a concept can be recognised by.

Built from MeSH descriptor names, the drug dictionary and medbrief's curated
synonym sets. Each name is stored under its folded key (see
:func:`medbrief.understand.text.fold`) and points at an :class:`Entry`, the
concept it names. When two sources name the same thing, the curated set wins
over MeSH and MeSH over the drug dictionary (MeSH carries the descriptor UI).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from medbrief.understand import sources
from medbrief.understand.text import STOP_WORDS, fold, key_words

#: Kinds of entry, from the most to the least trusted.
CURATED, MESH, DRUG = "curated", "mesh", "drug"
_RANK = {CURATED: 0, MESH: 1, DRUG: 2}

# Class names in the drug dictionary are MeSH pharmacological-action headings
# ("Anti-Bacterial Agents"); a question's own word ("antibiotics") reads better.
_CLASS_WORDS = re.compile(r"\b(agents?|inhibitors?|antagonists?|agonists?|and|series)\b")
_NEOPLASM_WORDS = ("cancer", "tumor", "tumour")
_NAME_WORD = re.compile(r"[a-z]{3,}")
_FIELD_SEP, _TERM_SEP = "\x1f", "\x1e"  # ASCII unit and record separators


@dataclass(slots=True)
class Entry:
    label: str
    mesh_ui: str | None
    kind: str
    terms: list[str] = field(default_factory=list)
    #: canonical drug name, for brand <-> generic expansion
    drug: str | None = None

    # Entries are stored as one string each: tens of thousands of short
    # strings load much faster than as many nested lists.
    def to_row(self) -> str:
        terms = _TERM_SEP.join(self.terms)
        return _FIELD_SEP.join((self.label, self.mesh_ui or "", self.kind, terms, self.drug or ""))

    @classmethod
    def from_row(cls, row: str) -> Entry:
        label, ui, kind, terms, drug = row.split(_FIELD_SEP)
        return cls(label, ui or None, kind, terms.split(_TERM_SEP) if terms else [], drug or None)


def deinvert(name: str) -> str | None:
    """MeSH's inverted form in natural order: "Anemia, Iron-Deficiency" ->
    "Iron-Deficiency Anemia" (NLM writes many descriptors head-noun first).
    """
    parts = [p.strip() for p in name.split(",")]
    if not 2 <= len(parts) <= 3 or any(
        not p or p.lower().startswith(("and ", "or ")) or "(" in p for p in parts
    ):
        return None
    return " ".join(reversed(parts))


def display(name: str, eponyms: frozenset[str]) -> str:
    """A MeSH or drug name as shown to a reader: lower case except eponyms,
    acronyms and symbols with digits (COVID-19, HIV, Alzheimer)."""
    words = []
    for i, word in enumerate(name.split(" ")):
        parts = word.split("-")
        shown = []
        for part in parts:
            core = part.removesuffix("'s").removesuffix("\u2019s")
            keep = (
                core in eponyms
                or (part.isupper() and (len(part) > 1 or i > 0))  # HIV; vitamin D
                or any(c.isdigit() for c in part)
                or any(c.isupper() for c in part[1:])
            )
            shown.append(part if keep else part.lower())
        words.append("-".join(shown))
    return " ".join(words)


class LexiconBuilder:
    def __init__(self, eponyms: frozenset[str]) -> None:
        self.eponyms = eponyms
        self.entries: list[Entry] = []
        self.keys: dict[str, int] = {}
        #: folded multi-word key -> surface form, the targets of phrase correction
        self.phrases: dict[str, str] = {}
        self.mesh_by_key: dict[str, str] = {}
        self.mesh_label: dict[str, str] = {}
        #: every word of every name added: the medical word list of the speller
        self.words: set[str] = set()
        #: the words of MeSH, curated and generic drug names: what a misspelling
        #: may be corrected to (brand and chemical synonyms are only recognised)
        self.core_words: set[str] = set()

    def add(self, name: str, entry_id: int, *, phrase: bool = True, core: bool = True) -> None:
        key = fold(name)
        if not key:
            return
        words = _NAME_WORD.findall(name.lower())
        self.words.update(words)
        if core:
            self.core_words.update(words)
        current = self.keys.get(key)
        if (
            current is None
            or _RANK[self.entries[entry_id].kind] < _RANK[self.entries[current].kind]
        ):
            self.keys[key] = entry_id
        if phrase and " " in key and key not in self.phrases:
            self.phrases[key] = display(name, self.eponyms)

    def new(self, entry: Entry) -> int:
        self.entries.append(entry)
        return len(self.entries) - 1

    # ---------------------------------------------------------------- sources

    def add_mesh(self, descriptors: list[tuple[str, str]]) -> None:
        for ui, name in descriptors:
            natural = deinvert(name) or name
            label = display(natural, self.eponyms)
            entry_id = self.new(Entry(label, ui, MESH))
            self.add(natural, entry_id)
            self.add(name, entry_id, phrase=False)
            for key in (fold(natural), fold(name)):
                self.mesh_by_key.setdefault(key, ui)
                self.mesh_label.setdefault(key, label)
            words = key_words(natural)
            symbol = name.removeprefix("Genes, ")
            if symbol != name and " " not in symbol and _is_symbol(symbol):
                self.add(symbol, entry_id, phrase=False)  # "Genes, BRCA1" is BRCA1
            if len(words) >= 2 and words[-1] == "neoplasm":
                # "Colorectal Neoplasms" is MeSH's heading for colorectal cancer
                for noun in _NEOPLASM_WORDS:
                    variant = " ".join([*natural.split(" ")[:-1], noun])
                    self.add(variant, self.new(Entry(display(variant, self.eponyms), ui, MESH)))

    def add_curated(self, sets: list[sources.SynonymSet]) -> None:
        for s in sets:
            ui = self.mesh_by_key.get(fold(s.mesh_name)) if s.mesh_name else None
            terms = list(s.variants)
            if s.mesh_name:
                terms.append(display(deinvert(s.mesh_name) or s.mesh_name, self.eponyms))
            entry_id = self.new(Entry(s.label, ui, CURATED, _unique(terms, s.label)))
            for name in (s.label, *s.variants):
                self.add(name, entry_id)

    def add_drugs(
        self, variants: dict[str, str], blocklist: frozenset[str]
    ) -> dict[str, list[str]]:
        """Drug entries; returns canonical -> usable variant names (brands, synonyms)."""
        forms: dict[str, list[str]] = {}
        entry_of: dict[str, int] = {}
        for variant, canonical in variants.items():
            if not _usable_drug_name(variant) or variant in blocklist:
                continue
            natural = deinvert(canonical) if "," in canonical else canonical
            if natural is None or not _usable_drug_name(natural):
                continue
            entry_id = entry_of.get(natural)
            if entry_id is None:
                ui = self.mesh_by_key.get(fold(natural))
                label = "" if _CLASS_WORDS.search(natural) else natural
                label = self.mesh_label.get(fold(natural), label) if label else ""
                entry_id = self.new(Entry(label, ui, DRUG, drug=natural))
                entry_of[natural] = entry_id
                self.add(natural, entry_id, phrase=False)
                forms[natural] = []
            if variant != natural:
                forms[natural].append(variant)
            self.add(variant, entry_id, phrase=False, core=False)
        # a MeSH descriptor naming a drug learns its brand names
        for natural, entry_id in entry_of.items():
            existing = self.keys.get(fold(natural))
            if existing is not None and existing != entry_id:
                self.entries[existing].drug = self.entries[existing].drug or natural
        return forms

    def add_abbreviations(self, senses: list[sources.AbbreviationSense]) -> None:
        """Expansions become concepts (most already are MeSH names), and an
        unambiguous abbreviation becomes one of its concept's search terms."""
        for sense in senses:
            entry_id = self.keys.get(fold(sense.expansion))
            if entry_id is None:
                mesh = fold(sense.mesh_name) if sense.mesh_name else ""
                terms = [self.mesh_label[mesh]] if mesh in self.mesh_label else []
                entry = Entry(sense.expansion, self.mesh_by_key.get(mesh), CURATED, terms)
                entry_id = self.new(entry)
                self.add(sense.expansion, entry_id)
            if not sense.cues and sense.abbreviation not in self.entries[entry_id].terms:
                self.entries[entry_id].terms.append(sense.abbreviation)


def _usable_drug_name(name: str) -> bool:
    if not 3 <= len(name) <= 60 or "," in name or not any(c.isalpha() for c in name):
        return False
    # fragments of combination products ("and emtricitabine") are not names
    words = name.split(" ")
    return words[0] not in STOP_WORDS and words[-1] not in STOP_WORDS


def _is_symbol(word: str) -> bool:
    """A gene or protein symbol: digits or capitals inside (BRCA1, APC, erbB-2)."""
    return any(c.isdigit() for c in word) or any(c.isupper() for c in word[1:])


def _unique(terms: list[str], label: str) -> list[str]:
    seen = {fold(label)}
    out = []
    for term in terms:
        key = fold(term)
        if key not in seen:
            seen.add(key)
            out.append(term)
    return out
