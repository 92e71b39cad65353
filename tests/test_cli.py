"""The console script, end to end in a subprocess (real MiniLM, real Chroma)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXE = str(Path(sys.executable).with_name("paper-assistant"))


def run(args, data_dir, **kw):
    env = {**os.environ, "PAPER_ASSISTANT_DATA_DIR": str(data_dir)}
    return subprocess.run([EXE, *args], capture_output=True, text=True, env=env, timeout=600, **kw)


def test_help_is_instant_and_lists_commands(tmp_path):
    out = run(["--help"], tmp_path)
    assert out.returncode == 0
    for command in ("ingest", "search", "ask", "stats"):
        assert command in out.stdout


def test_ingest_strict_and_error_exit_codes(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    out = run(["ingest", str(bad)], tmp_path / "d")
    assert out.returncode == 1
    assert "bad.jsonl:1" in out.stderr and "nothing could be ingested" in out.stderr


def test_k_help_states_each_commands_own_default():
    """search ranks settings.retrieval.top_k papers, ask looks at settings.selection.candidate_papers."""
    import argparse

    from assistant.app.cli import build_parser
    from assistant.config import Settings

    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    k_help = {name: next(a.help for a in commands[name]._actions if a.dest == "k") for name in ("ask", "search")}
    assert k_help["ask"].endswith(f"(default {Settings().selection.candidate_papers})"), k_help
    assert k_help["search"].endswith(f"(default {Settings().retrieval.top_k})"), k_help


@pytest.mark.integration
def test_search_json_and_stats(tmp_path):
    out = run(["search", "which papers study shortcut learning?", "--json", "-k", "5"], tmp_path)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["mode"] == "hybrid" and len(data["results"]) == 5
    titles = [r["title"] for r in data["results"]]
    assert titles[0] == "On the Foundations of Shortcut Learning"
    stats = json.loads(run(["stats", "--json"], tmp_path).stdout)
    assert stats["papers"] == 210 and stats["embedder"] == "all-MiniLM-L6-v2-int8pc"
    again = run(["ingest", "--json"], tmp_path)
    assert json.loads(again.stdout)["embedded_chunks"] == 0


def test_ask_empty_question_is_a_clear_error(tmp_path):
    out = run(["ask", "  "], tmp_path)
    assert out.returncode == 2 and "error: the question is empty" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.integration
def test_ask_json_and_streamed_answer(tmp_path):
    gold = {"On the Foundations of Shortcut Learning",
            "Understanding Visual Feature Reliance through the Lens of Complexity"}
    out = run(["ask", "which papers study shortcut learning?", "--json", "--llm", "extractive"], tmp_path)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) >= {"question", "answer", "backend", "model", "refused", "notice", "citations", "sources", "timings"}
    assert data["backend"] == "extractive" and not data["refused"]
    assert gold <= {c["title"] for c in data["citations"]}
    assert all(c["support"] in ("supported", "weak", "unsupported") for c in data["citations"])

    streamed = run(["ask", "which papers study shortcut learning?"], tmp_path)  # default: local model
    assert streamed.returncode == 0, streamed.stderr
    assert "References:" in streamed.stdout and "[1]" in streamed.stdout
    assert all(title in streamed.stdout for title in gold)
    assert "local SmolLM2" in streamed.stderr


@pytest.mark.integration
def test_search_after_first_use_never_imports_torch(tmp_path):
    """The cold-start promise: once the ONNX graph is cached, a search loads no torch."""
    assert run(["search", "shortcut learning", "-k", "1"], tmp_path).returncode == 0
    code = (
        "import sys; from assistant.config import load_settings; from assistant.api import Assistant;"
        "a = Assistant(load_settings(), notify=lambda m: None); hits = a.search('shortcut learning', k=3).hits;"
        "print(len(hits), 'torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    env = {**os.environ, "PAPER_ASSISTANT_DATA_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.stdout.split() == ["3", "False", "False"], out.stderr[-2000:]
