"""The eval's baseline: llama-index's stock CitationQueryEngine over the same chunks, found
the same way (nearest by embedding in the same Chroma collection, through
``Assistant.passages``), and the same LLM (``Assistant.backend``), turned into the same
record shape as our answers so the same metrics score it. llm= is always passed explicitly;
the baseline opens nothing of the Assistant's data folder itself."""

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


def _passage_retriever(assistant: "Assistant", top_k: int):
    """A llama-index retriever over ``Assistant.passages``: each chunk a node with its text (the
    vector store keeps none), whose paper_id, chunk number and year stay out of the LLM's prompt
    (the title goes in): llama-index would otherwise print them before every source."""
    from llama_index.core.retrievers import BaseRetriever
    from llama_index.core.schema import NodeWithScore, TextNode

    class Passages(BaseRetriever):
        def _retrieve(self, query_bundle):
            return [
                NodeWithScore(node=TextNode(
                    id_=p.chunk_id, text=p.text,
                    metadata={"paper_id": p.paper_id, "chunk": p.chunk, "year": p.year or 0, "title": p.title},
                    excluded_llm_metadata_keys=["paper_id", "chunk", "year"],
                    excluded_embed_metadata_keys=["paper_id", "chunk", "year", "title"],
                ), score=p.score)
                for p in assistant.passages(query_bundle.query_str, k=top_k)
            ]

    return Passages()


class CitationBaseline:
    """Built on the Assistant's public API only: its back-end, its passages, its papers and its judge."""

    def __init__(self, assistant: "Assistant", llm_name: str, top_k: int = 10):
        from llama_index.core.query_engine import CitationQueryEngine

        self.assistant = assistant
        self.llm = llm = assistant.backend(llm_name)  # the Assistant's own: it closes it
        self._papers = {p.paper_id: p for p in assistant.papers()}
        self.engine = CitationQueryEngine.from_args(
            None, retriever=_passage_retriever(assistant, top_k), llm=as_llama_index_llm(llm), citation_chunk_size=512,
        )

    def close(self) -> None:
        """Nothing of its own to free: the back-end and the stores are the Assistant's."""

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
