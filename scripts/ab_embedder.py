#!/usr/bin/env python3
"""A/B two embedders on the eval set's dev split: paper-level recall@10 and @20 of hybrid
and dense retrieval, per question type (descriptive topic questions apart), and ingest time.

    python scripts/ab_embedder.py [--embedders minilm-int8 bge-small-int8] [--data-root DIR]

Each embedder gets its own data directory under --data-root (ingested once; the time is
printed). Reads dev only, like every tuning step.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import load_settings  # noqa: E402
from assistant.corpus import normalize_title  # noqa: E402
from assistant.evaluation import load_questions  # noqa: E402
from assistant.api import Assistant  # noqa: E402


def group_of(q) -> str:
    return "topic_list (descriptive)" if q.qid.startswith("dtopic") else q.type


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--embedders", nargs="+", default=["minilm-int8", "bge-small-int8"])
    parser.add_argument("--data-root", type=Path, default=Path(tempfile.gettempdir()) / "paper-assistant-ab")
    args = parser.parse_args()
    questions = [q for q in load_questions(ROOT / "eval" / "questions.jsonl", split="dev") if q.gold_titles]
    table = {}
    for name in args.embedders:
        assistant = Assistant(load_settings(embedder=name, data_dir=args.data_root / name), notify=lambda m: None)
        started = time.perf_counter()
        report = assistant.ingest(progress=False)
        ingest_s = time.perf_counter() - started
        rows: dict[str, list[tuple[float, float]]] = {}
        for mode in ("hybrid", "dense"):
            for q in questions:
                gold = {normalize_title(t) for t in q.gold_titles}
                hits = [normalize_title(h.paper.title) for h in assistant.search(q.question, k=20, mode=mode).hits]
                recall = (len(gold & set(hits[:10])) / len(gold), len(gold & set(hits[:20])) / len(gold))
                rows.setdefault(f"{mode} · {group_of(q)}", []).append(recall)
                rows.setdefault(f"{mode} · all answerable", []).append(recall)
        table[name] = {k: (sum(a for a, _ in v) / len(v), sum(b for _, b in v) / len(v), len(v)) for k, v in rows.items()}
        print(f"{name}: ingest of {report.papers} papers, {report.embedded_chunks} chunks embedded in {ingest_s:.1f} s "
              f"({report.papers / ingest_s:.1f} papers/s, model load included)", flush=True)
        assistant.close()
    print("\n| mode · questions | n | " + " | ".join(f"{n} R@10 | {n} R@20" for n in args.embedders) + " |")
    print("|---|---|" + "---|---|" * len(args.embedders))
    for key in sorted(table[args.embedders[0]]):
        cells = [f"{table[n][key][0]:.3f} | {table[n][key][1]:.3f}" for n in args.embedders]
        print(f"| {key} | {table[args.embedders[0]][key][2]} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
