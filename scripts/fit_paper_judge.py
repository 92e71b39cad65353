#!/usr/bin/env python3
"""Fit the per-paper judge's cut (``judge_not_found_below``) on the eval's dev split.

The judging model behind an OpenAI-compatible server (``OPENAI_BASE_URL``, e.g.
``paper-assistant serve-llm --model qwen``) reads each dev question's candidates one at a
time; its P(NOT FOUND) for each is kept, and the cut that gives the best mean utility is
chosen: the F1 of the kept papers against the gold papers (an unanswerable question scores
1 when nothing is kept, else 0), the same utility the selector is fitted to. It also prints
how well P(NOT FOUND) alone separates the gold papers from the other candidates (AUROC).

    python scripts/fit_paper_judge.py --limit 40 --out eval/results/paper-judge-fit
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.config import load_settings  # noqa: E402
from assistant.corpus import normalize_title  # noqa: E402
from assistant.api import Assistant  # noqa: E402
from assistant.evaluation import load_questions, stratified  # noqa: E402

QUESTIONS = Path(__file__).resolve().parent.parent / "eval" / "questions.jsonl"
CUTS = [round(0.05 * i, 2) for i in range(1, 20)]


def utility(kept: set[str], gold: set[str]) -> float:
    if not gold:
        return 0.0 if kept else 1.0
    hits = len(kept & gold)
    return 0.0 if not hits else 2 * hits / (len(kept) + len(gold))


def auroc(positives: list[float], negatives: list[float]) -> float | None:
    """P(a gold candidate scores higher than another), the score being 1 - P(NOT FOUND)."""
    if not positives or not negatives:
        return None
    pairs = [(p > n) + 0.5 * (p == n) for p in positives for n in negatives]
    return sum(pairs) / len(pairs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=40, help="dev questions, spread over the types (default 40)")
    parser.add_argument("--out", type=Path, default=Path("eval/results/paper-judge-fit"))
    args = parser.parse_args()
    settings = load_settings().updated(judge_per_paper=True, answer_strategy="judge")
    assistant = Assistant(settings, notify=lambda message: None)
    questions = stratified([q for q in load_questions(QUESTIONS, split="dev")], args.limit)
    titles = {p.paper_id: p.title for p in assistant.papers()}
    rows, started = [], time.perf_counter()
    for i, q in enumerate(questions, 1):
        result = assistant.ask(q.question, llm="openai", mode="hybrid")
        scores = result.to_dict()["judge_not_found"]
        rows.append({"qid": q.qid, "type": q.type, "gold": [normalize_title(t) for t in q.gold_titles], "seconds": result.timings.get("total_s"),
                     "not_found": {normalize_title(titles[pid]): p for pid, p in scores.items()}})
        print(f"{i}/{len(questions)} {q.qid}: {len(scores)} candidates scored", file=sys.stderr, flush=True)
    assistant.close()
    table = []
    for cut in CUTS:
        values = [utility({t for t, p in r["not_found"].items() if p < cut}, set(r["gold"])) for r in rows]
        table.append({"cut": cut, "utility": round(sum(values) / len(values), 4)})
    best = max(table, key=lambda row: row["utility"])
    by_type: dict[str, list[float]] = {}
    for r in rows:  # at the chosen cut: F1 per answerable question, declined (1) or not per unanswerable one
        kept = {t for t, p in r["not_found"].items() if p < best["cut"]}
        by_type.setdefault(r["type"], []).append(utility(kept, set(r["gold"])))
    best["per_type"] = {kind: round(sum(v) / len(v), 4) for kind, v in sorted(by_type.items())}
    positives = [1 - p for r in rows for t, p in r["not_found"].items() if t in r["gold"]]
    negatives = [1 - p for r in rows for t, p in r["not_found"].items() if t not in r["gold"]]
    fit = {"questions": len(rows), "seconds": round(time.perf_counter() - started, 1), "best": best,
           "auroc": auroc(positives, negatives), "gold_candidates": len(positives), "other_candidates": len(negatives),
           "table": table, "rows": rows}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "fit.json").write_text(json.dumps(fit, indent=1) + "\n")
    print(json.dumps({k: v for k, v in fit.items() if k != "rows"}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
