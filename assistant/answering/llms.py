"""LLM back-ends: one small Protocol (llm_base.py) and a registry of them, chosen by name.

Registered here:

- ``local``: a GGUF model through llama-cpp-python (llm_local.py; default SmolLM2-135M);
- ``openai``: OpenAI or any OpenAI-compatible server (llm_openai.py);
- ``extractive``: no model at all: the answer quotes each source's evidence sentence;
- ``fake``: a deterministic stand-in for tests (echoes the request's last line).

Another back-end is one file and one ``LLMS.register(name, factory)`` call
(docs/architecture.md): what it can do is read from its capability flags, never from its
name. Errors reach callers as :class:`LLMError` with a message fit for the user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterator

from ..registry import Registry
from .llm_base import ChatLLM, LLMError, availability_of, capability, setting_of

if TYPE_CHECKING:
    from ..config import Settings


class ExtractiveLLM:
    """The back-end without a model: the pipeline quotes each source's evidence sentence."""

    backend = "extractive"
    model = None
    context_window = 0
    generative = composes = needs_key = False
    model_setting = base_url_setting = None

    def available(self) -> tuple[bool, str]:
        return True, "no LLM: quotes the best evidence sentences"

    def stream(self, messages, *, max_tokens, temperature) -> Iterator[str]:
        raise LLMError("the extractive back-end writes nothing")
        yield ""  # pragma: no cover

    def load(self) -> None:
        pass

    def close(self) -> None:
        pass


class FakeLLM:
    """A scripted chat model for tests: replies by a function of the messages (default: the
    last user message's last line), streamed word by word; every request is kept in ``calls``.
    ``composes=True`` makes it write whole answers, as a strong model may."""

    generative = True
    needs_key = False
    model_setting = base_url_setting = None

    def __init__(self, reply: str | Callable[[list[dict]], str] | None = None, *, backend: str = "fake",
                 model: str = "fake-model", context_window: int = 2048, composes: bool = False):
        if reply is None:
            reply = lambda messages: messages[-1]["content"].strip().splitlines()[-1]  # noqa: E731
        self.reply = reply if callable(reply) else (lambda messages: reply)
        self.backend = backend
        self.model = model
        self.context_window = context_window
        self.composes = composes
        self.calls: list[list[dict]] = []
        self.loaded = self.closed = False

    def available(self) -> tuple[bool, str]:
        return True, "registered"

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
    """The back-end called ``name`` (not loaded yet), with the model and server URL the
    caller asked for (set through the settings the back-end names for them). Raises
    LLMError if it can't be used, saying why."""
    from ..registry import UnknownProvider

    try:
        factory = LLMS.get(name)
    except UnknownProvider as exc:
        raise LLMError(str(exc)) from None
    llm = factory(settings)
    wanted = {setting_of(llm, "model_setting"): model, setting_of(llm, "base_url_setting"): base_url}
    changes = {key: value for key, value in wanted.items() if key and value}
    if changes:
        llm = factory(settings.updated(**changes))
    usable, why = availability_of(llm)
    if not usable:
        raise LLMError(why)
    return llm


def _offered(settings: "Settings") -> dict[str, ChatLLM | None]:
    """Each back-end offered to users, built (not loaded); None where building it failed."""
    made: dict[str, ChatLLM | None] = {}
    for name in LLMS.names(listed_only=True):
        try:
            made[name] = LLMS.create(name, settings)
        except LLMError:
            made[name] = None
    return made


def availability(settings: "Settings") -> dict[str, tuple[bool, str]]:
    """Each back-end offered to users: can it be used now, and why (not)."""
    found = {}
    for name, llm in _offered(settings).items():
        try:
            found[name] = availability_of(llm) if llm is not None else availability_of(make_llm(name, settings))
        except LLMError as exc:
            found[name] = (False, str(exc))
    return found


def resolve_llm(settings: "Settings") -> str:
    """The back-end ``llm`` names; ``auto``: the first offered one that needs a key and has
    it (a configured service), else the first generative one that needs none."""
    if settings.llm.backend != "auto":
        return settings.llm.backend
    offered = {name: llm for name, llm in _offered(settings).items() if llm is not None}
    keyed = [n for n, llm in offered.items() if capability(llm, "needs_key") and availability_of(llm)[0]]
    plain = [n for n, llm in offered.items() if capability(llm, "generative") and not capability(llm, "needs_key")]
    return (keyed + plain + list(offered))[0]


def compared_llms(settings: "Settings") -> list[str]:
    """The back-ends an evaluation compares by default: those without a model first, then
    every generative one that needs no key, then those whose key is set."""
    offered = {name: llm for name, llm in _offered(settings).items() if llm is not None}
    quoting = [n for n, llm in offered.items() if not capability(llm, "generative")]
    plain = [n for n, llm in offered.items() if capability(llm, "generative") and not capability(llm, "needs_key")]
    keyed = [n for n, llm in offered.items() if capability(llm, "needs_key") and availability_of(llm)[0]]
    return quoting + plain + keyed


def writing_llms(settings: "Settings") -> tuple[str, ...]:
    """Every registered back-end that writes text (``generative``)."""
    found = []
    for name in LLMS.names():
        try:
            if capability(LLMS.create(name, settings), "generative"):
                found.append(name)
        except LLMError:
            continue
    return tuple(found)


def _local(settings: "Settings") -> ChatLLM:
    from .llm_local import LocalLlama

    return LocalLlama.from_settings(settings)


def _openai(settings: "Settings") -> ChatLLM:
    from .llm_openai import OpenAIChat

    return OpenAIChat.from_settings(settings)


LLMS.register("local", _local, help="GGUF via llama.cpp; default SmolLM2-135M")
LLMS.register("openai", _openai, help="OpenAI or a compatible server")
LLMS.register("extractive", lambda settings: ExtractiveLLM(), help="no model: quotes the evidence")
LLMS.register("fake", lambda settings: FakeLLM(), help="for tests: echoes the request", listed=False)
