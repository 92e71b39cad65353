"""The learned selector's parts, on fakes: the logistic model and its file, the features,
the fitting utilities, the refusal with a related paper, and calibration's dev-only rule."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.retrieval.features import BASE_FEATURES, asks_for_number, feature_rows, missing_terms, specific_terms, RawSignals
from assistant.retrieval.logistic import LogisticModel, SelectorFile, fit
from assistant.answering.prompts import Prompts
from assistant.layout import PROMPTS_DIR
from assistant.retrieval.evidence import EvidenceFinder
from assistant.retrieval.selector_fit import choose, utility
from conftest import HashEmbedder, index_of

ROOT = Path(__file__).resolve().parents[1]


def test_fit_separates_and_probabilities_follow_the_signal():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    y = (x[:, 0] + 0.1 * rng.normal(size=400) > 0).astype(float)
    model = fit(x, y, ["signal", "noise"], l2=1.0)
    assert model.coef[0] > 5 * abs(model.coef[1])
    p = model.probabilities(np.array([[2.0, 0.0], [-2.0, 0.0]]))
    assert p[0] > 0.95 and p[1] < 0.05


def test_selector_file_round_trip(tmp_path):
    model = LogisticModel(["a", "b"], [0.0, 1.0], [1.0, 2.0], [0.5, -0.5], 0.1, cut=0.4, extra={"max_papers": 2})
    path = tmp_path / "selector.json"
    SelectorFile(1, {"list": model}, {"embedder": "x"}).save(path)
    loaded = SelectorFile.load(path)
    assert loaded.model("list") == model and loaded.meta == {"embedder": "x"}
    with pytest.raises(KeyError, match="no model 'other'"):
        loaded.model("other")


def test_broken_selector_files_name_the_file_and_field(tmp_path):
    path = tmp_path / "selector.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match=r"selector.json:1: the selector model is not valid JSON"):
        SelectorFile.load(path)
    path.write_text(json.dumps({"models": {"list": {"features": ["a"], "mean": [0], "scale": [1], "coef": [1, 2],
                                                     "intercept": 0}}}))
    with pytest.raises(ValueError, match=r"\[models.list\]: features, mean, scale and coef differ"):
        SelectorFile.load(path)


@pytest.mark.parametrize("question, terms", [
    ("What mAP does the AlexNet pre-trained by predicting rotations reach on PASCAL VOC 2007?",
     ["mAP", "AlexNet", "PASCAL", "VOC", "2007"]),
    ("Which papers study shortcut learning?", []),
    ("What box AP does SSD reach on COCO test-dev?", ["AP", "SSD", "COCO"]),
])
def test_specific_terms(question, terms):
    assert specific_terms(question) == terms


def test_missing_terms_ignore_case():
    assert missing_terms(["COCO", "mAP", "LibriSpeech"], "results on coco with a MAP of 40") == ["LibriSpeech"]


@pytest.mark.parametrize("question, asks", [
    ("How many parameters does the model have?", True),
    ("What top-1 accuracy does it reach on ImageNet?", True),
    ("What word error rate do the transformers achieve?", True),
    ("Which papers study pruning?", False),
    ("What does the paper propose for shortcut learning?", False),
])
def test_asks_for_number(question, asks):
    assert asks_for_number(question) is asks


def test_feature_rows_take_gaps_to_the_best_candidate():
    signals = [RawSignals(5.0, 4.0, 0.7, 0.6, 1.0, 1, 1, 2, 0, False),
               RawSignals(1.0, 3.0, 0.5, 0.4, 0.5, 2, None, 1, 2, True)]
    rows = feature_rows(signals)
    assert rows[1]["ce_passage_gap"] == -4.0 and rows[0]["ce_passage_gap"] == 0.0
    assert rows[1]["ce_rank_inv"] == 0.5 and rows[1]["dense_rank_inv"] == 0.0
    assert rows[1]["number_missing"] == 1.0 and rows[1]["missing_specifics"] == 2.0
    assert set(BASE_FEATURES) <= set(rows[0])
    no_ce = feature_rows([RawSignals(None, None, 0.7, 0.6, 1.0, 1, 1, 2, 0, False)])
    assert "ce_passage" not in no_ce[0]


def test_utility_and_choice():
    assert utility([True, False], [True, False], 1) == 1.0
    assert utility([False, False], [False, False], 0) == 1.0  # unanswerable, nothing cited
    assert utility([True, False], [False, False], 0) == 0.0
    assert utility([False, False], [True, True], 2) == 0.0  # refused an answerable question
    assert choose(np.array([0.9, 0.8, 0.2]), cut=0.5, limit=1) == [True, False, False]
    assert choose(np.array([0.9, 0.8, 0.2]), cut=0.5, limit=None) == [True, True, False]


def test_calibration_refuses_the_test_split():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "calibrate.py"), "--split", "test"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "dev only" in done.stderr


def test_refusal_names_the_related_paper_and_what_it_lacks(small_assistant):
    from assistant.answering.refusal import refusal_text
    from assistant.retrieval.gather import related_candidates
    from assistant.retrieval.handover import RelatedPaper
    from assistant.retrieval.query import parse_question
    from assistant.retrieval.relevance import Candidate

    hits = small_assistant.search("graph neural network molecules QM9").hits
    close = Candidate(hits[0], None, 0.4, False, confidence=0.4)
    parsed = parse_question("What accuracy does the molecular graph network reach on ZINC?")
    assert related_candidates([close], cut=0.3) == [close]
    related = [RelatedPaper(hits[0].paper, "", 0.4)]
    text = refusal_text(parsed, related, Prompts(PROMPTS_DIR))
    assert text == f"The corpus has \u201c{hits[0].paper.title}\u201d, but its abstract does not report ZINC."
    assert related_candidates([close], cut=0.5) == []
    assert refusal_text(parse_question("Which papers study sheaves?"), [], Prompts(PROMPTS_DIR)) == (
        "No papers on sheaves were found in the corpus.")
    # a fact question is never pasted into the refusal as a topic
    assert refusal_text(parse_question("How many GPUs did the sheaf paper use?"), [], Prompts(PROMPTS_DIR)) == (
        "No abstract in the corpus was found that answers this question.")
    related_no_terms = refusal_text(parse_question("By how much does the graph network cut error?"), related,
                                    Prompts(PROMPTS_DIR))
    assert related_no_terms.endswith("does not report the figure asked for (by how much does the graph network cut error).")


@pytest.mark.parametrize("question, attribute", [
    ("What kernel size do UniRepLKNet's large convolutional kernels actually use?", "kernel size"),
    ("What pixel-level anomaly localization AUROC does SimpleNet reach on MVTec AD?", "pixel-level anomaly localization AUROC"),
    ("How many experts does Moirai-MoE have?", "experts"),
    ("Which papers study pruning?", None),
    ("Which paper introduced stitching pretrained model families into variable-sized networks, and which later "
     "paper points out its limitations? What does it propose?", None),  # too long to be one attribute
])
def test_asked_attribute(question, attribute):
    from assistant.retrieval.features import asked_attribute

    assert asked_attribute(question) == attribute


def test_preferred_variant_is_the_better_cross_validated_one():
    from assistant.retrieval.selector_fit import preferred

    report = {"list": {"cv_utility": 0.63}, "list-no-reranker": {"cv_utility": 0.61},
              "other": {"cv_utility": 0.84}, "other-no-reranker": {"cv_utility": 0.88}}
    assert preferred(report) == {"list": "list", "other": "other-no-reranker"}
    tie = {"list": {"cv_utility": 0.6}, "list-no-reranker": {"cv_utility": 0.6}}
    assert preferred(tie)["list"] == "list"  # a tie keeps the reranker's model


def test_page_and_terminal_show_confidence_and_the_closest_paper(small_assistant):
    from assistant.answering.results import AnswerResult
    from assistant.app.render import references
    from assistant.app.web import sources_html
    from assistant.retrieval.gather import row
    from assistant.retrieval.handover import RelatedPaper
    from assistant.retrieval.relevance import Candidate

    hits = small_assistant.search("graph neural network molecules QM9").hits
    evidence = EvidenceFinder(HashEmbedder()).rank("QM9 accuracy", hits[0].paper)[0]
    cited = Candidate(hits[0], evidence, 0.9, True, confidence=0.87)
    answered = AnswerResult("q", "q", sources=[row(1, cited)])
    assert "confidence 0.87" in sources_html(answered)
    assert "confidence 0.87" in references(answered)
    close = RelatedPaper(hits[0].paper, evidence.sentence.text, 0.31)
    refused = AnswerResult("q", "q", refused=True, related=[close])
    page = sources_html(refused)
    assert "closest paper; does not answer" in page and hits[0].paper.title in page
    assert "do not answer" in references(refused) and hits[0].paper.title in references(refused)
    assert refused.to_dict()["related"][0]["confidence"] == 0.31


@pytest.mark.integration
def test_learned_selector_on_the_real_corpus(real_assistant):
    assert real_assistant.stats().reranker == "ms-marco-MiniLM-L-12-v2-int8"
    result = real_assistant.ask("Which papers study shortcut learning?", llm="extractive").to_dict()
    titles = [c["title"] for c in result["citations"]]
    assert "On the Foundations of Shortcut Learning" in titles
    assert all(0.0 < c["confidence"] <= 1.0 for c in result["citations"])
    assert result["related"] == [] and not result["refused"]
    for citation in result["citations"]:  # every quote is a verbatim span of its abstract
        paper = next(p for p in index_of(real_assistant).catalog.papers().values() if p.paper_id == citation["paper_id"])
        assert citation["evidence"] in paper.abstract


def test_a_fact_sentence_that_drops_or_changes_a_figure_is_not_used():
    from assistant.answering.phrase import drops_numbers

    evidence = "It reaches 91.5% accuracy on the QM9 benchmark with 1,000 molecules."
    assert not drops_numbers(evidence, "The model reaches 91.5% accuracy on QM9 with 1000 molecules.")
    assert drops_numbers(evidence, "The model is accurate on QM9.")
    assert drops_numbers(evidence, "It reaches 95.1% accuracy on QM9 with 1,000 molecules.")
    assert not drops_numbers("Our ResNet-50 baseline is strong.", "The ResNet-50 baseline is strong.")


def test_may_also_be_relevant_is_shown_apart_and_never_cited(small_assistant):
    from assistant.answering.results import AnswerResult
    from assistant.app.render import references
    from assistant.app.web import sources_html
    from assistant.retrieval.gather import also_candidates, row
    from assistant.retrieval.handover import RelatedPaper
    from assistant.retrieval.relevance import Candidate

    hits = small_assistant.search("graph neural network molecules QM9").hits
    evidence = EvidenceFinder(HashEmbedder()).rank("QM9 accuracy", hits[0].paper)[0]
    cited = Candidate(hits[0], evidence, 0.9, True, confidence=0.87)
    below = [Candidate(h, evidence, 0.3, False, confidence=c) for h, c in zip(hits[1:], (0.2, 0.04))]
    # the next ones below the cut, by confidence, at least the related cut, at most three
    assert also_candidates([cited, *below], cut=0.05) == below[:1]
    assert also_candidates([cited, *below], cut=None) == []
    maybe = RelatedPaper(hits[1].paper, "", 0.2)
    answered = AnswerResult("q", "q", sources=[row(1, cited)], also=[maybe], retrieved=[])
    page, terminal = sources_html(answered), references(answered)
    assert "May also be relevant" in page and hits[1].paper.title in page and "confidence 0.20" in page
    assert "May also be relevant (below the cut, not cited)" in terminal and "confidence 0.20" in terminal
    assert "[2]" not in terminal
    data = answered.to_dict()
    assert data["also_relevant"] == [{"paper_id": hits[1].paper.paper_id, "title": hits[1].paper.title,
                                      "evidence": "", "confidence": 0.2}]
    assert [c["n"] for c in data["sources"]] == [1]


def test_a_selector_fitted_with_the_answer_judge_still_answers_when_the_judge_is_off(small_assistant):
    from assistant.layout import SELECTOR_MODEL
    from assistant.retrieval import SelectorFile, parse_question
    from assistant.retrieval.selection import LearnedSelector

    class ZeroReranker:
        def score(self, query, passages):
            return [0.0] * len(passages)

    model = SelectorFile.load(SELECTOR_MODEL)
    assert any(n.startswith("judge_") for n in model.model("list").features), "the committed list model reads the judge"
    hits = small_assistant.search("shortcut learning").hits
    selector = LearnedSelector(EvidenceFinder(HashEmbedder()), ZeroReranker(), model, judge=None)
    candidates = selector.select(parse_question("Which papers study shortcut learning?"), hits)
    assert len(candidates) == len(hits) and all(0.0 <= c.confidence <= 1.0 for c in candidates)


def test_retrieved_not_cited_shows_each_papers_confidence_most_likely_first(small_assistant):
    from assistant.answering.results import AnswerResult
    from assistant.app.web import sources_html
    from assistant.retrieval.handover import RetrievedPaper

    hits = small_assistant.search("graph neural network molecules QM9").hits
    retrieved = [RetrievedPaper(h.paper, h.score, h.rank, c) for h, c in zip(hits, (0.12, 0.61, None))]
    page = sources_html(AnswerResult("q", "q", retrieved=retrieved))
    listed = page[page.index("Retrieved, not cited"):]
    assert "confidence 0.61" in listed and "confidence 0.12" in listed
    assert listed.index(hits[1].paper.title) < listed.index(hits[0].paper.title) < listed.index(hits[2].paper.title)
    data = AnswerResult("q", "q", retrieved=retrieved).to_dict()
    assert [r["confidence"] for r in data["retrieved"]] == [0.12, 0.61, None]
