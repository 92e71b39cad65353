"""The real back-ends: SmolLM2 in-process through llama.cpp, and the openai back-end
against llama-cpp-python's own OpenAI-compatible server on localhost (no mocks)."""

import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import free_port

from assistant.answering.llm_local import bundled_gguf_path
from assistant.answering.llms import make_llm

pytestmark = pytest.mark.integration

SHORTCUT_Q = "which papers study shortcut learning?"
SHORTCUT_GOLD = {
    "On the Foundations of Shortcut Learning",
    "Understanding Visual Feature Reliance through the Lens of Complexity",
}


def assert_evidence_is_verbatim(result):
    by_n = {s.n: s.paper for s in result.sources}
    for citation in result.citations:
        assert citation.evidence in by_n[citation.n].abstract


def test_local_model_answers_shortcut_question(real_assistant):
    events = list(real_assistant.ask_stream(SHORTCUT_Q, llm="local"))
    result = events[-1].result
    assert result.backend == "local" and result.model.startswith("SmolLM2")
    cited = {c.title for c in result.citations}
    assert SHORTCUT_GOLD <= cited
    assert_evidence_is_verbatim(result)
    assert "".join(e.text for e in events if e.kind == "token") == result.answer
    assert result.timings["first_token_s"] is not None


def test_local_model_refuses_off_topic_question(real_assistant):
    # (Before the answers issue's refit this asked about "legged robot locomotion with reinforcement
    # learning"; the refitted selector now cites a reinforcement-learning paper for it at confidence
    # 0.40 against a cut of 0.35: a known wrong answer of the kind docs/eval.md counts under
    # "unanswerable declined". This test is about the local back-end's refusal, so it asks off topic.)
    result = real_assistant.ask("Which papers study protein folding with cryo-electron microscopy?", llm="local")
    assert result.refused and not result.citations
    assert result.answer.startswith("No papers on ") and " were found in the corpus" in result.answer


def test_packed_prompt_fits_smollm2_context_by_its_own_tokenizer(real_assistant, tmp_path):
    """30 abstracts as sources, a 2048-token model: what the compose prompt packs fits by
    SmolLM2's own tokenizer (the prompt is recorded by a stand-in with the same window)."""
    from assistant.api import Assistant
    from assistant.retrieval.relevance import RelevanceThresholds

    from conftest import FakeLLM, use_llm, write_calibration

    local = make_llm("local", real_assistant.settings)
    everything = write_calibration(tmp_path / "calibration.json", RelevanceThresholds(0.0, 0.0, 0.0, 0.0, 0.85, 2))
    assistant = Assistant(real_assistant.settings.updated(selector="thresholds", calibration_file=everything),
                          notify=lambda m: None)  # the same index: every candidate is a source
    recorder = FakeLLM("Neural networks [1].", composes=True, context_window=local.context_window)
    result = assistant.ask("Which papers study neural networks?", llm=use_llm(recorder), k=30)
    assistant.close()
    assert len(result.sources) == 30
    assert "did not fit" in (result.notice or ""), "30 abstracts cannot fit 2048 tokens"
    used = sum(local.count_tokens(m["content"]) for m in recorder.calls[0]) + 16
    assert used + real_assistant.settings.answer.max_answer_tokens <= local.context_window
    local.close()


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.app.cli", "serve-llm", "--model", str(bundled_gguf_path()),
         "--port", str(port), "--n-ctx", "2048"],  # the project's own way to start llama.cpp's server
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 120
    while True:
        try:
            urllib.request.urlopen(f"{url}/models", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail(f"llama_cpp.server did not start: {log_path.read_text()[-2000:]}")
            time.sleep(0.5)
    yield url
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


def test_openai_backend_against_local_llama_cpp_server(real_assistant, llama_server):
    from assistant.api import Assistant

    # the composing path (the judging one, the default of this back-end, is tests/test_judged.py's)
    settings = real_assistant.settings.updated(openai_context=2048, answer_strategy="compose")
    assistant = Assistant(settings, notify=lambda m: None)
    events = list(assistant.ask_stream(SHORTCUT_Q, llm="openai", model="smollm2", base_url=llama_server))
    result = events[-1].result
    assert result.backend == "openai" and result.model == "smollm2"
    assert not result.refused and "failed" not in (result.notice or "")
    tokens = [e.text for e in events if e.kind == "token"]
    assert len(tokens) > 5, "the answer streamed in pieces"
    assert "".join(tokens) == result.answer
    # whatever the small model wrote, every citation points at a real source and is checked
    numbers = {s.n for s in result.sources}
    assert {c.n for c in result.citations} <= numbers
    assert SHORTCUT_GOLD <= {c.title for c in result.citations}, "uncited relevant papers are listed and cited"
    assert_evidence_is_verbatim(result)
    assert all(c.support in {"supported", "weak", "unsupported"} for c in result.citations)
