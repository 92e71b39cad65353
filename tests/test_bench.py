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
    assert set(report) == {"machine", "results", "ratios"}
    metrics = {(r["system"], r["metric"], r["workload"], r["size"]) for r in report["results"]}
    for mode in ("dense", "bm25", "hybrid"):
        for name in ("search_p50_ms", "search_p95_ms", "search_p99_ms"):
            assert ("paper-assistant", name, mode, 210) in metrics
            assert ("paper-assistant", name, mode, 10000) in metrics
            assert ("chroma-server", name, mode, 210) in metrics
    for size in (210, 10000):
        assert ("llama-index-default", "search_p95_ms", "dense", size) in metrics
    for expected in [("paper-assistant", "ingest_papers_per_s", "bundled", 210),
                     ("llama-index-default", "ingest_papers_per_s", "bundled", 210),
                     ("embedder-alone", "ingest_s", "bundled", 210),
                     ("paper-assistant", "cli_ingest_papers_per_s", "bundled", 210),
                     ("paper-assistant", "rss_mb", "bundled", 210), ("paper-assistant", "cli_cold_start_s", "search", 0),
                     ("paper-assistant", "answer_first_token_s", "local", 0), ("paper-assistant", "answer_total_s", "extractive", 0),
                     ("paper-assistant", "rss_mb", "local", 0), ("chroma-server", "ingest_papers_per_s", "bundled", 210)]:
        assert expected in metrics, expected
    assert all(r["value"] > 0 for r in report["results"])
    names = [r["name"] for r in report["ratios"]]
    assert names == ["ingest papers/s, bundled 210", "ingest time / embedding alone, bundled 210"] + [
        f"{what} p95 / peer dense p95, {size} papers"
        for size in (210, 10000) for what in ("hybrid", "dense", "query embedding alone",
                                              "after the embedding: hybrid", "after the embedding: dense")]
    assert ("embedder-alone", "search_p95_ms", "query", 10000) in metrics
    for size in (210, 10000):  # each system's search with the query vector given
        assert ("paper-assistant", "search_p95_ms", "hybrid-after-embedding", size) in metrics
        assert ("llama-index-default", "search_p95_ms", "dense-after-embedding", size) in metrics
    for r in report["ratios"]:
        assert r["ratio"] == round(r["ours"] / r["peer"], 3)
    for name in ("benchmarks.md", "bench.json", "benchmarks.png"):
        assert (tmp_path / "out" / name).stat().st_size > 0
    assert "Against llama-index's default path" in (tmp_path / "out" / "benchmarks.md").read_text()
