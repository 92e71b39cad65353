"""Fitting the learned selector on labelled questions (run by scripts/calibrate.py).

For each question: the hybrid top candidates, their features (selection.py), and whether
each is a gold paper (collected through the library API by evaluation/calibrate.py). Four logistic models are fitted (list and other questions, with
and without the reranker), each with the cut, and for other questions the paper limit,
that maximise the mean per-question utility on the same questions: citation F1 for an
answerable question (0 when refused), 1 for an unanswerable one that cites nothing.
The L2 strength is chosen by 5-fold cross-validation over questions. Only the eval's
dev split may be passed here; calibrate.py enforces it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .features import ALL_FEATURES, BASE_FEATURES, JUDGE_FEATURES, similarity
from .logistic import LogisticModel, fit
from .selection import model_key

L2_GRID = (0.3, 1.0, 3.0, 10.0, 30.0)
CUT_GRID = tuple(round(x, 2) for x in np.arange(0.05, 0.96, 0.025))
FLOOR_GRID = (0.0, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55)  # minimum similarity (sentence or chunk) to cite


@dataclass
class QuestionRows:
    qid: str
    kind: str  # question type
    is_list: bool
    rows: list[dict[str, float]]
    gold: list[bool]
    titles: list[str]
    related: list[bool]  # candidate is one of a near-miss question's related papers
    paper_ids: list[str]


def _matrix(items: list[QuestionRows], features: list[str]) -> tuple[np.ndarray, np.ndarray]:
    x = np.array([[row[f] for f in features] for q in items for row in q.rows], dtype=np.float64)
    y = np.array([g for q in items for g in q.gold], dtype=np.float64)
    return x, y


def utility(chosen: list[bool], gold: list[bool], total_gold: int) -> float:
    """Citation F1 (answerable) or 1 for citing nothing (unanswerable)."""
    cited = sum(chosen)
    if total_gold == 0:
        return float(cited == 0)
    hit = sum(c and g for c, g in zip(chosen, gold))
    if not hit:
        return 0.0
    precision, recall = hit / cited, hit / total_gold
    return 2 * precision * recall / (precision + recall)


def floored(probabilities: np.ndarray, rows: list[dict[str, float]], floor: float) -> np.ndarray:
    return np.where([similarity(r) >= floor for r in rows], probabilities, 0.0)


def choose(probabilities: np.ndarray, cut: float, limit: int | None) -> list[bool]:
    order = np.argsort(-probabilities)
    chosen = [False] * len(probabilities)
    kept = 0
    for i in order:
        if probabilities[i] >= cut and (limit is None or kept < limit):
            chosen[i] = True
            kept += 1
    return chosen


def mean_utility(items: list[QuestionRows], probabilities: list[np.ndarray], cut: float, limit: int | None,
                 gold_counts: dict[str, int]) -> float:
    return float(np.mean([utility(choose(p, cut, limit), q.gold, gold_counts[q.qid]) for q, p in zip(items, probabilities)]))


def best_cut(items, probabilities, is_list: bool, gold_counts) -> tuple[float, int | None, float, float]:
    """(cut, paper limit, similarity floor, utility) that maximise the mean utility."""
    best = (-1.0, 0.5, None, 0.0)
    for floor in FLOOR_GRID:
        kept = [floored(p, q.rows, floor) for q, p in zip(items, probabilities)]
        for limit in ([None] if is_list else [1, 2, 3]):
            for cut in CUT_GRID:
                score = mean_utility(items, kept, cut, limit, gold_counts)
                if score > best[0] + 1e-9:
                    best = (score, cut, limit, floor)
    return best[1], best[2], best[3], best[0]


def fit_one(items: list[QuestionRows], features: list[str], is_list: bool, gold_counts: dict[str, int],
            folds: int = 5) -> tuple[LogisticModel, dict]:
    """The model for one question kind: L2 by grouped cross-validation; the cut, paper limit
    and similarity floor chosen on the cross-validated probabilities; the weights fitted on all."""
    cv_scores, cv_probabilities = {}, {}
    for l2 in L2_GRID:
        fold_probabilities: dict[int, np.ndarray] = {}
        for k in range(folds):
            train = [q for i, q in enumerate(items) if i % folds != k]
            x, y = _matrix(train, features)
            model = fit(x, y, features, l2=l2)
            for i, q in enumerate(items):
                if i % folds == k:
                    fold_probabilities[i] = model.probabilities(np.array([[r[f] for f in features] for r in q.rows]))
        cv_probabilities[l2] = [fold_probabilities[i] for i in range(len(items))]
        cv_scores[l2] = best_cut(items, cv_probabilities[l2], is_list, gold_counts)[3]
    l2 = max(cv_scores, key=lambda v: (cv_scores[v], v))
    cut, limit, floor, _ = best_cut(items, cv_probabilities[l2], is_list, gold_counts)
    x, y = _matrix(items, features)
    model = fit(x, y, features, l2=l2)
    model.cut = cut
    model.extra["similarity_floor"] = floor
    if limit is not None:
        model.extra["max_papers"] = limit
    probabilities = [floored(model.probabilities(np.array([[r[f] for f in features] for r in q.rows])), q.rows, floor)
                     for q in items]
    score = mean_utility(items, probabilities, cut, limit, gold_counts)
    return model, {"questions": len(items), "candidates": int(len(y)), "gold_candidates": int(y.sum()), "l2": l2,
                   "cv_utility": round(cv_scores[l2], 4), "dev_utility": round(score, 4), "cut": cut, "max_papers": limit,
                   "similarity_floor": floor}


def related_cut(items: list[QuestionRows], models: dict[str, LogisticModel], use: dict[str, str] | None = None,
                ) -> tuple[float, dict]:
    """The confidence above which a refused question's closest paper is named as related:
    on unanswerable questions, right when it names one of the near-miss's related papers
    (or names none where the question has none)."""
    unanswerable = [q for q in items if q.kind == "unanswerable"]
    scored = []
    for q in unanswerable:
        key = model_key(q.is_list, "ce_passage" in q.rows[0])
        model = models[(use or {}).get(key, key)]
        p = floored(model.probabilities(np.array([[r[f] for f in model.features] for r in q.rows])), q.rows,
                    model.extra.get("similarity_floor", 0.0))
        best = int(np.argmax(p))
        scored.append((float(p[best]), q.related[best], any(q.related)))
    best = (-1.0, 0.5)
    for cut in CUT_GRID:
        right = sum((p >= cut and hit) or (p < cut and not has) for p, hit, has in scored)
        if right > best[0]:
            best = (right, cut)
    return best[1], {"unanswerable_questions": len(scored), "named_right": int(best[0])}


def fit_selector(items: list[QuestionRows]) -> tuple[dict[str, LogisticModel], dict]:
    gold_counts = {q.qid: sum(q.gold) for q in items}  # gold retrieved among the candidates
    models, report = {}, {}
    reranked = bool(items) and "ce_passage" in items[0].rows[0]
    for is_list in (True, False):
        group = [q for q in items if q.is_list == is_list]
        for with_ce in ([True, False] if reranked else [False]):
            judged = [f for f in JUDGE_FEATURES if f in items[0].rows[0]]  # when the answer judge measured
            features = ALL_FEATURES + judged if with_ce else BASE_FEATURES
            key = model_key(is_list, with_ce)
            models[key], report[key] = fit_one(group, features, is_list, gold_counts)
    return models, report


def preferred(report: dict) -> dict[str, str]:
    """Per question kind, the variant (with or without the cross-encoder's features) whose
    cross-validated dev utility is higher: the selector uses it when the reranker is on."""
    choice = {}
    for kind in ("list", "other"):
        variants = [k for k in (kind, f"{kind}-no-reranker") if k in report]
        if variants:
            choice[kind] = max(variants, key=lambda k: (report[k]["cv_utility"], k == kind))
    return choice
