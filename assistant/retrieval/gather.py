"""The evidence stage: from a read :class:`~.question.Question` to :class:`~.handover.Evidence`.

Hybrid (or dense, or BM25) search for the question's topic within its scope; the selector
measures each candidate and keeps the papers that answer; a fact question's quote is the
sentences that hold what it asks (quotes.py), not those that match how it names its paper;
the kept papers become numbered rows. When none is kept, the closest papers above the
selector's ``related_cut`` are named as related; under a list answer, the next few below
the cut are shown as "may also be relevant", never cited. The answering stage works from
what this returns.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ..text.asks import read_asks
from .handover import Evidence, EvidenceRow, RelatedPaper, RetrievedPaper
from .quotes import Quote, ask_vectors, choose_quote

if TYPE_CHECKING:
    from .evidence import EvidenceFinder
    from .question import Question
    from .relevance import Candidate
    from .retrieve import Retriever
    from .selection import Selector

MAX_RELATED = 2
MAX_ALSO = 3  # "may also be relevant" under a list answer


class EvidenceStage:
    def __init__(self, retriever: "Retriever", selector: "Selector", related_cut: float | None, *,
                 candidates: int, mode: str, finder: "EvidenceFinder | None" = None,
                 list_candidates: int | None = None):
        self.retriever = retriever
        self.finder = finder  # chooses a fact question's quote by its asks (None: the selector's sentence)
        self.selector = selector
        self.related_cut = related_cut
        self.candidates = candidates  # settings.selection.candidate_papers
        self.list_candidates = list_candidates or candidates  # settings.selection.list_candidate_papers
        self.mode = mode  # settings.retrieval.mode

    def gather(self, question: "Question", *, k: int | None = None, mode: str | None = None) -> Evidence:
        started = time.perf_counter()
        wanted = self.list_candidates if question.is_list else self.candidates
        hits = self.retriever.search(question.topic, k=k or wanted, mode=mode or self.mode,
                                     years=question.scope.years, papers=question.scope.papers)
        candidates = self.selector.select(question.parsed, hits)
        kept = [c for c in candidates if c.relevant]
        quotes = self._quotes(question, kept)
        rows = [row(n, c, q) for n, (c, q) in enumerate(zip(kept, quotes), start=1)]
        related = [] if rows else [RelatedPaper(c.hit.paper, c.evidence_text, c.confidence)
                                   for c in related_candidates(candidates, self.related_cut)]
        also = [RelatedPaper(c.hit.paper, c.evidence_text, c.confidence)
                for c in also_candidates(candidates, self.related_cut)] if rows and question.is_list else []
        confidence = {c.hit.paper.paper_id: c.confidence for c in candidates}
        retrieved = [RetrievedPaper(h.paper, h.score, h.rank, confidence.get(h.paper.paper_id)) for h in hits]
        return Evidence(question, rows, related, retrieved, time.perf_counter() - started, also=also)

    def _quotes(self, question: "Question", kept: list["Candidate"]) -> list[Quote]:
        """Each kept paper's quote: for a fact question the sentences that hold its asks."""
        spans = [sentence_span(c) for c in kept]
        if question.is_list or self.finder is None or not kept:
            return [Quote(c.evidence_text, span) for c, span in zip(kept, spans)]
        asked = read_asks(question.text)
        vectors = ask_vectors(asked, self.finder)
        return [choose_quote(c.hit.paper, asked, vectors, self.finder, span[0]) for c, span in zip(kept, spans)]


def sentence_span(candidate: "Candidate") -> tuple[tuple[int, int], ...]:
    """The offsets of the candidate's quote in its abstract (empty if it is not there)."""
    abstract, quote = candidate.hit.paper.abstract, candidate.evidence_text
    start = candidate.evidence.sentence.start
    if abstract[start:start + len(quote)] != quote:
        start = abstract.find(quote)
    return ((start, start + len(quote)),) if start >= 0 else ((0, 0),)


def row(n: int, candidate: "Candidate", quote: Quote | None = None) -> EvidenceRow:
    quote = quote or Quote(candidate.evidence_text, sentence_span(candidate))
    return EvidenceRow(n, candidate.hit.paper, quote.text, quote.spans, candidate.relevance, candidate.confidence,
                       why(candidate), dict(candidate.features))


def why(candidate: "Candidate") -> str:
    rank = f"rank {candidate.hit.rank} in retrieval"
    if candidate.confidence is not None:
        return f"the selector's confidence {candidate.confidence:.2f} reached its cut ({rank})"
    return f"relevance {candidate.relevance:.2f} passed the hand-set gate ({rank})"


def related_candidates(candidates: list["Candidate"], cut: float | None, limit: int = MAX_RELATED) -> list["Candidate"]:
    """The closest papers that are not cited: at most ``limit``, by confidence, at least ``cut``."""
    if cut is None:
        return []
    close = [c for c in candidates if c.confidence is not None and c.confidence >= cut and not c.relevant]
    return sorted(close, key=lambda c: -c.confidence)[:limit]


def also_candidates(candidates: list["Candidate"], cut: float | None) -> list["Candidate"]:
    """Under a list answer: the next papers below the selector's cut, shown apart, never cited."""
    return related_candidates(candidates, cut, MAX_ALSO)
