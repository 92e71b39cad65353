"""Sanity checks for the hand-written evaluation set in eval/questions.jsonl.

Standard library + pytest only: the corpus is parsed here directly (no project
imports) so the checks stay independent of the assistant's own code.
"""
import json
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = ROOT / "data" / "corpus"
QUESTIONS = ROOT / "eval" / "questions.jsonl"

VALID_TYPES = {"topic_list", "single_fact", "multi_hop", "unanswerable"}
DATE_RE = re.compile(r"[A-Z][a-z]{2} \d{1,2}")


def _parse_listing(text):
    """Yield (title, abstract) pairs from one daily-papers listing dump.

    Paragraphs are separated by blank lines. The header ends at the listing
    date paragraph (e.g. "Jan 13"); after it each entry is a title paragraph,
    an abstract paragraph and an optional meta paragraph ("• N authors\\n·\\nDate").
    """
    paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    i = 0
    while i < len(paras) and not DATE_RE.fullmatch(paras[i]):
        i += 1
    i += 1
    while i + 1 < len(paras):
        title, abstract = paras[i], paras[i + 1]
        i += 2
        if i < len(paras) and "\n·\n" in paras[i]:
            i += 1
        yield title, abstract


@pytest.fixture(scope="module")
def corpus():
    papers = {}
    files = sorted(CORPUS_DIR.glob("*.txt"))
    assert files, f"no corpus files in {CORPUS_DIR}"
    for path in files:
        for title, abstract in _parse_listing(path.read_text(encoding="utf-8")):
            papers.setdefault(title, abstract)
    return papers


@pytest.fixture(scope="module")
def questions():
    rows = []
    with QUESTIONS.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:  # pragma: no cover - reported as failure
                pytest.fail(f"line {lineno} is not valid JSON: {exc}")
    return rows


def test_corpus_parses_to_expected_size(corpus):
    assert len(corpus) == 210


def test_fields_present_and_typed(questions):
    for q in questions:
        for key, typ in [("qid", str), ("type", str), ("question", str),
                         ("gold_titles", list), ("gold_facts", list), ("evidence", dict)]:
            assert isinstance(q.get(key), typ), f"{q.get('qid')}: bad or missing {key}"
        assert q["question"].strip(), q["qid"]
        assert all(isinstance(f, str) and f.strip() for f in q["gold_facts"]), q["qid"]


def test_enough_questions(questions):
    assert len(questions) >= 60


def test_qids_unique(questions):
    dupes = [k for k, n in Counter(q["qid"] for q in questions).items() if n > 1]
    assert not dupes, dupes


def test_types_valid(questions):
    bad = [(q["qid"], q["type"]) for q in questions if q["type"] not in VALID_TYPES]
    assert not bad, bad


def test_each_type_has_at_least_eight(questions):
    counts = Counter(q["type"] for q in questions)
    for t in VALID_TYPES:
        assert counts[t] >= 8, f"{t}: only {counts[t]}"


def test_first_topic_question_is_shortcut_learning(questions):
    topic = [q for q in questions if q["type"] == "topic_list"]
    assert topic[0]["question"] == "Which papers study shortcut learning?"
    for title in ("On the Foundations of Shortcut Learning",
                  "Understanding Visual Feature Reliance through the Lens of Complexity"):
        assert title in topic[0]["gold_titles"]


def test_gold_titles_exist_exactly(questions, corpus):
    missing = [(q["qid"], t) for q in questions for t in q["gold_titles"] if t not in corpus]
    assert not missing, missing


def test_gold_titles_not_repeated(questions):
    for q in questions:
        assert len(set(q["gold_titles"])) == len(q["gold_titles"]), q["qid"]


def test_evidence_keys_are_gold_titles(questions):
    bad = [(q["qid"], k) for q in questions for k in q["evidence"] if k not in q["gold_titles"]]
    assert not bad, bad


def test_answerable_questions_have_evidence_for_every_gold_title(questions):
    for q in questions:
        if q["type"] == "unanswerable":
            continue
        assert q["gold_titles"], f"{q['qid']}: answerable question without gold"
        missing = [t for t in q["gold_titles"] if not q["evidence"].get(t, "").strip()]
        assert not missing, (q["qid"], missing)


def test_evidence_is_verbatim_substring_of_abstract(questions, corpus):
    bad = []
    for q in questions:
        for title, quote in q["evidence"].items():
            if title in corpus and quote not in corpus[title]:
                bad.append((q["qid"], title, quote[:60]))
    assert not bad, bad


def test_unanswerable_have_no_gold(questions):
    for q in questions:
        if q["type"] == "unanswerable":
            assert q["gold_titles"] == [], q["qid"]
            assert q["evidence"] == {}, q["qid"]
            assert q["gold_facts"] == [], q["qid"]


def test_multi_hop_needs_two_papers(questions):
    for q in questions:
        if q["type"] == "multi_hop":
            assert len(q["gold_titles"]) >= 2, q["qid"]


def test_fact_questions_have_verbatim_facts(questions, corpus):
    for q in questions:
        if q["type"] in ("single_fact", "multi_hop"):
            assert q["gold_facts"], f"{q['qid']}: no gold facts"
        if q["type"] == "single_fact":
            assert len(q["gold_titles"]) == 1, q["qid"]
        for fact in q["gold_facts"]:
            assert any(fact in corpus[t] for t in q["gold_titles"] if t in corpus), (q["qid"], fact)


def test_at_least_160_questions(questions):
    assert len(questions) >= 160


def test_near_miss_unanswerables_of_both_kinds(questions):
    kinds = Counter(q.get("near_miss") for q in questions if q["type"] == "unanswerable")
    assert kinds["missing_detail"] + kinds["neighbour_topic"] >= 30, kinds
    assert kinds["missing_detail"] >= 10 and kinds["neighbour_topic"] >= 10, kinds
    for q in questions:
        if q.get("near_miss"):
            assert q["type"] == "unanswerable" and q["near_miss"] in ("missing_detail", "neighbour_topic"), q["qid"]


def test_related_titles_exist_exactly(questions, corpus):
    missing = [(q["qid"], t) for q in questions for t in q.get("related_titles", []) if t not in corpus]
    assert not missing, missing
    for q in questions:
        if q.get("near_miss") == "missing_detail":
            assert q.get("related_titles"), f"{q['qid']}: a missing-detail question names the paper it is about"


def test_descriptive_questions(questions):
    # qid prefixes dtopic-/dfact-: questions that describe the topic or paper instead of naming it
    assert sum(q["qid"].startswith("dtopic-") and q["type"] == "topic_list" for q in questions) >= 30
    assert sum(q["qid"].startswith("dfact-") and q["type"] == "single_fact" for q in questions) >= 10


def test_split_rule_is_fixed_and_both_splits_hold_every_type(questions):
    import hashlib

    def split_of(qid):  # the committed rule (assistant/evaluate.py:split_of), restated independently
        return "dev" if int(hashlib.sha256(qid.encode()).hexdigest(), 16) % 2 == 0 else "test"

    from assistant.evaluation.evaluate import split_of as project_rule

    assert all(project_rule(q["qid"]) == split_of(q["qid"]) for q in questions)
    counts = Counter((q["type"], split_of(q["qid"])) for q in questions)
    for kind in VALID_TYPES:
        for split in ("dev", "test"):
            assert counts[(kind, split)] >= 3, (kind, split, counts)
