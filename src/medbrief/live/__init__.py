"""Live PubMed: fresh records from NCBI E-utilities into the local store.

Nothing here runs unless asked (``medbrief fetch pubmed``, ``ask --live``).
:func:`fetch_for_reading` is what ``ask --live`` calls: it searches PubMed
with the query the reading built (:func:`pubmed_query_for`), preferring
guidelines, systematic reviews, meta-analyses and randomised trials, stores
the top records and lets the indexes absorb them. It never raises on network
trouble: the answer is then given from the local store, and the result's
note says so.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from medbrief.errors import QueryError, RemoteError
from medbrief.live.query import pubmed_query_for, relaxations, with_preferred_types
from medbrief.types import Reading, SpellingFix

if TYPE_CHECKING:
    from medbrief.engine import Engine
    from medbrief.live.eutils import EUtilsClient

__all__ = [
    "LiveResult",
    "espell",
    "fetch_for_reading",
    "pubmed_query_for",
    "read_live",
    "reread",
    "spelling_second_opinion",
]

OFFLINE_NOTE = "offline: answered from the local store only"


@dataclass(frozen=True, slots=True)
class LiveResult:
    #: the PubMed query sent (before the publication-type preference)
    query: str
    #: ESearch Count for ``query``
    found: int
    #: store ids written or updated ("pmid:...")
    fetched: tuple[str, ...]
    #: records fetched that were already stored and not newer
    skipped: int
    note: str | None


def fetch_for_reading(
    engine: Engine, reading: Reading, *, max_records: int | None = None
) -> LiveResult:
    """Fetch the top PubMed records for ``reading`` into ``engine.store``.

    Two relevance-sorted searches: the query narrowed to preferred publication
    types first, then the query itself for the places left (see
    :mod:`medbrief.live.query`). When every concept ANDed finds nothing, the
    last concepts are dropped in turn. Network and NCBI failures become a
    note; store errors propagate.
    """
    from medbrief.live.eutils import EUtilsClient, UnreachableError
    from medbrief.live.fetch import cap_note, fetch_pmids

    cap = max_records or engine.settings.live_max
    queries = relaxations(reading)
    if not queries:
        return LiveResult("", 0, (), 0, "live search skipped: nothing searchable in the question")
    query, found = queries[0], 0
    try:
        with EUtilsClient(engine.settings) as client:
            for query in queries:
                general = client.esearch(query, retmax=cap, sort="relevance")
                if general.count:
                    break
            found = general.count
            if not found:
                return LiveResult(query, 0, (), 0, "live search: PubMed found nothing new")
            preferred = client.esearch(with_preferred_types(query), retmax=cap, sort="relevance")
            pmids = list(dict.fromkeys([*preferred.ids, *general.ids]))[:cap]
            report = fetch_pmids(engine.store, client, pmids)
    except UnreachableError:
        return LiveResult(query, found, (), 0, OFFLINE_NOTE)
    except (RemoteError, QueryError) as exc:
        return LiveResult(
            query, found, (), 0, f"live search failed ({exc}); answered from the local store only"
        )
    if report.written:
        engine.after_ingest()
    return LiveResult(
        query=query,
        found=found,
        fetched=report.written,
        skipped=report.unchanged + report.skipped,
        note=cap_note(len(pmids), found, cap),
    )


def spelling_second_opinion(engine: Engine, reading: Reading) -> str | None:
    """NCBI ESpell's correction of a question the local vocabulary could not
    fully read (it has words no stored document uses), or None.

    Asked only then, and only for ``ask --live``: the local speller stays the
    first opinion, and nothing is sent when it is confident.
    """
    from medbrief.live.eutils import EUtilsClient

    if not reading.unknown_terms:
        return None
    with EUtilsClient(engine.settings) as client:
        suggestion = espell(client, reading.corrected)
    if suggestion and suggestion.strip().lower() != reading.corrected.strip().lower():
        return suggestion.strip()
    return None


def reread(engine: Engine, reading: Reading, suggestion: str) -> Reading:
    """The question read again as NCBI ESpell spelled it, keeping the original
    question and recording each word ESpell changed as a correction."""
    again = engine.reader.read(suggestion)
    before, after = reading.corrected.split(), suggestion.split()
    fixes = list(reading.corrections)
    diff = difflib.SequenceMatcher(a=[w.lower() for w in before], b=[w.lower() for w in after])
    for op, i1, i2, j1, j2 in diff.get_opcodes():
        if op == "replace":
            fixes.append(SpellingFix(" ".join(before[i1:i2]), " ".join(after[j1:j2])))
    fixes.extend(f for f in again.corrections if f not in fixes)
    note = f"spelling checked with NCBI ESpell: searched as '{suggestion}'"
    return replace(
        again, question=reading.question, corrections=tuple(fixes), notes=(*again.notes, note)
    )


def read_live(engine: Engine, reading: Reading) -> tuple[Reading, LiveResult]:
    """What ``ask --live`` does before answering: a second opinion on spelling
    when the local vocabulary is unsure, then a PubMed fetch for the reading."""
    suggestion = spelling_second_opinion(engine, reading)
    if suggestion is not None:
        reading = reread(engine, reading, suggestion)
    return reading, fetch_for_reading(engine, reading)


def espell(client: EUtilsClient, term: str) -> str | None:
    """NCBI ESpell's correction of ``term``; None if it has none or NCBI is unreachable."""
    try:
        return client.espell(term)
    except RemoteError:
        return None
