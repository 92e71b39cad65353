"""The openai back-end against a failing OpenAI-compatible server (no mocks).

Each test starts a small real HTTP server on 127.0.0.1 that speaks just enough of
``POST /v1/chat/completions`` (``"stream": true``, server-sent events) and misbehaves in
one way: nothing listening, too slow, HTTP 401/429/500, a stream that breaks off or
carries garbage. Every fault is checked twice:

(a) ``OpenAIChat.stream`` raises :class:`LLMError` with a message that names the fault
    and never the API key;
(b) ``Assistant.ask(..., llm="openai")`` still answers (extractively, citing [1]) with a
    notice that names the fault, and the key appears nowhere: answer, notice, stdout,
    stderr or the logs (DEBUG).

Transient errors are retried by the openai SDK with backoff (``Settings.llm_retries``).

The instant faults run in the fast tier (about 3 s); the tests that must wait out a
client timeout or a retry backoff are marked ``integration`` (about 8 s more).
"""

from __future__ import annotations

import json
import logging
import re
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

import pytest

from assistant.config import Settings
from assistant.answering.llm_openai import OpenAIChat
from assistant.answering.llms import LLMError
from conftest import SMALL_CORPUS, HashEmbedder, small_corpus_relevance, write_calibration

API_KEY = "sk-test-SECRET123"
SHORTCUT_Q = "Which papers study shortcut learning?"
MESSAGES = [{"role": "user", "content": "Say hello."}]
SLOW = pytest.mark.integration  # waits out a timeout or a retry backoff


# -- the server ------------------------------------------------------------------------
@dataclass
class Seen:
    at: float
    path: str
    authorization: str
    body: dict


@dataclass
class FakeOpenAIServer:
    """Replies to the n-th request with ``behaviours[n]`` (the last one repeats)."""

    behaviours: list[Callable]
    requests: list[Seen] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)  # ends stalls at teardown

    def start(self) -> "FakeOpenAIServer":
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def stop(self) -> None:
        self.release.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # the client hung up first (timeouts): expected
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # chunked streams, like real servers

    def do_POST(self) -> None:
        fake: FakeOpenAIServer = self.server.fake
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with fake._lock:
            n = len(fake.requests)
            fake.requests.append(Seen(time.monotonic(), self.path, self.headers.get("Authorization", ""),
                                      json.loads(body or b"{}")))
        if self.path != "/v1/chat/completions":
            return send_error(404, "Unknown path", "invalid_request_error")(self, fake)
        fake.behaviours[min(n, len(fake.behaviours) - 1)](self, fake)

    def log_message(self, *args) -> None:  # keep the test output clean
        pass


# -- behaviours ------------------------------------------------------------------------
def chunk(text: str | None, finish: str | None = None) -> bytes:
    delta = {"content": text} if text is not None else {}
    payload = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "m",
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


def _start_sse(handler, chunked: bool = True) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    if chunked:
        handler.send_header("Transfer-Encoding", "chunked")
    else:  # body delimited by closing the connection
        handler.send_header("Connection", "close")
        handler.close_connection = True
    handler.end_headers()


def _write(handler, data: bytes, chunked: bool = True) -> None:
    handler.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
    handler.wfile.flush()


def words(text: str) -> list[str]:
    return [w if i == 0 else " " + w for i, w in enumerate(text.split(" "))]


def reply(text: str):
    """A healthy streamed completion."""

    def behave(handler, fake) -> None:
        _start_sse(handler)
        _write(handler, chunk("", None))
        for piece in words(text):
            _write(handler, chunk(piece))
        _write(handler, chunk(None, "stop"))
        _write(handler, b"data: [DONE]\n\n")
        handler.wfile.write(b"0\r\n\r\n")

    return behave


def send_error(status: int, message: str, kind: str, code: str | None = None, headers: dict | None = None):
    """An OpenAI-style JSON error body."""

    def behave(handler, fake) -> None:
        body = json.dumps({"error": {"message": message, "type": kind, "param": None, "code": code}}).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

    return behave


def stall(seconds: float, then: Callable):
    """Answer only after ``seconds`` (or when the test ends)."""

    def behave(handler, fake) -> None:
        fake.release.wait(seconds)
        then(handler, fake)

    return behave


def stall_midway(seconds: float):
    """Headers and one chunk, then silence longer than the client's read timeout."""

    def behave(handler, fake) -> None:
        _start_sse(handler)
        _write(handler, chunk("Shortcut"))
        fake.release.wait(seconds)

    return behave


def break_off(chunked: bool):
    """A couple of valid chunks, then the socket closes without [DONE]: mid-chunk when
    chunked (an incomplete body), or cleanly when the body is delimited by the close."""

    def behave(handler, fake) -> None:
        _start_sse(handler, chunked)
        for piece in words("Shortcut learning is"):
            _write(handler, chunk(piece), chunked)
        if chunked:
            handler.wfile.write(b"40\r\ndata: {\"id\": \"x\", \"obj")  # a chunk cut short
            handler.wfile.flush()
        handler.close_connection = True

    return behave


def garbage(data: bytes = b"<html>502 Bad Gateway</html>"):
    """A valid chunk, then an event whose data is not a chunk (not even JSON by default), then [DONE]."""

    def behave(handler, fake) -> None:
        _start_sse(handler)
        _write(handler, chunk("Shortcut"))
        _write(handler, b"data: " + data + b"\n\n")
        _write(handler, b"data: [DONE]\n\n")
        handler.wfile.write(b"0\r\n\r\n")

    return behave


def error_event():
    """A stream that reports an error in-band, as OpenAI does mid-stream."""

    def behave(handler, fake) -> None:
        _start_sse(handler)
        _write(handler, chunk("Shortcut"))
        _write(handler, b'data: {"error": {"message": "The server had an error", "type": "server_error"}}\n\n')
        handler.wfile.write(b"0\r\n\r\n")

    return behave


# the faults: behaviours (None: nothing listening) and what the message must say ({t}: the timeout)
FAULTS = {
    "connection_refused": (None, r"could not connect to the OpenAI-compatible server at http://127\.0\.0\.1:\d+/v1$"),
    "timeout": ([stall(5, reply("too late [1]."))], r"timed out after {t}s"),
    "timeout_midway": ([stall_midway(5)], r"timed out after {t}s"),
    "http_401": ([send_error(401, f"Incorrect API key provided: {API_KEY}.", "invalid_request_error",
                             "invalid_api_key")], r"HTTP 401 \(unauthorised"),
    "http_429": ([send_error(429, "Rate limit reached for requests", "requests", "rate_limit_exceeded")],
                 r"HTTP 429 \(rate limited"),
    "http_500": ([send_error(500, "The server had an error while processing your request.", "server_error")],
                 r"HTTP 500 \(server error"),
    "stream_cut_mid_chunk": ([break_off(chunked=True)], r"stream broke off: the connection was lost"),
    "stream_closed_without_done": ([break_off(chunked=False)], r"stream broke off: it ended before the reply"),
    "stream_garbage": ([garbage()], r"stream broke off: the server sent a malformed chunk"),
    "stream_json_not_a_chunk": ([garbage(b'{"choices": "x"}')], r"stream broke off: the server sent a malformed chunk"),
    "stream_error_event": ([error_event()], r"stream broke off: APIError"),
}


FAULT_PARAMS = [pytest.param(name, marks=SLOW) if name.startswith("timeout") else name for name in FAULTS]


def expected_message(fault: str, timeout: float) -> str:
    return FAULTS[fault][1].replace("{t}", re.escape(f"{timeout:g}"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def serve():
    """serve(behaviours) -> a started FakeOpenAIServer; serve(None) -> (None, URL of a free port)."""
    started: list[FakeOpenAIServer] = []

    def start(behaviours):
        if behaviours is None:
            return None, f"http://127.0.0.1:{free_port()}/v1"
        server = FakeOpenAIServer(list(behaviours)).start()
        started.append(server)
        return server, server.url

    yield start
    for server in started:
        server.stop()


def client(url: str, *, retries: int = 0, timeout: float = 2.0) -> OpenAIChat:
    return OpenAIChat("m", API_KEY, url, timeout=timeout, max_retries=retries)


def collect(llm: OpenAIChat) -> str:
    return "".join(llm.stream(MESSAGES, max_tokens=32, temperature=0.0))


def assert_clean(message: str) -> None:
    assert API_KEY not in message and "SECRET" not in message
    assert "Traceback" not in message and 'File "' not in message


# -- (a) the back-end itself -------------------------------------------------------------
def test_healthy_server_streams_the_reply(serve):
    server, url = serve([reply("Hello there [1].")])
    assert collect(client(url)) == "Hello there [1]."
    seen = server.requests[0]
    assert seen.path == "/v1/chat/completions" and seen.body["stream"] is True
    assert seen.authorization == f"Bearer {API_KEY}", "the key is sent to the server, and only there"


@pytest.mark.parametrize("fault", FAULT_PARAMS)
def test_fault_raises_a_clear_llm_error(serve, fault):
    server, url = serve(FAULTS[fault][0])
    timeout = 0.3 if fault.startswith("timeout") else 2.0
    started = time.monotonic()
    with pytest.raises(LLMError) as caught:
        collect(client(url, timeout=timeout))
    message = str(caught.value)
    assert re.search(expected_message(fault, timeout), message), message
    assert_clean(message)
    error = caught.value
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__), "no chained SDK error"
    assert time.monotonic() - started < timeout + 3, "the client timeout bounds the wait"
    if server is not None:
        assert len(server.requests) == 1, "llm_retries=0 sends one request"


def test_unauthorised_is_not_retried(serve):
    server, url = serve(FAULTS["http_401"][0])
    with pytest.raises(LLMError, match="HTTP 401"):
        collect(client(url, retries=2))
    assert len(server.requests) == 1, "a wrong key is not a transient error"


@SLOW
def test_persistent_500_gives_up_after_the_retries(serve):
    server, url = serve(FAULTS["http_500"][0])
    with pytest.raises(LLMError, match=r"HTTP 500"):
        collect(client(url, retries=1))
    assert len(server.requests) == 2


@SLOW
def test_transient_error_is_retried_with_backoff(serve):  # 429 then 200: test_ask_recovers_from_a_rate_limit
    server, url = serve([*FAULTS["http_500"][0], reply("Recovered [1].")])
    assert collect(client(url, retries=2)) == "Recovered [1]."
    assert len(server.requests) == 2
    gap = server.requests[1].at - server.requests[0].at
    # the SDK waits 0.5 s * 2**n, minus up to 25% jitter, before retry n+1
    assert gap >= 0.3, f"retried after {gap:.3f}s: no backoff"


@SLOW
def test_retry_after_header_sets_the_backoff(serve):
    server, url = serve([send_error(429, "Slow down", "requests", "rate_limit_exceeded",
                                    headers={"retry-after-ms": "700"}), reply("Recovered [1].")])
    assert collect(client(url, retries=2)) == "Recovered [1]."
    gap = server.requests[1].at - server.requests[0].at
    # the server's delay: the SDK's own first backoff is at most 0.5 s
    assert gap >= 0.65, f"retried after {gap:.3f}s, before retry-after-ms: 700"


@SLOW
def test_timeout_is_retried_then_reported(serve):
    server, url = serve([stall(5, reply("too late."))])
    with pytest.raises(LLMError, match=r"timed out after 0\.25s"):
        collect(client(url, retries=1, timeout=0.25))
    assert len(server.requests) == 2


# -- (b) end to end through the library API ----------------------------------------------
@pytest.fixture
def openai_assistant(tmp_path):
    """make(url, retries) -> an Assistant (fake embedder, real Chroma) over the three small
    papers, whose openai back-end talks to ``url``; every message it notifies is printed."""
    from assistant.api import Assistant

    made: list[Assistant] = []
    corpus = tmp_path / "small.txt"
    corpus.write_text(SMALL_CORPUS)

    def make(url: str, retries: int = 0, timeout: float = 1) -> Assistant:
        settings = Settings(
            data_dir=tmp_path / f"data{len(made)}", openai_api_key=API_KEY, openai_base_url=url,
            openai_model="m", llm_timeout_s=timeout, llm_retries=retries, selector="thresholds", reranker="none",
            answer_strategy="compose",  # the streamed answer's failures (the judging request's: test_judged.py)
            calibration_file=write_calibration(tmp_path / f"calibration{len(made)}.json", small_corpus_relevance()),
        )
        assistant = Assistant(settings, embedder=HashEmbedder(), notify=print)
        made.append(assistant)
        assistant.ingest([corpus], progress=False)
        return assistant

    yield make
    for assistant in made:
        assistant.close()


def assert_no_leak(result, capsys, caplog) -> None:
    captured = capsys.readouterr()
    dumped = json.dumps(result.to_dict())
    for where, text in [("answer", result.answer), ("notice", result.notice or ""), ("json", dumped),
                        ("stdout", captured.out), ("stderr", captured.err), ("logs", caplog.text)]:
        assert API_KEY not in text and "SECRET123" not in text, f"the API key leaked into {where}"


@pytest.mark.parametrize("fault", FAULT_PARAMS)
def test_ask_falls_back_to_the_extractive_answer(serve, openai_assistant, capsys, caplog, fault):
    caplog.set_level(logging.DEBUG)
    server, url = serve(FAULTS[fault][0])
    assistant = openai_assistant(url, retries=0, timeout=1)
    expected = expected_message(fault, 1).rstrip("$")

    events = list(assistant.ask_stream(SHORTCUT_Q, llm="openai"))
    result = events[-1].result

    assert result.backend == "extractive" and result.model is None and not result.refused
    assert "[1]" in result.answer and result.citations and result.citations[0].n == 1
    assert "Shortcut Learning in Deep Networks" in result.answer
    notice = result.notice or ""
    assert notice.startswith("The openai LLM failed (") and notice.rstrip().endswith(
        "this is the extractive answer instead."), notice
    assert re.search(expected, notice), notice
    assert_clean(notice)
    assert [e.text for e in events if e.kind == "notice"] == [notice], "the failure is announced while streaming"
    text = ""
    for event in events:
        text = "" if event.kind == "reset" else text + (event.text if event.kind == "token" else "")
    assert text == result.answer, "what the user saw streaming ends as the final answer"
    assert_no_leak(result, capsys, caplog)
    if server is not None:
        assert server.requests and server.requests[0].authorization == f"Bearer {API_KEY}"


@SLOW
def test_ask_recovers_from_a_transient_500(serve, openai_assistant, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    server, url = serve([*FAULTS["http_500"][0],
                         reply("Shortcut Learning in Deep Networks studies shortcut learning in deep neural networks [1].")])
    assistant = openai_assistant(url, retries=1, timeout=5)  # a loaded machine must not time out the reply

    result = assistant.ask(SHORTCUT_Q, llm="openai")

    assert result.backend == "openai" and result.model == "m"
    assert result.answer.startswith("Shortcut Learning in Deep Networks studies shortcut learning")
    assert [c.n for c in result.citations] == [1]
    assert "failed" not in (result.notice or "")
    assert len(server.requests) == 2, "one 500, then the retry that succeeded"
    assert server.requests[1].at - server.requests[0].at >= 0.3, "the retry waited (backoff)"
    assert "Retrying request" in caplog.text, "the SDK logged its retry"
    assert_no_leak(result, capsys, caplog)


@SLOW
def test_ask_recovers_from_a_rate_limit(serve, openai_assistant, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    server, url = serve([*FAULTS["http_429"][0],
                         reply("Shortcut Learning in Deep Networks studies shortcut learning in deep neural networks [1].")])
    assistant = openai_assistant(url, retries=2, timeout=5)

    result = assistant.ask(SHORTCUT_Q, llm="openai")

    assert result.backend == "openai" and [c.n for c in result.citations] == [1]
    assert len(server.requests) >= 2
    assert server.requests[1].at - server.requests[0].at >= 0.3, "the retry waited (backoff)"
    assert_no_leak(result, capsys, caplog)


def test_urls_shown_to_users_carry_no_credentials():
    from assistant.config import Settings
    from assistant.answering.llm_openai import redact_url
    from assistant.answering.llms import availability

    url = "http://user:sk-SECRET@127.0.0.1:9/v1?api_key=sk-SECRET"
    assert redact_url(url) == "http://127.0.0.1:9/v1"
    shown = availability(Settings(openai_base_url=url))["openai"][1]
    assert "sk-SECRET" not in shown and "127.0.0.1:9" in shown
