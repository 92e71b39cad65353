"""Answer latency and resident memory in a process of its own (run by bench.py):

    python -m assistant.bench_answers DATA_DIR BACKEND N

prints one JSON object: median first-token and total seconds over N questions after a
warm-up question, their p95, and the process's peak RSS with the back-end loaded.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from .bench import percentiles, queries
    from .config import load_settings
    from .pipeline import Assistant

    data_dir, backend, n = Path(argv[0]), argv[1], int(argv[2])
    assistant = Assistant(load_settings(data_dir=data_dir), notify=lambda m: None)
    questions = queries(n + 1)
    assistant.ask(questions[0], llm=backend)  # loads the models
    first, total = [], []
    for question in questions[1:]:
        timings = assistant.ask(question, llm=backend).timings
        first.append(timings["first_token_s"] or timings["total_s"])
        total.append(timings["total_s"])
    print(json.dumps({
        "first_token_s": statistics.median(first), "total_s": statistics.median(total),
        "first_token_p95_s": percentiles(first)["p95"], "total_p95_s": percentiles(total)["p95"],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
