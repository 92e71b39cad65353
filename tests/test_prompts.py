import shutil
from pathlib import Path

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
    assert prompts.text("refusal", heading="on X", where="in the corpus") == "No papers on X were found in the corpus."
    assert prompts.text("list_intro", count=3, heading="on X", where="from 2024") == "Papers on X (3 found from 2024):"


def test_missing_value_names_template_and_placeholder():
    with pytest.raises(PromptError, match=r"answer_with_sources.md needs a value for \$question"):
        Prompts(PROMPTS_DIR).render("answer_with_sources", sources="")


def test_prompts_dir_is_overridable(tmp_path, small_assistant, make_assistant):
    folder = tmp_path / "prompts"
    shutil.copytree(PROMPTS_DIR, folder)
    (folder / "answer_text.toml").write_text(
        (folder / "answer_text.toml").read_text().replace("No papers $heading were found $where.", "Nothing $heading here.")
    )
    reworded = make_assistant(small_corpus_relevance(), prompts_dir=folder)  # the same index
    result = reworded.ask("Which papers study protein folding?", llm="extractive")
    assert result.answer == "Nothing on protein folding here." and result.refused


def prompt_phrases(folder: Path) -> set[str]:
    """Every run of five or more words of the prompt files (templates and answer_text.toml),
    cut at placeholders, quotes, sentence ends and line ends."""
    import re
    import tomllib

    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))]
    texts += [v for v in tomllib.loads((folder / "answer_text.toml").read_text(encoding="utf-8")).values()
              if isinstance(v, str)]
    pieces = (piece for text in texts for line in text.splitlines() for piece in re.split(r"\$\w+|[\"“”]|(?<=[.!?:;])\s", line))
    return {" ".join(piece.split()) for piece in pieces if len(piece.split()) >= 5}


def prompt_text_in(files: list[Path], phrases: set[str]) -> list[str]:
    found = []
    for path in files:
        code = " ".join(path.read_text(encoding="utf-8").split())
        found += [f"{path.name}: {phrase!r}" for phrase in phrases if phrase in code]
    return found


def code_files() -> list[Path]:
    root = Path(PROMPTS_DIR).parent
    return sorted((root / "assistant").rglob("*.py")) + sorted((root / "scripts").rglob("*.py")) + [root / "app.py"]


def test_no_prompt_text_in_code():
    """The wording lives in prompts/ only: no module, in any package, repeats it."""
    phrases = prompt_phrases(Path(PROMPTS_DIR))
    assert len(phrases) > 15, "the phrases were read"
    assert any("answering" in str(p) for p in code_files()), "stage packages are searched too"
    assert not prompt_text_in(code_files(), phrases)


def test_the_prompt_text_check_catches_a_copy(tmp_path):
    phrases = prompt_phrases(Path(PROMPTS_DIR))
    copy = tmp_path / "copy.py"
    copy.write_text('SYSTEM = (\n    "You are paper-assistant, a careful research assistant. You answer questions "\n)\n')
    assert prompt_text_in([copy], phrases)
