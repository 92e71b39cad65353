"""What every LLM back-end and its callers share: the Protocol, its capability flags and
the error type.

A back-end says what it can do; nothing else in the project asks which back-end it is
(simonw/llm's models declare ``can_stream`` and ``needs_key`` the same way):

- ``generative``: it writes text (False: the answer quotes the evidence, like ``extractive``);
- ``composes``: it may write the whole answer with [n] markers (else it phrases one source at a time);
- ``needs_key``: it needs a key or server configured; ``auto`` prefers such a back-end when it is available;
- ``model_setting``, ``base_url_setting``: the flat settings that ``--model`` and ``--base-url`` set (None: ignored);
- ``available()``: can it be used now, and why (not).

Below llms.py (the registry) and each back-end's own module, so neither imports the other.
"""

from __future__ import annotations

from typing import Iterator, Protocol


class LLMError(RuntimeError):
    """A back-end failed; the message says how, for the user."""


class ChatLLM(Protocol):
    backend: str  # the registered name it was made under
    model: str | None
    context_window: int
    generative: bool  # False: writes nothing, the answer quotes the evidence (extractive)
    composes: bool  # may write the whole answer with [n] markers
    needs_key: bool  # needs a key or a server configured
    model_setting: str | None  # the flat setting --model sets
    base_url_setting: str | None  # the flat setting --base-url sets

    def available(self) -> tuple[bool, str]:
        """Can it be used now, and why (not), in words for the user."""
        ...

    def stream(self, messages: list[dict[str, str]], *, max_tokens: int, temperature: float) -> Iterator[str]:
        """Yield the reply's text pieces as they are generated; raise LLMError on failure."""
        ...

    def load(self) -> None:
        """Load the model now (else it loads on first use)."""
        ...

    def close(self) -> None:
        """Free the model; it loads again if used."""
        ...


def capability(llm: object, flag: str) -> bool:
    """A capability flag of a back-end; one that does not declare it lacks it (``generative``: has it)."""
    return bool(getattr(llm, flag, flag == "generative"))


def setting_of(llm: object, which: str) -> str | None:
    """``model_setting`` or ``base_url_setting``, None when the back-end does not declare it."""
    return getattr(llm, which, None)


def availability_of(llm: object) -> tuple[bool, str]:
    """``available()``, or (True, "registered") for a back-end that does not say."""
    check = getattr(llm, "available", None)
    return check() if check else (True, "registered")
