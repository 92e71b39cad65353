"""Speed and scale benchmarks (``paper-assistant bench``, and the simulated million papers of
``scripts/scale_sim.py``): measurement, kept apart from the product (the runtime path never
imports this package)."""

from __future__ import annotations

from ..lazy import lazy_exports

_EXPORTS = {"run_bench": ".runner", "write": ".report",
            "run_scale": ".scale", "render_scale": ".scale_report", "plot_scale": ".scale_report",
            "chroma_server": ".measure", "run_child": ".measure", "PeakRss": ".scale_stages"}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
