#!/usr/bin/env python3
"""Compare int8 dynamic quantisations of the ONNX MiniLM against fp32 on the bundled corpus.

    python scripts/int8_variants.py

For each variant: embedding time over the bundled corpus's chunks (160/32), the
speed-up over fp32, and the cosine between its vectors and fp32's (mean and min).
The variants are written to a temporary folder; the cached models are not touched.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from assistant.index import chunk_papers  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.layout import BUNDLED_CORPUS  # noqa: E402
from assistant.corpus import load_corpus  # noqa: E402
from assistant.index import OnnxMiniLMEmbedder, export_onnx  # noqa: E402

VARIANTS = {
    "per-tensor (onnxruntime's default)": {},
    "per-channel, all ops": {"per_channel": True},
    "per-channel, MatMul only (the default embedder)": {"per_channel": True, "op_types_to_quantize": ["MatMul"]},
}


def embed(cache: Path, model: Path, texts: list[str]) -> tuple[np.ndarray, float]:
    embedder = OnnxMiniLMEmbedder(cache)
    embedder._load()
    # many texts run on one-thread sessions opened from ``_model`` (OnnxModel.each), one text on
    # ``_session``: point both at the variant (an earlier copy swapped ``_session`` only, so
    # every variant was timed and compared with the default graph)
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = embedder.threads
    options.log_severity_level = 3
    embedder._model = model
    embedder._session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    embedder.embed_documents(["warm up"] * 4)
    started = time.perf_counter()
    vectors = np.array(embedder.embed_documents(texts))
    return vectors, time.perf_counter() - started


def main() -> int:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    cache = load_settings().storage.model_cache_dir / "minilm-onnx"
    fp32 = export_onnx(cache, quantize=False)
    texts = [c.embed_text for c in chunk_papers(load_corpus([BUNDLED_CORPUS]).papers, 160, 32)]
    reference, base = embed(cache, fp32, texts)
    print(f"fp32: {len(texts)} chunks in {base:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        for name, options in VARIANTS.items():
            path = Path(tmp) / "variant.onnx"
            quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8, **options)
            vectors, seconds = embed(cache, path, texts)
            cosine = (vectors * reference).sum(axis=1)
            print(f"{name}: {seconds:.1f} s, {base / seconds:.2f}x, cosine to fp32 mean {cosine.mean():.3f} "
                  f"min {cosine.min():.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
