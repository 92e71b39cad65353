"""The real back-ends: SmolLM2 in-process through llama.cpp, and the openai back-end
against llama-cpp-python's own OpenAI-compatible server on localhost (no mocks)."""

import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import free_port

from assistant.answering.llms import bundled_gguf_path, make_llm

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
    result = real_assistant.ask("Which papers study legged robot locomotion with reinforcement learning?", llm="local")
    assert result.refused and not result.citations
    assert result.answer.startswith("The corpus has no paper on")


def test_packed_prompt_fits_smollm2_context_by_its_own_tokenizer(real_assistant):
    from assistant.retrieval.query import parse_question

    llm = make_llm("local", real_assistant.settings)
    from assistant.retrieval.relevance import RelevanceThresholds

    answerer = real_assistant.answerer
    everything = RelevanceThresholds(0.0, 0.0, 0.0, 0.0)  # every candidate is a source
    parsed = parse_question("Which papers study neural networks?")
    hits = real_assistant.retriever.search(parsed.topic, k=30)
    from assistant.answering.results import Source
    from assistant.retrieval.relevance import assess

    sources = [Source(n, c) for n, c in enumerate(assess(parsed, hits, real_assistant.judge, everything), 1)]
    system = real_assistant.prompts.system()
    packed, left_out = answerer.pack_sources(sources, system, parsed.text, llm.context_window)
    user = real_assistant.prompts.render("answer_with_sources", sources=packed, question=parsed.text)
    used = llm.count_tokens(system) + llm.count_tokens(user) + 16
    assert left_out, "30 abstracts cannot fit 2048 tokens"
    assert used + real_assistant.settings.max_answer_tokens <= llm.context_window



@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(bundled_gguf_path()),
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"],
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

    settings = real_assistant.settings.model_copy(update={"openai_context": 2048})
    assistant = Assistant(settings, embedder=real_assistant.embedder, notify=lambda m: None)
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
