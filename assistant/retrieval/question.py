"""A question read once, at the door of the pipeline: cleaned, its date phrase read as a
scope, cut to the token budget and parsed. Everything after works from this one object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from ..text.clean import clean_question
from ..text.terms import asked_attribute, asks_for_number
from .query import ParsedQuestion, parse_question
from .scope import Scope, scope_for

if TYPE_CHECKING:
    from ..index.catalog import Catalog


@dataclass(frozen=True)
class Question:
    text: str  # as searched and answered: cleaned, without the date phrase it stated, cut to the budget
    topic: str  # what retrieval searches for
    is_list: bool  # "which papers ...?": the answer names every relevant paper
    scope: Scope  # the years and papers searched
    notices: tuple[str, ...] = ()  # what reading it changed, for the user (a cut)
    asked: str = ""  # as typed, cleaned (with its date phrase)

    @property
    def parsed(self) -> ParsedQuestion:
        return ParsedQuestion(self.text, self.topic, self.is_list)

    @property
    def kind(self) -> str:
        return "list" if self.is_list else "fact"

    @property
    def asks_for(self) -> str | None:
        """What a fact question asks about its papers ("error rate"), or None."""
        return None if self.is_list else asked_attribute(self.text)

    @property
    def wants_number(self) -> bool:
        return asks_for_number(self.text)


def check_years(years: tuple[int, int] | None) -> None:
    """A year range is (FROM, TO) with FROM <= TO; anything else is the caller's mistake."""
    if years is None:
        return
    if len(years) != 2 or not all(isinstance(y, int) for y in years):
        raise ValueError(f"years: expected (FROM, TO) as two integers, got {years!r}")
    if years[0] > years[1]:
        raise ValueError(f"years: FROM ({years[0]}) is after TO ({years[1]})")


def read_question(raw: str, catalog: Callable[[], "Catalog"], *, years: tuple[int, int] | None = None,
                  only: str | None = None, read_dates: bool = True, max_tokens: int | None = None,
                  what: str = "question") -> Question:
    """The question cleaned (NFKC, no control characters), checked, scoped (a date phrase of
    it is a year filter unless ``years`` is given or ``read_dates`` is False; ``only`` a
    subset), cut to ``max_tokens`` (None: not cut) and parsed. ``catalog`` is called once
    the input is known to be valid (it may build the index)."""
    text = clean_question(raw)
    if not text:
        raise ValueError(f"the {what} is empty")
    check_years(years)
    searched, scope = scope_for(text, catalog(), years, only, read_dates)
    notices: tuple[str, ...] = ()
    if max_tokens is not None:
        searched, cut = fit(searched, max_tokens)
        notices = (cut,) if cut else ()
    parsed = parse_question(searched)
    return Question(parsed.text, parsed.topic, parsed.is_list, scope, notices, text)


def fit(text: str, limit: int) -> tuple[str, str | None]:
    """The text within ``limit`` tokens (cl100k), and a notice when it was cut."""
    from ..index.chunking import token_counter

    text = " ".join(text.split())
    if not text:
        raise ValueError("the question is empty")
    tokens = token_counter()(text)
    if len(tokens) <= limit:
        return text, None
    import tiktoken

    cut = tiktoken.get_encoding("cl100k_base").decode(tokens[:limit]).strip()
    return cut, f"The question was {len(tokens)} tokens long; only its first {limit} were used."
