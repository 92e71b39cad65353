"""Speed and scale benchmarks (``paper-assistant bench``): measurement, kept apart from the
product (the runtime path never imports this package)."""

from __future__ import annotations

from ..lazy import lazy_exports

_EXPORTS = {"run_bench": ".runner", "write": ".report"}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
