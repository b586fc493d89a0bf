"""Linguistic cues of what a finding says: negation, null results, hedging.

Each cue family is a handful of regular expressions written from the
literature on negation and speculation in biomedical text: NegEx (Chapman et
al. 2001) for negation triggers, the BioScope corpus guidelines (Vincze et al.
2008) for speculation ("may", "suggest", "whether"), and the reporting
conventions of CONSORT and STROBE abstracts for significance statements
("no significant difference", "p = 0.42", "non-inferior"). They are features
for the stance classifier and also decide its explanations, so they are kept
readable rather than exhaustive.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

_P_VALUE = re.compile(
    r"\bp\s*(?:value\s*)?([<>=≤≥]|&lt;|&gt;|< or =|> or =)\s*(0?\.\d+|1\.0+)", re.I
)

# A negator and the verbs/adjectives it commonly scopes over in conclusions.
_NEG = r"(?:not|no|never|n't|neither|nor|none|cannot|without)"

CUES: dict[str, re.Pattern[str]] = {
    # "no significant difference", "no evidence", "no association"
    "null": re.compile(
        r"\b(?:no|nor|neither|without|absence of|lack of|lacked)\s+(?:\w+\s+){0,3}?"
        r"(?:difference|differences|association|associations|effect|effects|benefit|benefits|"
        r"improvement|change|changes|correlation|relationship|relation|impact|evidence|"
        r"influence|advantage|increase|reduction|role|value|link|superiority|effectiveness|"
        r"efficacy)\b",
        re.I,
    ),
    # "did not improve", "was not associated", "does not appear to be effective"
    "neg_verb": re.compile(
        rf"\b(?:\w+n't|{_NEG})\s+(?:\w+\s+){{0,3}}?"
        r"(?:differ|different|significant|significantly|associated|related|correlated|"
        r"improve|improved|reduce|reduced|increase|increased|affect|affected|change|changed|"
        r"predict|predictive|effective|efficacious|superior|better|beneficial|useful|helpful|"
        r"necessary|needed|required|justified|recommended|influence|influenced|alter|altered|"
        r"support|supported|confirm|confirmed|appear|seem|show|showed|demonstrate|"
        r"demonstrated|find|found|detect|detected|reliable|accurate|sufficient|adequate|"
        r"valid|contribute|play|explain|warranted|benefit|decrease|decreased|lower|higher|"
        r"protect|prevent|prevented|exist|justify)\b",
        re.I,
    ),
    "failed": re.compile(
        r"\b(?:fail(?:s|ed)? to|unable to|no longer|did not reach|not reach|"
        r"not statistically|non-?significant(?:ly)?|insignificant|unrelated|unaffected|"
        r"independent of|irrespective of|not a (?:significant |major |reliable )?\w+|"
        r"rather than|instead of|not (?:be )?recommended|ineffective|inadequate|unreliable|"
        r"unnecessary|not justified|no better|no more|no less|no different|does not support)\b",
        re.I,
    ),
    # Evaluative words that deny without a negator: "little evidence",
    # "poor agreement", "insufficient", "of low yield", "cast doubt on".
    "negative_eval": re.compile(
        r"\b(?:little|poor(?:ly)?|insufficient(?:ly)?|inadequate(?:ly)?|inaccurate|unreliable|"
        r"weak|low (?:yield|value|accuracy|sensitivity|specificity|agreement|utility)|"
        r"disappointing|trivial|minor|minimal|marginal|negligible|unlikely|lack|lacking|"
        r"erroneous(?:ly)?|misleading|unnecessary|doubt|doubtful|questionable|overestimated|"
        r"overrated|failure|suboptimal|rarely|seldom|underused|underdiagnosed|improperly|"
        r"incorrect(?:ly)?|wrong(?:ly)?|limited|neither|should be avoided|avoid|"
        r"needs? (?:revisiting|reconsideration|to be reconsidered)|not (?:be )?needed|"
        r"obsolete|unsafe|harmful|worse|hazardous|no (?:role|place|need|value))\b",
        re.I,
    ),
    "similar": re.compile(
        r"\b(?:similar|comparable|equivalent|equally|as (?:\w+ ){1,2}as|same|non-?inferior|"
        r"not inferior|no worse|identical|did not differ|were not different|equivalence)\b",
        re.I,
    ),
    "negation": re.compile(rf"\b{_NEG}\b|n't\b", re.I),
    "hedge": re.compile(
        r"\b(?:may|might|could|possibly|possible|potentially|potential|perhaps|probably|"
        r"likely|unlikely|appears?|appeared|seems?|seemed|suggests?|suggested|suggesting|"
        r"speculate|presumably|putative|tend(?:s|ed)? to|trend|trends|indicates?)\b",
        re.I,
    ),
    "uncertain": re.compile(
        r"\b(?:unclear|uncertain|uncertainty|inconclusive|controversial|controversy|"
        r"conflicting|contradictory|inconsistent|mixed|equivocal|debated?|unknown|"
        r"remains? (?:to be|unclear|uncertain|unknown|controversial|elusive|questionable)|"
        r"not (?:yet )?(?:clear|known|established|certain|conclusive)|questionable|"
        r"whether|limited|insufficient|weak(?:ly)?|modest(?:ly)?|partial(?:ly)?|partly|"
        r"only (?:in|for|when|if|a|some|partially|marginally)|some|subgroups?|selected|"
        r"depend(?:s|ed|ing)? (?:on|upon)|cannot be (?:excluded|ruled out|determined|"
        r"answered|confirmed|recommended)|not always|not all|in some|caution|cautious)\b",
        re.I,
    ),
    "further": re.compile(
        r"\b(?:further|larger|additional|future|more|prospective|well-designed|randomi[sz]ed)"
        r"\s+(?:\w+\s+){0,2}?(?:studies|study|research|trials?|investigations?|work|data|"
        r"evaluation|evidence)\b|\b(?:warrant(?:s|ed)?|needed|is needed|are needed|required)\b",
        re.I,
    ),
    "positive": re.compile(
        r"\b(?:significantly|significant|effective|efficacious|improved?|improves|improvement|"
        r"beneficial|benefit|superior|better|associated with|correlated with|predicts?|"
        r"predictive|predictor|reliable|accurate|useful|valuable|feasible|safe|important|"
        r"recommended|should be|increased?|reduced?|decreased?|higher|lower|greater|"
        r"independent(?:ly)? (?:predictor|risk factor|associated)|risk factor|confirms?|"
        r"demonstrates?|shows?|showed|supports?|valid|successful(?:ly)?|advantage|"
        r"can be|is a|are a|plays? a)\b",
        re.I,
    ),
    "strong": re.compile(
        r"\b(?:clearly|strongly|markedly|dramatically|substantially|highly|definitely|"
        r"conclusively|consistently|robust|undoubtedly|must|essential|mandatory|"
        r"demonstrated?|proven|proved|established)\b",
        re.I,
    ),
}


def p_values(text: str) -> list[tuple[str, float]]:
    """Reported p-values as ``(comparator, value)``, e.g. ``("=", 0.42)``."""
    out: list[tuple[str, float]] = []
    for match in _P_VALUE.finditer(text):
        op = match.group(1).replace("&lt;", "<").replace("&gt;", ">")
        op = {"≤": "<", "≥": ">", "< or =": "<", "> or =": ">"}.get(op, op)
        try:
            out.append((op, float(match.group(2))))
        except ValueError:
            continue
    return out


def significant_p(text: str, alpha: float = 0.05) -> tuple[int, int]:
    """Counts of significant and non-significant reported p-values."""
    sig = nonsig = 0
    for op, value in p_values(text):
        if (op == "<" and value <= alpha) or (op == "=" and value < alpha):
            sig += 1
        elif op in {"=", ">"} and value >= alpha:
            nonsig += 1
    return sig, nonsig


# NegEx's pseudo-negations (Chapman et al. 2001): phrases with a negator that
# deny nothing. "with or without a CDK4/6 inhibitor" names who was eligible;
# read as negation it turned a phase 3 trial's "significantly longer
# progression-free survival" into a "no".
_PSEUDO = re.compile(r"\b(?P<keep>with|whether) or (?:without|not)\b", re.I)


@lru_cache(maxsize=256)  # each text is read for every cue in turn
def pseudo_free(text: str) -> str:
    """``text`` without its pseudo-negations ("with or without" -> "with")."""
    return _PSEUDO.sub(lambda m: m.group("keep") or "", text)


#: cues whose words a question may use as its topic ("worse", "poor", "limited")
_EVALUATIVE = frozenset({"negative_eval", "positive"})


def count(name: str, text: str, asked: str = "") -> int:
    """Matches of cue ``name`` in ``text``; with ``asked`` (the question, in
    lower case), a match the question itself uses is its topic, not a cue:
    "worse prognosis" answers "is X associated with worse prognosis?"."""
    found = CUES[name].finditer(pseudo_free(text))
    if not asked or name not in _EVALUATIVE:
        return sum(1 for _ in found)
    return sum(1 for m in found if m.group().lower() not in asked)


def counter(name: str) -> Callable[[str], int]:
    pattern = CUES[name]
    return lambda text: len(pattern.findall(pseudo_free(text)))
