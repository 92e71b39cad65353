"""Calibrate the answer selection on the eval set's dev split, and only on it.

    python scripts/calibrate.py [--questions eval/questions.jsonl] [--out data/models/selector.json]
                                [--calibration data/models/calibration.json] [--json]

Fits, on the dev questions (evaluation/evaluate.py:split_of), the learned selector
(retrieval/selector_fit.py: logistic models, cuts, the related-paper cut) and writes it
to data/models/selector.json with the dev figures it was fitted for; and the fallback
relevance gate's and the support judge's thresholds, written to
data/models/calibration.json. Everything goes through the library API (``explain``,
``verify``, ``papers``). The test split is never read: ``--split test`` is refused.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..api import Assistant

if TYPE_CHECKING:
    from .evaluate import Question
from ..config import load_settings
from ..corpus import normalize_title
from ..layout import CALIBRATION_FILE, EVAL_QUESTIONS, PROJECT_ROOT, SELECTOR_MODEL
from ..retrieval import QuestionRows, parse_question


def collect(assistant: Assistant, questions: list["Question"], candidates: int | None) -> list[QuestionRows]:
    """Each question's candidates and their features, through the library API (``explain``)."""
    out = []
    for number, q in enumerate(questions, start=1):
        if number % 20 == 0:
            print(f"  {number}/{len(questions)} questions measured", file=sys.stderr, flush=True)
        found = assistant.explain(q.question, k=candidates)
        gold = {normalize_title(t) for t in q.gold_titles}
        related = {normalize_title(t) for t in q.related_titles}
        titles = [normalize_title(c.title) for c in found]
        out.append(QuestionRows(q.qid, q.type, parse_question(q.question).is_list, [c.features for c in found],
                                [t in gold for t in titles], titles, [t in related for t in titles],
                                [c.paper_id for c in found]))
    return out



def collect_cross_fitted(settings, questions: list["Question"], candidates: int | None,
                         folds_dir: Path) -> list[QuestionRows]:
    """:func:`collect` with each question measured by the judge of ``folds_dir/K`` that was
    fitted without the question's fold K (judge_report.judge_fold); in the questions' order."""
    from .judge_report import judge_fold

    folders = sorted((p for p in folds_dir.iterdir() if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name))
    if not folders or [int(p.name) for p in folders] != list(range(len(folders))):
        raise SystemExit(f"{folds_dir}: expected judge folders 0..N-1 (scripts/train_answer_judge.py --fold K)")
    rows: dict[str, QuestionRows] = {}
    for k, folder in enumerate(folders):
        selection = settings.selection.model_copy(update={"answer_judge": folder})
        assistant = Assistant(settings.model_copy(update={"selection": selection}),
                              notify=lambda m: print(m, file=sys.stderr))
        part = [q for q in questions if judge_fold(q.qid, len(folders)) == k]
        rows |= {item.qid: item for item in collect(assistant, part, candidates)}
        assistant.close()
    return [rows[q.qid] for q in questions]


def collect_gate(assistant: Assistant, questions: list[dict], items) -> tuple[list[dict], list[dict]]:
    """Rows for the fallback gate (from the selector's measured features) and claim/paper
    pairs for the support judge (its verdicts' similarity and overlap)."""
    rows, pairs = [], []
    by_qid = {item.qid: item for item in items}
    for q in questions:
        parsed = parse_question(q["question"])
        item = by_qid[q["qid"]]
        for row, gold in zip(item.rows, item.gold):
            rows.append({
                "qid": q["qid"], "type": q["type"], "is_list": parsed.is_list, "sentence": row["sentence_similarity"],
                "coverage": row["coverage"], "chunk": row["chunk_similarity"], "gold": gold,
            })
        if q["type"] == "unanswerable":
            continue
        claim = (f"This paper studies {parsed.topic}." if q["type"] == "topic_list"
                 else f"{q['question']} {' '.join(q['gold_facts'])}")
        negatives = [pid for pid, gold in zip(item.paper_ids, item.gold) if not gold][:3]
        positives = [pid for pid, gold in zip(item.paper_ids, item.gold) if gold]
        for paper_id, label in [(p, True) for p in positives] + [(p, False) for p in negatives]:
            verdict = assistant.verify(claim, paper_id)
            pairs.append({"similarity": verdict.similarity, "overlap": verdict.overlap, "label": label,
                          "grounding": verdict.grounding})
    return rows, pairs


def relevance_score(rows, t_sentence, t_chunk, t_coverage, list_margin, other_margin, other_max):
    by_q: dict[str, list[dict]] = {}
    for row in rows:
        by_q.setdefault(row["qid"], []).append(row)
    tp = fp = fn = refused_ok = false_refusals = 0
    for items in by_q.values():
        rel = [max(r["sentence"], r["chunk"]) for r in items]
        passes = [r["coverage"] >= t_coverage and (r["sentence"] >= t_sentence or r["chunk"] >= t_chunk) for r in items]
        top = max((v for v, p in zip(rel, passes) if p), default=0.0)
        margin = list_margin if items[0]["is_list"] else other_margin
        order = sorted(range(len(items)), key=lambda i: -rel[i])
        kept = [i for i in order if passes[i] and rel[i] >= margin * top]
        if not items[0]["is_list"]:
            kept = kept[:other_max]
        gold = sum(r["gold"] for r in items)
        hit = sum(items[i]["gold"] for i in kept)
        tp, fp, fn = tp + hit, fp + len(kept) - hit, fn + gold - hit
        if items[0]["type"] == "unanswerable":
            refused_ok += not kept
        elif not kept:
            false_refusals += 1
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
            "correct_refusals": refused_ok, "false_refusals": false_refusals}


def calibrate_relevance(rows):
    grid = itertools.product(
        np.arange(0.40, 0.66, 0.02), np.arange(0.39, 0.66, 0.03), (0.0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4),
        (0.7, 0.75, 0.8, 0.85), (0.85, 0.9, 0.95), (2, 3),
    )
    best = None
    for ts, tc, tv, lm, om, cap in grid:
        score = relevance_score(rows, ts, tc, tv, lm, om, cap)
        key = (score["f1"] + 0.02 * score["correct_refusals"] - 0.03 * score["false_refusals"], -ts)
        if best is None or key > best[0]:
            best = (key, {"min_sentence_similarity": round(float(ts), 2), "min_chunk_similarity": round(float(tc), 2),
                          "min_topic_coverage": tv, "list_margin": lm, "other_margin": om, "other_max_papers": cap}, score)
    return best[1], best[2]


def calibrate_support(pairs):
    sims = np.array([p["similarity"] for p in pairs])
    overlaps = np.array([p["overlap"] for p in pairs])
    labels = np.array([p["label"] for p in pairs])
    best = None
    for s_high, s_low, o in itertools.product(np.arange(0.5, 0.95, 0.02), np.arange(0.3, 0.8, 0.02), np.arange(0.0, 0.8, 0.05)):
        if s_low > s_high:
            continue
        predicted = (sims >= s_high) | ((sims >= s_low) & (overlaps >= o))
        tpr = (predicted & labels).sum() / max(1, labels.sum())
        tnr = (~predicted & ~labels).sum() / max(1, (~labels).sum())
        key = ((tpr + tnr) / 2, s_high)
        if best is None or key > best[0]:
            best = (key, float(s_high), float(s_low), float(o), float(tpr), float(tnr))
    (_, s_high, s_low, o, tpr, tnr) = best
    weak = float(np.quantile(sims[labels], 0.05))  # 95% of true pairs are at least "weak"
    thresholds = {"supported_similarity": round(s_high, 2), "supported_overlap_similarity": round(s_low, 2),
                  "supported_overlap": round(o, 2), "weak_similarity": round(min(weak, s_low), 2)}
    return thresholds, {"balanced_accuracy": round((tpr + tnr) / 2, 3), "true_positive_rate": round(tpr, 3),
                        "true_negative_rate": round(tnr, 3), "pairs": len(pairs), "supported_pairs": int(labels.sum())}


def run_calibration(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/calibrate.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=EVAL_QUESTIONS)
    parser.add_argument("--split", default="dev", help="only dev: calibration never reads the test split")
    parser.add_argument("--candidates", type=int, default=None,
                        help="candidates per question (default: the settings' candidate_papers and list_candidate_papers)")
    parser.add_argument("--out", type=Path, default=SELECTOR_MODEL)
    parser.add_argument("--calibration", type=Path, default=CALIBRATION_FILE)
    parser.add_argument("--judge-folds", type=Path, default=None,
                        help="cross-fitted answer judges (folders 0..N-1, each fitted without its dev fold by "
                             "`scripts/train_answer_judge.py --fold K --folds N`): each dev question is measured "
                             "with the judge that never saw it, so the selector learns how far to trust an "
                             "unseen question's judge score (default: the runtime judge, which saw all of dev)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.split != "dev":
        parser.error(f"--split {args.split}: calibration fits on dev only; the test split is for reporting")
    from ..calibration import write as write_calibration
    from ..retrieval import JUDGE_FEATURES, SelectorFile, fit_selector, preferred, related_cut
    from .evaluate import load_questions, split_of

    settings = load_settings()
    assistant = Assistant(settings, notify=lambda m: print(m, file=sys.stderr))
    stats = assistant.stats()
    known = {normalize_title(p.title) for p in assistant.papers()}
    dev = load_questions(args.questions, known, split="dev")
    assert dev and all(split_of(q.qid) == "dev" for q in dev)
    items = (collect_cross_fitted(settings, dev, args.candidates, args.judge_folds) if args.judge_folds
             else collect(assistant, dev, args.candidates))
    models, selector_report = fit_selector(items)
    if any(name in items[0].rows[0] for name in JUDGE_FEATURES):  # the same fit without the answer judge
        without = [replace(q, rows=[{k: v for k, v in r.items() if k not in JUDGE_FEATURES} for r in q.rows])
                   for q in items]
        selector_report["without_judge_cv_utility"] = {k: v["cv_utility"] for k, v in fit_selector(without)[1].items()}
    use = preferred(selector_report)
    cut, related_report = related_cut(items, models, use)
    meta = {
        "fitted_on": f"{args.questions.relative_to(PROJECT_ROOT) if args.questions.is_relative_to(PROJECT_ROOT) else args.questions} "
                     f"dev split ({len(dev)} questions; split rule: sha256(qid) even)",
        "command": "python scripts/calibrate.py" + (f" --judge-folds {args.judge_folds}" if args.judge_folds else ""), "embedder": stats.embedder,
        "reranker": stats.reranker,
        "judge_scores": f"cross-fitted ({args.judge_folds.name})" if args.judge_folds else "the runtime judge",
        "candidates": args.candidates or {
            "other": settings.selection.candidate_papers, "list": settings.selection.list_candidate_papers},
        "related_cut": cut, "use": use, "dev": selector_report | {"related": related_report},
    }
    SelectorFile(1, models, meta).save(args.out)
    dicts = [{"qid": q.qid, "type": q.type, "question": q.question, "gold_titles": list(q.gold_titles),
              "gold_facts": list(q.gold_facts)} for q in dev]
    rows, pairs = collect_gate(assistant, dicts, items)
    relevance, relevance_metrics = calibrate_relevance(rows)
    support, support_metrics = calibrate_support(pairs)
    write_calibration(args.calibration, {"relevance_gate": relevance, "support": support},
                      {k: meta[k] for k in ("fitted_on", "command", "embedder")})
    report = {"selector": selector_report, "use": use, "related_cut": cut, "related": related_report,
              "wrote": [str(args.out), str(args.calibration)],
              "fallback_relevance_gate": relevance, "fallback_relevance_metrics": relevance_metrics,
              "support": support, "support_metrics": support_metrics, "dev_questions": len(dev)}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for key, value in report.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(run_calibration())
