"""The citation-accuracy eval and the calibration on its dev split: measurement, kept
apart from the product (the runtime path never imports this package). It uses the
library API only."""

from __future__ import annotations

from ..lazy import lazy_exports

_EXPORTS = {name: ".evaluate" for name in
            ("QuestionFileError", "evaluate", "load_questions", "run_eval", "split_of", "stratified")}
_EXPORTS["run_calibration"] = ".calibrate"
_EXPORTS["run_judge_fit"] = ".judge_report"
_EXPORTS["fact_recall"] = ".metrics"
__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
