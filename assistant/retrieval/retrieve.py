"""Dense, BM25 and hybrid (reciprocal-rank fusion) retrieval, grouped into paper hits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Collection

from ..index.chunking import Chunk, paper_of_chunk
from ..corpus import Paper
from .modes import MODES

if TYPE_CHECKING:
    from ..index.bm25 import BM25Index
    from ..index.catalog import Catalog
    from ..index.embedders import Embedder
    from ..index.vectorstore import VectorStore



@dataclass
class PaperHit:
    """One paper found for a query: its score, best chunk and per-retriever evidence."""

    paper: Paper
    score: float  # the mode's score: cosine (dense), BM25, or fused RRF (hybrid)
    best_chunk: Chunk
    rank: int = 0
    dense_rank: int | None = None  # 1-based paper rank in each retriever, when found
    bm25_rank: int | None = None
    dense_similarity: float | None = None  # best chunk cosine similarity
    bm25_score: float | None = None
    chunk_ids: list[str] = field(default_factory=list)


def rrf_fuse(rankings: list[list[str]], k: int) -> dict[str, float]:
    """Reciprocal-rank fusion: sum of 1 / (k + rank) over the rankings an item is in."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + 1.0 / (k + rank)
    return fused


def _papers_in_order(chunk_ids: list[str], paper_of: Callable[[str], str]) -> list[str]:
    return list(dict.fromkeys(paper_of(c) for c in chunk_ids))


class Retriever:
    def __init__(
        self,
        embedder: "Embedder",
        vectors: "VectorStore",
        bm25: Callable[[], "BM25Index"],
        catalog: "Catalog",
        rrf_k: int = 60,
        candidate_chunks: int = 60,
    ):
        self.embedder = embedder
        self.vectors = vectors
        self._bm25 = bm25  # loaded lazily: dense-only searches never pay for it
        self.catalog = catalog
        self.rrf_k = rrf_k
        self.candidate_chunks = candidate_chunks

    def close(self) -> None:
        """Nothing to free: BM25 runs in the caller's thread (see _chunk_hits)."""

    def search(
        self, query: str, k: int, mode: str, years: tuple[int, int] | None = None,
        papers: Collection[str] | None = None,
    ) -> list[PaperHit]:
        """The k best papers for the query (only papers of the year range, and only ``papers`` when given)."""
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; choose one of {', '.join(MODES)}")
        dense, lexical = self._chunk_hits(query, max(self.candidate_chunks, 4 * k), mode, years, papers)
        # hits on chunks the catalog no longer has (an index from before a concurrent ingest) are
        # dropped; only the best chunk of each paper returned is read whole, at the end
        known = self.catalog.existing_chunks([h.chunk_id for h in dense] + [h.chunk_id for h in lexical])
        dense = [h for h in dense if h.chunk_id in known]
        lexical = [h for h in lexical if h.chunk_id in known]
        chunk_paper = {cid: paper_of_chunk(cid) for cid in known}
        similarity: dict[str, float] = {}
        for hit in dense:
            similarity.setdefault(hit.paper_id, hit.similarity)
        bm25_best: dict[str, float] = {}
        for hit in lexical:
            bm25_best.setdefault(chunk_paper[hit.chunk_id], hit.score)

        dense_ids = [h.chunk_id for h in dense]
        lexical_ids = [h.chunk_id for h in lexical]
        dense_papers = _papers_in_order(dense_ids, chunk_paper.__getitem__)
        bm25_papers = _papers_in_order(lexical_ids, chunk_paper.__getitem__)
        if mode == "dense":
            scores = {p: similarity[p] for p in dense_papers}
        elif mode == "bm25":
            scores = {p: bm25_best[p] for p in bm25_papers}
        else:
            scores = rrf_fuse([dense_papers, bm25_papers], self.rrf_k)
        chunk_scores = rrf_fuse([dense_ids, lexical_ids], self.rrf_k)
        ranked = sorted(scores, key=lambda p: (-scores[p], p))[:k]
        own_chunks: dict[str, list[str]] = {p: [] for p in ranked}
        for chunk_id in sorted(chunk_scores, key=lambda c: -chunk_scores[c]):  # stable: ties keep their order
            own = own_chunks.get(chunk_paper[chunk_id])
            if own is not None:
                own.append(chunk_id)
        dense_rank = {p: i for i, p in enumerate(dense_papers, start=1)}
        bm25_rank = {p: i for i, p in enumerate(bm25_papers, start=1)}
        return self._hits(ranked, scores, own_chunks, dense_rank, bm25_rank, similarity, bm25_best)

    def _chunk_hits(self, query: str, n: int, mode: str, years, papers) -> tuple[list, list]:
        """The n nearest chunks by embedding and by BM25, as the mode needs them, one after the
        other. BM25 on tantivy takes a fraction of a millisecond on the bundled index; run in a
        second thread beside the dense search, the hand-over cost more than that at p95 on two
        busy cores (hybrid after the embedding, 10k papers: p95 7.4 → 4.2 ms; docs/benchmarks.md)."""
        dense, lexical = [], []
        if mode in ("dense", "hybrid"):
            dense = self.vectors.query(self.embedder.embed_query(query), n, years, papers)
        if mode in ("bm25", "hybrid"):
            lexical = self.bm25_search(query, n, years, papers)
        return dense, lexical

    def _hits(self, ranked, scores, own_chunks, dense_rank, bm25_rank, similarity, bm25_best) -> list[PaperHit]:
        papers = self.catalog.papers(ranked)
        best = {c.chunk_id: c for c in self.catalog.chunks([own_chunks[p][0] for p in ranked])}
        # an ingest that committed since the chunks were checked may have removed a paper: skip it
        ranked = [p for p in ranked if own_chunks[p][0] in best and p in papers]
        return [
            PaperHit(
                paper=papers[paper_id], score=scores[paper_id], best_chunk=best[own_chunks[paper_id][0]], rank=rank,
                dense_rank=dense_rank.get(paper_id), bm25_rank=bm25_rank.get(paper_id),
                dense_similarity=similarity.get(paper_id), bm25_score=bm25_best.get(paper_id),
                chunk_ids=own_chunks[paper_id],
            )
            for rank, paper_id in enumerate(ranked, start=1)
        ]

    def bm25_search(self, query: str, n: int, years: tuple[int, int] | None, papers: Collection[str] | None = None):
        index = self._bm25()
        if not years and papers is None:
            return index.search(query, n)
        # BM25 has no metadata filter: over-fetch, then keep chunks of the papers allowed
        hits = index.search(query, n * 5 if papers is None else max(n * 5, 20 * len(papers)))
        paper_of = {c.chunk_id: c.paper_id for c in self.catalog.chunks([h.chunk_id for h in hits])}
        found = self.catalog.papers(set(paper_of.values()))
        allowed = {
            pid for pid, p in found.items()
            if (not years or (p.year is not None and years[0] <= p.year <= years[1])) and (papers is None or pid in papers)
        }
        return [h for h in hits if paper_of.get(h.chunk_id) in allowed][:n]
