"""Chunk vectors in Chroma, through llama-index's ChromaVectorStore.

Embedded ``PersistentClient`` under the data directory by default; a Chroma server
through ``HttpClient`` when ``CHROMA_HOST`` is set. Chroma never embeds anything
itself: vectors always come from our own embedder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from .chunking import paper_of_chunk

if TYPE_CHECKING:
    from .chunking import Chunk
    from ..corpus import Paper


@dataclass(frozen=True)
class DenseHit:
    chunk_id: str
    paper_id: str
    similarity: float  # cosine similarity, -1..1


def collection_name(embedder_name: str) -> str:
    slug = re.sub(r"[^a-zA-Z0-9_-]+", "-", embedder_name).strip("-").lower()
    return f"paper-chunks-{slug}"[:60]


def open_client(chroma_dir: Path, host: str | None = None, port: int = 8000):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if host:
        return chromadb.HttpClient(host=host, port=port, settings=chroma_settings)
    chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(chroma_dir), settings=chroma_settings)


class ChunkVectorStore:
    """The chunk vectors of one embedder in one Chroma collection."""

    def __init__(self, client, name: str):
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self.client = client
        self.name = name
        # no embedding_function: Chroma's default one would download a model
        self.collection = client.get_or_create_collection(
            name, metadata={"hnsw:space": "cosine"}, embedding_function=None
        )
        self.store = ChromaVectorStore(chroma_collection=self.collection)

    @property
    def location(self) -> str:
        settings = getattr(self.client, "get_settings", lambda: None)()
        host = getattr(settings, "chroma_server_host", None)
        if host:
            return f"chroma server {host}:{settings.chroma_server_http_port} / {self.name}"
        return f"embedded chroma {getattr(settings, 'persist_directory', '?')} / {self.name}"

    def count(self) -> int:
        return self.collection.count()

    def ids(self) -> set[str]:
        found: set[str] = set()
        total, page = self.collection.count(), 5000
        for offset in range(0, total, page):
            found.update(self.collection.get(include=[], limit=page, offset=offset)["ids"])
        return found

    def add(self, chunks: Sequence["Chunk"], vectors: Sequence[Sequence[float]], papers: dict[str, "Paper"]) -> None:
        from llama_index.core.schema import TextNode

        nodes = []
        for chunk, vector in zip(chunks, vectors, strict=True):
            paper = papers[chunk.paper_id]
            nodes.append(
                TextNode(
                    id_=chunk.chunk_id,
                    text=chunk.embed_text,
                    embedding=list(vector),
                    metadata={"paper_id": chunk.paper_id, "chunk": chunk.index, "year": paper.year or 0,
                              "title": paper.title},
                    excluded_embed_metadata_keys=["paper_id", "chunk", "year", "title"],
                    excluded_llm_metadata_keys=["paper_id", "chunk", "year"],
                )
            )
        if nodes:
            self.store.add(nodes)

    def delete(self, chunk_ids: Sequence[str]) -> None:
        ids = list(chunk_ids)
        for start in range(0, len(ids), 5000):
            self.collection.delete(ids=ids[start : start + 5000])

    def query(self, vector: Sequence[float], n: int, years: tuple[int, int] | None = None) -> list[DenseHit]:
        """The n nearest chunks. Chroma is asked for ids and distances only: rebuilding
        llama-index nodes from each chunk's stored JSON cost more than the search."""
        where = {"$and": [{"year": {"$gte": years[0]}}, {"year": {"$lte": years[1]}}]} if years else None
        result = self.collection.query(
            query_embeddings=[list(map(float, vector))], n_results=n, where=where, include=["distances"]
        )
        ids, distances = result["ids"][0], result["distances"][0]
        return [DenseHit(cid, paper_of_chunk(cid), 1.0 - d) for cid, d in zip(ids, distances)]

    def reset(self) -> None:
        self.client.delete_collection(self.name)
        self.__init__(self.client, self.name)

