#!/usr/bin/env python3
"""What ingest holds in memory besides the index, on an existing data directory.

    python scripts/memory_profile.py DATA_DIR [--corpus FILE]

Prints resident-memory figures (MB, from /proc/self/status) for:
- parsing the corpus file (--corpus) and chunking all of it at once (what ingest no
  longer does);
- building a BM25 index over DATA_DIR's catalog with bm25s (every chunk's text loaded,
  tokens as lists of strings; the engine before tantivy) and the current way (streamed
  rows into tantivy, in a temporary folder), each in a fresh child process so that peaks
  do not mix, and how many of the top 10 chunk ids both give for a few queries (the two
  score with different k1: 1.5 and 1.2).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            values[line.split(":")[0]] = int(line.split()[1]) / 1024
    return values["VmRSS"], values["VmHWM"]


QUERIES = ["shortcut learning", "graph neural networks link prediction", "diffusion models for image editing"]


def bm25_child(data_dir: str, how: str) -> None:
    from assistant.index import BM25Index, tokenize
    from assistant.index import Catalog

    catalog = Catalog(Path(data_dir) / "catalog.sqlite")
    before = rss_mb()[0]
    if how == "old":
        import bm25s

        chunks = catalog.chunks()
        retriever = bm25s.BM25()
        retriever.index(tokenize([c.embed_text for c in chunks]), show_progress=False)
        ids, count = [c.chunk_id for c in chunks], len(chunks)
        top = {}
        for q in QUERIES:
            scores = retriever.get_scores([t for t in tokenize([q])[0] if t in retriever.vocab_dict])
            top[q] = [ids[i] for i in scores.argsort()[::-1][:10] if scores[i] > 0]
    else:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            index = BM25Index.build(catalog.iter_embed_texts(), 0, Path(folder) / "bm25")
            top = {q: [h.chunk_id for h in index.search(q, 10)] for q in QUERIES}
            count = index.size
    print(json.dumps({"how": how, "chunks": count, "start_mb": round(before),
                      "peak_mb": round(rss_mb()[1]), "top10": top}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir")
    parser.add_argument("--corpus", help="a corpus file to parse and chunk")
    parser.add_argument("--child", choices=["old", "new"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        bm25_child(args.data_dir, args.child)
        return 0

    if args.corpus:
        from assistant.index import chunk_papers
        from assistant.layout import BUNDLED_CORPUS
        from assistant.corpus import load_corpus

        chunk_papers(load_corpus([BUNDLED_CORPUS]).papers, 160, 32)  # libraries loaded before measuring
        start = rss_mb()[0]
        papers = load_corpus([Path(args.corpus)]).papers
        parsed = rss_mb()[0]
        chunks = chunk_papers(papers, 160, 32)
        chunked = rss_mb()[0]
        print(f"{len(papers)} papers parsed: +{parsed - start:.0f} MB; all {len(chunks)} chunks at once: "
              f"+{chunked - parsed:.0f} MB more")

    results = {}
    for how in ("old", "new"):
        out = subprocess.run([sys.executable, __file__, args.data_dir, "--child", how],
                             capture_output=True, text=True, check=True).stdout
        results[how] = json.loads(out.strip().splitlines()[-1])
        r = results[how]
        label = "bm25s, texts loaded" if how == "old" else "tantivy, streamed rows"
        print(f"BM25 over {r['chunks']} chunks, {label}: peak {r['peak_mb']} MB (process at {r['start_mb']} MB before)")
    shared = [len(set(results["old"]["top10"][q]) & set(results["new"]["top10"][q])) for q in QUERIES]
    print(f"top-10 chunk ids both engines give, per query: {shared}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
