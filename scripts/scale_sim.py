#!/usr/bin/env python3
"""A million papers, by simulation: index pre-made vectors and text, measure at growing sizes.

    python scripts/scale_sim.py [--sizes 100000 300000 1000000] [--servers embedded server]
                                [--out docs/scale] [--json]

For each size it builds the index through the project's own stores (Chroma, the SQLite
catalog, BM25) from simulated papers with pre-made 384-dimension vectors (no model runs),
then prints, as it goes: ingest time and peak memory, sizes on disk, search p50/p95 per
mode through Assistant.search with a fake query embedder, and the HNSW index's recall@10
against brute force; with ``server``, the same searches through a ``chroma run`` server on
the same index, and the server's add rate on a sample. At the end it prints markdown tables,
writes OUT/scale-run.json and OUT/scale.png (latency and memory against size). The
simulated data lives under --work (default: a new folder in the temporary directory) and
is deleted at the end unless --keep. See docs/scale.md.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.bench import plot_scale, render_scale, run_scale  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--servers", nargs="+", default=["embedded", "server"], choices=["embedded", "server"])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "scale", help="where the JSON and the plot go")
    parser.add_argument("--json", action="store_true", help="print the JSON results at the end instead of tables")
    parser.add_argument("--work", type=Path, help="folder for the simulated index (default: a new temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the simulated index (it is large)")
    parser.add_argument("--queries", type=int, default=200, help="queries per mode and store (and for recall)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--add-batch", type=int, default=1000, help="papers per ChunkVectorStore.add call")
    parser.add_argument("--server-sample", type=int, default=10_000,
                        help="papers added (then deleted) through the server at each size, per batch size")
    args = parser.parse_args()

    command = "python scripts/scale_sim.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    try:
        report = run_scale(args.sizes, servers=args.servers, progress=lambda line: print(line, flush=True),
                           work=args.work, keep=args.keep, seed=args.seed, queries=args.queries,
                           recall_queries=args.queries, batch=args.add_batch, sample=args.server_sample)
    except (ValueError, RuntimeError) as exc:
        print(f"scale_sim: {exc}", file=sys.stderr)
        return 2
    report["meta"]["command"] = command.strip()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scale-run.json").write_text(json.dumps(report, indent=1))
    plotted = plot_scale(report, args.out / "scale.png")
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print()
        print(render_scale(report, command.strip()))
    print(f"wrote {args.out / 'scale-run.json'}" + (f" and {args.out / 'scale.png'}" if plotted
                                                    else " (no plot: matplotlib is not installed)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
