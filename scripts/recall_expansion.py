#!/usr/bin/env python3
"""Does widening the query with the evidence already judged relevant raise recall? (issue 22, lever 3)

    python scripts/recall_expansion.py [--split dev]

For each topic-list question of the split (eval/questions.jsonl), recall@15 of
the hybrid search as it is ("base"), of a search for the question plus the verbatim quotes
of the (up to 3) papers the selector cites ("expanded-only"), and of both rankings fused by
reciprocal rank ("rrf(base,expanded)"), or fused with a search for the question plus those
papers' titles ("rrf(base,titles)"); per question form. Library API only. Dev by default:
what is kept is chosen on dev.
"""

from __future__ import annotations

import argparse
import json
import math
from collections import Counter
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from assistant import Assistant  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.evaluation import split_of  # noqa: E402
from assistant.layout import PROJECT_ROOT  # noqa: E402
from assistant.index import tokenize  # noqa: E402
from assistant.retrieval import rrf_fuse  # noqa: E402

FILES = [PROJECT_ROOT / "eval" / "questions.jsonl"]
K = 15


def fuse(rankings: list[list[str]]) -> list[str]:
    """Reciprocal-rank fusion as the hybrid search does it (k = 60), best first."""
    scores = rrf_fuse(rankings, 60)
    return sorted(scores, key=lambda p: -scores[p])


class CoOccurrence:
    """Related terms mined from how the corpus's abstracts use words together: for a stemmed
    term, the specific terms (in at most a tenth of the papers) that most papers using it
    also use, weighted by IDF."""

    def __init__(self, papers, per_term: int = 3):
        self.docs = [set(words) for words in tokenize([f"{p.title} {p.abstract}" for p in papers])]
        self.df = Counter(t for d in self.docs for t in d)
        self.per_term = per_term

    def related(self, term: str) -> list[str]:
        with_term = [d for d in self.docs if term in d]
        if len(with_term) < 2:
            return []
        n = len(self.docs)
        counts = Counter(t for d in with_term for t in d if t != term)
        scores = {t: c * math.log(n / self.df[t]) for t, c in counts.items()
                  if c >= 2 and 2 <= self.df[t] <= n / 10}
        return sorted(scores, key=lambda t: -scores[t])[: self.per_term]

    def expand(self, text: str) -> str:
        terms = tokenize([text])[0]
        extra = [r for t in terms for r in self.related(t) if r not in terms]
        return text + " " + " ".join(dict.fromkeys(extra))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="dev", choices=("dev", "test"))
    args = parser.parse_args()
    questions = [json.loads(line) for f in FILES for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    assistant = Assistant(load_settings())
    ids = {p.title: p.paper_id for p in assistant.papers()}
    mined = CoOccurrence(assistant.papers())
    recall: dict[tuple[str, str], list[float]] = {}
    for q in questions:
        if q["type"] != "topic_list" or split_of(q["qid"]) != args.split:
            continue
        gold = {ids[t] for t in q["gold_titles"]}
        search = lambda text: [h.paper.paper_id for h in assistant.search(text, k=60).hits]  # noqa: E731
        base = search(q["question"])
        cited = assistant.evidence(q["question"]).rows[:3]
        related = search(mined.expand(q["question"].rstrip("?")))
        variants = {"base": base, "related-terms": related, "rrf(base,related)": fuse([base, related])}
        if cited:
            expanded = search(q["question"].rstrip("?") + " " + " ".join(r.quote for r in cited))
            titled = search(q["question"].rstrip("?") + " " + " ".join(r.paper.title for r in cited))
            variants |= {"expanded-only": expanded, "rrf(base,expanded)": fuse([base, expanded]),
                         "rrf(base,titles)": fuse([base, titled])}
        else:
            variants |= {name: base for name in ("expanded-only", "rrf(base,expanded)", "rrf(base,titles)")}
        form = q.get("form") or ("descriptive_list" if q["qid"].startswith("dtopic") else "named")
        for name, ranking in variants.items():
            recall.setdefault((name, form), []).append(len(gold & set(ranking[:K])) / len(gold))
    for (name, form), values in sorted(recall.items()):
        print(f"{name:20s} {form:16s} n={len(values):3d} recall@{K}={np.mean(values):.3f}")
    assistant.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
