"""The answering stage: LLM back-ends, prompts, composing the answer, citations and
the support judge that verifies them.

Public names are below (registry: ``LLMS``); submodules are this package's own business."""

from __future__ import annotations

from ..lazy import lazy_exports

_EXPORTS = {
    "EXPORT_FORMATS": ".export",
    "export_answer": ".export",
    "export_papers": ".export",
    "authors_line": ".export",
    "comparison_table": ".table",
    "table_markdown": ".table",
    "table_csv": ".table",
    "AnswerEvent": ".results",
    "AnswerResult": ".results",
    "ChatLLM": ".llms",
    "Citation": ".results",
    "ExtractiveLLM": ".llms",
    "FollowUp": ".conversation",
    "QWEN": ".gguf_models",
    "assemble": ".gguf_models",
    "resolve_model": ".gguf_models",
    "Turn": ".conversation",
    "capability": ".llm_base",
    "verbatim_part": ".judged",
    "locate": ".judged",
    "FakeLLM": ".llms",
    "LLMError": ".llms",
    "LLMS": ".llms",
    "Verdict": ".support",
    "availability": ".llms",
    "compared_llms": ".llms",
    "resolve_llm": ".llms",
    "cited_sentences": ".citations",
    "make_llm": ".llms",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
