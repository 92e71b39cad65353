#!/usr/bin/env python3
"""What storing the chunk text in Chroma costs: add rate and size on disk, with and without.

    python scripts/chroma_documents_cost.py [--papers 20000]

Adds the same random unit vectors (384 dimensions, MiniLM's) with the vector store's four
metadata fields to two fresh embedded Chroma collections, 1,000 at a time, one with a
200-word document per vector and one without, and prints papers/s and MB for each. Chroma
indexes every document for full-text search; the project keeps the text in its catalog
instead (assistant/index/vectorstore.py).
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=20_000)
    args = parser.parse_args()

    import chromadb
    import numpy as np
    from chromadb.config import Settings

    rng, words = np.random.default_rng(0), [f"w{i}" for i in range(20_000)]
    vectors = rng.standard_normal((args.papers, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    pick = random.Random(0)
    documents = [" ".join(pick.choices(words, k=200)) for _ in range(args.papers)]
    for with_documents in (True, False):
        folder = Path(tempfile.mkdtemp(prefix="chroma-documents-"))
        try:
            client = chromadb.PersistentClient(path=str(folder), settings=Settings(anonymized_telemetry=False))
            collection = client.get_or_create_collection(
                "cost", embedding_function=None, metadata={"hnsw:space": "cosine", "hnsw:sync_threshold": 10_000})
            started = time.perf_counter()
            for s in range(0, args.papers, 1000):
                batch = range(s, min(s + 1000, args.papers))
                extra = {"documents": documents[s : s + 1000]} if with_documents else {}
                collection.add(ids=[f"p{i}-0" for i in batch], embeddings=vectors[s : s + 1000].tolist(),
                               metadatas=[{"paper_id": f"p{i}", "chunk": 0, "year": 2024, "title": documents[i][:60]}
                                          for i in batch], **extra)
            seconds = time.perf_counter() - started
            size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20
            label = "with the text as documents" if with_documents else "vectors and metadata only"
            print(f"{label:<28} {args.papers / seconds:8.0f} papers/s {size:8.0f} MB", flush=True)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
