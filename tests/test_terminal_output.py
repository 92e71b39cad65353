"""What a user's terminal shows: the project's own lines, not its libraries' logs.

A first ``ask`` on an empty data directory and an empty model cache (the ONNX export and
int8 quantisation run, as on a new machine) and an ``ingest`` run as subprocesses, the
way a user runs them; every stderr line must be one of the project's.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration

PROJECT_LINES = [
    r"The index is empty: ingesting the bundled corpus first \(once\)…",
    r"\((?:extractive|local|openai)[;,].*\)",  # the answer's footer: back-end and timings
    r"note: .+",
    r"Preparing the embedding model from its bundled weights \(ONNX, int8; once, about 20 s\)…",
]


def _run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant.app.cli", *args], capture_output=True, text=True,
                          env=env, timeout=600)


@pytest.fixture(scope="module")
def fresh_env(tmp_path_factory):
    base = tmp_path_factory.mktemp("terminal")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPER_ASSISTANT_", "OPENAI_"))}
    env |= {"PAPER_ASSISTANT_DATA_DIR": str(base / "data"), "PAPER_ASSISTANT_MODEL_CACHE_DIR": str(base / "models")}
    return env


def _foreign(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip() and not any(re.fullmatch(p, line) for p in PROJECT_LINES)]


def test_first_ask_and_ingest_show_only_project_lines(fresh_env):
    first = _run(["ask", "which papers study shortcut learning?", "--llm", "extractive"], fresh_env)
    assert first.returncode == 0, first.stderr
    assert "The index is empty" in first.stderr  # the project's own notices are kept
    assert "Preparing the embedding model" in first.stderr  # onnxruntime's warning, in our words
    assert not _foreign(first.stderr), first.stderr
    assert "[1]" in first.stdout
    again = _run(["ingest"], fresh_env)
    assert again.returncode == 0, again.stderr
    assert not _foreign(again.stderr), again.stderr
    assert "0 new" in again.stdout


def test_verbose_shows_the_libraries_logs(fresh_env):
    quiet = _run(["search", "pruning", "-k", "2"], fresh_env)
    loud = _run(["--verbose", "search", "pruning", "-k", "2"], fresh_env)
    assert quiet.returncode == loud.returncode == 0
    assert not quiet.stderr.strip(), quiet.stderr
    assert re.search(r"^DEBUG:(?!assistant)", loud.stderr, flags=re.M), loud.stderr[-2000:]
    env = fresh_env | {"PAPER_ASSISTANT_LOG": "debug"}
    assert re.search(r"^DEBUG:(?!assistant)", _run(["search", "pruning", "-k", "2"], env).stderr, flags=re.M)


def test_unknown_log_level_is_a_clear_error(fresh_env):
    bad = _run(["stats"], fresh_env | {"PAPER_ASSISTANT_LOG": "loud"})
    assert bad.returncode == 2
    assert "PAPER_ASSISTANT_LOG" in bad.stderr and "quiet" in bad.stderr
