"""The 417 questions added for the answers issue (the rows of eval/questions.jsonl with a
``form``; docs/eval-questions-added.md): each gold title exists, each quote and fact is
verbatim in its abstract, every form is known, and the harness loads them. Standard library
and pytest only, but for the last check."""
import json
from collections import Counter

import pytest

from test_eval_questions import QUESTIONS, ROOT, corpus  # noqa: F401  (corpus: the shared fixture)

FORMS = {
    "topic_list": {"short_list", "genre", "modality", "descriptive_list"},
    "single_fact": {"descriptive_fact", "named_fact"},
    "multi_hop": {"two_paper", "three_paper"},
    "unanswerable": {"missing_detail", "neighbour_topic", "off_topic"},
}


@pytest.fixture(scope="module")
def added():
    rows = []
    for lineno, line in enumerate(QUESTIONS.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                pytest.fail(f"{QUESTIONS}:{lineno}: {error}")
            if "form" in row:
                rows.append(row)
    return rows


def test_counts_and_forms(added):
    assert len(added) == 417
    assert all(q["form"] in FORMS[q["type"]] for q in added), [q["qid"] for q in added if q["form"] not in FORMS[q["type"]]]
    forms = Counter(q["form"] for q in added)
    assert forms["short_list"] >= 60 and forms["genre"] + forms["modality"] >= 60 and forms["three_paper"] >= 15
    assert forms["missing_detail"] >= 40 and forms["neighbour_topic"] >= 30


def test_qids_are_unique(added):
    qids = [json.loads(line)["qid"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(set(qids)) == len(qids) == 594
    assert all(q["qid"].startswith(("w1-", "w2-", "w3-", "w4-")) for q in added)


def test_gold_quotes_and_facts_are_verbatim(added, corpus):
    bad = []
    for q in added:
        titles = q["gold_titles"] + q.get("related_titles", [])
        bad += [(q["qid"], t) for t in titles if t not in corpus]
        if set(q["evidence"]) != set(q["gold_titles"]):
            bad.append((q["qid"], "evidence keys"))
        for title, quote in q["evidence"].items():
            spans = [quote] + q.get("evidence_more", {}).get(title, [])
            bad += [(q["qid"], span[:50]) for span in spans if title in corpus and span not in corpus[title]]
        bad += [(q["qid"], f) for f in q["gold_facts"] if not any(f in corpus.get(t, "") for t in q["gold_titles"])]
    assert not bad, bad


def test_each_type_has_what_it_needs(added):
    for q in added:
        if q["type"] == "unanswerable":
            assert q["gold_titles"] == [] and q["evidence"] == {} and q["gold_facts"] == [], q["qid"]
            if q["form"] != "off_topic":
                assert q["near_miss"] == q["form"] and q["related_titles"] and q["note"], q["qid"]
        else:
            assert q["gold_titles"], q["qid"]
        if q["type"] == "topic_list":
            assert q["checked"].strip(), f"{q['qid']}: say how the gold list was checked"
        if q["type"] in ("single_fact", "multi_hop"):
            assert q["gold_facts"], q["qid"]
        if q["form"] == "three_paper":
            assert len(q["gold_titles"]) >= 3, q["qid"]


def test_the_harness_loads_the_file():
    from assistant.evaluation.evaluate import load_questions

    loaded = load_questions(QUESTIONS)
    assert len(loaded) == 594 and sum(q.qid.startswith(("w1-", "w2-", "w3-", "w4-")) for q in loaded) == 417
    assert {q.split for q in loaded} == {"dev", "test"}
