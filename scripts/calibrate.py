#!/usr/bin/env python3
"""Calibrate the answer selection on the eval set's dev split (see assistant/evaluation/calibrate.py).

    python scripts/calibrate.py [--json]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.evaluation import run_calibration  # noqa: E402

if __name__ == "__main__":
    sys.exit(run_calibration())
