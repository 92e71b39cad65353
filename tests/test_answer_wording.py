"""Every sentence the answer writes around its quotes is grammatical and true of the
search: checked on every eval question (dev, test and the added file) and on odd ones."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.answering.prompts import Prompts
from assistant.answering.refusal import refusal_text
from assistant.retrieval import parse_question
from assistant.text import read_asks

ROOT = Path(__file__).resolve().parent.parent
PROMPTS = Prompts(ROOT / "prompts")
QUESTION_FILES = [ROOT / "eval" / "questions.jsonl"]
ODD = ["which papers on shortcut learning were published", "papers?", "any work on video?", "shortcut learning",
       "Which papers are surveys?", "anything that uses category theory?", "ConvNets with huge kernels?",
       "Which papers, if any, study sheaves?", "What has been written about neural collapse?",
       "papers where a network reads another network?", "Are there any papers on hypergraphs?",
       "LLMs?", "Which papers study X?"]
# what a heading must never say: a stray verb after a preposition, a doubled word, the date
BROKEN = re.compile(r"^(?:that|on)\s+(?:on|about|that|which|were|was)\b|\b(\w+)\s+\1\b|\bon\b.*\bwere published\b|\?",
                    re.IGNORECASE)


def questions() -> list[str]:
    found = []
    for path in QUESTION_FILES:
        found += [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return found + ODD


@pytest.mark.parametrize("question", questions())
def test_list_headings_read_as_english(question):
    parsed = parse_question(question)
    if not parsed.is_list:
        return
    heading = parsed.heading
    inner = re.sub(r"\u201c.*\u201d", "", heading)  # a quoted question is quoted, not rephrased
    assert heading.split()[0] in {"on", "that", "where", "which", "matching", "using", "proposing", "studying"} \
        or heading.split()[0].endswith("ing"), heading
    assert not BROKEN.search(inner), heading
    intro = PROMPTS.text("list_intro", count=2, heading=heading, where=PROMPTS.text("where_all"))
    assert intro.startswith("Papers ") and intro.endswith("(2 found in the corpus):")


@pytest.mark.parametrize("question", questions())
def test_no_refusal_pastes_a_fact_question_as_a_topic(question):
    parsed = parse_question(question)
    text = refusal_text(parsed, [], PROMPTS)
    assert "$" not in text
    if not parsed.is_list:
        assert question.rstrip("?") not in text and text == PROMPTS.text("refusal_fact", where="in the corpus")
    else:
        assert text.startswith("No papers ") and text.endswith(" were found in the corpus.")


@pytest.mark.parametrize("question", questions())
def test_every_question_has_at_least_one_ask(question):
    asked = read_asks(question)
    assert asked.asks and all(a.text and not a.text.endswith("?") for a in asked.asks)


@pytest.mark.parametrize("question, is_list", [
    ("papers on contrastive learning?", True),
    ("anything on time series classification?", True),
    ("any style transfer work?", True),
    ("pathology papers?", True),
    ("multi-view representation learning?", True),
    ("any new optimizers for deep nets (e.g. large-batch)?", True),
    ("representations that stay compatible when models get updated?", True),
    ("Is there a survey paper on graph learning?", True),
    ("Which empirical studies use synthetic tasks?", True),
    ("Are there graph-learning papers that re-evaluate GNNs?", True),
    ("Which paper introduced stitchable networks?", False),
    ("A pipeline maps rock units. Which combination works best?", False),
    ("What accuracy does SimpleNet reach?", False),
    ("How does the method cut latency?", False),
])
def test_short_and_genre_questions_ask_for_lists(question, is_list):
    assert parse_question(question).is_list is is_list


@pytest.mark.parametrize("question", ["Which papers on shortcut learning were published in 2024?",
                                      "Which papers study shortcut learning published in 2024?",
                                      "Which papers since 2024 study pruning?",
                                      "Which papers from the last two years study pruning?"])
def test_a_heading_never_pastes_the_questions_date_phrase(question):
    """The years searched are said by the filter's own words ($where); a date phrase the
    user kept as words (the page's ✕ on the date chip) is searched, never made a heading."""
    heading = parse_question(question).heading
    assert not re.search(r"\d{4}|published|years?\b", heading), heading
