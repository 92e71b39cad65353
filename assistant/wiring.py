"""The composition root: where settings become wired objects, each built on first use.

:class:`Parts` holds one Assistant's parts (embedder, stores, retriever, the evidence
stage with its selector, the answering stage with its judge, LLMs); only api.py uses it. The providers come from the registries, so nothing
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
    from .answering.llm_base import ChatLLM
    from .answering.prompts import Prompts
    from .answering.support import SupportJudge
    from .api_types import Defaults, Passage
    from .index.bm25 import BM25Store
    from .index.catalog import Catalog
    from .index.embedders import Embedder
    from .index.ingest import IngestReport
    from .index.vectorstore import VectorStore
    from .retrieval.answer_judge import AnswerJudge
    from .retrieval.evidence import EvidenceFinder
    from .retrieval.gather import EvidenceStage
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
        self._vectors_checked = False

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
    def answer_judge(self) -> "AnswerJudge | None":
        """The answer judge when its folder is there (and the reranker is on: it is read beside it)."""
        from .retrieval.answer_judge import load_answer_judge

        folder = self.settings.selection.answer_judge
        if folder is None or self.settings.retrieval.reranker == "none":
            return None
        return load_answer_judge(folder)

    @cached_property
    def evidence_stage(self) -> "EvidenceStage":
        from .retrieval.gather import EvidenceStage
        from .retrieval.selection import make_selector

        selector, related_cut = make_selector(self.settings, self.evidence, lambda: self.reranker, self.bm25.idf,
                                              self.embedder.name, self.notify, lambda: self.answer_judge)
        return EvidenceStage(self.retriever, selector, related_cut, candidates=self.settings.selection.candidate_papers,
                             list_candidates=self.settings.selection.list_candidate_papers,
                             mode=self.settings.retrieval.mode, finder=self.evidence)

    @cached_property
    def answerer(self) -> "Answerer":
        from .answering.answerer import Answerer

        return Answerer(self.judge, self.prompts, self.settings)

    def llm(self, name: str | None = None, *, model: str | None = None, base_url: str | None = None) -> "ChatLLM":
        """The LLM back-end by name, built once and reused (raises LLMError if unavailable)."""
        from .answering.llms import make_llm, resolve_llm

        name = name or resolve_llm(self.settings)
        key = (name, model, base_url)
        with self._lock:
            if key not in self.llms:
                self.llms[key] = make_llm(name, self.settings, model=model, base_url=base_url)
            return self.llms[key]

    def defaults(self) -> "Defaults":
        from .answering.llms import ExtractiveLLM, compared_llms, resolve_llm, writing_llms
        from .api_types import Defaults
        from .retrieval.modes import MODES

        s = self.settings
        return Defaults(llm=resolve_llm(s), candidates=s.selection.candidate_papers, top_k=s.retrieval.top_k,
                        mode=s.retrieval.mode, modes=MODES, llms=compared_llms(s), writing=writing_llms(s),
                        fallback=ExtractiveLLM.backend)

    def passages(self, query: str, k: int) -> list["Passage"]:
        """The k chunks nearest to the query by embedding, with their text from the catalog."""
        from .api_types import Passage

        hits = self.vectors.query(self.embedder.embed_query(query), k)
        chunks = {c.chunk_id: c for c in self.catalog.chunks([h.chunk_id for h in hits])}
        papers = self.catalog.papers({c.paper_id for c in chunks.values()})
        return [Passage(h.chunk_id, c.paper_id, papers[c.paper_id].title, c.embed_text, h.similarity,
                        papers[c.paper_id].year, c.index)
                for h in hits if (c := chunks.get(h.chunk_id)) is not None and c.paper_id in papers]

    def check_vectors(self, report: "IngestReport | None" = None) -> None:
        """Record, after an ingest that embedded the whole index, the vector this machine gives
        a fixed sentence; otherwise compare it once with the stored one and tell the user when
        the index's vectors were made with other arithmetic (see index/probe.py)."""
        if report is None and self._vectors_checked:  # every search after the first
            return
        from .index import probe

        catalog, embedder = self.catalog, self.embedder
        if report is not None and (report.embedded_chunks == report.chunks or not probe.stored(catalog, embedder)):
            probe.record(catalog, embedder)  # all embedded here, or an index from before the probe: adopted
            self._vectors_checked = True
            return
        if self._vectors_checked:
            return
        self._vectors_checked = True
        difference = probe.drift(catalog, embedder)
        if difference is not None and difference > probe.TOLERANCE:
            from .index.ingest import source_path

            sources = [str(source_path(s)) for s in catalog.sources()]
            self.notify(probe.warning(difference, sources, mixed=bool(report and report.embedded_chunks)))

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
