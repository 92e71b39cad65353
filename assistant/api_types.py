"""What the library API returns besides answers (answering/results.py): plain dataclasses."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .index.ingest import IngestReport
    from .retrieval.retrieve import PaperHit
    from .retrieval.scope import Scope


def check_years(years: tuple[int, int] | None) -> None:
    """A year range is (FROM, TO) with FROM <= TO; anything else is the caller's mistake."""
    if years is None:
        return
    if len(years) != 2 or not all(isinstance(y, int) for y in years):
        raise ValueError(f"years: expected (FROM, TO) as two integers, got {years!r}")
    if years[0] > years[1]:
        raise ValueError(f"years: FROM ({years[0]}) is after TO ({years[1]})")


@dataclass
class SearchResult:
    query: str
    mode: str
    hits: list["PaperHit"]
    seconds: float
    auto_ingest: "IngestReport | None" = None
    scope: "Scope | None" = None  # the years and papers searched

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "mode": self.mode,
            "scope": self.scope.to_dict() if self.scope else None,
            "results": [
                {
                    "paper_id": h.paper.paper_id,
                    "title": h.paper.title,
                    "score": round(h.score, 6),
                    "published": h.paper.published,
                    "snippet": h.best_chunk.text,
                }
                for h in self.hits
            ],
        }


@dataclass
class IndexStats:
    papers: int
    chunks: int
    vectors: int
    data_dir: str
    sources: list[str] = field(default_factory=list)
    embedder: str = ""
    reranker: str = "none"
    vector_store: str = ""
    catalog_version: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class CandidateFeatures:
    """One candidate paper of a question, with what the selector measures of it."""

    paper_id: str
    title: str
    rank: int  # hybrid retrieval's rank
    features: dict[str, float]
    evidence: str  # the abstract sentence that best answers the question
