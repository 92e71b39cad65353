"""Answer latency and resident memory in a process of its own (run by bench.py):

    python -m assistant.bench.answers DATA_DIR BACKEND N

prints one JSON object: median first-token and total seconds over N eval questions
(the four types in turn) after a warm-up question, their p95, and the process's peak
RSS with the back-end loaded. It uses the library API only and imports nothing of the
bench runner that measures it.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def main(argv: list[str]) -> int:
    from ..api import Assistant
    from ..app import peak_rss_mb
    from ..config import load_settings
    from ..evaluation import load_questions, stratified
    from ..layout import EVAL_QUESTIONS

    data_dir, backend, n = Path(argv[0]), argv[1], int(argv[2])
    assistant = Assistant(load_settings(data_dir=data_dir), notify=lambda m: None)
    # all four question types in turn: list questions open with the pipeline's own line,
    # the others with the model's first word
    questions = [q.question for q in stratified(load_questions(EVAL_QUESTIONS), n + 1)]
    assistant.ask(questions[0], llm=backend)  # loads the models
    first, total = [], []
    for question in questions[1:]:
        timings = assistant.ask(question, llm=backend).timings
        first.append(timings["first_token_s"] or timings["total_s"])
        total.append(timings["total_s"])
    print(json.dumps({
        "first_token_s": statistics.median(first), "total_s": statistics.median(total),
        "first_token_p95_s": p95(first), "total_p95_s": p95(total),
        "peak_rss_mb": peak_rss_mb(),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
