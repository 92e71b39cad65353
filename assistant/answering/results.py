"""What an answer is: its citations, result and stream events (plain dataclasses).

answerer.py builds them from the evidence stage's rows (``sources`` are those rows); the
CLI, the page and the eval read them (``to_dict`` is the ``ask --json`` shape).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..retrieval.scope import Scope

if TYPE_CHECKING:
    from ..retrieval.handover import EvidenceRow, RelatedPaper, RetrievedPaper


@dataclass
class Citation:
    n: int
    paper_id: str
    title: str
    evidence: str
    support: str
    score: float
    claims: list[dict] = field(default_factory=list)
    confidence: float | None = None  # the selector's probability that citing this paper is right


@dataclass
class AnswerResult:
    question: str
    searched_for: str
    answer: str = ""
    backend: str = "extractive"
    model: str | None = None
    refused: bool = False
    notices: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    sources: list["EvidenceRow"] = field(default_factory=list)  # the evidence stage's numbered rows
    retrieved: list["RetrievedPaper"] = field(default_factory=list)
    related: list["RelatedPaper"] = field(default_factory=list)  # close papers that do not answer (refusals)
    also: list["RelatedPaper"] = field(default_factory=list)  # under a list answer: "may also be relevant", not cited
    timings: dict[str, float | None] = field(default_factory=dict)
    scope: "Scope | None" = None  # the years and papers searched (a date phrase of the question, --only)
    dropped: list = field(default_factory=list)  # judged.Dropped: what a judging model said that did not verify
    judged_by: str | None = None  # "model" when a judging back-end chose the sources, else None (the offline selector)
    judge_scores: dict[str, float] = field(default_factory=dict)  # paper_id -> the per-paper judge's P(NOT FOUND)

    @property
    def notice(self) -> str | None:
        return " ".join(self.notices) or None

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.answer,
            "backend": self.backend,
            "model": self.model,
            "refused": self.refused,
            "notice": self.notice,
            "citations": [
                {"n": c.n, "paper_id": c.paper_id, "title": c.title, "evidence": c.evidence,
                 "support": c.support, "score": round(c.score, 4),
                 "confidence": None if c.confidence is None else round(c.confidence, 4), "claims": c.claims}
                for c in self.citations
            ],
            "related": [
                {"paper_id": r.paper.paper_id, "title": r.paper.title, "evidence": r.quote,
                 "confidence": None if r.confidence is None else round(r.confidence, 4)}
                for r in self.related
            ],
            "also_relevant": [
                {"paper_id": r.paper.paper_id, "title": r.paper.title, "evidence": r.quote,
                 "confidence": None if r.confidence is None else round(r.confidence, 4)}
                for r in self.also
            ],
            "sources": [
                {"n": s.n, "paper_id": s.paper.paper_id, "title": s.paper.title, "score": round(s.score, 4)}
                for s in self.sources
            ],
            "retrieved": [
                {"paper_id": h.paper.paper_id, "title": h.paper.title, "score": round(h.score, 6),
                 "confidence": None if h.confidence is None else round(h.confidence, 4)}
                for h in self.retrieved
            ],
            "sources_chosen_by": self.judged_by or "selector",
            "dropped": [d.to_dict() for d in self.dropped],
            "judge_not_found": {k: round(v, 4) for k, v in self.judge_scores.items()},
            "searched_for": {"topic": self.searched_for, **(self.scope or Scope()).to_dict()},
            "timings": {k: (round(v, 3) if v is not None else None) for k, v in self.timings.items()},
        }


@dataclass
class AnswerEvent:
    kind: str  # "token": answer text; "notice": a message for the user; "done": result is set
    text: str = ""
    result: AnswerResult | None = None
