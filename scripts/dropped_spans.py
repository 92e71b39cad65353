#!/usr/bin/env python3
"""What verification dropped in an eval run of a judging back-end, span by span.

For each span a judging model gave that was not verbatim in its paper's abstract: how much of
it is (its longest verbatim run of words, as a share of its words), and whether
``judge_verbatim_part`` would have quoted that run (more than half of its words). Then, per
question, which gold papers were lost only because every span of theirs was dropped.

    python scripts/dropped_spans.py eval/results/qwen-judge-test60 [--examples 10]
"""

import argparse
import gzip
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.answering import locate, verbatim_part  # noqa: E402
from assistant.api import Assistant  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.corpus import normalize_title  # noqa: E402
from assistant.evaluation import load_questions  # noqa: E402

QUESTIONS = Path(__file__).resolve().parent.parent / "eval" / "questions.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path, help="an eval results folder (results.json.gz or results.json)")
    parser.add_argument("--examples", type=int, default=10)
    args = parser.parse_args()
    path = args.run / "results.json.gz"
    run = json.load(gzip.open(path) if path.exists() else open(args.run / "results.json"))
    gold = {q.qid: {normalize_title(t) for t in q.gold_titles} for q in load_questions(QUESTIONS)}
    assistant = Assistant(load_settings(), notify=lambda message: None)
    abstracts = {normalize_title(p.title): p.abstract for p in assistant.papers()}
    assistant.close()
    spans, shares, kept, lost_gold, added_other, examples = 0, [], 0, [], [], []
    judged = [r for r in run["records"] if r.get("sources_chosen_by") == "model"]
    for record in judged:
        dropped = [d for d in record.get("dropped", []) if d.get("kind") == "span"]
        cited = {normalize_title(t) for t in record["cited_titles"]}
        rescued = set()
        for d in dropped:
            abstract = abstracts.get(normalize_title(d["title"]), "")
            words = d["text"].split()
            best = verbatim_part(d["text"], abstract)
            run_words = len(abstract[best[0]:best[1]].split()) if best else _longest_run(words, abstract)
            spans += 1
            shares.append(run_words / max(1, len(words)))
            if best:
                kept += 1
                rescued.add(normalize_title(d["title"]))
            if len(examples) < args.examples:
                examples.append((record["qid"], d["title"], d["text"], shares[-1]))
        lost = (rescued - cited) & gold.get(record["qid"], set())
        lost_gold += [(record["qid"], t) for t in sorted(lost)]
        added_other += [(record["qid"], t) for t in sorted(rescued - cited - gold.get(record["qid"], set()))]
    print(f"{spans} spans dropped as not verbatim in the {len(judged)} answers whose sources a model chose")
    for low, high in ((0.0, 0.5), (0.5, 0.8), (0.8, 0.95), (0.95, 1.01)):
        print(f"  longest verbatim run {low:.0%}-{min(high, 1):.0%} of the span's words: "
              f"{sum(low <= s < high for s in shares)}")
    print(f"judge_verbatim_part would quote the verbatim part of {kept} of them")
    print(f"papers it would cite that lost every span: {len(lost_gold)} gold, {len(added_other)} not gold; "
          f"questions with an added paper: {len({q for q, _ in lost_gold + added_other})}")
    _unverified_fallback(run["records"])
    for qid, title, text, share in examples:
        print(f"- {qid} · {title[:60]} · {share:.0%} verbatim: {text[:160]!r}")
    return 0


def _unverified_fallback(records: list[dict]) -> None:
    """Answers where the model chose papers and none verified: they now fall back to the
    offline selector. An estimate of the figures had they done so in this run: each such
    record takes the metrics of the same question's extractive record (the selector's papers)."""
    offline = {r["qid"]: r for r in records if r["llm"] == "extractive"}
    judged = [r for r in records if r.get("sources_chosen_by") == "model"]
    emptied = [r for r in judged if not r["cited_titles"] and r.get("dropped")]
    if not emptied or not offline:
        return
    print(f"answers left with no paper by verification (now answered by the selector): {len(emptied)}: "
          + ", ".join(r["qid"] for r in emptied))
    model_run = [r for r in records if r["llm"] == judged[0]["llm"]]
    swapped = [offline[r["qid"]] if r in emptied and r["qid"] in offline else r for r in model_run]
    for label, kind, metric in (("topic-list citation F1", "topic_list", "citation_f1"),
                                ("two-paper citation F1", "multi_hop", "citation_f1"),
                                ("single-fact gold cited", "single_fact", "citation_recall"),
                                ("all unanswerable declined", "unanswerable", "correct_refusal"),
                                ("answerable refused", None, "false_refusal")):
        def mean(rows):
            values = [r["metrics"][metric] for r in rows if (kind is None or r["type"] == kind)
                      and r["metrics"].get(metric) is not None]
            return sum(values) / len(values) if values else float("nan")
        print(f"  {label}: {mean(model_run):.3f} as run, {mean(swapped):.3f} with those answered by the selector")


def _longest_run(words: list[str], abstract: str) -> int:
    for length in range(len(words), 0, -1):
        if any(locate(" ".join(words[i:i + length]), abstract) for i in range(len(words) - length + 1)):
            return length
    return 0


if __name__ == "__main__":
    sys.exit(main())
