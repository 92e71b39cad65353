"""The evidence stage: from a read :class:`~.question.Question` to :class:`~.handover.Evidence`.

Hybrid (or dense, or BM25) search for the question's topic within its scope; the selector
measures each candidate and keeps the papers that answer; a fact question's quote widens
to the neighbouring sentence when that one holds the figure asked for; the kept papers
become numbered rows. When none is kept, the closest papers above the selector's
``related_cut`` are named as related. The answering stage works from what this returns.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from .handover import Evidence, EvidenceRow, RelatedPaper, RetrievedPaper
from .selection import widen_evidence

if TYPE_CHECKING:
    from .question import Question
    from .relevance import Candidate
    from .retrieve import Retriever
    from .selection import Selector

MAX_RELATED = 2


class EvidenceStage:
    def __init__(self, retriever: "Retriever", selector: "Selector", related_cut: float | None, *,
                 candidates: int, mode: str):
        self.retriever = retriever
        self.selector = selector
        self.related_cut = related_cut
        self.candidates = candidates  # settings.selection.candidate_papers
        self.mode = mode  # settings.retrieval.mode

    def gather(self, question: "Question", *, k: int | None = None, mode: str | None = None) -> Evidence:
        started = time.perf_counter()
        hits = self.retriever.search(question.topic, k=k or self.candidates, mode=mode or self.mode,
                                     years=question.scope.years, papers=question.scope.papers)
        candidates = self.selector.select(question.parsed, hits)
        if not question.is_list:
            candidates = [widen_evidence(c, question.text) if c.relevant else c for c in candidates]
        rows = [row(n, c) for n, c in enumerate((c for c in candidates if c.relevant), start=1)]
        related = [] if rows else [RelatedPaper(c.hit.paper, c.evidence_text, c.confidence)
                                   for c in related_candidates(candidates, self.related_cut)]
        retrieved = [RetrievedPaper(h.paper, h.score, h.rank) for h in hits]
        return Evidence(question, rows, related, retrieved, time.perf_counter() - started)


def row(n: int, candidate: "Candidate") -> EvidenceRow:
    sentence = candidate.evidence.sentence
    abstract = candidate.hit.paper.abstract
    quote = candidate.evidence_text
    start = abstract.find(quote, sentence.start) if candidate.quote else sentence.start
    if abstract[start:start + len(quote)] != quote:
        start = abstract.find(quote)
    spans = ((start, start + len(quote)),) if start >= 0 else ()
    return EvidenceRow(n, candidate.hit.paper, quote, spans, candidate.relevance, candidate.confidence,
                       why(candidate), dict(candidate.features))


def why(candidate: "Candidate") -> str:
    rank = f"rank {candidate.hit.rank} in retrieval"
    if candidate.confidence is not None:
        return f"the selector's confidence {candidate.confidence:.2f} reached its cut ({rank})"
    return f"relevance {candidate.relevance:.2f} passed the hand-set gate ({rank})"


def related_candidates(candidates: list["Candidate"], cut: float | None) -> list["Candidate"]:
    """The closest papers that do not answer: at most two, by confidence, above ``cut``."""
    if cut is None:
        return []
    close = [c for c in candidates if c.confidence is not None and c.confidence >= cut and not c.relevant]
    return sorted(close, key=lambda c: -c.confidence)[:MAX_RELATED]
