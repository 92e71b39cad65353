"""Bad input at the door: control characters, escape sequences and bidi overrides in
questions and corpus files, and malformed year ranges."""

from __future__ import annotations

import json

import pytest

from assistant.app.cli import main
from assistant.corpus import parse_file
from assistant.text.clean import clean_question, clean_text, printable
from conftest import index_of

DIRTY = "which papers study \x00\x1b[31mshortcut\u202e learning?"
CLEAN = "which papers study shortcut learning?"


def _has_controls(text: str) -> bool:
    import unicodedata

    return any(
        (unicodedata.category(ch) == "Cc" and ch not in "\n\t") or ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        for ch in text
    )


def test_the_reported_question_becomes_the_clean_one():
    assert clean_question(DIRTY) == CLEAN


@pytest.mark.parametrize("dirty, clean", [
    ("\u2066which\u2069 papers\tstudy   pruning?\r\n", "which papers study pruning?"),
    ("ｗｈｉｃｈ papers study ﬁne-tuning?", "which papers study fine-tuning?"),  # NFKC
    ("osc \x1b]0;title\x07sequence", "osc sequence"),
    ("csi \x1b[2J\x1b[Hclears", "csi clears"),
    ("bell\x07 and backspace\x08", "bell and backspace"),
])
def test_question_normalisation(dirty, clean):
    assert clean_question(dirty) == clean


def test_corpus_text_keeps_line_breaks_but_loses_controls():
    assert clean_text("Title\x1b[1m\r\n\r\nAbstract\u202e text.\n") == "Title\r\n\r\nAbstract text.\n"


def test_printable_keeps_newlines_and_drops_escapes():
    assert printable("a [1]\n\x1b[31mred\x1b[0m") == "a [1]\nred"


def test_corpus_file_with_escapes_parses_to_clean_papers(tmp_path):
    path = tmp_path / "dirty.jsonl"
    path.write_text(json.dumps({"title": "Evil \x1b[31mTitle\u202e", "abstract": "We \x00study\x1b]0;x\x07 shortcuts."}) + "\n")
    papers, issues = parse_file(path)
    assert not issues
    assert papers[0].title == "Evil Title"
    assert papers[0].abstract == "We study shortcuts."


def test_dirty_question_gets_the_clean_questions_answer(small_assistant):
    dirty = small_assistant.ask("which papers study \x00\x1b[31mshortcut\u202e learning?", llm="extractive")
    clean = small_assistant.ask("which papers study shortcut learning?", llm="extractive")
    assert not clean.refused
    assert dirty.question == clean.question == "which papers study shortcut learning?"
    assert dirty.answer == clean.answer
    assert [c.paper_id for c in dirty.citations] == [c.paper_id for c in clean.citations]
    assert not _has_controls(dirty.answer)


def test_model_output_escape_sequences_never_reach_the_answer(small_assistant):
    from conftest import FakeLLM, use_llm

    llm = FakeLLM("\x1b[2J\x1b[31mShortcut learning\x1b[0m is studied\u202e here.")
    result = small_assistant.ask("which papers study shortcut learning?", llm=use_llm(llm))
    assert not _has_controls(result.answer)


def test_cli_output_has_no_control_sequence(small_assistant, capsys):
    code = main(["--data-dir", str(small_assistant.settings.storage.data_dir), "search", "\x1b[31mshortcut\u202e learning", "--json"])
    assert code == 0
    out = capsys.readouterr().out
    assert not _has_controls(out)
    assert json.loads(out)["query"] == "shortcut learning"


@pytest.mark.parametrize("flag, message", [
    ("2030-2020", "reversed"),
    ("20x0", "four-digit"),
    ("2020-", "four-digit"),
    ("-2020", "four-digit"),
])
def test_bad_year_ranges_are_errors_naming_the_flag(flag, message, capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        main(["--data-dir", str(tmp_path), "search", "pruning", f"--years={flag}"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--years" in err and message in err
    assert not (tmp_path / "catalog.sqlite").exists()  # nothing was opened or ingested


def test_good_year_ranges_parse():
    from assistant.app.cli import _years

    assert _years("2021-2023") == (2021, 2023)
    assert _years("2024") == (2024, 2024)
    assert _years("2021–2023") == (2021, 2023)


def test_library_rejects_reversed_years_before_touching_the_index(assistant):
    with pytest.raises(ValueError, match="years: FROM \\(2030\\) is after TO \\(2020\\)"):
        assistant.search("pruning", years=(2030, 2020))
    with pytest.raises(ValueError, match="years"):
        assistant.ask("which papers study pruning?", years=(2030, 2020))
    assert index_of(assistant).catalog.counts() == (0, 0)
