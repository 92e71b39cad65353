"""Render a bench run as markdown tables and one PNG plot (latency and ingest rate vs size)."""

from __future__ import annotations

import json
from pathlib import Path

TARGETS = {
    "ingest_papers_per_s": ">= 1.2x llama-index's default path, same run",
    "search_p95_ms": "after the query vector is known: our hybrid p95 <= 0.6x the peer's dense p95 at 10k and "
                     "50k papers (the query embedding, which both pay, is the floor); <= 15 ms at 50k",
    "cli_cold_start_s": "<= 2 s",
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
             f"Embedder: {report['meta']['embedder']}. Run time {report['meta']['seconds']} s.", ""]
    if report.get("ratios"):
        lines += ["## Against llama-index's default path (same run; ours / peer)", "",
                  "| comparison | paper-assistant | llama-index default | ratio | target |", "|---|---|---|---|---|"]
        lines += [f"| {r['name']} | {r['ours']:.2f} {r['unit']} | {r['peer']:.2f} {r['unit']} | {r['ratio']:.2f} | {r['target']} |"
                  for r in report["ratios"]]
        lines.append("")
    lines += ["## Ingest (fresh process each, warm start: libraries imported and model loaded before the clock)", "",
              "| workload | papers | system | papers/s | seconds | peak RSS MB |", "|---|---|---|---|---|---|"]
    for workload, size in sorted({(r["workload"], r["size"]) for r in results if r["metric"] == "ingest_s"}, key=lambda x: x[1]):
        for system in ("paper-assistant", "llama-index-default", "embedder-alone"):
            rows = {r["metric"]: r["value"] for r in _rows(results, workload=workload, size=size, system=system)}
            if "ingest_s" in rows:
                lines.append(f"| {workload} | {size} | {system} | {rows['ingest_papers_per_s']:.1f} | {rows['ingest_s']:.1f} | "
                             f"{_num(rows.get('ingest_rss_mb'), 0)} |")
    lines += ["", "A user's first ingest (`paper-assistant ingest` in a fresh process, model load included):", "",
              "| workload | papers | papers/s | process s | peak RSS MB | index MB |", "|---|---|---|---|---|---|"]
    for r in _rows(results, metric="cli_ingest_papers_per_s"):
        rows = {x["metric"]: x["value"] for x in _rows(results, workload=r["workload"], size=r["size"], system="paper-assistant")}
        lines.append(f"| {r['workload']} | {r['size']} | {r['value']:.1f} | {_num(rows.get('ingest_process_s'), 1)} | "
                     f"{_num(rows.get('rss_mb'), 0)} | {_num(rows.get('index_mb'), 1)} |")
    lines += ["", "## Search latency (warm process, query embedding included, no query-vector cache, k=10)", "",
              "Up to the bundled corpus, real vectors; from 10,000 papers, both systems search the same pre-made "
              "vectors (assistant/bench/premade.py), queries embedded by the real model.", "",
              "| papers | system | mode | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|---|---|"]
    keys = sorted({(r["size"], r["system"], r["workload"]) for r in results if r["metric"] == "search_p95_ms"})
    for size, system, mode in keys:
        rows = {r["metric"]: r["value"] for r in _rows(results, size=size, system=system, workload=mode)}
        lines.append(f"| {size} | {system} | {mode} | {rows['search_p50_ms']:.1f} | {rows['search_p95_ms']:.1f} | {rows['search_p99_ms']:.1f} |")
    lines.append("\n*after-embedding*: the query's vector given (remembered), so the figure is the search alone; "
                 "for the peer, `retrieve` of a query bundle that carries its embedding.")
    lines += ["", "## Start-up, answers and memory (bundled corpus)", "", "| measure | back-end | value | target |", "|---|---|---|---|"]
    for r in results:
        if r["metric"] in ("cli_cold_start_s", "answer_first_token_s", "answer_total_s", "answer_first_token_p95_s",
                           "answer_total_p95_s") or (
                r["metric"] == "rss_mb" and r["size"] == 0):
            target = TARGETS.get(r["metric"], "")
            lines.append(f"| {r['metric']} | {r['workload']} | {r['value']:.3f} {r['unit']} | {target} |")
    lines += ["", "Targets: " + "; ".join(f"{k}: {v}" for k, v in TARGETS.items()) + ".", ""]
    return "\n".join(lines)


def plot(report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    everything = report["results"]
    results = [r for r in everything if r["system"] == "paper-assistant"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for system, mode in (("paper-assistant", "dense"), ("paper-assistant", "bm25"), ("paper-assistant", "hybrid"),
                         ("llama-index-default", "dense")):
        points = sorted((r["size"], r["value"]) for r in everything
                        if r["system"] == system and r["workload"] == mode and r["metric"] == "search_p95_ms")
        if points:
            label = f"{mode} p95" if system == "paper-assistant" else "llama-index dense p95"
            left.plot(*zip(*points), marker="o", label=label, linestyle="--" if system != "paper-assistant" else "-")
    left.set_xscale("log")
    left.set_xlabel("papers")
    left.set_ylabel("search latency, ms")
    left.legend()
    points = sorted((r["size"], r["value"]) for r in results if r["metric"] == "ingest_papers_per_s")
    if points:
        right.plot(*zip(*points), marker="o", color="tab:green")
    right.set_xscale("log")
    right.set_xlabel("papers")
    right.set_ylabel("ingest, papers/s (warm start)")
    fig.suptitle("paper-assistant on this machine")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(report: dict, out_dir: Path, command: str) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench.json").write_text(json.dumps(report, indent=1))
    (out_dir / "benchmarks.md").write_text(render(report, command))
    plot(report, out_dir / "benchmarks.png")
