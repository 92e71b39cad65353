"""What every LLM back-end and its callers share: the Protocol and the error type.

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

    def stream(self, messages: list[dict[str, str]], *, max_tokens: int, temperature: float) -> Iterator[str]:
        """Yield the reply's text pieces as they are generated; raise LLMError on failure."""
        ...

    def load(self) -> None:
        """Load the model now (else it loads on first use)."""
        ...

    def close(self) -> None:
        """Free the model; it loads again if used."""
        ...
