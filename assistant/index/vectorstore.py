"""Chunk vectors in Chroma, through llama-index's ChromaVectorStore.

Registered stores (``VECTOR_STORES``): ``chroma``, an embedded ``PersistentClient``
under the data directory (the default), and ``chroma-server``, a Chroma server through
``HttpClient`` (chosen by itself when ``CHROMA_HOST`` is set). Chroma never embeds
anything itself: vectors always come from our own embedder.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Collection, Protocol, Sequence

from ..layout import DataLayout
from ..registry import Registry
from .chunking import paper_of_chunk

if TYPE_CHECKING:
    from ..config import Settings
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


def open_client(chroma_dir: Path | None, host: str | None = None, port: int = 8000):
    """A Chroma client: embedded under ``chroma_dir``, or of the server at host:port."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if host:
        return chromadb.HttpClient(host=host, port=port, settings=chroma_settings)
    chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(chroma_dir), settings=chroma_settings)


class VectorStore(Protocol):
    name: str
    location: str

    def count(self) -> int: ...

    def ids(self) -> set[str]: ...

    def existing(self, chunk_ids: Sequence[str]) -> set[str]: ...

    def add(self, chunks: Sequence["Chunk"], vectors: Sequence[Sequence[float]], papers: dict[str, "Paper"]) -> None: ...

    def delete(self, chunk_ids: Sequence[str]) -> None: ...

    def query(self, vector: Sequence[float], n: int, years: tuple[int, int] | None = None,
              papers: Collection[str] | None = None) -> list[DenseHit]: ...

    def reset(self) -> None: ...

    def sync(self, version: int) -> None: ...

    def load(self) -> None: ...

    def close(self) -> None: ...


# HNSW breadth by index size, from the simulation's sweeps (docs/scale.md, "Search breadth"):
# recall@10 against brute force at ef 100 is 1.000 at 25,000 vectors and 0.999 at 100,000, but
# 0.977 at 150,000 and 0.949 at 250,000, where ef 400 keeps 0.980 (0.970 at 1M).
SMALL_INDEX, SMALL_EF, LARGE_EF = 100_000, 100, 400
SYNC_THRESHOLD = 10_000


def search_ef(vectors: int) -> int:
    """The HNSW ef_search for a collection of this many vectors."""
    return SMALL_EF if vectors <= SMALL_INDEX else LARGE_EF


class ChunkVectorStore:
    """The chunk vectors of one embedder in one Chroma collection.

    Embedded Chroma keeps a collection's index in memory per process, so when another
    process (a CLI ingest beside the web page) changed the index, :meth:`sync` reopens it.
    """

    def __init__(self, connect: Callable[[], object], name: str, *, reopens: bool = True):
        self._connect = connect
        self.name = name
        self.reopens = reopens  # a server's collection is always current; an embedded one is not
        self._seen_version: int | None = None
        self._lock = threading.RLock()
        self.client = None
        self.collection = None
        self._llama_store = None
        self.search_ef: int | None = None  # None: by the collection's size (search_ef)

    def load(self) -> None:
        with self._lock:
            if self.collection is None:
                self.client = self._connect()
                # no embedding_function: Chroma's default one would download a model
                self.collection = self.client.get_or_create_collection(
                    self.name, embedding_function=None, metadata={"hnsw:space": "cosine"})
                self._fit_hnsw()

    def _fit_hnsw(self) -> None:
        """Fit the collection's HNSW settings to its size, older collections included:
        ``ef_search`` by :func:`search_ef` (or ``self.search_ef`` when set), and an index
        written to disk every 10,000 adds, not every 1,000 (each write rewrites the whole id
        map: 82 MB at a million chunks). Chroma applies a changed ef_search when it next loads
        the index: in this process, at its first search. docs/scale.md"""
        hnsw = (self.collection.configuration_json or {}).get("hnsw")
        if not hnsw:  # not an HNSW collection (a distributed Chroma's SPANN): its own settings
            return
        wanted = {"ef_search": self.search_ef or search_ef(self.collection.count()),
                  "sync_threshold": max(hnsw.get("sync_threshold") or 0, SYNC_THRESHOLD)}
        changed = {key: value for key, value in wanted.items() if hnsw.get(key) != value}
        if changed:
            self.collection.modify(configuration={"hnsw": changed})

    @property
    def store(self):
        """The collection as a llama-index vector store (for llama-index query engines, such as the
        eval's baseline). Its nodes come back without text (the catalog keeps it; see :meth:`add`).
        Made on first use: importing it costs about 2 s that a search never needs."""
        with self._lock:
            if self._llama_store is None:
                from llama_index.vector_stores.chroma import ChromaVectorStore

                self._llama_store = ChromaVectorStore(chroma_collection=self._ready())
            return self._llama_store

    def _ready(self):
        if self.collection is None:
            self.load()
        return self.collection

    def close(self) -> None:
        with self._lock:
            close = getattr(self.client, "close", None)
            if close:
                close()
            self.client = self.collection = self._llama_store = None

    def sync(self, version: int) -> None:
        """Note the catalog version this process works with; reopen when another process moved it on."""
        with self._lock:
            if self.reopens and self._seen_version is not None and version != self._seen_version and self.collection is not None:
                self.close()
            self._seen_version = version

    @property
    def location(self) -> str:
        self._ready()
        settings = getattr(self.client, "get_settings", lambda: None)()
        host = getattr(settings, "chroma_server_host", None)
        if host:
            return f"chroma server {host}:{settings.chroma_server_http_port} / {self.name}"
        return f"embedded chroma {getattr(settings, 'persist_directory', '?')} / {self.name}"

    def count(self) -> int:
        return self._ready().count()

    def existing(self, chunk_ids: Sequence[str]) -> set[str]:
        """Those of these chunk ids the store holds (looked up by id: no scan of the others)."""
        ids, found = list(chunk_ids), set()
        collection = self._ready()
        for start in range(0, len(ids), 5000):
            found.update(collection.get(ids=ids[start : start + 5000], include=[])["ids"])
        return found

    def ids(self) -> set[str]:
        found: set[str] = set()
        collection = self._ready()
        total, page = collection.count(), 50_000  # each page skips the ones before it: few pages
        for offset in range(0, total, page):
            found.update(collection.get(include=[], limit=page, offset=offset)["ids"])
        return found

    def add(self, chunks: Sequence["Chunk"], vectors: Sequence[Sequence[float]], papers: dict[str, "Paper"]) -> None:
        """Store chunk vectors with flat metadata (paper_id, chunk, year, title), the layout
        llama-index's ChromaVectorStore reads back as nodes. The chunk text is not stored here:
        the catalog has it, and Chroma indexing it for full-text search made adds 3.6x slower
        and the store 6x larger at a million papers (docs/scale.md)."""
        chunks = list(chunks)
        if len(chunks) != len(vectors):
            raise ValueError(f"{len(chunks)} chunks but {len(vectors)} vectors")
        if not chunks:
            return
        collection = self._ready()
        step = self._max_batch()
        for start in range(0, len(chunks), step):
            part = chunks[start : start + step]
            collection.add(
                ids=[c.chunk_id for c in part],
                embeddings=[list(map(float, v)) for v in vectors[start : start + step]],
                metadatas=[{"paper_id": c.paper_id, "chunk": c.index, "year": papers[c.paper_id].year or 0,
                            "title": papers[c.paper_id].title} for c in part],
            )

    def _max_batch(self) -> int:
        get = getattr(self.client, "get_max_batch_size", None)
        return max(1, int(get())) if get else 5000

    def delete(self, chunk_ids: Sequence[str]) -> None:
        ids = list(chunk_ids)
        collection = self._ready()
        for start in range(0, len(ids), 5000):
            collection.delete(ids=ids[start : start + 5000])

    def query(self, vector: Sequence[float], n: int, years: tuple[int, int] | None = None,
              papers: Collection[str] | None = None) -> list[DenseHit]:
        """The n nearest chunks (of papers in the year range, and of the given papers). Chroma
        is asked for ids and distances only: rebuilding llama-index nodes from each chunk's
        stored JSON cost more than the search."""
        if papers is not None and not papers:
            return []
        terms = [{"year": {"$gte": years[0]}}, {"year": {"$lte": years[1]}}] if years else []
        if papers is not None:
            terms.append({"paper_id": {"$in": sorted(papers)}})
        where = {"$and": terms} if len(terms) > 1 else (terms[0] if terms else None)
        result = self._ready().query(
            query_embeddings=[list(map(float, vector))], n_results=n, where=where, include=["distances"]
        )
        ids, distances = result["ids"][0], result["distances"][0]
        return [DenseHit(cid, paper_of_chunk(cid), 1.0 - d) for cid, d in zip(ids, distances)]

    def reset(self) -> None:
        with self._lock:
            self._ready()
            self.client.delete_collection(self.name)
            self.collection = self._llama_store = None
            self.load()


VECTOR_STORES: Registry[Callable[[str], VectorStore]] = Registry("vector store")


def open_vector_store(settings: "Settings", embedder_name: str) -> VectorStore:
    """The chunk store of this embedder, in the vector store that settings name (opened on first use)."""
    return VECTOR_STORES.create(settings.storage.resolved_vector_store(), settings)(collection_name(embedder_name))


def _embedded(settings: "Settings") -> Callable[[str], VectorStore]:
    path = DataLayout(settings.storage.data_dir).chroma
    return lambda name: ChunkVectorStore(lambda: open_client(path), name)


def _server(settings: "Settings") -> Callable[[str], VectorStore]:
    host, port = settings.storage.chroma_host, settings.storage.chroma_port
    if not host:
        raise ValueError("vector store 'chroma-server' needs CHROMA_HOST (and CHROMA_PORT)")
    return lambda name: ChunkVectorStore(lambda: open_client(None, host, port), name, reopens=False)


VECTOR_STORES.register("chroma", _embedded, help="embedded Chroma under the data directory; default")
VECTOR_STORES.register("chroma-server", _server, help="a Chroma server at CHROMA_HOST:CHROMA_PORT")

