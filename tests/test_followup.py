from assistant.layout import PROMPTS_DIR
from assistant.answering.followup import condense, needs_context
from assistant.answering.prompts import Prompts
from conftest import FakeLLM

PROMPTS = Prompts(PROMPTS_DIR)
HISTORY = [("Which papers study shortcut learning?", "2 papers in the corpus address shortcut learning: ...")]


def test_standalone_questions_pass_through():
    assert condense([], "Which papers study pruning?", None, PROMPTS) == "Which papers study pruning?"
    assert condense(HISTORY, "What is neural collapse?", FakeLLM("x"), PROMPTS) == "What is neural collapse?"
    assert needs_context("Which of them use CIFAR-10?")


def test_llm_rewrite_is_used_when_it_keeps_the_topic():
    llm = FakeLLM("Which shortcut learning papers use synthetic datasets?")
    assert condense(HISTORY, "Which of them use synthetic datasets?", llm, PROMPTS) == (
        "Which shortcut learning papers use synthetic datasets?"
    )
    assert "Follow-up question: Which of them use synthetic datasets?" in llm.calls[0][0]["content"]


def test_drifting_or_missing_llm_falls_back_to_carrying_the_topic():
    drifting = FakeLLM("What is the capital of France?")
    expected = "Which of them use synthetic datasets? (shortcut learning)"
    assert condense(HISTORY, "Which of them use synthetic datasets?", drifting, PROMPTS) == expected
    assert condense(HISTORY, "Which of them use synthetic datasets?", None, PROMPTS) == expected
