import pytest

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


# -- a conversation's next question keeps the filters (answering/conversation.py) ------------
from assistant.answering.conversation import FollowUp, Turn, adds_nothing, follow_up  # noqa: E402

SHORTCUT = Turn("Which papers study shortcut learning?", "Which papers study shortcut learning?",
                "Papers in the corpus on shortcut learning (2 found): ...", cited=("p2023", "p2024"))


def test_a_follow_up_that_only_adds_a_year_asks_the_last_question_within_the_last_answer():
    # the model would drop the year if it rewrote the question; it is not asked to
    dropping = FakeLLM("Which papers study shortcut learning?")
    nxt = follow_up([SHORTCUT], "which of them were published in 2024?", dropping, PROMPTS, 2025)
    assert nxt == FollowUp("Which papers study shortcut learning?", (2024, 2024), "p2023,p2024", 2, False)
    assert not dropping.calls and not nxt.read_dates


def test_a_rewritten_follow_up_keeps_its_own_year_whatever_the_model_writes():
    dropping = FakeLLM("Which shortcut learning papers use synthetic datasets?")
    nxt = follow_up([SHORTCUT], "Which of them published since 2024 use synthetic datasets?", dropping, PROMPTS, 2025)
    assert nxt.question == "Which shortcut learning papers use synthetic datasets?"
    assert nxt.years == (2024, 2025) and nxt.narrowed_to == 2
    assert "since 2024" not in dropping.calls[0][0]["content"]


def test_filters_carry_over_unless_the_follow_up_or_the_user_changes_them():
    in_2024 = Turn("Which papers from 2024 study pruning?", "Which papers from 2024 study pruning?", "...",
                   years=(2024, 2024), only="/corpus/a.txt", cited=("x",))
    carried = follow_up([in_2024], "Do any of those use CIFAR-10?", None, PROMPTS, 2025)
    assert carried.years == (2024, 2024) and carried.years_inherited and carried.only == "x"
    broader = follow_up([in_2024], "What about their sparsity levels?", None, PROMPTS, 2025)
    assert broader.only == "/corpus/a.txt" and broader.narrowed_to == 0 and broader.years == (2024, 2024)
    explicit = follow_up([in_2024], "What about their sparsity levels?", None, PROMPTS, 2025, years=(2020, 2021))
    assert explicit.years == (2020, 2021) and not explicit.years_inherited
    fresh = follow_up([in_2024], "Which papers study protein folding?", None, PROMPTS, 2025)
    assert fresh == FollowUp("Which papers study protein folding?")  # refers to nothing: no filter carried


def test_adds_nothing_reads_filter_only_follow_ups():
    assert adds_nothing("which of them were published?") and adds_nothing("Which ones came out?")
    assert not adds_nothing("which of them use CIFAR-10?")


@pytest.mark.integration
def test_a_year_range_within_a_subset_counts_only_the_subsets_undated_papers(real_assistant):
    papers = real_assistant.papers()
    undated = [p.paper_id for p in papers if p.year is None]
    dated = [p.paper_id for p in papers if p.year == 2024][:2]
    whole = real_assistant.evidence("Which papers study pruning?", years=(2024, 2024))
    assert whole.question.scope.undated_left_out == len(undated) > 1
    within = real_assistant.evidence("Which papers study pruning?", years=(2024, 2024), only=",".join([*dated, undated[0]]))
    assert within.question.scope.undated_left_out == 1
