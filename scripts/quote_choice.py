#!/usr/bin/env python3
"""Does the fact quote hold what was asked? (issue 22, build step 1)

    python scripts/quote_choice.py [--split dev]

For each single-fact question of the split (eval/questions.jsonl) and its gold paper, the share of questions whose quote holds every gold
fact, and the share of gold facts it holds, for two ways of choosing the quote:
"selector": the abstract sentence the cross-encoder scores best for the whole question
(of the three closest by embedding), widened to a neighbour with a figure when one is
asked for (the choice before this issue); "asks": one sentence per ask of the question
(assistant/retrieval/quotes.py). Library API only. Dev by default: what is kept is chosen on dev.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import Assistant  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.evaluation import fact_recall, split_of  # noqa: E402
from assistant.index import make_embedder  # noqa: E402
from assistant.layout import PROJECT_ROOT  # noqa: E402
from assistant.retrieval import EvidenceFinder, ask_vectors, choose_quote, make_reranker  # noqa: E402
from assistant.text import asks_for_number, has_number, read_asks, split_sentences  # noqa: E402

FILES = [PROJECT_ROOT / "eval" / "questions.jsonl"]


def questions(split: str) -> list[dict]:
    seen, found = set(), []
    for path in FILES:
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            q = json.loads(line)
            if q["qid"] in seen or q["type"] != "single_fact" or not q["gold_facts"]:
                continue
            seen.add(q["qid"])
            if split == "all" or split_of(q["qid"]) == split:
                found.append(q)
    return found


def selector_quote(question: str, paper, finder, reranker) -> tuple[str, tuple[int, int]]:
    ranked = finder.rank(question, paper)[:3]
    scores = reranker.score(question, [m.sentence.text for m in ranked])
    best = ranked[max(range(len(ranked)), key=lambda i: scores[i])].sentence
    if asks_for_number(question) and not has_number(best.text):
        ordered = split_sentences(paper.abstract)
        at = next((k for k, s in enumerate(ordered) if s.start == best.start), None)
        for near in (at + 1, at - 1) if at is not None else ():
            if 0 <= near < len(ordered) and has_number(ordered[near].text):
                first, last = sorted((ordered[at], ordered[near]), key=lambda s: s.start)
                return paper.abstract[first.start:last.end], (best.start, best.end)
    return best.text, (best.start, best.end)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=["dev", "test", "all"], default="dev")
    parser.add_argument("--show", action="store_true", help="print the questions whose asks-quote misses a fact")
    args = parser.parse_args()
    settings = load_settings()
    assistant = Assistant(settings)
    finder = EvidenceFinder(make_embedder(settings))  # sentence vectors in memory only
    reranker = make_reranker(settings.retrieval.reranker, settings)
    by_title = {p.title: p for p in assistant.papers()}
    tally = {"selector": [0, 0.0], "asks": [0, 0.0]}
    chosen = [q for q in questions(args.split) if q["gold_titles"][0] in by_title]
    for q in chosen:
        paper = by_title[q["gold_titles"][0]]
        old, span = selector_quote(q["question"], paper, finder, reranker)
        asked = read_asks(q["question"])
        new = choose_quote(paper, asked, ask_vectors(asked, finder), finder, span).text
        for name, quote in (("selector", old), ("asks", new)):
            recall = fact_recall(quote, q["gold_facts"])
            tally[name][0] += recall == 1.0
            tally[name][1] += recall
        if args.show and fact_recall(new, q["gold_facts"]) < 1:
            print(f"- {q['qid']}: {q['question']}\n  facts {q['gold_facts']}\n  quote {new}\n")
    n = len(chosen)
    print(f"{n} single-fact questions ({args.split}) with gold facts, quote of the gold paper")
    print(f"{'quote':<10} {'all facts':>10} {'facts':>7}")
    for name, (whole, share) in tally.items():
        print(f"{name:<10} {whole / n:>10.3f} {share / n:>7.3f}")
    assistant.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
