"""The composition root: the one place where settings become wired objects.

The CLI, the web page, the eval and the benchmarks all go through :class:`Assistant`.
Everything heavy (models, Chroma, BM25) is built on first use, once per instance.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from .config import Settings
from .text.clean import clean_question

if TYPE_CHECKING:
    from .answering.answerer import Answerer
    from .answering.results import AnswerEvent, AnswerResult
    from .index.bm25 import BM25Index
    from .answering.llms import ChatLLM
    from .answering.prompts import Prompts
    from .answering.support import SupportJudge
    from .index.catalog import Catalog
    from .index.embedders import Embedder
    from .index.ingest import IngestReport
    from .retrieval.rerankers import Reranker
    from .retrieval.retrieve import PaperHit, Retriever
    from .retrieval.selection import Selector
    from .index.vectorstore import ChunkVectorStore


@dataclass
class SearchResult:
    query: str
    mode: str
    hits: list["PaperHit"]
    seconds: float
    auto_ingest: "IngestReport | None" = None

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "mode": self.mode,
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


def check_years(years: tuple[int, int] | None) -> None:
    """A year range is (FROM, TO) with FROM <= TO; anything else is the caller's mistake."""
    if years is None:
        return
    if len(years) != 2 or not all(isinstance(y, int) for y in years):
        raise ValueError(f"years: expected (FROM, TO) as two integers, got {years!r}")
    if years[0] > years[1]:
        raise ValueError(f"years: FROM ({years[0]}) is after TO ({years[1]})")


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Assistant:
    """paper-assistant's library API."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: "Embedder | None" = None,
        notify: Callable[[str], None] = _stderr,
    ):
        self.settings = settings
        self.notify = notify
        self._given_embedder = embedder
        self._lock = threading.RLock()
        self._bm25: "BM25Index | None" = None
        self._llms: dict[tuple, "ChatLLM | None"] = {}
        self._vectors_version: int | None = None  # catalog version the open Chroma client has seen

    # -- wiring (lazy) -------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    @cached_property
    def embedder(self) -> "Embedder":
        from .index.embedders import make_embedder

        return self._given_embedder or make_embedder(self.settings)

    @cached_property
    def catalog(self) -> "Catalog":
        from .index.catalog import Catalog

        return Catalog(self.data_dir / "catalog.sqlite")

    @cached_property
    def vectors(self) -> "ChunkVectorStore":
        from .index.vectorstore import ChunkVectorStore, collection_name, open_client

        client = open_client(self.data_dir / "chroma", self.settings.chroma_host, self.settings.chroma_port)
        self._vectors_version = self.catalog.version
        return ChunkVectorStore(client, collection_name(self.embedder.name))

    def _refresh_if_changed_elsewhere(self) -> None:
        """Embedded Chroma keeps a collection's vector index in memory per process: when
        another process (a CLI ingest beside the web page) changed the index, reopen it."""
        if self.settings.chroma_host or "vectors" not in self.__dict__:
            return
        with self._lock:
            if self.catalog.version == self._vectors_version:
                return
            stale = self.__dict__.pop("vectors")
            self.__dict__.pop("retriever", None)
            close = getattr(stale.client, "close", None)
            if close:
                close()

    @cached_property
    def retriever(self) -> "Retriever":
        from .retrieval.retrieve import Retriever

        return Retriever(
            self.embedder, self.vectors, self.bm25_index, self.catalog,
            rrf_k=self.settings.rrf_k, candidate_chunks=self.settings.candidate_chunks,
        )

    def _bm25_dir(self) -> Path:
        return self.data_dir / "bm25" / self.vectors.name

    def bm25_index(self) -> "BM25Index":
        """The BM25 index for the current catalog: from memory, from disk, or built once."""
        from .index.bm25 import BM25Index

        with self._lock:
            version = self.catalog.version
            if self._bm25 is not None and self._bm25.version == version:
                return self._bm25
            index = BM25Index.load(self._bm25_dir(), version)
            if index is None:
                index = BM25Index.build(self.catalog.iter_embed_texts(), version)
                index.save(self._bm25_dir())
            self._bm25 = index
            return index

    # -- ingest ----------------------------------------------------------------
    def ingest(self, paths: list[Path] | None = None, *, rebuild: bool = False, progress: bool = True) -> "IngestReport":
        from .index.ingest import ingest_lock, run_ingest

        self._refresh_if_changed_elsewhere()
        with ingest_lock(self.data_dir, self.notify):
            report = run_ingest(
                catalog=self.catalog, vectors=self.vectors, embedder=self.embedder,
                chunk_tokens=self.settings.chunk_tokens, chunk_overlap=self.settings.chunk_overlap,
                paths=paths, rebuild=rebuild, batch_size=max(self.settings.embed_batch_size, 64),
                progress=progress,
            )
            self._vectors_version = self.catalog.version  # our own change: nothing to reopen
            self.bm25_index()  # rebuild and save now, not on the next query
            return report

    def ensure_index(self) -> "IngestReport | None":
        """Ingest the bundled corpus if the index is empty (the first search does this)."""
        papers, _ = self.catalog.counts()
        if papers or self.catalog.sources():
            return None
        self.notify("The index is empty: ingesting the bundled corpus first (once)…")
        return self.ingest(progress=sys.stderr.isatty())

    # -- search ----------------------------------------------------------------
    def search(
        self, query: str, *, k: int | None = None, mode: str | None = None, years: tuple[int, int] | None = None
    ) -> SearchResult:
        query = clean_question(query)
        if not query:
            raise ValueError("the query is empty")
        check_years(years)
        from .retrieval.query import parse_question

        auto = self.ensure_index()
        self._refresh_if_changed_elsewhere()
        mode = mode or self.settings.mode
        started = time.perf_counter()
        topic = parse_question(query).topic
        hits = self.retriever.search(topic, k=k or self.settings.top_k, mode=mode, years=years)
        return SearchResult(query, mode, hits, time.perf_counter() - started, auto)

    # -- answers -----------------------------------------------------------------
    @cached_property
    def judge(self) -> "SupportJudge":
        from .answering.support import SupportJudge

        return SupportJudge(self.embedder, store=self.catalog)

    @cached_property
    def prompts(self) -> "Prompts":
        from .answering.prompts import Prompts

        return Prompts(self.settings.prompts_dir)

    @cached_property
    def answerer(self) -> "Answerer":
        from .answering.answerer import Answerer

        def search(topic: str, *, k: int, mode: str | None, years: tuple[int, int] | None):
            return self.retriever.search(topic, k=k, mode=mode or self.settings.mode, years=years)

        selector, related_cut = self._selector()
        return Answerer(search, self.judge, self.prompts, self.settings, selector, related_cut)

    @cached_property
    def reranker(self) -> "Reranker | None":
        from .retrieval.rerankers import make_reranker

        return make_reranker(self.settings.reranker, self.settings)

    def _selector(self) -> "tuple[Selector, float | None]":
        from .retrieval.selection import make_selector

        return make_selector(self.settings, self.judge, lambda: self.reranker, lambda t: self.bm25_index().idf(t),
                             self.embedder.name, self.notify)

    def llm(self, name: str | None = None, *, model: str | None = None, base_url: str | None = None) -> "ChatLLM | None":
        """The LLM back-end by name (None: extractive), built once and reused."""
        from .answering.llms import make_llm

        name = name or self.settings.resolved_llm()
        key = (name, model, base_url)
        with self._lock:
            if key not in self._llms:
                settings = self.settings
                if model or base_url:
                    overrides = {"openai_model": model, "openai_base_url": base_url}
                    if name == "local" and model:
                        overrides = {"local_model_path": model}
                    settings = settings.model_copy(update={k: v for k, v in overrides.items() if v})
                self._llms[key] = make_llm(name, settings)
            return self._llms[key]

    def ask_stream(
        self, question: str, *, llm: str | None = None, model: str | None = None, base_url: str | None = None,
        k: int | None = None, mode: str | None = None, years: tuple[int, int] | None = None,
    ) -> Iterator["AnswerEvent"]:
        """Stream an answer: token and notice events, then a done event with the result."""
        from .answering.llms import LLMError

        question = clean_question(question)
        if not question:
            raise ValueError("the question is empty")
        check_years(years)
        self.ensure_index()
        self._refresh_if_changed_elsewhere()
        notices: list[str] = []
        try:
            backend = self.llm(llm, model=model, base_url=base_url)
        except LLMError as exc:
            backend = None
            notices.append(f"The {llm or self.settings.resolved_llm()} LLM is unavailable ({exc}); this is the extractive answer.")
        return self.answerer.stream(question, backend, k=k, mode=mode, years=years, notices=notices)

    def condense(self, history: list[tuple[str, str]], question: str, llm: str | None = None) -> str:
        """A follow-up question rewritten to stand alone (see followup.py)."""
        from .answering.followup import condense
        from .answering.llms import LLMError

        try:
            backend = self.llm(llm)
        except LLMError:
            backend = None
        history = [(clean_question(q), a) for q, a in history]
        return condense(history, clean_question(question), backend, self.prompts)

    def warm_up(self, llm: str | None = None) -> None:
        """Build the index if needed and load the models, so the first question is fast."""
        from .answering.llms import LLMError

        self.ensure_index()
        self.embedder.embed_query("warm up")
        self.bm25_index()
        try:
            backend = self.llm(llm)
        except LLMError:
            return
        if backend is not None and hasattr(backend, "load"):
            backend.load()

    def ask(self, question: str, **options) -> "AnswerResult":
        result = None
        for event in self.ask_stream(question, **options):
            if event.kind == "done":
                result = event.result
        assert result is not None
        return result

    # -- status ----------------------------------------------------------------
    def stats(self) -> dict:
        papers, chunks = self.catalog.counts()
        return {
            "papers": papers,
            "chunks": chunks,
            "vectors": self.vectors.count(),
            "data_dir": str(self.data_dir),
            "sources": self.catalog.sources(),
            "embedder": self.embedder.name,
            "vector_store": self.vectors.location,
            "catalog_version": self.catalog.version,
        }

    def close(self) -> None:
        for backend in self._llms.values():
            if hasattr(backend, "close"):
                backend.close()
        self._llms.clear()
        if "catalog" in self.__dict__:
            self.catalog.close()
