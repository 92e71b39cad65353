"""The same ONNX graph run by onnx's numpy reference evaluator: a check on the int8 runtime.

onnxruntime picks its int8 kernels by CPU. On AVX2 the u8 x s8 products are summed in
saturating 16-bit pairs, on AVX-512 VNNI in 32 bits, so an int8 graph's outputs differ a
little between the two (the ms-marco cross-encoder's logits by up to 0.32, measured; see
``python scripts/int8_drift.py``). The reference evaluator does the integer arithmetic
exactly in numpy, whatever the CPU, so a test can compare onnxruntime with it and pin the
reference's own figures. It is slow (about 1 s a pair for the 12-layer cross-encoder) and
is used by tests and scripts only, never on the answer path.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _ops():
    """DequantizeLinear for opset 10-18 graphs, per-tensor (the reference evaluator
    implements it from opset 19 on only)."""
    from onnx.reference.op_run import OpRun

    class DequantizeLinear(OpRun):
        op_domain = ""

        def _run(self, x, x_scale, x_zero_point=None, **_attributes):
            if x_scale.size != 1:
                raise NotImplementedError("per-axis DequantizeLinear is not supported by this reference")
            zero = 0.0 if x_zero_point is None else x_zero_point.astype(np.float32)
            return ((x.astype(np.float32) - zero) * x_scale.astype(np.float32),)

    return [DequantizeLinear]


class _Input:
    def __init__(self, name: str):
        self.name = name


class ReferenceSession:
    """An ``onnxruntime.InferenceSession`` look-alike (``run``, ``get_inputs``) over
    ``onnx.reference.ReferenceEvaluator``."""

    def __init__(self, model: Path):
        import onnx
        from onnx.reference import ReferenceEvaluator

        graph = onnx.load(str(model))
        opset = max((o.version for o in graph.opset_import if o.domain in ("", "ai.onnx")), default=0)
        self._evaluator = ReferenceEvaluator(graph, new_ops=_ops() if opset < 19 else None)

    def get_inputs(self) -> list[_Input]:
        return [_Input(name) for name in self._evaluator.input_names]

    def run(self, output_names, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        return self._evaluator.run(output_names, feeds)


def reference_session(model: Path, threads: int = 1) -> ReferenceSession:
    """Drop-in for ``onnx_common.open_session`` (``threads`` is ignored: numpy decides)."""
    return ReferenceSession(model)
