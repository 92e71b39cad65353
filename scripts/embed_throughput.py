#!/usr/bin/env python3
"""How fast the embedder runs on the bundled corpus, for several chunkings.

    python scripts/embed_throughput.py [--embedder minilm minilm-int8 bge-small-int8] [--chunking whole 160/32 200/16]

For each embedder and chunking it embeds the bundled corpus's chunks once (after a
warm-up) and prints chunks, word pieces, seconds, papers/s and word pieces/s. ONNX
embedders are timed two ways: "runs", how they embed (one text per run, several runs
at once on one-thread sessions), and "padded32", as the ingest embedded before: windows
of 64 chunks in corpus order, each sorted by length, in padded batches of 32 on one
session with all threads. "positions" counts the token positions the model computes
(word pieces plus padding).
"whole" embeds title + abstract as one text, which the embedder truncates at its window
(MiniLM 256 word pieces, bge-small 512): word pieces past it are not counted.
Embedding only: no parsing, chunking or Chroma time is included.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.index import chunk_papers  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.layout import BUNDLED_CORPUS  # noqa: E402
from assistant.corpus import load_corpus  # noqa: E402
from assistant.index import make_embedder  # noqa: E402


def texts_for(papers, chunking: str) -> list[str]:
    if chunking == "whole":
        return [f"{p.title}\n\n{p.abstract}" for p in papers]
    size, overlap = (int(x) for x in chunking.split("/"))
    return [c.embed_text for c in chunk_papers(papers, size, overlap)]


def padded_batches(texts: list[str], length, window: int = 64, size: int = 32) -> list[list[str]]:
    """The ingest's old batches: windows of ``window`` texts, each sorted by length, cut in ``size``."""
    out = []
    for start in range(0, len(texts), window):
        part = sorted(texts[start:start + window], key=length)
        out += [part[i:i + size] for i in range(0, len(part), size)]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", nargs="+", default=["minilm-int8"])
    parser.add_argument("--chunking", nargs="+", default=["160/32"])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    papers = load_corpus([BUNDLED_CORPUS]).papers
    rows = []
    windows: dict[str, int] = {}
    for name in args.embedder:
        embedder = make_embedder(load_settings(embedder=name))
        embedder.embed_documents(["warm up"] * 4)
        length = embedder.count_wordpieces
        lengths = sorted(length(f"{p.title}\n\n{p.abstract}") for p in papers)
        windows[name] = embedder.max_tokens
        ways = {"runs": embedder.embed_documents}
        if hasattr(embedder, "embed_padded"):
            ways["padded32"] = lambda texts: [v for batch in padded_batches(texts, length) for v in embedder.embed_padded(batch)]
            embedder.embed_padded(["warm up"] * 2)
        for chunking in args.chunking:
            texts = texts_for(papers, chunking)
            pieces = sum(min(embedder.max_tokens, length(t)) for t in texts)
            for way, embed in ways.items():
                positions = pieces if way == "runs" else sum(
                    len(b) * max(min(embedder.max_tokens, length(t)) for t in b) for b in padded_batches(texts, length))
                started = time.perf_counter()
                embed(texts)
                seconds = time.perf_counter() - started
                rows.append({"embedder": name, "way": way, "chunking": chunking, "chunks": len(texts),
                             "wordpieces": pieces, "positions": positions, "seconds": round(seconds, 2),
                             "papers_per_s": round(len(papers) / seconds, 1), "wordpieces_per_s": round(pieces / seconds)})
    if args.json:
        print(json.dumps({"papers": len(papers), "title_abstract_wordpieces_median": lengths[len(lengths) // 2],
                          "rows": rows}, indent=2))
        return 0
    over = ", ".join(f"{sum(n > w for n in lengths)} over {name}'s {w}" for name, w in windows.items())
    print(f"{len(papers)} papers; title + abstract: median {lengths[len(lengths) // 2]} word pieces; {over}")
    print(f"{'embedder':<14} {'way':<9} {'chunking':<8} {'chunks':>6} {'wordpieces':>10} {'positions':>9} {'s':>6} "
          f"{'papers/s':>8} {'wp/s':>6}")
    for r in rows:
        print(f"{r['embedder']:<14} {r['way']:<9} {r['chunking']:<8} {r['chunks']:>6} {r['wordpieces']:>10} {r['positions']:>9} "
              f"{r['seconds']:>6} {r['papers_per_s']:>8} {r['wordpieces_per_s']:>6}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
