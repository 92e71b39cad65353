"""Per-question metrics for the eval and their aggregation (pure functions)."""

from __future__ import annotations

import math
import re
import statistics
import unicodedata

from ..corpus import normalize_title

ANSWERABLE = ("topic_list", "single_fact", "multi_hop")


def recall_at(retrieved: list[str], gold: set[str], k: int) -> float | None:
    return len(set(retrieved[:k]) & gold) / len(gold) if gold else None


def mrr(retrieved: list[str], gold: set[str]) -> float | None:
    if not gold:
        return None
    return next((1.0 / rank for rank, t in enumerate(retrieved, start=1) if t in gold), 0.0)


def ndcg_at(retrieved: list[str], gold: set[str], k: int = 10) -> float | None:
    if not gold:
        return None
    dcg = sum(1.0 / math.log2(rank + 1) for rank, t in enumerate(retrieved[:k], start=1) if t in gold)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(gold), k) + 1))
    return dcg / ideal


def citation_prf(cited: set[str], gold: set[str]) -> tuple[float | None, float | None, float | None]:
    """Precision, recall, F1 of the cited papers; None where undefined (no gold: unanswerable)."""
    if not gold:
        return None, None, None
    hit = len(cited & gold)
    precision = hit / len(cited) if cited else 0.0
    recall = hit / len(gold)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def normalize_fact(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("\\%", "%").replace("−", "-").replace("–", "-")
    text = re.sub(r"(\d),(\d{3})\b", r"\1\2", text)  # 1,000 -> 1000
    text = re.sub(r"(\d)\s+%", r"\1%", text)
    text = re.sub(r"[^\w%.\-+ ]+", " ", text)
    return " ".join(text.split())


def fact_recall(answer: str, facts: list[str]) -> float | None:
    if not facts:
        return None
    normalized = f" {normalize_fact(answer)} "
    found = 0
    for fact in facts:
        needle = normalize_fact(fact)
        # a number must not match inside a longer number ("32%" in "0.032%")
        pattern = r"(?<![\w.])" + re.escape(needle) + r"(?![\w])" if needle else None
        found += bool(pattern and re.search(pattern, normalized))
    return found / len(facts)


def all_figures(record: dict, facts: list[str]) -> float | None:
    """For a single-fact question that asks for figures (a gold fact has a digit): 1 when the
    answer holds every gold fact, else 0; None for other questions."""
    if record.get("type") != "single_fact" or not any(re.search(r"\d", f) for f in facts):
        return None
    return float(fact_recall(record["answer"], facts) == 1.0)


def evidence_match(record: dict, evidence: dict[str, str]) -> float | None:
    """Share of cited gold papers whose evidence sentence agrees with the gold quote
    (one contains the other, or they share at least half their words)."""
    gold_quotes = {normalize_title(t): q for t, q in evidence.items()}
    matches = []
    for citation in record["citations"]:
        quote = gold_quotes.get(normalize_title(citation["title"]))
        if quote is None:
            continue
        ours, theirs = normalize_fact(citation["evidence"]), normalize_fact(quote)
        a, b = set(ours.split()), set(theirs.split())
        matches.append(theirs in ours or ours in theirs or len(a & b) / max(1, len(a | b)) >= 0.5)
    return sum(matches) / len(matches) if matches else None


def question_metrics(
    record: dict, gold_titles: list[str], gold_facts: list[str], evidence: dict | None = None,
    related_titles: tuple[str, ...] | list[str] = (),
) -> dict:
    gold = {normalize_title(t) for t in gold_titles}
    cited = {normalize_title(c["title"]) for c in record["citations"]}
    retrieved = [normalize_title(t) for t in record["retrieved_titles"]]
    precision, recall, f1 = citation_prf(cited, gold)
    claims = [claim for c in record["citations"] for claim in c.get("claims", [])]
    supported = [claim["support"] == "supported" for claim in claims]
    refused = bool(record["refused"]) and not cited
    verbatim = [c["verbatim"] for c in record["citations"] if "verbatim" in c]
    named = {normalize_title(r["title"]) for r in record.get("related", [])}
    related = {normalize_title(t) for t in related_titles}
    return {
        "recall@5": recall_at(retrieved, gold, 5),
        "recall@10": recall_at(retrieved, gold, 10),
        "mrr": mrr(retrieved, gold),
        "ndcg@10": ndcg_at(retrieved, gold, 10),
        "citation_precision": precision,
        "citation_recall": recall,
        "citation_f1": f1,
        "claim_support": sum(supported) / len(supported) if supported else None,
        "fact_recall": fact_recall(record["answer"], gold_facts),
        "all_figures": all_figures(record, gold_facts),
        "evidence_match": evidence_match(record, evidence or {}),
        "correct_refusal": (1.0 if refused else 0.0) if not gold else None,
        "false_refusal": (1.0 if refused else 0.0) if gold else None,
        "evidence_verbatim": sum(verbatim) / len(verbatim) if verbatim else None,
        "related_named": (1.0 if refused and named & related else 0.0) if related and not gold else None,
        "sources_chosen_by_model": 1.0 if record.get("sources_chosen_by") == "model" else 0.0,
        "spans_dropped": float(sum(d.get("kind") == "span" for d in record.get("dropped", []))),
        "spans_trimmed": float(sum(d.get("kind") == "trimmed" for d in record.get("dropped", []))),
        "dropped": float(len(record.get("dropped", []))),
        "retrieve_s": record["timings"].get("retrieve_s"),
        "first_token_s": record["timings"].get("first_token_s"),
        "total_s": record["timings"].get("total_s"),
    }


HEADLINE = (  # (label, group, metric): the figures the README reports per split
    ("topic-list citation F1", "topic_list", "citation_f1"),
    ("single-fact gold cited", "single_fact", "citation_recall"),
    ("two-paper citation F1", "multi_hop", "citation_f1"),
    ("near-miss declined, nothing cited", "near_miss", "correct_refusal"),
    ("all unanswerable declined", "unanswerable", "correct_refusal"),
    ("answerable refused", "overall", "false_refusal"),
    ("fact answers with every asked figure", "single_fact", "all_figures"),
    ("gold facts in the answer", "overall", "fact_recall"),
    ("evidence quotes verbatim", "overall", "evidence_verbatim"),
    ("claims supported", "overall", "claim_support"),
)


def headline(summary: dict) -> dict[str, float | None]:
    """The headline figures of one summarize() result."""
    return {label: summary.get(group, {}).get(metric) for label, group, metric in HEADLINE}


def mean(values) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


def percentile(values, q: float) -> float | None:
    present = sorted(v for v in values if v is not None)
    if not present:
        return None
    index = min(len(present) - 1, max(0, math.ceil(q * len(present)) - 1))
    return present[index]


def summarize(records: list[dict]) -> dict:
    """Mean of every metric per question type and overall, plus latency percentiles."""
    if not records:
        return {}
    names = [k for k in records[0]["metrics"] if not k.endswith("_s")]
    groups = {"overall": records}
    for kind in sorted({r["type"] for r in records}):
        groups[kind] = [r for r in records if r["type"] == kind]
    near_miss = [r for r in records if r.get("near_miss")]
    if near_miss:
        groups["near_miss"] = near_miss
    summary = {
        group: {name: mean(r["metrics"][name] for r in rows) for name in names} | {"questions": len(rows)}
        for group, rows in groups.items()
    }
    for timing in ("retrieve_s", "first_token_s", "total_s"):
        values = [r["metrics"][timing] for r in records]
        summary["overall"][f"{timing}_p50"] = percentile(values, 0.5)
        summary["overall"][f"{timing}_p95"] = percentile(values, 0.95)
    summary["overall"]["total_s_mean"] = mean(r["metrics"]["total_s"] for r in records)
    return summary
