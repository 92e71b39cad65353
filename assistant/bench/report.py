"""Render a bench run as markdown tables and one PNG plot (latency and ingest rate vs size)."""

from __future__ import annotations

import json
from pathlib import Path

TARGETS = {
    "ingest_papers_per_s": ">= 20 papers/s (fp32 MiniLM); 40 aimed for with int8",
    "search_p95_ms": "hybrid <= 30 ms at 50k papers",
    "cli_cold_start_s": "<= 4 s",
    "answer_first_token_s": "local <= 2 s",
    "answer_total_s": "local <= 8 s",
    "rss_mb": "<= 1500 MB with the local model loaded",
}


def _num(value, digits: int) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _rows(results, **match):
    return [r for r in results if all(r[k] == v for k, v in match.items())]


def render(report: dict, command: str) -> str:
    results = report["results"]
    m = report["machine"]
    lines = ["# Benchmarks", "", f"Command: `{command}`", "",
             f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM, Python {m['python']} ({m['platform']}). "
             f"Embedder: {report['meta']['embedder']}. Run time {report['meta']['seconds']} s.", "",
             "## Ingest", "", "| workload | papers | system | papers/s | chunks/s | process wall s | peak RSS MB | index MB |",
             "|---|---|---|---|---|---|---|---|"]
    sizes = sorted({(r["workload"], r["size"]) for r in results if r["metric"] == "ingest_papers_per_s"}, key=lambda x: x[1])
    for workload, size in sizes:
        for system in ("paper-assistant", "llama-index-default", "chroma-server"):
            rows = {r["metric"]: r["value"] for r in _rows(results, workload=workload, size=size, system=system)}
            if "ingest_papers_per_s" not in rows:
                continue
            warm = rows.get("ingest_warm_papers_per_s")
            rate = f"{rows['ingest_papers_per_s']:.1f}" + (f" (warm process {warm:.1f})" if warm else "")
            lines.append(f"| {workload} | {size} | {system} | {rate} | {_num(rows.get('ingest_chunks_per_s'), 1)} | "
                         f"{_num(rows.get('ingest_process_s'), 1)} | {_num(rows.get('rss_mb'), 0)} | "
                         f"{_num(rows.get('index_mb'), 1)} |")
    lines += ["", "## Search latency (warm process, query embedding included, k=10)", "",
              "| papers | system | mode | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|---|---|"]
    keys = sorted({(r["size"], r["system"], r["workload"]) for r in results if r["metric"] == "search_p50_ms"})
    for size, system, mode in keys:
        rows = {r["metric"]: r["value"] for r in _rows(results, size=size, system=system, workload=mode)}
        lines.append(f"| {size} | {system} | {mode} | {rows['search_p50_ms']:.1f} | {rows['search_p95_ms']:.1f} | {rows['search_p99_ms']:.1f} |")
    peer = _ratios(results)
    if peer:
        lines += ["", "## paper-assistant against llama-index's default path (ratio, same run)", "",
                  "| papers | metric | paper-assistant | llama-index default | ratio |", "|---|---|---|---|---|"]
        lines += peer
    lines += ["", "## Start-up, answers and memory (bundled corpus)", "", "| measure | back-end | value | target |", "|---|---|---|---|"]
    for r in results:
        if r["metric"] in ("cli_cold_start_s", "answer_first_token_s", "answer_total_s", "answer_first_token_p95_s",
                           "answer_total_p95_s") or (
                r["metric"] == "rss_mb" and r["size"] == 0):
            target = TARGETS.get(r["metric"], "")
            lines.append(f"| {r['metric']} | {r['workload']} | {r['value']:.3f} {r['unit']} | {target} |")
    lines += ["", "Targets: " + "; ".join(f"{k}: {v}" for k, v in TARGETS.items()) + ".", ""]
    return "\n".join(lines)


def _ratios(results) -> list[str]:
    lines = []
    for size in sorted({r["size"] for r in results if r["system"] == "llama-index-default"}):
        ours = {r["metric"]: r["value"] for r in _rows(results, size=size, system="paper-assistant") if r["workload"] in ("bundled", "synthetic", "dense")}
        theirs = {r["metric"]: r["value"] for r in _rows(results, size=size, system="llama-index-default")}
        for metric, ours_metric in (("ingest_papers_per_s", "ingest_warm_papers_per_s"), ("search_p50_ms", "search_p50_ms"), ("search_p95_ms", "search_p95_ms")):
            if metric in theirs and ours_metric in ours:
                lines.append(f"| {size} | {metric} (dense) | {ours[ours_metric]:.2f} | {theirs[metric]:.2f} | {ours[ours_metric] / theirs[metric]:.2f} |")
    return lines


def plot(report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = [r for r in report["results"] if r["system"] == "paper-assistant"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for mode in ("dense", "bm25", "hybrid"):
        points = sorted((r["size"], r["value"]) for r in results if r["workload"] == mode and r["metric"] == "search_p95_ms")
        if points:
            left.plot(*zip(*points), marker="o", label=f"{mode} p95")
    left.set_xscale("log")
    left.set_xlabel("papers")
    left.set_ylabel("search latency, ms")
    left.legend()
    points = sorted((r["size"], r["value"]) for r in results if r["metric"] == "ingest_papers_per_s")
    if points:
        right.plot(*zip(*points), marker="o", color="tab:green")
    right.set_xscale("log")
    right.set_xlabel("papers")
    right.set_ylabel("ingest, papers/s (fresh process)")
    fig.suptitle("paper-assistant on this machine")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(report: dict, out_dir: Path, command: str) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench.json").write_text(json.dumps(report, indent=1))
    (out_dir / "benchmarks.md").write_text(render(report, command))
    plot(report, out_dir / "benchmarks.png")
