import json

import pytest

from assistant.evaluation.evaluate import QuestionFileError, load_questions, stratified
from assistant.evaluation.metrics import (
    citation_prf, evidence_match, fact_recall, mrr, ndcg_at, percentile, question_metrics, recall_at, summarize,
)


def test_retrieval_metrics():
    ranked = ["a", "x", "b", "y"]
    assert recall_at(ranked, {"a", "b"}, 1) == 0.5 and recall_at(ranked, {"a", "b"}, 3) == 1.0
    assert mrr(ranked, {"b"}) == pytest.approx(1 / 3) and mrr(ranked, {"z"}) == 0.0
    assert ndcg_at(["a", "b"], {"a", "b"}) == pytest.approx(1.0)
    assert ndcg_at(["x", "a"], {"a"}) == pytest.approx(1 / 1.5849625, rel=1e-6)
    assert recall_at(ranked, set(), 5) is None


def test_citation_prf():
    assert citation_prf({"a", "x"}, {"a", "b"}) == (0.5, 0.5, 0.5)
    assert citation_prf(set(), {"a"}) == (0.0, 0.0, 0.0)
    assert citation_prf({"a"}, set()) == (None, None, None)


def test_fact_recall_normalises_numbers_but_not_inside_other_numbers():
    assert fact_recall("NASNet achieves 2.4 % error", ["2.4%"]) == 1.0
    assert fact_recall("Accuracy of 83.3\\% on it", ["83.3%"]) == 1.0
    assert fact_recall("only 0.032% of weights", ["32%"]) == 0.0
    assert fact_recall("trained on 1,000 images", ["1000 images", "QM9"]) == 0.5
    assert fact_recall("x", []) is None


def test_evidence_match_and_question_metrics():
    record = {
        "answer": "Models prefer texture [1].", "refused": False,
        "citations": [{"title": "Paper A", "evidence": "Models prefer texture over shape.",
                       "claims": [{"support": "supported"}, {"support": "weak"}]}],
        "retrieved_titles": ["Paper A", "Paper B"], "timings": {"retrieve_s": 0.1, "first_token_s": 0.2, "total_s": 0.3},
    }
    assert evidence_match(record, {"Paper A": "Models prefer texture over shape"}) == 1.0
    m = question_metrics(record, ["Paper A", "Paper B"], ["texture"], {"Paper A": "something else entirely here"})
    assert (m["citation_precision"], m["citation_recall"]) == (1.0, 0.5)
    assert m["claim_support"] == 0.5 and m["fact_recall"] == 1.0 and m["evidence_match"] == 0.0
    assert m["false_refusal"] == 0.0 and m["correct_refusal"] is None
    refused = dict(record, refused=True, citations=[])
    assert question_metrics(refused, [], [], {})["correct_refusal"] == 1.0
    summary = summarize([{"type": "single_fact", "metrics": m}, {"type": "unanswerable", "metrics": question_metrics(refused, [], [])}])
    assert summary["overall"]["questions"] == 2 and summary["single_fact"]["citation_recall"] == 0.5
    assert percentile([3, 1, 2], 0.5) == 2


def test_question_file_errors_name_line_and_field(tmp_path):
    path = tmp_path / "q.jsonl"
    rows = [{"qid": "a", "type": "single_fact", "question": "Q?", "gold_titles": ["Known"]},
            {"qid": "b", "type": "opinion", "question": "Q?", "gold_titles": []},
            {"qid": "c", "type": "single_fact", "question": "Q?", "gold_titles": ["Nope"]}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n{bad\n")
    with pytest.raises(QuestionFileError) as err:
        load_questions(path, known_titles={"known"})
    message = str(err.value)
    assert ":2 [type]" in message and ":3 [gold_titles]" in message and ":4: broken JSON" in message


def test_stratified_subset_covers_every_type(tmp_path):
    from assistant.layout import PROJECT_ROOT

    questions = load_questions(PROJECT_ROOT / "eval" / "questions.jsonl")
    subset = stratified(questions, 15)
    assert len(subset) == 15 and {q.type for q in subset} == {"topic_list", "single_fact", "multi_hop", "unanswerable"}


def test_the_report_counts_what_a_judging_model_had_dropped():
    from assistant.evaluation.report import judging_table

    base = {"answer": "A [1].", "refused": False, "citations": [{"title": "A", "evidence": "a", "claims": []}],
            "retrieved_titles": ["A"], "timings": {"retrieve_s": 0.1, "first_token_s": 1.0, "total_s": 40.0}}
    judged = dict(base, sources_chosen_by="model", dropped=[
        {"title": "B", "text": "not in B", "why": "not verbatim", "kind": "span"},
        {"title": "B", "text": "[2]", "why": "cited, no span", "kind": "citation"}])
    fell_back = dict(base, sources_chosen_by="selector", dropped=[])
    metrics = [question_metrics(r, ["A"], []) for r in (judged, fell_back)]
    assert (metrics[0]["spans_dropped"], metrics[0]["dropped"], metrics[0]["sources_chosen_by_model"]) == (1.0, 2.0, 1.0)
    assert (metrics[1]["spans_dropped"], metrics[1]["sources_chosen_by_model"]) == (0.0, 0.0)
    summary = {"paper-assistant|openai|hybrid|test": summarize([{"type": "topic_list", "metrics": m} for m in metrics])}
    row = judging_table(summary)[-1]
    assert row == "| paper-assistant | openai | hybrid | test | 2 | 0.500 | 1 | 0 | 2 | 40.000 |"
    offline = {"paper-assistant|extractive|hybrid|test": summarize([{"type": "topic_list", "metrics": metrics[1]}])}
    assert judging_table(offline) == []
