"""The eval's baseline: llama-index's stock CitationQueryEngine over the same Chroma
index, embedder and LLM, turned into the same record shape as our answers so the
same metrics score it. llm= and embed_model= are always passed explicitly."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ..answering import cited_sentences

if TYPE_CHECKING:
    from ..answering import ChatLLM
    from ..api import Assistant


def as_llama_index_llm(inner: "ChatLLM", max_tokens: int = 256):
    """Any ChatLLM as a llama-index LLM (completion-style, streamed underneath)."""
    from llama_index.core.llms import CompletionResponse, CustomLLM, LLMMetadata
    from llama_index.core.llms.callbacks import llm_completion_callback
    from pydantic import PrivateAttr

    class _Adapter(CustomLLM):
        context_window: int = 2048
        num_output: int = 256
        model_name: str = "adapter"
        _inner: object = PrivateAttr()

        def __init__(self, wrapped: "ChatLLM"):
            super().__init__(context_window=wrapped.context_window, num_output=max_tokens, model_name=wrapped.model)
            self._inner = wrapped

        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(context_window=self.context_window, num_output=self.num_output, model_name=self.model_name)

        @llm_completion_callback()
        def complete(self, prompt: str, formatted: bool = False, **kwargs) -> CompletionResponse:
            text = "".join(self._inner.stream([{"role": "user", "content": prompt}], max_tokens=self.num_output, temperature=0.0))
            return CompletionResponse(text=text)

        @llm_completion_callback()
        def stream_complete(self, prompt: str, formatted: bool = False, **kwargs):
            text = ""
            for piece in self._inner.stream([{"role": "user", "content": prompt}], max_tokens=self.num_output, temperature=0.0):
                text += piece
                yield CompletionResponse(text=text, delta=piece)

    return _Adapter(inner)


def _texts_from_catalog(catalog):
    """Each retrieved chunk gets its text from the catalog (the vector store keeps vectors and
    metadata only), and the chunks' paper_id, chunk number and year stay out of the LLM's prompt
    (the title goes in): llama-index would otherwise print them before every source."""
    from llama_index.core.postprocessor.types import BaseNodePostprocessor
    from pydantic import PrivateAttr

    class CatalogText(BaseNodePostprocessor):
        _catalog: object = PrivateAttr()

        def _postprocess_nodes(self, nodes, query_bundle=None):
            texts = {c.chunk_id: c.embed_text for c in self._catalog.chunks([n.node.node_id for n in nodes])}
            for scored in nodes:
                if scored.node.node_id in texts:
                    scored.node.set_content(texts[scored.node.node_id])
                scored.node.excluded_llm_metadata_keys = ["paper_id", "chunk", "year"]
                scored.node.excluded_embed_metadata_keys = ["paper_id", "chunk", "year", "title"]
            return nodes

    postprocessor = CatalogText()
    postprocessor._catalog = catalog
    return postprocessor


class CitationBaseline:
    """Built from the same settings through the public registries (embedder, vector store,
    LLM); our Assistant is used only through its API, to look papers up and to judge."""

    def __init__(self, assistant: "Assistant", llm_name: str, top_k: int = 10):
        from llama_index.core import VectorStoreIndex
        from llama_index.core.query_engine import CitationQueryEngine

        from ..answering import make_llm
        from ..index import Catalog, as_llama_index_embedding, make_embedder, open_vector_store
        from ..layout import DataLayout

        self.assistant = assistant
        self.llm = llm = make_llm(llm_name, assistant.settings)
        embedder = make_embedder(assistant.settings)
        vectors = self._vectors = open_vector_store(assistant.settings, embedder.name)
        vectors.load()
        self._catalog = Catalog(DataLayout(assistant.settings.storage.data_dir).catalog)
        self._papers = {p.paper_id: p for p in assistant.papers()}
        embed_model = as_llama_index_embedding(embedder)
        index = VectorStoreIndex.from_vector_store(vectors.store, embed_model=embed_model)
        self.engine = CitationQueryEngine.from_args(
            index, llm=as_llama_index_llm(llm), similarity_top_k=top_k, citation_chunk_size=512,
            node_postprocessors=[_texts_from_catalog(self._catalog)],
        )

    def close(self) -> None:
        """Free the baseline's own LLM and store (a model left to interpreter shutdown can abort it)."""
        self.llm.close()
        self._vectors.close()
        self._catalog.close()

    def ask(self, question: str) -> dict:
        started = time.perf_counter()
        response = self.engine.query(question)
        total = time.perf_counter() - started
        nodes = response.source_nodes
        titles = [n.node.metadata.get("title", "") for n in nodes]
        paper_ids = [n.node.metadata.get("paper_id", "") for n in nodes]
        papers = self._papers
        text = str(response.response or "")
        citations: dict[int, dict] = {}
        for sentence in cited_sentences(text):
            for n in sentence.numbers:
                if not 1 <= n <= len(nodes) or paper_ids[n - 1] not in papers:
                    continue  # llama-index numbers its sources 1..len(source_nodes)
                verdict = self.assistant.verify(sentence.text, paper_ids[n - 1])
                entry = citations.setdefault(n, {"n": n, "paper_id": paper_ids[n - 1], "title": titles[n - 1],
                                                 "evidence": verdict.evidence, "support": verdict.support, "claims": []})
                entry["claims"].append({"sentence": sentence.text, "support": verdict.support})
        retrieved = list(dict.fromkeys(titles))
        return {
            "question": question, "answer": text, "backend": f"llama-index-citation/{self.llm.backend}",
            "model": self.llm.model, "refused": not citations, "notice": None,
            "citations": list(citations.values()),
            "sources": [{"n": i + 1, "paper_id": pid, "title": t} for i, (pid, t) in enumerate(zip(paper_ids, titles))],
            "retrieved": [{"title": t} for t in retrieved],
            "timings": {"retrieve_s": None, "first_token_s": None, "total_s": total},
        }
