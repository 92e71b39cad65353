#!/usr/bin/env python3
"""The scale simulation's daily update, once, on an index the simulation kept.

    python scripts/scale_sim.py --sizes 1000000 --servers embedded --work DIR --keep   # build once
    python scripts/scale_update.py DIR/data 1000000 [--server]

Applies the 1,000-paper update of scale_sim.py (900 new, 50 changed, 50 removed; then taken back)
to the kept index of SIZE papers and prints its JSON: each step's seconds and the peak RSS. With
--server, Chroma is served by `chroma run` on the same directory and the update goes through it
(vector store chroma-server): the ingesting process then holds no HNSW index, and the server's
peak RSS is printed too.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.bench import PeakRss, chroma_server, run_child  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("size", type=int)
    parser.add_argument("--server", action="store_true", help="through `chroma run` on the same Chroma directory")
    args = parser.parse_args()
    update = {"data_dir": str(args.data_dir), "seed": 7, "batch": 1000, "size": args.size,
              "new": 900, "changed": 50, "removed": 50}
    if not args.server:
        out = run_child("assistant.bench.scale_update", [json.dumps(update)], "scale update")
    else:
        with chroma_server(args.data_dir / "chroma") as (port, pid):
            server = PeakRss(pid)
            where = {"store": "chroma-server", "host": "127.0.0.1", "port": port}
            out = run_child("assistant.bench.scale_update", [json.dumps(update | where)], "scale update")
            out["server_peak_rss_mb"] = server.stop()
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
