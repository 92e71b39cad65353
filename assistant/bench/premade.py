"""Search indexes of 10k+ papers without embedding them: chunk vectors made from the chunk's
words (a fixed random projection of its bag of words), queries embedded by the real model.

Embedding 10,000 papers takes about ten minutes on 2 cores; these vectors take seconds. Texts
that share words get nearby vectors, so the HNSW graph has neighbour structure like a real
corpus's, and both systems search exactly the same vectors. What is timed is real: the query
embedding, the vector search, BM25, fusion and the catalog. Results are not meaningful as
answers (query and chunk vectors come from different spaces); only latency is read.
"""

from __future__ import annotations

import re
import zlib
from typing import Sequence

import numpy as np

_WORD = re.compile(r"[a-z0-9]+")


class BagOfWordsVectors:
    def __init__(self, dim: int = 384, buckets: int = 1 << 14, seed: int = 7):
        rng = np.random.default_rng(seed)
        self.table = rng.standard_normal((buckets, dim)).astype(np.float32)
        self.mask = buckets - 1

    def __call__(self, texts: Sequence[str]) -> list[list[float]]:
        out = np.zeros((len(texts), self.table.shape[1]), dtype=np.float32)
        for i, text in enumerate(texts):
            rows = [zlib.crc32(w.encode()) & self.mask for w in _WORD.findall(text.lower())]
            if rows:
                out[i] = self.table[rows].sum(axis=0)
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out.tolist()


class PremadeDocumentVectors:
    """An Embedder: documents get bag-of-words vectors, queries the real model's."""

    def __init__(self, real):
        self.real = real
        self.name = f"{real.name}-premade"
        self.dim = real.dim
        self.max_tokens = getattr(real, "max_tokens", 256)
        self._vectors = BagOfWordsVectors(real.dim)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self._vectors(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.real.embed_query(text)

    def load(self) -> None:
        self.real.load()

    def close(self) -> None:
        """The real model belongs to the caller."""
