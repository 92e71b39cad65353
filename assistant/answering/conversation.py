"""A conversation's next question: the follow-up made standalone, with the filters it keeps.

A follow-up ("which of them were published in 2024?") inherits what the conversation
searched (its year range, its subset) unless it says otherwise:

- a date phrase of its own sets the years; so do explicit ``years``; otherwise the last
  turn's years carry over;
- "of them", "among these", "which one"... narrow the search to the papers the last
  answer cited; otherwise the last turn's subset carries over (explicit ``only`` wins);
- a follow-up that only adds a filter ("which of them were published in 2024?") asks the
  last question again; one that adds words is condensed (followup.py).

The date phrase is read before the follow-up is condensed, so no rewrite can drop it.
A question that refers to nothing before it stands alone, with only the filters given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..retrieval import read_date_filter
from .followup import condense, needs_context

if TYPE_CHECKING:
    from .llm_base import ChatLLM
    from .prompts import Prompts
    from .results import AnswerResult

_NARROWING = re.compile(
    r"\b(?:of|among|from|between|in)\s+(?:them|these|those|the above|the ones?|these papers|those papers)\b"
    r"|\bwhich one\b|\b(?:these|those|the above|the cited)\s+papers\b|\b(?:both|either|neither)\b",
    re.IGNORECASE,
)
# words that add nothing to the last question: the follow-up only filters its answer
_FILLER = frozenset(
    "which what who whom whose how of among from between in on the a an any them these those ones one they "
    "their it its were was are is be been do does did have has had papers paper works work ones published "
    "released appeared came come out written posted also only still then and or that".split()
)


@dataclass(frozen=True)
class Turn:
    """One answered question of a conversation, as the next one reads it."""

    asked: str  # as typed
    searched: str  # the standalone question that was searched
    answer: str
    years: tuple[int, int] | None = None
    only: str | None = None
    cited: tuple[str, ...] = ()  # the cited papers' ids, in citation order

    @classmethod
    def of(cls, asked: str, searched: str, result: "AnswerResult") -> "Turn":
        scope = result.scope
        cited = tuple(dict.fromkeys(c.paper_id for c in result.citations))
        return cls(asked, searched, result.answer, scope.years if scope else None, scope.only if scope else None, cited)


@dataclass(frozen=True)
class FollowUp:
    """What to search next: the standalone question and its filters."""

    question: str
    years: tuple[int, int] | None = None
    only: str | None = None
    narrowed_to: int = 0  # > 0: only the last answer's N cited papers are searched
    years_inherited: bool = False

    @property
    def read_dates(self) -> bool:
        """Whether a date phrase left in the question is still a filter (not once years are set)."""
        return self.years is None


def adds_nothing(question: str) -> bool:
    """True when a follow-up holds no word beyond referring, asking and publishing words."""
    words = re.findall(r"[a-z0-9]+", question.lower())
    return all(w in _FILLER for w in words)


def follow_up(turns: list[Turn], message: str, llm: "ChatLLM | None", prompts: "Prompts", newest_year: int | None, *,
              years: tuple[int, int] | None = None, only: str | None = None) -> FollowUp:
    """The next question of a conversation (``turns``, oldest first); ``years`` and ``only``
    are the filters the user set for it explicitly (they win over anything inherited)."""
    message = " ".join(message.split())
    if not turns or not needs_context(message):
        return FollowUp(message, years, only)
    last = turns[-1]
    rest, stated = read_date_filter(message, newest_year)
    inherited = False
    if years is None and stated is not None:
        years = stated.years
    elif years is None and last.years is not None:
        years, inherited = last.years, True
    narrowed = 0
    if _NARROWING.search(message) and last.cited:
        only, narrowed = ",".join(last.cited), len(last.cited)
    elif only is None:
        only = last.only
    if adds_nothing(rest):
        question = read_date_filter(last.searched, newest_year)[0] if years else last.searched
    else:
        question = condense([(t.asked, t.answer) for t in turns], rest, llm, prompts)
    return FollowUp(question, years, only, narrowed, inherited)
