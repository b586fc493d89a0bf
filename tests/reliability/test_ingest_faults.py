"""Ingest under bad input: one clear IngestError naming file and line, and
every complete record before the bad one kept (issue 16)."""
# ruff: noqa: E501  (inline XML/JSON test data keeps the real files' line shapes)

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from medbrief.errors import IngestError
from medbrief.ingest import ingest_paths
from medbrief.ingest.pubmed_xml import iter_pubmed_xml
from medbrief.interfaces.cli import main
from medbrief.store import Store
from medbrief.types import Document

RECORD = """<PubmedArticle><MedlineCitation><PMID Version="{version}">{pmid}</PMID><Article>
<Journal><JournalIssue><PubDate><Year>{year}</Year></PubDate></JournalIssue><Title>J</Title></Journal>
<ArticleTitle>Title {pmid}</ArticleTitle><Abstract><AbstractText>{text}</AbstractText></Abstract>
</Article></MedlineCitation></PubmedArticle>
"""


def record(pmid: int, *, year: str = "2001", version: str = "1", text: str = "Iron.") -> str:
    return RECORD.format(pmid=pmid, year=year, version=version, text=text)


def xml(*records: str) -> bytes:
    return (
        '<?xml version="1.0"?>\n<PubmedArticleSet>' + "".join(records) + "</PubmedArticleSet>\n"
    ).encode()


def article(n: int, **extra: object) -> str:
    return json.dumps({"pmid": str(n), "title": f"Article {n}", "year": 2020, **extra})


def ids(store: Store) -> list[str]:
    return [r[0] for r in store.conn.execute("SELECT id FROM documents ORDER BY key")]


# ------------------------------------------------- records before an XML syntax error


def read_until_error(data: bytes) -> tuple[list[str], IngestError]:
    got: list[str] = []
    with pytest.raises(IngestError) as err:
        for item in iter_pubmed_xml(io.BytesIO(data), name="bad.xml"):
            assert isinstance(item, Document)
            got.append(item.id)
    return got, err.value


def test_xml_error_in_the_parsers_first_read_keeps_the_record_before_it() -> None:
    # The whole file is a few hundred bytes: the error lies in the first chunk
    # the parser reads, where libxml2 2.14 used to lose the record before it.
    data = xml(record(41), record(42).replace("</ArticleTitle>", "</Article>"))
    assert len(data) < 64 * 1024
    got, err = read_until_error(data)
    assert got == ["pmid:41"]
    assert "malformed XML" in str(err) and "last complete record: PMID 41" in str(err)


def test_xml_error_far_into_a_large_file_keeps_every_record_before_it(
    store: Store, tmp_path: Path
) -> None:
    n = 3000  # ~1.2 MB: many parser reads before the error
    records = [record(i, text="Ferritin " * 40) for i in range(1, n + 1)]
    records.append(record(n + 1).replace("<Abstract>", "<Abstract"))  # unclosed tag
    path = tmp_path / "big.xml"
    path.write_bytes(xml(*records))
    with pytest.raises(IngestError, match=rf"big\.xml: line \d+: malformed XML.*PMID {n}\)"):
        ingest_paths(store, "pubmed", [path], batch_size=500)
    assert store.count() == n


# -------------------------------------------------------- numbers SQLite cannot hold


@pytest.mark.parametrize(
    "bad",
    [
        {"year": 10**20},
        {"version": 2**63},
        {"year": -(10**30)},
    ],
)
def test_a_number_too_large_for_sqlite_names_file_and_line(
    store: Store, tmp_path: Path, bad: dict[str, int]
) -> None:
    path = tmp_path / "articles.jsonl"
    lines = [article(i) for i in range(1, 6)] + [article(6, **bad)] + [article(7)]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(IngestError) as err:
        ingest_paths(store, "articles", [path])
    assert str(err.value).startswith(f"{path}: line 6: ")
    assert "out of range" in str(err.value)
    assert ids(store) == [f"pmid:{i}" for i in range(1, 6)]


def test_a_version_too_large_in_pubmed_xml(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "v.xml"
    path.write_bytes(xml(record(1), record(2), record(3, version="99999999999999999999")))
    with pytest.raises(IngestError, match=r"v\.xml: line \d+ \(PMID 3\): version .* out of range"):
        ingest_paths(store, "pubmed", [path])
    assert ids(store) == ["pmid:1", "pmid:2"]


def test_a_year_too_large_in_guideline_jsonl(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    good = {"id": "r1", "guideline_title": "G", "body": "B", "statement": "Do it."}
    path.write_text(
        json.dumps(good) + "\n" + json.dumps({**good, "id": "r2", "year": 10**19}) + "\n"
    )
    with pytest.raises(IngestError, match=r"g\.jsonl: line 2: year .* out of range"):
        ingest_paths(store, "guidelines", [path])
    assert store.count("recommendations") == 1


def test_a_year_of_thousands_of_digits(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(article(1) + "\n" + article(2).replace("2020", "9" * 5000) + "\n")
    with pytest.raises(IngestError, match=r"a\.jsonl: line 2: invalid JSON"):
        ingest_paths(store, "articles", [path])
    assert ids(store) == ["pmid:1"]


# ------------------------------------------------------------ the record size cap


def test_an_oversized_jsonl_line_stops_the_file_at_its_line(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    big = article(3, abstract="iron " * 2000)  # ~10 kB
    path.write_text("\n".join([article(1), article(2), big, article(4)]) + "\n")
    with pytest.raises(IngestError) as err:
        ingest_paths(store, "articles", [path], max_record_bytes=4096)
    assert str(err.value).startswith(f"{path}: line 3: the line is over 4,096 bytes")
    assert "max_record_bytes" in str(err.value)
    assert ids(store) == ["pmid:1", "pmid:2"]


def test_an_oversized_medline_record(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "m.txt"
    small = "PMID- {p}\nTI  - Title {p}\nAB  - Iron.\n\n"
    huge = "PMID- 3\nTI  - Title 3\n" + "".join(f"AB  - {'iron ' * 50}\n" for _ in range(40)) + "\n"
    path.write_text(small.format(p=1) + small.format(p=2) + huge + small.format(p=4))
    with pytest.raises(
        IngestError, match=r"m\.txt: line 9 \(PMID 3\): the record is over 4,096 bytes"
    ):
        ingest_paths(store, "pubmed", [path], max_record_bytes=4096)
    assert ids(store) == ["pmid:1", "pmid:2"]


def test_an_oversized_xml_record(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_bytes(xml(record(1), record(2, text="iron " * 60_000), record(3)))
    with pytest.raises(
        IngestError, match=r"x\.xml: after PMID 1: the record after PMID 1 is over 65,536 bytes"
    ):
        ingest_paths(store, "pubmed", [path], max_record_bytes=65_536)
    assert ids(store) == ["pmid:1"]


def test_an_oversized_record_from_any_reader_is_refused_before_the_store(
    store: Store, tmp_path: Path
) -> None:
    # A USPSTF API dump is read whole (one JSON document): the cap applies to
    # each record it yields.
    topic = {"title": "T", "topicYear": 2020, "rationale": "", "clinical": ""}
    spec = {"id": 1, "general": 7, "grade": "B", "title": "T -- adults", "text": "<p>Screen.</p>"}
    data = {
        "generalRecommendations": {"7": topic},
        "specificRecommendations": [
            spec,
            {**spec, "id": 2, "text": "<p>" + "iron " * 3000 + "</p>"},
        ],
    }
    path = tmp_path / "uspstf.json"
    path.write_text(json.dumps(data))
    with pytest.raises(
        IngestError, match=r"uspstf\.json: record 2 \(uspstf:2\): the record .* is over 8,192 bytes"
    ):
        ingest_paths(store, "guidelines", [path], max_record_bytes=8192)
    assert store.count("recommendations") == 1


MEMORY_PROBE = r"""
import io, resource, sys
from medbrief.errors import IngestError
from medbrief.ingest.pubmed_xml import iter_pubmed_xml

class OneHugeRecord(io.RawIOBase):
    # a record whose abstract runs on for 64 MB, generated while it is read
    def __init__(self):
        self.left = 64 * 2**20
        self.buf = b'<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><Abstract><AbstractText>'
    def readable(self):
        return True
    def readinto(self, b):
        while len(self.buf) < len(b) and self.left > 0:
            self.buf += b"iron " * 20_000
            self.left -= 100_000
            if self.left <= 0:
                self.buf += b"</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
        n = min(len(b), len(self.buf))
        b[:n] = self.buf[:n]
        self.buf = self.buf[n:]
        return n

before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    n = sum(1 for _ in iter_pubmed_xml(io.BufferedReader(OneHugeRecord()), name="huge.xml"))
    outcome = f"read {n}"
except IngestError as exc:
    outcome = str(exc)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after - before) // 1024)
print(outcome)
"""


def test_a_huge_record_is_refused_before_it_is_held_in_memory() -> None:
    # 64 MB of one record: refused at the 4 MiB default, with RSS barely
    # moving (accepting it took ~7x its size in memory).
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout.splitlines()
    grown, outcome = int(out[0]), out[1]
    assert outcome.startswith(
        "huge.xml: after PMID none yet: the record after PMID none yet is over 4,194,304 bytes"
    )
    assert grown < 60, f"peak RSS grew by {grown} MB"


# ------------------------------------------------------ guideline collections


def collection(tmp_path: Path, entries: list[dict[str, object]]) -> Path:
    folder = tmp_path / "coll"
    (folder / "content" / "g1").mkdir(parents=True)
    (folder / "content" / "g1" / "intro.md").write_text("# Intro\n\n- Give iron (Grade 1B).\n")
    (folder / "registry.json").write_text(json.dumps(entries))
    return folder


@pytest.mark.parametrize("where", ["absolute", "dotdot", "symlink"])
def test_registry_paths_cannot_leave_the_collection_folder(
    store: Store, tmp_path: Path, where: str
) -> None:
    secret = tmp_path / "elsewhere" / "secret"
    secret.mkdir(parents=True)
    (secret / "notes.md").write_text("# Private\n\n- Private text (Grade 1A).\n")
    good = {"id": "g1", "title": "Good", "sections": ["intro"]}
    if where == "absolute":
        bad = {"id": str(secret), "title": "Bad", "sections": ["notes"]}
    elif where == "dotdot":
        bad = {"id": "../../elsewhere/secret", "title": "Bad", "sections": ["notes"]}
    else:
        bad = {"id": "g1", "title": "Bad", "sections": ["link"]}
    folder = collection(tmp_path, [good, bad])
    (folder / "content" / "g1" / "link.md").symlink_to(secret / "notes.md")
    with pytest.raises(
        IngestError, match=r"registry\.json: entry 2: section .* lies outside the collection folder"
    ):
        ingest_paths(store, "guidelines", [folder])
    stored = [r[0] for r in store.conn.execute("SELECT id FROM documents")]
    assert stored == ["guideline:g1:intro"]
    texts = " ".join(r.statement for r in store.iter_recommendations())
    assert "Private" not in texts


# ------------------------------------------------------- MEDLINE and binary files


def test_medline_encoding_errors_name_their_own_line(store: Store, tmp_path: Path) -> None:
    rec = "PMID- {p}\nTI  - Title {p}\nAB  - Abstract.\nDP  - 2001\n\n"
    data = "".join(rec.format(p=i) for i in range(1, 50)).encode()
    path = tmp_path / "m.txt"
    path.write_bytes(data.replace(b"Title 30", b"Title \xff30"))
    with pytest.raises(IngestError, match=r"m\.txt: line 147: not UTF-8 text"):
        ingest_paths(store, "pubmed", [path])
    assert store.count() == 29


@pytest.mark.parametrize("seed", range(10))
def test_random_bytes_are_called_binary(tmp_path: Path, seed: int, store: Store) -> None:
    path = tmp_path / "r.xml"
    path.write_bytes(random.Random(seed).randbytes(4096))
    for fmt in ("pubmed", "guidelines"):
        with pytest.raises(IngestError, match="it looks like a binary file"):
            ingest_paths(store, fmt, [path])


def test_text_of_another_kind_is_still_called_text(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes("Ferritin and iron, café\n".encode("latin-1"))
    with pytest.raises(IngestError, match="plain text of another kind"):
        ingest_paths(store, "pubmed", [path])


# ----------------------------------------------------------- the folder summary


def test_folder_summary_counts_what_a_failing_file_committed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text("\n".join(article(i) for i in (1, 2, 3)) + "\n")
    (folder / "b.jsonl").write_text(article(4) + "\n" + article(5) + "\n{broken\n")
    home = ["--home", str(tmp_path / "home")]
    result = CliRunner().invoke(main, [*home, "ingest", "articles", str(folder), "--json"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    out = json.loads(result.stdout)
    assert [(Path(f["path"]).name, f["records"], f["complete"]) for f in out["files"]] == [
        ("a.jsonl", 3, True),
        ("b.jsonl", 2, False),
    ]
    assert out["total"]["records"] == 5 and out["complete"] is False
    assert "b.jsonl: line 3: invalid JSON" in result.stderr

    result = CliRunner().invoke(main, [*home, "ingest", "articles", str(folder)])
    assert "b.jsonl: 2 records (0 new, 0 updated, 2 unchanged" in result.stdout
    assert "total: 2 files, 5 records" in result.stdout
