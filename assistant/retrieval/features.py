"""Features of one retrieved paper for one question, for the learned selector.

Per candidate: cross-encoder scores of the question against the paper (its title and
two best sentences) and against its best few sentences one by one, each also as a gap to the best candidate;
embedding similarities; IDF-weighted topic coverage; the ranks each retriever gave it;
and two answerability signals: the question's specific terms (names, data sets, metrics,
numbers) that the abstract never uses, and whether a question that asks for a number
meets an evidence passage without one.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..text.terms import asked_attribute, asks_for_number, has_number, missing_terms, specific_terms

__all__ = ["ALL_FEATURES", "BASE_FEATURES", "CE_FEATURES", "JUDGE_FEATURES", "RawSignals", "asked_attribute", "asks_for_number",
           "feature_rows", "has_number", "missing_terms", "similarity", "specific_terms", "weighted_share"]

CE_FEATURES = ["ce_passage", "ce_passage_gap", "ce_sentence", "ce_sentence_gap", "ce_rank_inv"]
# the answer judge (answer_judge.py): its best P(answers) over the candidate's best sentences
JUDGE_FEATURES = ["judge_answers", "judge_answers_gap"]
BASE_FEATURES = [
    "sentence_similarity", "sentence_gap", "chunk_similarity", "coverage", "coverage_gap",
    "rrf_rank_inv", "dense_rank_inv", "bm25_rank_inv", "missing_specifics", "number_missing",
    "evidence_coverage", "evidence_coverage_gap", "attribute_coverage",
]
ALL_FEATURES = CE_FEATURES + BASE_FEATURES

def weighted_share(wanted: set[str], found: set[str], weight) -> float:
    """The weighted share of ``wanted`` terms that are in ``found`` (0 when nothing is wanted)."""
    total = sum(weight(t) for t in wanted)
    return sum(weight(t) for t in wanted & found) / total if total else 0.0


def similarity(row: dict[str, float]) -> float:
    """The absolute similarity the selector's floor applies to: best sentence or best chunk."""
    return max(row["sentence_similarity"], row["chunk_similarity"])


def inverse_rank(rank: int | None) -> float:
    return 1.0 / rank if rank else 0.0


@dataclass
class RawSignals:
    """What is measured per candidate before the per-question gaps are taken."""

    ce_passage: float | None
    ce_sentence: float | None
    sentence_similarity: float
    chunk_similarity: float
    coverage: float
    rrf_rank: int
    dense_rank: int | None
    bm25_rank: int | None
    missing_specifics: int
    number_missing: bool
    evidence_coverage: float = 0.0  # IDF-weighted share of the question's words in its best sentences
    attribute_coverage: float = 1.0  # the same for the attribute a fact question asks for (1: none asked)
    judge_answers: float | None = None  # the answer judge's best P(answers) (None: no judge)


def feature_rows(signals: list[RawSignals]) -> list[dict[str, float]]:
    """The feature dict of each candidate of one question (gaps are to the question's best)."""
    if not signals:
        return []
    best_sentence = max(s.sentence_similarity for s in signals)
    best_coverage = max(s.coverage for s in signals)
    best_evidence = max(s.evidence_coverage for s in signals)
    have_ce = all(s.ce_passage is not None for s in signals)
    best_ce_passage = max(s.ce_passage for s in signals) if have_ce else 0.0
    best_ce_sentence = max(s.ce_sentence for s in signals) if have_ce else 0.0
    ce_order = sorted(range(len(signals)), key=lambda i: -signals[i].ce_passage) if have_ce else []
    ce_rank = {i: r for r, i in enumerate(ce_order, start=1)}
    have_judge = all(s.judge_answers is not None for s in signals)
    best_judge = max(s.judge_answers for s in signals) if have_judge else 0.0
    rows = []
    for i, s in enumerate(signals):
        row = {
            "sentence_similarity": s.sentence_similarity,
            "sentence_gap": s.sentence_similarity - best_sentence,
            "chunk_similarity": s.chunk_similarity,
            "coverage": s.coverage,
            "coverage_gap": s.coverage - best_coverage,
            "rrf_rank_inv": inverse_rank(s.rrf_rank),
            "dense_rank_inv": inverse_rank(s.dense_rank),
            "bm25_rank_inv": inverse_rank(s.bm25_rank),
            "missing_specifics": float(min(s.missing_specifics, 3)),
            "number_missing": float(s.number_missing),
            "evidence_coverage": s.evidence_coverage,
            "evidence_coverage_gap": s.evidence_coverage - best_evidence,
            "attribute_coverage": s.attribute_coverage,
        }
        if have_judge:
            row |= {"judge_answers": s.judge_answers, "judge_answers_gap": s.judge_answers - best_judge}
        if have_ce:
            row |= {
                "ce_passage": s.ce_passage,
                "ce_passage_gap": s.ce_passage - best_ce_passage,
                "ce_sentence": s.ce_sentence,
                "ce_sentence_gap": s.ce_sentence - best_ce_sentence,
                "ce_rank_inv": inverse_rank(ce_rank[i]),
            }
        rows.append(row)
    return rows
