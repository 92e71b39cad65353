"""Terminal presentation of answers: the numbered reference list under the answer (from
present.py's model, which the page shares)."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from .present import present

if TYPE_CHECKING:
    from .. import AnswerResult


def references(result: "AnswerResult", width: int = 100) -> str:
    shown = present(result)
    if shown.related:
        lines = ["", "Closest paper(s); they do not answer:"]
        for paper in shown.related:
            lines.append(f"- {paper.title} ({paper.date}; confidence {paper.confidence:.2f})")
        return "\n".join(lines + _dropped(shown))
    if not shown.sources:
        return "\n".join(_dropped(shown))
    lines = ["", "References:"]
    for source in shown.sources:
        confidence = f"; confidence {source.confidence:.2f}" if source.confidence is not None else ""
        lines.append(f"[{source.n}] {source.title} ({source.date}{confidence}) [{source.verdict_words}]")
        lines.extend(textwrap.wrap(f'"{source.quote}"', width=width, initial_indent="    ", subsequent_indent="     "))
    lines += _dropped(shown)
    if shown.also:
        lines += ["", "May also be relevant (below the cut, not cited):"]
        lines.extend(f"- {paper.title} ({paper.date}; confidence {paper.confidence:.2f})" for paper in shown.also)
    return "\n".join(lines)


def _dropped(shown) -> list[str]:
    """What a judging model said that verification dropped, and why."""
    if not shown.dropped:
        return []
    return ["", "Dropped by verification (the model said it; the abstract does not):"] + [
        f"- {title}: \"{text[:160]}\" ({why})" for title, text, why in shown.dropped]


def scope_line(scope) -> str | None:
    """What part of the corpus was searched, when not all of it: "papers from 2024-2025 ('since 2024')"."""
    if scope is None or not (scope.years or scope.papers is not None):
        return None
    parts = []
    if scope.years:
        span = scope.years_words
        parts.append(f"papers from {span}" + (f" (read from “{scope.date_phrase}”)" if scope.date_phrase else ""))
    if scope.papers is not None:
        parts.append(f"only {len(scope.papers)} paper(s) ({scope.only})")
    return "searched " + "; ".join(parts)


def footer(result: "AnswerResult") -> str:
    t = result.timings
    first = f"{t['first_token_s']:.2f}s" if t.get("first_token_s") is not None else "-"
    model = f" {result.model}" if result.model else ""
    searched = scope_line(result.scope)
    return (f"({result.backend}{model}; retrieval {t['retrieve_s']:.2f}s, first token {first}, total {t['total_s']:.2f}s"
            + (f"; {searched}" if searched else "") + ")")
