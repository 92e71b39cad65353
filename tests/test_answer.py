"""Answers and citations with fake LLMs (fake embedder, real Chroma and catalog)."""

import pytest

from assistant.index.chunking import count_tokens
from assistant.retrieval.relevance import RelevanceThresholds
from assistant.answering.support import SUPPORTED
from conftest import FailingLLM, FakeLLM, use_llm

SHORTCUT_Q = "Which papers study shortcut learning?"
EVERYTHING = RelevanceThresholds(0.0, 0.0, 0.0, 0.0, 0.85, 2)  # every candidate is a source


def run(assistant, question, llm):
    """Ask through the library API; a test double is chosen by the name it is registered under."""
    events = list(assistant.ask_stream(question, llm="extractive" if llm is None else use_llm(llm)))
    result = events[-1].result
    return events, result


def streamed_text(events):
    text = ""
    for event in events:
        if event.kind == "reset":
            text = ""
        elif event.kind == "token":
            text += event.text
    return text


def test_extractive_answer_cites_relevant_paper_with_verbatim_evidence(small_assistant):
    events, result = run(small_assistant, SHORTCUT_Q, None)
    assert not result.refused and result.backend == "extractive"
    assert [s.paper.title for s in result.sources] == ["Shortcut Learning in Deep Networks"]
    assert "[1]" in result.answer and streamed_text(events) == result.answer
    citation = result.citations[0]
    assert citation.support == SUPPORTED
    paper = result.sources[0].paper
    assert citation.evidence in paper.abstract
    data = result.to_dict()
    assert set(data) >= {"question", "answer", "backend", "model", "refused", "notice", "citations", "sources", "timings"}
    assert set(data["citations"][0]) >= {"n", "paper_id", "title", "evidence", "support", "score"}
    assert set(data["timings"]) == {"retrieve_s", "first_token_s", "total_s"}


def test_refusal_when_no_paper_is_relevant(small_assistant):
    llm = FakeLLM("Protein folding is solved by AlphaFold [1].")
    _, result = run(small_assistant, "Which papers study protein folding?", llm)
    assert result.refused and result.citations == [] and result.sources == []
    assert result.answer == "No papers on protein folding were found in the corpus."
    assert llm.calls == [], "a refusal does not ask the model anything"


def test_compose_drops_citations_to_missing_sources(small_assistant):
    llm = FakeLLM("Shortcut learning means models prefer texture over shape [1, 4]. See also [9].", composes=True)
    events, result = run(small_assistant, SHORTCUT_Q, llm)
    assert "[4]" not in result.answer and "[9]" not in result.answer
    assert "[4]" in result.notice and "[9]" in result.notice
    assert [c.n for c in result.citations] == [1]
    assert streamed_text(events) == result.answer, "what streamed is the final text"


def test_compose_flags_unsupported_claims(small_assistant):
    llm = FakeLLM("Shortcut learning was solved with quantum annealing on protein data [1].", composes=True)
    _, result = run(small_assistant, SHORTCUT_Q, llm)
    assert result.citations[0].support != SUPPORTED
    assert "not supported" in result.notice
    assert result.citations[0].evidence in result.sources[0].paper.abstract


def test_compose_lists_relevant_papers_the_model_left_out(small_assistant, make_assistant):
    everything = make_assistant(EVERYTHING)  # the same index, every paper relevant
    llm = FakeLLM("Models prefer texture over shape [1].", composes=True)
    _, result = run(everything, "Which papers study deep networks?", llm)
    assert len(result.sources) == 3
    assert "Also relevant:" in result.answer
    assert {c.n for c in result.citations} == {1, 2, 3}, "every relevant paper is cited"


def test_phrase_mode_keeps_supported_and_replaces_invented_sentences(small_assistant):
    faithful = FakeLLM("Models prefer simple shortcut features such as texture over shape.")
    _, kept = run(small_assistant, SHORTCUT_Q, faithful)
    assert "texture over shape [1]." in kept.answer and kept.backend == "fake"
    assert kept.notice is None

    inventive = FakeLLM("It uses reinforcement learning from human feedback on protein folding benchmarks.")
    _, replaced = run(small_assistant, SHORTCUT_Q, inventive)
    assert "reinforcement" not in replaced.answer
    assert "We study shortcut learning in deep neural networks [1]." in replaced.answer
    assert "not supported" in replaced.notice and replaced.citations[0].support == SUPPORTED


def test_phrase_mode_replaces_a_looping_sentence(small_assistant):
    """SmolLM2 sometimes loops; such a sentence claims nothing, however many of its words
    the abstract uses, and is replaced by the abstract's own sentence (seen in the eval)."""
    from assistant.answering.support import is_degenerate

    looping = "Models prefer shortcut features" + " of the shortcut features" * 8 + "."
    assert is_degenerate(looping)
    assert not is_degenerate("Models prefer simple shortcut features such as texture over shape.")
    _, result = run(small_assistant, SHORTCUT_Q, FakeLLM(looping))
    assert "of the shortcut features of the shortcut" not in result.answer
    assert "not supported" in result.notice and result.citations[0].support == SUPPORTED


def test_failing_llm_falls_back_to_extractive_with_notice(small_assistant):
    events, result = run(small_assistant, SHORTCUT_Q, FailingLLM(after_words=2))
    assert result.backend == "extractive" and "broke off" in result.notice
    assert any(e.kind == "reset" for e in events)
    assert streamed_text(events) == result.answer and "[1]" in result.answer


def test_empty_and_overlong_questions(small_assistant):
    with pytest.raises(ValueError, match="empty"):
        run(small_assistant, "   \n ", None)
    _, result = run(small_assistant, "shortcut learning " * 20000, None)
    assert "only its first" in result.notice
    assert count_tokens(result.question) <= small_assistant.settings.answer.max_question_tokens


def test_context_budget_packing_never_overflows(small_assistant, make_assistant):
    small_assistant = make_assistant(EVERYTHING)
    llm = FakeLLM("Answer [1].", composes=True, context_window=1500)
    _, result = run(small_assistant, "Which papers study deep networks?", llm)
    messages = llm.calls[0]
    prompt_tokens = sum(count_tokens(m["content"]) for m in messages)
    budget = llm.context_window - small_assistant.settings.answer.max_answer_tokens
    assert prompt_tokens * 1.25 <= budget + 40
    # a window too small for all abstracts packs evidence sentences or leaves sources out, with a notice
    tiny = FakeLLM("Answer [1].", composes=True, context_window=420)
    _, small = run(small_assistant, "Which papers study deep networks?", tiny)
    tiny_prompt = sum(count_tokens(m["content"]) for m in tiny.calls[0])
    assert tiny_prompt * 1.25 <= tiny.context_window - small_assistant.settings.answer.max_answer_tokens + 40
    assert tiny_prompt < prompt_tokens
    assert "did not fit" in small.notice
    assert len(result.sources) == 3 and "did not fit" not in (result.notice or "")


def test_a_no_is_true_of_what_was_searched_a_year_range_or_a_subset(small_assistant):
    """A refusal over part of the corpus says which part: it is no claim about the rest."""
    whole = small_assistant.ask("Which papers study protein folding?", llm="extractive")
    assert whole.answer == "No papers on protein folding were found in the corpus."
    by_year = small_assistant.ask("Which papers study protein folding?", llm="extractive", years=(2024, 2024))
    assert by_year.refused and by_year.answer == "No papers on protein folding were found from 2024."
    paper = small_assistant.search("graph networks molecules").hits[0].paper
    one = small_assistant.ask("Which papers study protein folding?", llm="extractive", only=paper.paper_id)
    assert one.refused and one.answer == "No papers on protein folding were found in the one paper searched."


def test_a_model_sentence_that_repeats_the_question_is_never_shown_as_supported(small_assistant):
    """The local model sometimes answers a list question with the question itself; the
    answer then quotes the abstract, and the card's quote is the answer's sentence."""
    events, result = run(small_assistant, SHORTCUT_Q, FakeLLM("Which papers study shortcut learning?"))
    assert result.sources and "Which papers study shortcut learning" not in result.answer
    row = result.sources[0]
    assert row.quote.rstrip(" .") in result.answer
    assert result.citations[0].evidence == row.quote and result.citations[0].support == SUPPORTED
    # written by a model and cited, a sentence that only repeats the question is unsupported
    composed, answer = run(small_assistant, SHORTCUT_Q, FakeLLM("Shortcut learning is studied [1].", composes=True))
    assert answer.citations and answer.citations[0].support != SUPPORTED


@pytest.mark.parametrize("years, words", [((2024, 2024), "from 2024"), ((2021, 2023), "from 2021-2023"),
                                          ((1900, 2019), "from before 2020")])
def test_the_searched_years_read_as_english(years, words):
    from assistant.answering.prompts import Prompts
    from assistant.answering.refusal import searched
    from assistant.layout import PROMPTS_DIR
    from assistant.retrieval import Scope

    assert searched(Scope(years=years), Prompts(PROMPTS_DIR)) == words
    assert searched(Scope(), Prompts(PROMPTS_DIR)) == "in the corpus"
