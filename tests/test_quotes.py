"""A fact question's quote holds what it asks: the asks read from the question's words,
one sentence chosen per ask, spans merged where they are neighbours."""

from __future__ import annotations

import pytest

from assistant.corpus import Paper
from assistant.retrieval import QUOTE_GAP, EvidenceFinder, ask_vectors, choose_quote
from assistant.text import read_asks

from conftest import HashEmbedder

ABSTRACT = (
    "We propose PruneHead, a method that prunes attention heads by their gradient signal. "
    "Heads with small gradients are removed in one pass. "
    "Our experiments cover language modelling and translation. "
    "On an A100 GPU, PruneHead cuts latency by 41% at equal accuracy."
)
PAPER = Paper("p1", "Pruning Attention Heads by Gradient Signal", ABSTRACT)


def quote_for(question: str):
    finder = EvidenceFinder(HashEmbedder())
    asked = read_asks(question)
    first = ABSTRACT.index("We propose")
    return choose_quote(PAPER, asked, ask_vectors(asked, finder), finder, (first, ABSTRACT.index(". ") + 1))


@pytest.mark.parametrize("question, description, asks", [
    ("What accuracy does X reach on COCO?", "", ["What accuracy does X reach on COCO"]),
    ("A method that prunes heads by gradient — by how much does it cut latency, and on which GPU?",
     "A method that prunes heads by gradient", ["by how much does it cut latency", "on which GPU"]),
    ("A study builds selectors for tables. How many selectors are introduced, which baselines are used, "
     "and at which levels are scores averaged?", "A study builds selectors for tables.",
     ["How many selectors are introduced", "which baselines are used", "at which levels are scores averaged"]),
    ("How many training and testing images does the dataset contain?", "",
     ["How many training and testing images does the dataset contain"]),
])
def test_a_question_splits_into_its_description_and_its_asks(question, description, asks):
    asked = read_asks(question)
    assert asked.description == description
    assert [a.text for a in asked.asks] == asks


def test_an_ask_for_a_figure_is_marked():
    asked = read_asks("A paper on pruning. By how much does it cut latency, and on which GPU?")
    assert [a.wants_number for a in asked.asks] == [True, False]


def test_the_quote_holds_the_asked_figure_not_the_description():
    quote = quote_for("A method prunes attention heads by their gradient signal. By how much does it cut latency?")
    assert "41%" in quote.text and "We propose" not in quote.text
    start, end = quote.spans[0]
    assert ABSTRACT[start:end] == quote.text


def test_far_apart_sentences_are_spans_joined_by_the_gap_each_verbatim():
    quote = quote_for("What method prunes attention heads by gradient signal, and by how much does it cut latency?")
    assert len(quote.spans) == 2 and QUOTE_GAP in quote.text
    assert [ABSTRACT[s:e] for s, e in quote.spans] == quote.text.split(QUOTE_GAP)
    assert "PruneHead, a method" in quote.text and "41%" in quote.text


def test_neighbouring_sentences_merge_into_one_span():
    quote = quote_for("Which method prunes attention heads, and how are heads with small gradients removed?")
    assert quote.spans == ((0, ABSTRACT.index("Our experiments") - 1),)
    assert quote.text == ABSTRACT[: ABSTRACT.index("Our experiments") - 1]


def test_a_plain_ask_keeps_the_selectors_sentence():
    quote = quote_for("Which method does the pruning paper propose?")
    assert quote.text == ABSTRACT[: ABSTRACT.index(". ") + 1]


@pytest.mark.parametrize("question, count", [
    ("Two papers study pruning. What does each find?", 2),
    ("Compare the three optimizer papers: what does each change?", 3),
    ("One paper prunes heads; another distils them. What does each report?", 2),
    ("PruneNet cuts heads, and DistilX shrinks layers. How much faster is each?", 2),
    ("PruneNet and DistilX both shrink transformers. How?", 2),
    ("A method prunes heads. Which two baselines does it beat?", None),  # a count in the ask is no count of papers
    ("A model embeds both inputs into one space. Which options does it try?", None),
    ("What accuracy does PruneNet reach?", None),
])
def test_the_number_of_papers_a_question_states(question, count):
    from assistant.text.asks import stated_papers

    assert stated_papers(question) == count
