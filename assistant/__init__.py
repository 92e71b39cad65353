"""paper-assistant: question answering over research-paper abstracts with verified citations.

The public API: :class:`Assistant` (``ingest``, ``search``, ``evidence``, ``ask``, ``ask_stream``,
``follow_up``, ``stats``, ``close``, and a few helpers), the settings, the dataclasses it
returns, its errors, and the registry of each extension point. Everything else is the
stages' own business (docs/architecture.md). Names load on first use, so ``import
assistant`` builds nothing and imports no heavy library.
"""

from __future__ import annotations

from .lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS = {
    "Assistant": ".api",
    "SearchResult": ".api_types", "IndexStats": ".api_types", "CandidateFeatures": ".api_types", "Defaults": ".api_types", "Passage": ".api_types",
    "Settings": ".config", "load_settings": ".config",
    "AnswerResult": ".answering", "AnswerEvent": ".answering", "Citation": ".answering", "Verdict": ".answering",
    "Turn": ".answering", "FollowUp": ".answering",
    "LLMError": ".answering", "LLMS": ".answering", "ChatLLM": ".answering", "FakeLLM": ".answering",
    "IngestError": ".index", "IngestReport": ".index", "EMBEDDERS": ".index", "VECTOR_STORES": ".index",
    "RERANKERS": ".retrieval", "Evidence": ".retrieval", "EvidenceRow": ".retrieval", "Question": ".retrieval",
    "Paper": ".corpus", "CorpusIssue": ".corpus", "load_corpus": ".corpus", "normalize_title": ".corpus",
    "Registry": ".registry", "UnknownProvider": ".registry",
    "clean_question": ".text.clean",
    "SimilarPaper": ".retrieval", "PaperNotFound": ".retrieval", "Scope": ".retrieval", "read_date_filter": ".retrieval",
    "Watch": ".watching", "WatchReport": ".watching",
    "EXPORT_FORMATS": ".answering", "export_answer": ".answering", "export_papers": ".answering",
    "comparison_table": ".answering", "table_markdown": ".answering", "table_csv": ".answering",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
