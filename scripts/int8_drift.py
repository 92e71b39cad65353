#!/usr/bin/env python3
"""How far this CPU's int8 kernels put the bundled int8 models from CPU-independent references.

    python scripts/int8_drift.py

onnxruntime picks its int8 kernels by CPU (AVX2, AVX-512 VNNI, ...), so the int8 models'
outputs differ a little between machines. This prints, for this CPU, the figures that the
tests bound (tests/test_reranker.py, tests/test_onnx_bge.py, tests/test_retrieve.py), so a
bound can be justified by running this on each kind of CPU:

- the ms-marco cross-encoder's logits for the guard's four pairs, from onnxruntime and from
  the same graph run by onnx's numpy reference evaluator (exact integer arithmetic);
- bge-small-en-v1.5 int8: its first five values for "hello world" against fastembed's
  published fp32 values;
- the default MiniLM int8 embedder against its fp32 graph: cosine over the bundled corpus's
  first 40 chunks and two short texts (mean and min), as tests/test_retrieve.py measures it.
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

QUERY = "How many people live in Berlin?"
GUARD_PAIRS = [
    "Berlin has a population of 3,520,031 registered inhabitants in an area of 891.82 square kilometers.",
    "New York City is famous for the Metropolitan Museum of Art.",
    "Berlin had a population of 3,520,031 registered inhabitants in an area of 891.82 square kilometers.",
    "Berlin is well known for its museums.",
]
BGE_V1_5_HEAD = [0.01522374, -0.02271799, 0.00860278, -0.07424029, 0.00386434]  # fastembed's canonical values


def cpu() -> dict:
    flags: set[str] = set()
    model = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
            elif line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    import onnxruntime

    wanted = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_int8")
    return {"model": model, "flags": {f: f in flags for f in wanted}, "onnxruntime": onnxruntime.__version__}


def cross_encoder() -> dict:
    from assistant.config import Settings
    from assistant.retrieval import make_reranker

    model = make_reranker("minilm-l12-int8", Settings())
    runtime = model.score(QUERY, GUARD_PAIRS)
    reference = model.on_reference().score(QUERY, GUARD_PAIRS)
    return {"onnxruntime": [round(x, 4) for x in runtime], "reference": [round(x, 4) for x in reference],
            "max_gap": round(max(abs(a - b) for a, b in zip(runtime, reference)), 4)}


def bge() -> dict:
    from assistant.config import Settings
    from assistant.index import make_embedder

    model = make_embedder(Settings(embedder="bge-small-int8"))
    head = np.array(model.embed_documents(["hello world", "flag embedding"])[0][:5])
    return {"head_max_gap_to_fp32": round(float(np.abs(head - np.array(BGE_V1_5_HEAD)).max()), 4)}


def minilm() -> dict:
    from assistant.config import Settings
    from assistant.corpus import load_corpus
    from assistant.index import OnnxMiniLMEmbedder, chunk_papers, make_embedder
    from assistant.layout import BUNDLED_CORPUS

    settings = Settings()
    texts = [c.embed_text for c in chunk_papers(load_corpus([BUNDLED_CORPUS]).papers, 160, 32)[:40]]
    texts += ["shortcut learning", "a"]
    int8 = make_embedder(settings)
    fp32 = OnnxMiniLMEmbedder(settings.storage.model_cache_dir / "minilm-onnx")
    ours, reference = np.array(int8.embed_documents(texts)), np.array(fp32.embed_documents(texts))
    cosines = (ours * reference).sum(axis=1)
    return {"int8_vs_fp32_cosine_mean": round(float(cosines.mean()), 4), "int8_vs_fp32_cosine_min": round(float(cosines.min()), 4)}


def main() -> int:
    report = {"cpu": cpu(), "cross_encoder": cross_encoder(), "bge_small_int8": bge(), "minilm_int8": minilm()}
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
