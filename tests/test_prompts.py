import shutil

import pytest

from assistant.layout import PROMPTS_DIR
from assistant.answering.prompts import PromptError, Prompts
from conftest import small_corpus_relevance


def test_every_template_renders():
    prompts = Prompts(PROMPTS_DIR)
    system = prompts.system()
    assert "[1]" in system and prompts.text("refusal_phrase") in system
    assert "Question: Q?" in prompts.render("answer_with_sources", sources="[1] T\nA", question="Q?")
    assert "E." in prompts.render("phrase_source", question="Q?", title="T", evidence="E.")
    assert prompts.render("phrase_system")
    condensed = prompts.render("condense_question", history="user: hi", question="and them?")
    assert "and them?" in condensed and "user: hi" in condensed
    assert prompts.text("refusal", topic="X") == "The corpus has no paper on X."
    assert prompts.text("list_intro_many", count=3, topic="X") == "3 papers in the corpus address X:"


def test_missing_value_names_template_and_placeholder():
    with pytest.raises(PromptError, match=r"answer_with_sources.md needs a value for \$question"):
        Prompts(PROMPTS_DIR).render("answer_with_sources", sources="")


def test_prompts_dir_is_overridable(tmp_path, small_assistant, make_assistant):
    folder = tmp_path / "prompts"
    shutil.copytree(PROMPTS_DIR, folder)
    (folder / "answer_text.toml").write_text(
        (folder / "answer_text.toml").read_text().replace("The corpus has no paper on $topic.", "Nothing on $topic here.")
    )
    reworded = make_assistant(small_corpus_relevance(), prompts_dir=folder)  # the same index
    result = reworded.ask("Which papers study protein folding?", llm="extractive")
    assert result.answer == "Nothing on protein folding here." and result.refused


def test_no_prompt_text_in_code():
    from pathlib import Path

    for path in Path(PROMPTS_DIR).parent.joinpath("assistant").glob("*.py"):
        text = path.read_text()
        assert "You are paper-assistant" not in text and "Restate this evidence" not in text, path
