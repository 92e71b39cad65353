"""The index stage: chunks, embeddings, the vector store, the catalog and BM25, and ingest.

Public names are below (registries: ``EMBEDDERS``, ``VECTOR_STORES``); submodules are
this package's own business."""

from __future__ import annotations

from ..lazy import lazy_exports

_EXPORTS = {
    "BM25Index": ".bm25",
    "BM25Store": ".bm25",
    "Catalog": ".catalog",
    "Chunk": ".chunking",
    "EMBEDDERS": ".embedders",
    "Embedder": ".embedders",
    "IngestError": ".ingest",
    "IngestReport": ".ingest",
    "OnnxMiniLMEmbedder": ".onnx_minilm",
    "VECTOR_STORES": ".vectorstore",
    "VectorStore": ".vectorstore",
    "chunk_papers": ".chunking",
    "count_tokens": ".chunking",
    "export_onnx": ".onnx_minilm",
    "make_embedder": ".embedders",
    "open_vector_store": ".vectorstore",
    "paper_digest": ".catalog_rows",
    "plan_vectors": ".ingest",
    "tokenize": ".bm25",
    "as_llama_index_embedding": ".embedders",
    "token_counter": ".chunking",
    "open_client": ".vectorstore",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
