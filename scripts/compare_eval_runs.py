#!/usr/bin/env python3
"""Do two eval runs give the same answers? Compare their results.json record by record.

    python scripts/compare_eval_runs.py RUN_A RUN_B

RUN_A and RUN_B are `paper-assistant eval --out` folders (with results.json, or the
results.json.gz that a committed run keeps, e.g. eval/results/full-vnni). Prints, per system/LLM/mode/split,
every metric that differs (latencies left out: they measure the machine, not the answers),
then how many records cite the same papers and give the same answer text. Exit status 1
when anything but latency differs.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path


def _results(folder: Path) -> dict:
    plain, packed = folder / "results.json", folder / "results.json.gz"
    if plain.is_file():
        return json.loads(plain.read_text(encoding="utf-8"))
    if packed.is_file():
        return json.loads(gzip.decompress(packed.read_bytes()).decode("utf-8"))
    raise SystemExit(f"compare_eval_runs: {folder} has neither results.json nor results.json.gz")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    a, b = (_results(Path(p)) for p in argv)
    differences = 0
    if set(a["summary"]) != set(b["summary"]):
        print(f"runs differ: {sorted(a['summary'])} against {sorted(b['summary'])}")
        differences += 1
    for key in sorted(set(a["summary"]) & set(b["summary"])):
        left, right = a["summary"][key]["overall"], b["summary"][key]["overall"]
        for metric in sorted(set(left) | set(right)):
            if metric.endswith("_s") or "_s_" in metric:
                continue
            if left.get(metric) != right.get(metric):
                differences += 1
                print(f"{key} {metric}: {left.get(metric)} against {right.get(metric)}")
    by_key = lambda run: {(r["qid"], r["system"], r["llm"], r["mode"]): r for r in run["records"]}  # noqa: E731
    ra, rb = by_key(a), by_key(b)
    shared = sorted(set(ra) & set(rb))
    same_cited = sum(ra[k]["cited_titles"] == rb[k]["cited_titles"] for k in shared)
    same_text = sum(ra[k]["answer"] == rb[k]["answer"] for k in shared)
    differences += (len(ra) != len(rb)) + (len(shared) - same_cited) + (len(shared) - same_text)
    print(f"metrics that differ (latency left out): {differences and 'see above' or 'none'}")
    print(f"records: {len(ra)} and {len(rb)}; same cited papers: {same_cited}; same answer text: {same_text}")
    return 1 if differences else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
