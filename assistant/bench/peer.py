"""paper-assistant against llama-index's default path, measured alike in one run.

- Ingest: each system in a fresh process from the same warm start, embedding the same
  chunk texts with the same model (ingest_child.py), and the embedder alone on those texts.
- Search: both systems answer the same queries in one process, interleaved query by query
  (so a busy moment of the machine hits both), query embedding included, no query-vector
  cache (the peer has none). At the bundled size both search the indexes their own ingest
  built; at 10k+ papers both search the same pre-made vectors (premade.py).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from .measure import run_child


def ingest_in_child(system: str, corpus: Path, work: Path) -> dict:
    return run_child("assistant.bench.ingest_child", [system, str(corpus), str(work)], f"{system} ingest of {corpus}")


class PeerRetriever:
    """llama-index's default retrieval (``VectorStoreIndex.as_retriever``) over a Chroma collection."""

    def __init__(self, chroma_dir: Path, collection: str, embedder, top_k: int = 10):
        from llama_index.core import VectorStoreIndex
        from llama_index.vector_stores.chroma import ChromaVectorStore

        from ..index import as_llama_index_embedding, open_client

        self.embed_model = as_llama_index_embedding(embedder)
        self.client = open_client(chroma_dir)
        self.collection = self.client.get_or_create_collection(collection, metadata={"hnsw:space": "cosine"},
                                                               embedding_function=None)
        index = VectorStoreIndex.from_vector_store(ChromaVectorStore(chroma_collection=self.collection),
                                                   embed_model=self.embed_model)
        self.retriever = index.as_retriever(similarity_top_k=top_k)

    @classmethod
    def from_vectors(cls, chroma_dir: Path, chunks, vectors, embedder) -> "PeerRetriever":
        """Insert pre-made chunk vectors the llama-index way (nodes that carry their embedding)."""
        from llama_index.core import StorageContext, VectorStoreIndex
        from llama_index.core.schema import TextNode
        from llama_index.vector_stores.chroma import ChromaVectorStore

        peer = cls(chroma_dir, "peer", embedder)
        nodes = [TextNode(id_=c.chunk_id, text=c.embed_text, embedding=v, metadata={"paper_id": c.paper_id})
                 for c, v in zip(chunks, vectors)]
        VectorStoreIndex(nodes, storage_context=StorageContext.from_defaults(
            vector_store=ChromaVectorStore(chroma_collection=peer.collection)), embed_model=peer.embed_model)
        return peer

    def search(self, query: str):
        return self.retriever.retrieve(query)

    def search_vector(self, query: str, vector: list[float]):
        """The same retrieval with the query's vector given: llama-index embeds no query that
        arrives with its embedding."""
        from llama_index.core.schema import QueryBundle

        return self.retriever.retrieve(QueryBundle(query_str=query, embedding=vector))

    def close(self) -> None:
        close = getattr(self.client, "close", None)
        if close:
            close()


def interleaved_latency(systems: dict[str, Callable[[str], object]], queries: list[str]) -> dict[str, list[float]]:
    """Milliseconds per query for each system; each query goes to every system in turn, the
    order rotating, after one warm-up query each."""
    names = list(systems)
    for name in names:
        systems[name](queries[0] + " warm up")
    times: dict[str, list[float]] = {name: [] for name in names}
    for i, query in enumerate(queries):
        for name in names[i % len(names):] + names[: i % len(names)]:
            started = time.perf_counter()
            systems[name](query)
            times[name].append((time.perf_counter() - started) * 1000)
    return times
