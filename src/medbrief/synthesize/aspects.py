"""What a question asks of its concepts (a dose, a duration, a target, a
time, whether to stop or when to resume it) and whether a statement gives it.

"What is the recommended dialysis dose in AKI?" is answered by "a Kt/V of
3.9 per week", "When should antibiotics be given in sepsis?" by
"immediately, ideally within 1 hour", not by any statement that names both
concepts. The guideline section uses it to excerpt what a guideline's listed
statements leave out, the bottom line to choose the statement it quotes.
"""

from __future__ import annotations

import re

ASKS_DURATION = r"\b(?:how long|duration)\b"
_SPAN = r"\d+\s*(?:to|-|\u2013)?\s*\d*\s*(?:days?|weeks?|months?|years?)\b"
#: a course of treatment stated as one ("for 3-5 years", "after 5 years of
#: treatment", "12 months of DAPT"), not a window something happens in ("a
#: decrease in CTX within 3-6 months")
COURSE = re.compile(
    rf"\b(?:for|after|up to|at least|beyond)\s+(?:\w+\s+){{0,2}}?{_SPAN}|\b{_SPAN}\s+of\b", re.I
)

#: A question on stopping or avoiding its subject ("Should nephrotoxic drugs be
#: stopped in AKI?", "Should we avoid X?"; not what the subject is for: "Is
#: procalcitonin useful to stop antibiotics?") is answered yes by a
#: recommendation to avoid or stop it ("Avoid or discontinue potentially
#: nephrotoxic agents") and no by one to continue it ("aspirin should be
#: continued if possible") or not to stop it.
ASKS_STOP = re.compile(
    r"\b(?:be|being|been)\s+(?:stopped|discontinued|withheld|held|interrupted|avoided|tapered|"
    r"weaned|delayed|deferred)\b|"
    # "do we need to stop", "is it safe to stop", "is it reasonable to hold"
    r"^\s*(?:(?:should|do|does|can|must)\s+(?:\w+\s+)?(?:(?:need|have)\s+to\s+)?|"
    r"is\s+it\s+(?:(?!not\b)\w+\s+)?(?:safe|ok|okay|reasonable|necessary|appropriate|advisable|"
    r"recommended|acceptable)\s+to\s+)"
    r"(?:stop|discontinue|withhold|hold|interrupt|avoid|taper|wean|delay|defer)\b|"
    r"^\s*(?:stopping|discontinuing|discontinuation of|withholding|avoiding|tapering|"
    r"delaying)\b",
    re.I,
)
# what stops a treatment; a "drug holiday" is a stop (Endocrine Society 2020:
# "prescribe a bisphosphonate drug holiday for women who are at low-to-moderate risk")
STOP_VERBS = r"stop\w*|discontinu\w*|withh[eo]ld\w*|interrupt\w*|drug holidays?"
#: what an open question asks of a treatment, and how a statement gives it:
#: "What is the recommended dialysis dose in AKI?" is answered by "a Kt/V of
#: 3.9 per week", not by the dialysis catheter's vein
_ASPECTS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(asked, re.I), re.compile(given, re.I))
    for asked, given in (
        (
            r"\b(?:dos(?:e|es|ing|age)|how much)\b",
            r"\bdos(?:e|es|ing|age)\b|\d\s*(?:mg|g|mcg|IU|units?|mL)\b|Kt/V|/kg\b",
        ),
        (
            ASKS_DURATION,
            r"\b\d+\s*(?:to|-|\u2013)?\s*\d*\s*(?:days?|weeks?|months?|years?)\b",
        ),
        (
            # whether to stop it is answered by a statement on stopping, holding or
            # continuing it: "Beta-Blockers: Hold or reduce dose if ...
            # decompensated HF", not "Evidence-based beta-blocker for LVEF <= 40%"
            ASKS_STOP.pattern,
            rf"\b(?:{STOP_VERBS}|hold|held|taper\w*|avoid\w*|continu\w*)\b",
        ),
        # and when to resume it by one on resuming it ("Resumption of
        # Anticoagulation After ICH"), not on stopping it
        (r"\b(?:restart|resum|re-?initiat)\w*", r"\b(?:restart|resum|re-?initiat)\w*"),
        (
            # a threshold to act at: "Treating intracranial pressure above 22 mmHg";
            # a target with its figure, not "in patients meeting goals"
            r"\b(?:target|goal|threshold)s?\b",
            r"\b(?:target|goal|threshold)s?\b[^.;]{0,40}?\d|[<>\u2264\u2265]\s*\d|"
            r"\bmaintain(?:ed)? (?:at|between|below|above)\b|\b(?:above|below|exceeding) \d",
        ),
    )
)


#: when: "When should RRT be started?", "anticoagulation after stroke, when
#: to start", "thrombolysis window": a time, an age or an urgency; not a
#: condition ("Is oral iron effective when ferritin is below 50?"). Any number
#: of days or months gives one, so in the bottom line it orders only the
#: first body's statements: across bodies a statement for other patients
#: ("... for up to 12 months" after ACS) would lead "when to start
#: anticoagulation after stroke"
_WHEN = (
    re.compile(r"^\s*when\b|\bwhen (?:to|should|is it)\b|\b(?:how soon|timing|window)\b", re.I),
    re.compile(
        r"\b\d+\s*(?:to|-|\u2013)?\s*\d*\s*(?:min(?:utes?)?|hours?|h|days?|weeks?|months?)\b|"
        r"\baged?\s+\d+|\b\d+ years\b|"
        r"\b(?:immediately|emergently|urgently|as soon as possible|without delay)\b",
        re.I,
    ),
)


def asked_aspects(question: str, when: bool = True) -> list[re.Pattern[str]]:
    """What gives each aspect the question asks (a dose, a duration, a
    target; with ``when``, a time): patterns a statement that gives it
    matches."""
    aspects = (*_ASPECTS, _WHEN) if when else _ASPECTS
    return [given for asked, given in aspects if asked.search(question)]


def gives_asked(statement: str, question: str) -> bool:
    """Whether ``statement`` gives a dose, a duration or a target the
    question asks (not a time: :data:`_WHEN`)."""
    return any(g.search(statement) for g in asked_aspects(question, when=False))
