"""NLM's PubMed distribution: which files exist, in which order they apply.

NLM publishes PubMed as an annual *baseline* (``baseline/pubmed25n0001.xml.gz``
... about 1,300 files, each PMID in exactly one of them) and daily *update
files* (``updatefiles/pubmed25n1275.xml.gz`` ..., numbered on from the
baseline), each with an ``.md5`` beside it holding ``MD5(name)= <hex>``
("MEDLINE/PubMed Baseline Repository", NLM). Updates revise and delete
records of the baseline and of earlier updates, so they apply in number
order after it; a new year's baseline (``pubmed26n...``) follows the old
year's updates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from medbrief.errors import RemoteError

FOLDERS = ("baseline", "updatefiles")
_NAME = re.compile(r'href="(?:[^"]*/)?(pubmed(\d{2})n(\d{4,})\.xml\.gz)"')
_MD5 = re.compile(r"\b([0-9a-fA-F]{32})\b")


@dataclass(frozen=True, slots=True, order=True)
class RemoteFile:
    """One distribution file; instances sort in the order they apply."""

    year: int
    folder_rank: int
    number: int
    folder: str
    name: str
    url: str

    @property
    def key(self) -> str:
        """Its name within the distribution: ``baseline/pubmed25n0001.xml.gz``."""
        return f"{self.folder}/{self.name}"

    @property
    def is_baseline(self) -> bool:
        return self.folder == "baseline"

    def may_skip(self, missing: RemoteFile) -> bool:
        """Whether this file may be ingested although ``missing`` (an earlier
        file) is not: only baseline files of one year hold disjoint records."""
        return self.is_baseline and missing.is_baseline and missing.year == self.year


def folder_url(base_url: str, folder: str) -> str:
    return urljoin(base_url if base_url.endswith("/") else base_url + "/", folder + "/")


def parse_listing(html: str, base_url: str, folder: str) -> list[RemoteFile]:
    """The data files an HTML directory listing links to (``.md5`` links aside)."""
    url = folder_url(base_url, folder)
    found = {
        m.group(1): RemoteFile(
            year=int(m.group(2)),
            folder_rank=FOLDERS.index(folder),
            number=int(m.group(3)),
            folder=folder,
            name=m.group(1),
            url=urljoin(url, m.group(1)),
        )
        for m in _NAME.finditer(html)
    }
    return sorted(found.values())


def list_files(client: httpx.Client, base_url: str) -> list[RemoteFile]:
    """Every baseline and update file at ``base_url``, in the order they apply."""
    files: list[RemoteFile] = []
    for folder in FOLDERS:
        url = folder_url(base_url, folder)
        try:
            response = client.get(url)
        except httpx.HTTPError as exc:
            raise RemoteError(f"cannot list {url}: {exc}") from None
        if response.status_code == 404 and folder == "updatefiles":
            continue  # a mirror of the baseline alone
        if response.status_code != 200:
            raise RemoteError(f"cannot list {url}: HTTP {response.status_code}")
        files += parse_listing(response.text, base_url, folder)
    if not files:
        raise RemoteError(f"no PubMed files listed under {base_url} (baseline/, updatefiles/)")
    return sorted(files)


def parse_md5(text: str, name: str) -> str:
    """The hex digest in an NLM ``.md5`` file (``MD5(name)= <hex>``)."""
    found = _MD5.search(text)
    if found is None:
        raise RemoteError(f"{name}.md5 holds no MD5 checksum: {text[:80]!r}")
    return found.group(1).lower()
