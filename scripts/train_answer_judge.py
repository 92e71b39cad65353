#!/usr/bin/env python3
"""Fit the answer judge on the eval's dev split (see assistant/evaluation/judge_fit.py).

    python scripts/train_answer_judge.py [--holdout] [--threads N] [--out data/models/answer-judge]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.evaluation import run_judge_fit  # noqa: E402

if __name__ == "__main__":
    sys.exit(run_judge_fit())
