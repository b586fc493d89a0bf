"""Spelling correction against the medical vocabulary.

Two passes, both conservative (a false correction changes what is searched;
a missed one only loses some recall):

1. Phrases. Runs of 2-5 words are compared with the known multi-word terms
   (MeSH names, curated synonyms) that differ from them in exactly one word.
   This catches real-word errors no word-level checker can see ("blood drain
   barrier" -> "blood-brain barrier": both "drain" and "brain" are words), as
   long as the corrected phrase is a known term, the original is not, and the
   corpus does not use the original phrase either.
2. Words. A word found in no dictionary is looked up in a SymSpell index
   (Garbe's symmetric-delete algorithm, Damerau-OSA distance) and replaced by
   the closest known word, frequency deciding ties, when one candidate clearly
   wins. Numbers, doses, units, gene symbols, abbreviations, capitalised
   symbols and short words are never touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medbrief.understand.abbreviations import AbbreviationTable
from medbrief.understand.phonetic import sound_key
from medbrief.understand.text import HYPHENS, Token, noun_of_verb, singular
from medbrief.understand.units import Unit, runs, split_units, token_is_plain
from medbrief.understand.vocabulary import Vocabulary, americanize

#: Shortest word the word-level pass corrects; shorter misspellings have too
#: many equally close neighbours to correct safely.
MIN_WORD = 5
#: A candidate wins only if the runner-up scores at most this fraction of it.
_DOMINANCE = 0.34
#: Prior odds of a medical term over an everyday word (see Speller.prior),
#: and the corpus size from which the corpus's own word rates are the prior.
_MEDICAL_ODDS = 100.0
_CORPUS_TOKENS = 1_000_000
#: Error model: the cost of each edit, the bonus for a candidate that sounds
#: like the misspelling, the cost of a different first letter.
_EDIT = 0.05
_SOUNDS_ALIKE = 50.0
_FIRST_LETTER = 0.2
#: ... and of replacing a letter by one that is neither a keyboard neighbour
#: nor a vowel for a vowel (typing slips hit neighbouring keys; spelling
#: slips swap vowels).
_FAR_KEY = 0.3
#: Suggestions remembered per reader (questions repeat their words).
_MEMO_SIZE = 10_000
#: Words at least this long may be three edits from their correction, if it
#: sounds the same.
_FAR_LENGTH = 8
#: A word the corpus uses but no dictionary knows is still taken for a typo
#: when a neighbour one edit away is this many times more frequent.
_TYPO_RATIO = 10.0
#: How much more common a word one sound-alike edit away must be than the rare
#: base of a word known only as its regular form (``Speller._derived_typo``).
_DERIVED_RATIO = 100.0
#: Bigram count from which the corpus "uses" a phrase (phrase pass veto).
_PHRASE_VETO = 3

_PREFIXES = (
    "anti", "non", "pre", "post", "re", "co", "un", "over", "under", "sub", "inter", "intra",
    "multi", "poly", "peri", "hyper", "hypo", "micro", "macro", "pseudo", "semi", "de", "dis",
)  # fmt: skip
_SURFACE_SPLIT = re.compile(rf"[\s\-{HYPHENS}/]+")
# Endings that make another word of the same family (neuropathic/neuropathy,
# nebulised/nebuliser, biomarker/biomarkers): two words differing only in
# these are forms of one word, never a misspelling of each other.
_ENDINGS = re.compile(
    r"(?:s|es|ed|ing|ic|ics|ical|al|ally|ly|er|ers|or|ors|ise|ised|iser|ising|ize|ized|izer|"
    r"izing|isation|ization|ity|ive|ness|ment|y|ies|ia|ism|ist|ists|e)$"
)


@dataclass(frozen=True, slots=True)
class Fix:
    start: int
    end: int
    original: str
    replacement: str


def osa_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Damerau-Levenshtein without
    repeated edits of a substring): insertions, deletions, substitutions and
    adjacent transpositions each cost 1."""
    if a == b:
        return 0
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def match_case(word: str, like: str) -> str:
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


class Speller:
    def __init__(self, vocab: Vocabulary, abbreviations: AbbreviationTable) -> None:
        self.vocab = vocab
        self.abbreviations = abbreviations
        self._suggested: dict[tuple[str, bool], str | None] = {}

    # ------------------------------------------------------------ knowledge

    def known(self, word: str) -> bool:
        """Correctly spelled: in a dictionary directly, in its American
        spelling, or as a plural, past tense, -ing form or prefixed form of a
        dictionary word."""
        in_dictionary = self.vocab.in_dictionary
        if in_dictionary(word) or in_dictionary(americanize(word)):
            return True
        doubled = _doubled(word)
        if doubled and in_dictionary(doubled):
            return False  # "prefered" is "preferred" misspelled, not prefer + -ed
        return any(in_dictionary(v) for v in _base_forms(word))

    def prior(self, word: str) -> float:
        """How likely a word is as the intended one in a clinical question.

        With a corpus of some size, its own word rate: the literature being
        searched is the best model of what a clinician asks about (English
        words it never uses count a hundredth of their English rate). Without
        one, the English rate times the prior odds that a clinician means a
        medical term: :data:`_MEDICAL_ODDS` for a word of the medical
        vocabularies that is not common English (diarrhea over diary), a
        tenth of that for a medical name that is also an everyday word. A
        word's British spelling counts for it (the English list is British).
        """
        vocab = self.vocab
        spellings = [word]
        if (british := vocab.american.get(word)) is not None:
            spellings.append(british)
        english = max(vocab.per_million(w) for w in spellings)
        if vocab.corpus_tokens >= _CORPUS_TOKENS:
            tokens = vocab.corpus_tokens
            corpus = max(1e6 * vocab.corpus_words.get(w, 0) / tokens for w in spellings)
            return max(corpus, english / 100, 0.001)
        odds = 1.0
        if word in vocab.core:
            odds = _MEDICAL_ODDS / 10 if word in vocab.common_english else _MEDICAL_ODDS
        return max(english, 0.001) * odds

    def eligible(self, unit: Unit, tok: Token) -> bool:
        if not token_is_plain(tok) or not unit.is_word:
            return False
        word = unit.bare
        return (
            word not in self.vocab.protected
            and not self.abbreviations.is_abbreviation(unit.text)
            and not self.abbreviations.is_abbreviation(tok.text)
        )

    # --------------------------------------------------------------- passes

    def correct(self, text: str, tokens: list[Token]) -> list[Fix]:
        units = split_units(tokens)
        ok = [self.eligible(u, tokens[u.token]) for u in units]
        fixes: list[Fix] = []
        done: set[int] = set()
        for run in runs(text, units):
            fixes.extend(self._phrase_pass(text, units, run, ok, done))
        for i, unit in enumerate(units):
            if i in done or not ok[i] or len(unit.bare) < MIN_WORD:
                continue
            fix = self._word(unit, proper=_proper_name(text, unit))
            if fix is not None:
                fixes.append(fix)
        return sorted(fixes, key=lambda f: f.start)

    def _word(self, unit: Unit, proper: bool = False) -> Fix | None:
        word = unit.bare
        if self.known(word) and not self._corpus_typo(word) and not self._derived_typo(word):
            return None
        if _term_ending(word) and self.vocab.corpus_words.get(word, 0):
            return None  # a rare term of art the corpus uses ("poliosis") is its own word
        memo = self._suggested
        key = (word, proper)
        best = memo[key] if key in memo else self.suggest(word, strict=proper)
        if len(memo) >= _MEMO_SIZE:
            memo = self._suggested = {}  # a new dict: other threads keep theirs
        memo[key] = best
        if best is None:
            return None
        suffix = unit.lower[len(word) :]
        return Fix(unit.start, unit.end, unit.text, match_case(best + suffix, unit.text))

    def _derived_typo(self, word: str) -> bool:
        """A word known only as a regular form of a rare word ("screeing" as
        scree + -ing) that is one sound-alike edit from a word far more
        common: the slip is likelier than the rare word's rare form (the
        noisy-channel prior, Kernighan, Church & Gale, COLING 1990)."""
        vocab = self.vocab
        if vocab.in_dictionary(word) or vocab.in_dictionary(americanize(word)):
            return False
        bases = [b for b in _base_forms(word) if vocab.in_dictionary(b)]
        base_rate = max((self.prior(b) for b in bases), default=0.0)
        sound = sound_key(word)
        return any(
            distance == 1
            and sound_key(term) == sound
            and not same_family(word, term)
            and americanize(term) != word  # "neighbouring" is the same word
            and self.prior(term) >= _DERIVED_RATIO * max(base_rate, 1e-3)
            for term, distance in self._candidates(word)
        )

    def _corpus_typo(self, word: str) -> bool:
        """A word only the corpus knows (abstracts have typos too), one edit or
        two sound-alike edits from a word the corpus uses far more often."""
        vocab = self.vocab
        if word in vocab.english or word in vocab.medical or word not in vocab.corpus_words:
            return False
        if any(vocab.in_dictionary(b) for b in _base_forms(word)):
            # a regular form of a known word ("cognitions", "oncologically",
            # "devascularization") is that word's family, not a slip for a
            # more frequent neighbour ("conditions", "revascularization")
            return False
        count = vocab.corpus_words[word]
        sound = sound_key(word)
        for term, distance in self._candidates(word):
            if distance == 0 or distance > 2 or same_family(word, term):
                continue
            if distance == 2 and sound_key(term) != sound:
                continue
            if vocab.corpus_words.get(term, 0) >= _TYPO_RATIO * count:
                return True
        return False

    def suggest(self, word: str, strict: bool = False) -> str | None:
        """The one clearly best correction of a non-word, or None.

        A noisy-channel choice (Kernighan, Church & Gale, COLING 1990): each
        candidate ``c`` within reach scores ``P(c) * P(word | c)``, where the
        prior is :meth:`prior` and the error model charges each edit a factor
        :data:`_EDIT` and rewards a candidate that sounds like the word
        (:mod:`medbrief.understand.phonetic`) by :data:`_SOUNDS_ALIKE`: people
        misspell what they hear ("exema", "pleuracy"). The best candidate is
        kept only if it clearly beats the runner-up. ``strict`` (for a
        capitalised word inside a sentence, likely a name or a brand) admits
        only medical words that sound like it.
        """
        sound = sound_key(word)
        scores: dict[str, float] = {}
        candidates = [
            (t, d)
            for t, d in self._candidates(word)
            if len(t) >= 4 and not same_family(word, t) and _keeps_term_ending(word, t)
        ]
        one_edit = any(d == 1 for _, d in candidates)
        for term, distance in candidates:
            alike = sound_key(term) == sound
            if strict and not (alike and term in self.vocab.core):
                continue
            # a word that does not sound alike is two edits away only when
            # nothing is one edit away (Norvig, "How to write a spelling
            # corrector", 2007)
            if not alike and distance > 1 and (one_edit or len(word) < 6):
                continue
            if not alike and distance == 2 and not self._plausible_far(word, term):
                continue
            channel = _EDIT**distance * (_SOUNDS_ALIKE if alike else 1.0)
            if distance == 1 and not alike and _unlikely_substitution(word, term):
                channel *= _FAR_KEY
            first = 1.0 if term[0] == word[0] else _FIRST_LETTER
            scores[term] = self.prior(term) * channel * first
        # a British and an American spelling of one word are one candidate
        for term in list(scores):
            us = americanize(term)
            if us != term and us in scores:
                scores[us] += scores.pop(term)
        ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
        if not ranked or (len(ranked) > 1 and ranked[1][1] > _DOMINANCE * ranked[0][1]):
            return None
        return ranked[0][0]

    def _candidates(self, word: str) -> list[tuple[str, int]]:
        from symspellpy import Verbosity

        found = {
            s.term: osa_distance(word, s.term)
            for s in self.vocab.symspell.lookup(word, Verbosity.ALL, 2)
        }
        if len(word) >= _FAR_LENGTH:
            # three edits away, for long words that still sound the same
            # ("skitzophrenia"): the sound index holds the candidates
            for term in self.vocab.sounds.get(sound_key(word), "").split():
                if term not in found and (d := osa_distance(word, term)) == 3:
                    found[term] = d
        return list(found.items())

    def _plausible_far(self, word: str, term: str) -> bool:
        """Two edits and a different sound: only to a medical or common word
        with the same first letter (first letters are rarely wrong: Pollock
        & Zamora, CACM 27(4), 1984)."""
        return term[0] == word[0] and (term in self.vocab.core or self.vocab.per_million(term) >= 1)

    # --------------------------------------------------------------- phrases

    def _phrase_pass(
        self, text: str, units: list[Unit], run: list[int], ok: list[bool], done: set[int]
    ) -> list[Fix]:
        fixes = []
        i = 0
        while i < len(run):
            step = 1
            for n in range(min(5, len(run) - i), 1, -1):
                found = self._phrase(text, units, run[i : i + n], ok)
                if found is not None:
                    fixes.append(found[0])
                    done.update(found[1])
                    step = n
                    break
            i += step
        return fixes

    def _phrase(
        self, text: str, units: list[Unit], window: list[int], ok: list[bool]
    ) -> tuple[Fix, list[int]] | None:
        words = [singular(units[idx].bare) for idx in window]
        if " ".join(words) in self.vocab.lexicon:
            return None
        options: list[tuple[int, int, str, str]] = []  # distance, position, target, surface
        for pos, idx in enumerate(window):
            if not ok[idx] or len(units[idx].bare) < 4:
                continue
            slot = " ".join([*words[:pos], "*", *words[pos + 1 :]])
            for key in self.vocab.phrase_slots.get(slot, ()):
                surface = self.vocab.phrases[key]
                parts = [p for p in _SURFACE_SPLIT.split(surface) if p]
                if len(parts) != len(window):
                    continue
                target = parts[pos].lower()
                option = self._phrase_option(units, window, pos, target)
                if option is not None:
                    options.append((option, pos, target, surface))
        if not options:
            return None
        nearest = min(o[0] for o in options)
        best = {(o[1], o[2]): o for o in options if o[0] == nearest}
        if len(best) > 1:
            return None
        _, pos, target, surface = next(iter(best.values()))
        unit = units[window[pos]]
        if self.known(unit.bare):
            # a real-word error: the whole phrase becomes the known term
            start, end = units[window[0]].start, units[window[-1]].end
            original = text[start:end]
            return Fix(start, end, original, match_case(surface, original)), window
        suffix = unit.lower[len(unit.bare) :]
        return Fix(unit.start, unit.end, unit.text, match_case(target + suffix, unit.text)), [
            window[pos]
        ]

    def _phrase_option(
        self, units: list[Unit], window: list[int], pos: int, target: str
    ) -> int | None:
        word = units[window[pos]].bare
        if not target.isalpha() or same_family(word, target) or americanize(word) == target:
            return None
        distance = osa_distance(word, target)
        if not self.known(word):
            return distance if distance <= (1 if len(word) < 6 else 2) else None
        # a real word in place of another: one edit, not a form of the same
        # word, and a phrase the corpus does not use as written
        if distance != 1:
            return None
        if len(window) == 2:
            anchor = units[window[1 - pos]].bare
            if anchor in self.vocab.very_common_english or anchor not in self.vocab.medical:
                return None
        bigrams = [
            f"{units[window[k]].bare} {units[window[k + 1]].bare}"
            for k in range(max(pos - 1, 0), min(pos + 1, len(window) - 1))
        ]
        if any(self.vocab.corpus_bigrams.get(b, 0) >= _PHRASE_VETO for b in bigrams):
            return None
        return distance


_QWERTY = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_VOWEL_SET = frozenset("aeiouy")


def _neighbours(ch: str) -> set[str]:
    for r, row in enumerate(_QWERTY):
        c = row.find(ch)
        if c >= 0:
            near: set[str] = set()
            for rr in (r - 1, r, r + 1):
                if 0 <= rr < len(_QWERTY):
                    near.update(_QWERTY[rr][max(c - 1, 0) : c + 2])
            return near - {ch}
    return set()


def _unlikely_substitution(word: str, term: str) -> bool:
    """One letter replaced by a letter far from it on the keyboard and not a
    vowel for a vowel ("ezema" -> "edema", unlike "amoicillin" -> "ampicillin")."""
    if len(word) != len(term):
        return False
    diff = [(a, b) for a, b in zip(word, term, strict=True) if a != b]
    if len(diff) != 1:
        return False  # a transposition
    a, b = diff[0]
    if a in _VOWEL_SET and b in _VOWEL_SET:
        return False
    return b not in _neighbours(a)


# Endings of clinical terms of art (Greek and Latin combining forms): a word
# with one is a term, misspelt or not, and its correction is a term with the
# same ending ("poliosis" is not "policies", "psoraisis" is "psoriasis").
_TERM_ENDINGS = (
    "osis", "iasis", "itis", "emia", "aemia", "oma", "omas", "pathy", "plasty", "ectomy",
    "otomy", "ostomy", "algia", "uria", "penia", "plasia", "trophy", "scopy", "graphy",
    "genesis", "lysis", "cele", "rrhea", "rrhoea", "phobia", "plegia",
)  # fmt: skip


def _term_ending(word: str) -> str | None:
    return next((e for e in _TERM_ENDINGS if word.endswith(e) and len(word) > len(e) + 2), None)


def _keeps_term_ending(word: str, candidate: str) -> bool:
    ending = _term_ending(word)
    return ending is None or candidate.endswith(ending)


def _proper_name(text: str, unit: Unit) -> bool:
    """A capitalised word that does not start a sentence."""
    if not unit.text[:1].isupper():
        return False
    before = text[: unit.start].rstrip()
    return bool(before) and before[-1] not in ".?!:;\"'([-"


def same_family(a: str, b: str) -> bool:
    """Forms of one word: equal once a derivational or inflectional ending is
    removed from each (neuropathic/neuropathy, thrombosed/thromboses)."""
    if a == b:
        return True
    stem_a, stem_b = _ENDINGS.sub("", a), _ENDINGS.sub("", b)
    return len(stem_a) >= 4 and stem_a == stem_b


def _doubled(word: str) -> str | None:
    """The -ed or -ing form with its base's final consonant doubled, as
    English spells it after a stressed short vowel ("prefered" ->
    "preferred", "occuring" -> "occurring"); None for other words."""
    for suffix in ("ed", "ing"):
        base = word[: -len(suffix)]
        if (
            word.endswith(suffix)
            and len(base) >= 4
            and base[-1] in "bdglmnprt"
            and base[-2] in "aeiou"
            and base[-3] not in "aeiou"
        ):
            return base + base[-1] + suffix
    return None


#: word-forming endings of operations and endoscopies: "polypectomy" is the
#: removal of a polyp, spelled right though no dictionary lists it
_SURGICAL_SUFFIXES = ("ectomy", "ectomies", "otomy", "ostomy", "oscopy", "oplasty")


def _base_forms(word: str) -> list[str]:
    forms = []
    if word.endswith("ies") and len(word) > 5:
        forms.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 5:
        forms.append(word[:-2])
    if word.endswith("s") and len(word) > 4:
        forms.append(word[:-1])
    for ending, swap in (("osed", "osis"), ("otic", "osis")):
        if word.endswith(ending):
            forms.append(word[: -len(ending)] + swap)  # thrombosed -> thrombosis
    if word.endswith("ly") and len(word) > 6:
        forms.append(word[:-2])  # oncologically -> oncological
    for suffix in ("ed", "ing"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            forms += [base, base + "e"]
            if len(base) > 3 and base[-1] == base[-2]:
                forms.append(base[:-1])
    for suffix in _SURGICAL_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            forms.append(word[: -len(suffix)])  # polypectomy -> polyp
    noun = noun_of_verb(word)
    if noun is not None:
        forms.append(noun)  # catheterize -> catheterization
    for prefix in _PREFIXES:
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) >= 4:
            forms.append(rest)
    return forms
