"""The answer judge's training pairs and its measurement (no model: fakes chosen by name)."""
import random

from assistant.evaluation.evaluate import Question
from assistant.evaluation.judge_fit import ABOUT, ANSWERS, OFF, question_pairs
from assistant.evaluation.judge_report import _auroc, measure

ABSTRACTS = {
    "Fast Heads": "We prune attention heads by their gradient signal. It cuts latency by 40% on an A100 GPU. Code is public.",
    "Slow Heads": "We study attention heads in vision transformers. Heads specialise early in training.",
    "Weather": "A transformer forecasts rain from radar images. It beats persistence by 12%.",
}


def fact(qid="q1"):
    return Question(qid, "single_fact", "A method prunes heads by gradients: by how much does it cut latency, on which GPU?",
                    ("Fast Heads",), ("40%", "A100 GPU"), {"Fast Heads": "It cuts latency by 40% on an A100 GPU."})


def test_pairs_label_the_asked_sentence_the_rest_of_the_abstract_and_other_papers():
    pairs = question_pairs(fact(), ABSTRACTS, {}, random.Random(0), off_per_question=2)
    by_label = {label: [p.sentence for p in pairs if p.label == label] for label in (OFF, ABOUT, ANSWERS)}
    assert by_label[ANSWERS] == ["It cuts latency by 40% on an A100 GPU."]
    assert "We prune attention heads by their gradient signal." in by_label[ABOUT]
    assert by_label[OFF] and not any(s in ABSTRACTS["Fast Heads"] for s in by_label[OFF])


def test_a_near_miss_papers_sentences_are_about_not_answers():
    near = Question("q2", "unanswerable", "How many heads does the vision transformer study prune?", (), (), {},
                    "missing_detail", ("Slow Heads",))
    pairs = question_pairs(near, ABSTRACTS, {}, random.Random(0), off_per_question=2)
    assert {p.label for p in pairs if p.sentence in ABSTRACTS["Slow Heads"]} == {ABOUT}
    assert ANSWERS not in {p.label for p in pairs}


def test_measure_rewards_the_scorer_that_finds_the_asked_sentence():
    def knows_figures(question, sentences):
        return [float("%" in s) for s in sentences]

    def first_sentence(question, sentences):
        return [1.0 if i == 0 else 0.0 for i in range(len(sentences))]

    assert measure(knows_figures, [fact()], ABSTRACTS)["fact_top1_all_facts"] == 1.0
    assert measure(first_sentence, [fact()], ABSTRACTS)["fact_top1_all_facts"] == 0.0


def test_auroc():
    assert _auroc([0.9, 0.8], [0.1, 0.2]) == 1.0 and _auroc([0.1], [0.9]) == 0.0 and _auroc([0.5], [0.5]) == 0.5
    assert _auroc([], [0.1]) is None
