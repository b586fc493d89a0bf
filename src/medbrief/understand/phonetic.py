"""A sounds-like key for choosing between spelling candidates.

Most misspellings of medical words are phonetic ("exema", "pleuracy",
"diarea"): the writer spells what they hear. When one of the candidates a
few edits away sounds like the misspelling, it is far more likely the
intended word than a closer candidate that sounds different ("exema" is
eczema, not enema). The key is a reduced Metaphone (Philips, "Hanging on the
Metaphone", Computer Language 7(12), 1990) adapted to Greek-derived medical
spelling: "ch" is /k/ (cholesterol, schizophrenia), "ph" is /f/, silent
initial letters drop (pneumonia, gnathic), "h" is silent after consonants
(diarrhoea) and vowels count only at the start.
"""

from __future__ import annotations

_SILENT_START = ("pn", "kn", "gn", "ps", "pt", "wr", "mn")
_SOFTENERS = frozenset("eiy")
_VOWELS = frozenset("aeiouy")


def sound_key(word: str) -> str:
    w = word.lower()
    if w.startswith(_SILENT_START):
        w = w[1:]
    if w.startswith("x"):
        w = "s" + w[1:]
    out: list[str] = []
    i = 0
    while i < len(w):
        ch = w[i]
        nxt = w[i + 1] if i + 1 < len(w) else ""
        step = 1
        if ch in _VOWELS:
            code = ch if i == 0 else ""
        elif ch == "p" and nxt == "h":
            code, step = "f", 2
        elif ch == "c":
            if nxt in {"h", "k"}:
                code, step = "k", 2
            else:
                code = "s" if nxt in _SOFTENERS else "k"
        elif ch == "t" and nxt == "z":
            code, step = "s", 2
        elif ch == "t" and nxt == "h":
            code, step = "t", 2
        elif ch == "g":
            code = "j" if nxt in _SOFTENERS else "k"
        elif ch in "hw":
            code = ch if i == 0 else ""
        else:
            code = {"q": "k", "x": "ks", "z": "s", "d": "t", "v": "f"}.get(ch, ch)
        for c in code:
            if not out or out[-1] != c:
                out.append(c)
        i += step
    return "".join(out)
