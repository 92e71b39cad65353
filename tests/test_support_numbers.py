"""The support judge never backs a sentence that changes, invents or regroups a number of
its source, however similar it reads (real MiniLM: similarity alone would say yes)."""

from __future__ import annotations

import pytest

from assistant.layout import BUNDLED_CORPUS
from assistant.corpus import load_corpus
from assistant.answering.support import SUPPORTED, UNSUPPORTED, SupportJudge
from assistant.retrieval.evidence import EvidenceFinder

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def judge_and_paper(minilm):
    papers = {p.title: p for p in load_corpus([BUNDLED_CORPUS]).papers}
    paper = next(p for t, p in papers.items() if "UHDRR4K" in p.abstract)
    return SupportJudge(EvidenceFinder(minilm)), paper


def test_faithful_restatement_is_supported(judge_and_paper):
    judge, paper = judge_and_paper
    verdict = judge.judge("The UHDRR4K dataset has 2,999 training and 168 testing quadruplets of images.", paper)
    assert verdict.support == SUPPORTED, verdict
    assert not verdict.number_problems


@pytest.mark.parametrize("claim, why", [
    # regrouped: UHDRR4K's training count with UHDRR8K's test count
    ("The UHDRR4K dataset consists of 2,999 and 105 quadruplets of images for training and testing respectively.", "paired"),
    # swapped between the two datasets
    ("The UHDRR4K dataset has 1,014 training and 105 testing quadruplets, and UHDRR8K has 2,999 and 168.", "paired"),
    # changed
    ("The UHDRR4K dataset consists of 2,999 and 186 quadruplets of images for training and testing respectively.", "not in"),
    # invented
    ("The UHDRR4K dataset consists of 2,999 and 168 quadruplets of images, 4,500 in all.", "not in"),
])
def test_changed_or_regrouped_numbers_are_unsupported(judge_and_paper, claim, why):
    judge, paper = judge_and_paper
    similarity = judge.evidence.rank(claim, paper)[0].similarity
    verdict = judge.judge(claim, paper)
    assert similarity > 0.8  # it reads like the source: only the numbers give it away
    assert verdict.support == UNSUPPORTED, verdict
    assert any(why in problem for problem in verdict.number_problems), verdict.number_problems


def test_a_sentence_that_only_repeats_the_question_adds_nothing():
    from assistant.answering.support import adds_nothing

    question = "Which papers study pruning?"
    assert adds_nothing("Which papers study pruning?", question)
    assert adds_nothing("This paper studies pruning.", question)
    assert not adds_nothing("A metanetwork learns which channels to prune from the network's graph.", question)
