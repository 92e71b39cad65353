"""The retrieval stage: question parsing, hybrid search (dense + BM25, fused), the
cross-encoder reranker and the choice of which papers answer (selection).

Public names are below (registry: ``RERANKERS``); submodules are this package's own business."""

from __future__ import annotations

from ..lazy import lazy_exports

_EXPORTS = {
    "QuestionRows": ".selector_fit",
    "SimilarPaper": ".similar",
    "PaperNotFound": ".similar",
    "Scope": ".scope",
    "read_date_filter": ".filters",
    "MODES": ".modes",
    "Evidence": ".handover",
    "EvidenceRow": ".handover",
    "RelatedPaper": ".handover",
    "RetrievedPaper": ".handover",
    "Question": ".question",
    "read_question": ".question",
    "PaperHit": ".retrieve",
    "ParsedQuestion": ".query",
    "RERANKERS": ".rerankers",
    "Reranker": ".rerankers",
    "SelectorFile": ".logistic",
    "fit_selector": ".selector_fit",
    "preferred": ".selector_fit",
    "related_cut": ".selector_fit",
    "make_reranker": ".rerankers",
    "parse_question": ".query",
    "rrf_fuse": ".retrieve",
    "EvidenceFinder": ".evidence",
    "Quote": ".quotes",
    "QUOTE_GAP": ".quotes",
    "ask_vectors": ".quotes",
    "choose_quote": ".quotes",
    "JUDGE_FEATURES": ".features",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
