"""One system's ingest of one corpus in a process of its own, timed from a warm start:

    python -m assistant.bench.ingest_child ours|peer|embed CORPUS WORK_DIR

Both systems start alike: the libraries each one uses are imported and the embedder is
loaded before the clock starts; the clock stops when the index is searchable. Both embed
the same texts, paper-assistant's chunks (title + passage):

- ``ours``: ``Assistant.ingest`` (parse, chunk, embed, Chroma, catalog, BM25).
- ``peer``: llama-index's default path: one Document per chunk text,
  ``VectorStoreIndex.from_documents`` with its SentenceSplitter (which splits nothing
  further), the same model through a llama-index BaseEmbedding handing it batches of 10
  (llama-index's default), each run as one padded batch, as llama-index's embedding
  integrations run them; the same embedded Chroma.
- ``embed``: the embedder alone on the same texts (the floor an ingest can approach).

Prints one JSON line: seconds, papers, chunks, wordpieces, texts_sha256, peak_rss_mb.
It imports nothing of the bench runner that measures it.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

SYSTEMS = ("ours", "peer", "embed")
LLAMA_INDEX_DEFAULT_EMBED_BATCH = 10


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in SYSTEMS:
        print(f"usage: python -m assistant.bench.ingest_child {'|'.join(SYSTEMS)} CORPUS WORK_DIR", file=sys.stderr)
        return 2
    system, corpus, work = argv[0], Path(argv[1]), Path(argv[2])
    from ..app import peak_rss_mb
    from ..config import load_settings
    from ..corpus import load_corpus
    from ..index import chunk_papers, make_embedder

    settings = load_settings().updated(data_dir=work / "data")
    embedder = make_embedder(settings)
    embedder.embed_documents(["warm up", "the model loads"])  # both sessions: one run and many
    papers = load_corpus([corpus]).papers
    index = settings.index
    texts = [c.embed_text for c in chunk_papers(papers, index.chunk_tokens, index.chunk_overlap)]
    wordpieces = sum(min(embedder.max_tokens, embedder.count_wordpieces(t)) for t in texts)

    if system == "ours":
        import bm25s  # noqa: F401 - imported before the clock, as the peer's libraries are
        import chromadb  # noqa: F401

        from ..api import Assistant

        assistant = Assistant(settings, embedder=embedder, notify=lambda m: None)
        started = time.perf_counter()
        report = assistant.ingest([corpus], progress=False)
        seconds = time.perf_counter() - started
        assert report.chunks == len(texts), (report.chunks, len(texts))
        assistant.close()
    elif system == "peer":
        seconds = _peer(texts, embedder, work, settings)
    else:
        started = time.perf_counter()
        embedder.embed_documents(texts)
        seconds = time.perf_counter() - started
    print(json.dumps({
        "system": system, "seconds": round(seconds, 3), "papers": len(papers), "chunks": len(texts),
        "wordpieces": wordpieces, "texts_sha256": hashlib.sha256("\n\x00".join(texts).encode()).hexdigest(),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }))
    return 0


def _peer(texts: list[str], embedder, work: Path, settings) -> float:
    from llama_index.core import Document, StorageContext, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from ..index import as_llama_index_embedding, open_client, token_counter

    documents = [Document(text=t, excluded_embed_metadata_keys=[], excluded_llm_metadata_keys=[]) for t in texts]
    # its stock splitter runs, with a window wide enough that it keeps every chunk whole
    splitter = SentenceSplitter(chunk_size=1024, chunk_overlap=0, tokenizer=token_counter())
    embed_model = as_llama_index_embedding(embedder, batch_size=LLAMA_INDEX_DEFAULT_EMBED_BATCH, padded=True)
    client = open_client(work / "peer-chroma")
    collection = client.get_or_create_collection("peer", metadata={"hnsw:space": "cosine"}, embedding_function=None)
    storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
    started = time.perf_counter()
    VectorStoreIndex.from_documents(documents, storage_context=storage, embed_model=embed_model,
                                    transformations=[splitter])
    seconds = time.perf_counter() - started
    assert collection.count() == len(texts), (collection.count(), len(texts))
    stored = collection.get(include=["documents"], limit=len(texts))["documents"]
    assert sorted(stored) == sorted(texts), "the peer embedded other texts than ours"
    return seconds


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
