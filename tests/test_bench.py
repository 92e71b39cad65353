"""`paper-assistant bench --quick` runs end to end in CI so the bench code can't rot.
Its figures are printed, not judged: this test checks only that they exist."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
EXE = str(Path(sys.executable).with_name("paper-assistant"))


def test_quick_bench_reports_every_metric(tmp_path):
    env = {**os.environ, "PAPER_ASSISTANT_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run([EXE, "bench", "--quick", "--json", "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, env=env, timeout=1500)
    assert proc.returncode == 0, proc.stderr[-3000:]
    print(proc.stderr)  # the figures, for the CI log
    report = json.loads(proc.stdout)
    assert set(report) == {"machine", "results"}
    metrics = {(r["system"], r["metric"], r["workload"]) for r in report["results"]}
    for mode in ("dense", "bm25", "hybrid"):
        for name in ("search_p50_ms", "search_p95_ms", "search_p99_ms"):
            assert ("paper-assistant", name, mode) in metrics
            assert ("chroma-server", name, mode) in metrics
    for expected in [("paper-assistant", "ingest_papers_per_s", "bundled"), ("paper-assistant", "ingest_papers_per_s", "synthetic"),
                     ("paper-assistant", "rss_mb", "bundled"), ("paper-assistant", "cli_cold_start_s", "search"),
                     ("paper-assistant", "answer_first_token_s", "local"), ("paper-assistant", "answer_total_s", "extractive"),
                     ("paper-assistant", "rss_mb", "local"), ("llama-index-default", "ingest_papers_per_s", "bundled"),
                     ("llama-index-default", "search_p95_ms", "dense"), ("chroma-server", "ingest_papers_per_s", "bundled")]:
        assert expected in metrics, expected
    assert all(r["value"] > 0 for r in report["results"])
    for name in ("benchmarks.md", "bench.json", "benchmarks.png"):
        assert (tmp_path / "out" / name).stat().st_size > 0
