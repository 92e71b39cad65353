"""The composition root: where settings become wired objects, each built on first use.

:class:`Parts` holds one Assistant's parts (embedder, stores, retriever, selector,
judge, LLMs); only api.py uses it. The providers come from the registries, so nothing
here knows a back-end by name.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING, Callable

from .config import Settings
from .layout import DataLayout

if TYPE_CHECKING:
    from .answering.answerer import Answerer
    from .answering.llms import ChatLLM
    from .answering.prompts import Prompts
    from .answering.support import SupportJudge
    from .index.bm25 import BM25Store
    from .index.catalog import Catalog
    from .index.embedders import Embedder
    from .index.vectorstore import VectorStore
    from .retrieval.evidence import EvidenceFinder
    from .retrieval.rerankers import Reranker
    from .retrieval.retrieve import Retriever


class Parts:
    def __init__(self, settings: Settings, embedder: "Embedder | None", notify: Callable[[str], None]):
        self.settings = settings
        self.notify = notify
        self.layout = DataLayout(settings.storage.data_dir)
        self._given_embedder = embedder
        self._lock = threading.RLock()
        self.llms: dict[tuple, "ChatLLM"] = {}

    @cached_property
    def embedder(self) -> "Embedder":
        from .index.embedders import QueryCache, make_embedder

        return QueryCache(self._given_embedder or make_embedder(self.settings), size=self.settings.retrieval.query_cache)

    @cached_property
    def catalog(self) -> "Catalog":
        from .index.catalog import Catalog

        return Catalog(self.layout.catalog)

    @cached_property
    def vectors(self) -> "VectorStore":
        from .index.vectorstore import open_vector_store

        return open_vector_store(self.settings, self.embedder.name)

    @cached_property
    def bm25(self) -> "BM25Store":
        from .index.bm25 import BM25Store

        return BM25Store(self.layout.bm25(self.vectors.name), self.catalog)

    @cached_property
    def retriever(self) -> "Retriever":
        from .retrieval.retrieve import Retriever

        r = self.settings.retrieval
        return Retriever(self.embedder, self.vectors, self.bm25.current, self.catalog,
                         rrf_k=r.rrf_k, candidate_chunks=r.candidate_chunks)

    @cached_property
    def evidence(self) -> "EvidenceFinder":
        from .retrieval.evidence import EvidenceFinder

        return EvidenceFinder(self.embedder, store=self.catalog)

    @cached_property
    def judge(self) -> "SupportJudge":
        from .answering.support import SupportJudge, SupportThresholds

        return SupportJudge(self.evidence, SupportThresholds.bundled(self.settings.selection.calibration_file))

    @cached_property
    def prompts(self) -> "Prompts":
        from .answering.prompts import Prompts

        return Prompts(self.settings.answer.prompts_dir)

    @cached_property
    def reranker(self) -> "Reranker | None":
        from .retrieval.rerankers import make_reranker

        return make_reranker(self.settings.retrieval.reranker, self.settings)

    @cached_property
    def answerer(self) -> "Answerer":
        from .answering.answerer import Answerer
        from .retrieval.selection import make_selector

        def search(topic: str, *, k: int, mode: str | None, years: tuple[int, int] | None, papers=None):
            return self.retriever.search(topic, k=k, mode=mode or self.settings.retrieval.mode, years=years, papers=papers)

        selector, related_cut = make_selector(self.settings, self.evidence, lambda: self.reranker, self.bm25.idf,
                                              self.embedder.name, self.notify)
        return Answerer(search, self.judge, self.prompts, self.settings, selector, related_cut)

    def llm(self, name: str | None = None, *, model: str | None = None, base_url: str | None = None) -> "ChatLLM":
        """The LLM back-end by name, built once and reused (raises LLMError if unavailable)."""
        from .answering.llms import make_llm

        name = name or self.settings.llm.resolved()
        key = (name, model, base_url)
        with self._lock:
            if key not in self.llms:
                self.llms[key] = make_llm(name, self.settings, model=model, base_url=base_url)
            return self.llms[key]

    def close(self) -> None:
        with self._lock:
            for backend in self.llms.values():
                backend.close()
            self.llms.clear()
        for name in ("retriever", "vectors", "catalog", "reranker"):
            if self.__dict__.get(name) is not None:
                self.__dict__[name].close()
        if "embedder" in self.__dict__ and self._given_embedder is None:
            self.embedder.close()  # a caller's own embedder is the caller's to close
