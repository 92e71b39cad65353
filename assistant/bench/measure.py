"""What the benchmarks measure with: the machine, percentiles, folder sizes, the query mix."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

from ..layout import BUNDLED_CORPUS, PROJECT_ROOT


def machine() -> dict:
    import psutil

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform()}


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99)}


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def queries(n: int) -> list[str]:
    """Eval-set questions, then title fragments: a fixed, realistic query mix."""
    from ..corpus import load_corpus

    lines = (PROJECT_ROOT / "eval" / "questions.jsonl").read_text().splitlines()
    found = [json.loads(line)["question"] for line in lines if line.strip()]
    titles = sorted(p.title for p in load_corpus([BUNDLED_CORPUS]).papers)
    found += [" ".join(t.split()[:4]) for t in titles]
    return (found * (n // max(1, len(found)) + 1))[:n]
