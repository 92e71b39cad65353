"""What the library API returns besides answers (answering/results.py): plain dataclasses."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .index.ingest import IngestReport
    from .retrieval.retrieve import PaperHit
    from .retrieval.scope import Scope


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


@dataclass(frozen=True)
class Passage:
    """A chunk of a paper, as the vector store ranks it for a query."""

    chunk_id: str
    paper_id: str
    title: str
    text: str  # what was embedded: the title and the passage
    score: float  # cosine similarity to the query
    year: int | None
    chunk: int  # its position in the paper


@dataclass(frozen=True)
class Defaults:
    """What the Assistant uses when a caller does not say."""

    llm: str  # the back-end ``auto`` stands for
    candidates: int  # papers the evidence stage looks at (ask's -k)
    top_k: int  # papers a search returns
    mode: str  # the retrieval mode
    modes: tuple[str, ...]  # every retrieval mode
    llms: list[str] = field(default_factory=list)  # the back-ends an evaluation compares
    writing: tuple[str, ...] = ()  # the registered back-ends that write text (generative)
    fallback: str = "extractive"  # the back-end an answer falls back to, which needs no model
