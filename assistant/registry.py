"""Named factories for each extension point: LLMs, embedders, rerankers, vector stores.

Each extension point is one :class:`Registry`. A factory takes the :class:`~assistant.config.Settings`
and returns a provider that is not loaded yet (providers load their models on first use,
or on ``load()``). Adding a back-end is one ``register`` call::

    from assistant import LLMS
    LLMS.register("echo", lambda settings: EchoLLM(), help="repeats the evidence")

after which ``Assistant(...).ask(q, llm="echo")`` works, and so do ``--llm echo`` and
``PAPER_ASSISTANT_LLM=echo`` in a program that registers it before the CLI parses its
arguments (docs/architecture.md). An unknown name is an error that lists the known ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Generic, TypeVar

if TYPE_CHECKING:
    from .config import Settings

T = TypeVar("T")


class UnknownProvider(ValueError):
    """A name that no factory is registered under."""


@dataclass(frozen=True)
class Entry(Generic[T]):
    name: str
    factory: Callable[["Settings"], T]
    help: str
    listed: bool  # offered to users (the page's choices); False for test doubles


class Registry(Generic[T]):
    def __init__(self, kind: str):
        self.kind = kind  # "LLM", "embedder", ... (for messages)
        self._entries: dict[str, Entry[T]] = {}

    def register(self, name: str, factory: Callable[["Settings"], T], *, help: str = "", listed: bool = True,
                 replace: bool = False) -> None:
        if not name or name != name.strip() or "," in name:
            raise ValueError(f"a {self.kind} name must be a non-empty word, got {name!r}")
        if name in self._entries and not replace:
            raise ValueError(f"a {self.kind} called {name!r} is already registered (pass replace=True to override)")
        self._entries[name] = Entry(name, factory, help, listed)

    def unregister(self, name: str) -> None:
        self._entries.pop(name, None)

    def names(self, *, listed_only: bool = False) -> list[str]:
        return [e.name for e in self._entries.values() if e.listed or not listed_only]

    def describe(self) -> str:
        """'name (help), ...' for --help texts."""
        return ", ".join(f"{e.name} ({e.help})" if e.help else e.name for e in self._entries.values())

    def get(self, name: str) -> Callable[["Settings"], T]:
        try:
            return self._entries[name].factory
        except KeyError:
            raise UnknownProvider(f"unknown {self.kind} {name!r}; known: {', '.join(self.names())}") from None

    def create(self, name: str, settings: "Settings") -> T:
        return self.get(name)(settings)

    def __contains__(self, name: object) -> bool:
        return name in self._entries
