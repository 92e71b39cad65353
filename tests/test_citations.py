import pytest

from assistant.answering.citations import cited_sentences, find_citations, parse_numbers, strip_invalid
from assistant.text.sentences import split_sentences


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Shortcuts matter [1].", [1]),
        ("Both do [1, 3].", [1, 3]),
        ("Both do [1][2].", [1, 2]),
        ("Both do [1] [2].", [1, 2]),
        ("Range [2-4] and [2–3].", [2, 3, 4]),
        ("Semicolons [1; 2].", [1, 2]),
        ("Spaces [ 5 ].", [5]),
        ("Repeated [2] then [2].", [2]),
        ("No citation here.", []),
        ("Not a citation [a] or [1a] or [].", []),
        ("A list [12, 3].", [12, 3]),
    ],
)
def test_find_citations(text, expected):
    assert find_citations(text) == expected


def test_absurd_range_is_not_expanded():
    assert parse_numbers("1-2023") == [1, 2023]


def test_cited_sentences_attach_to_their_sentence():
    parts = cited_sentences("Models prefer texture [1]. Shape is harder [2][3]. Unsupported claim.")
    assert [(p.text, p.numbers) for p in parts] == [
        ("Models prefer texture.", [1]),
        ("Shape is harder.", [2, 3]),
        ("Unsupported claim.", []),
    ]


def test_citation_after_full_stop_belongs_to_previous_sentence():
    parts = cited_sentences("Models prefer texture. [1] Next one [2].")
    assert [(p.text, p.numbers) for p in parts] == [("Models prefer texture.", [1]), ("Next one.", [2])]


def test_strip_invalid_numbers():
    text, removed = strip_invalid("A [1, 7]. B [9]. C [2][8].", valid={1, 2})
    assert text == "A [1]. B. C [2]."
    assert removed == [7, 9, 8]


def test_split_sentences_keeps_verbatim_spans():
    text = "We use e.g. ResNets et al. in Fig. 2. Accuracy is 83.5% on ImageNet! Does it work? Yes (mostly)."
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "We use e.g. ResNets et al. in Fig. 2.",
        "Accuracy is 83.5% on ImageNet!",
        "Does it work?",
        "Yes (mostly).",
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)
