"""Terminal presentation of answers: the numbered reference list under the answer."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .. import AnswerResult

MARKS = {"supported": "✓ supported", "weak": "~ weak support", "unsupported": "✗ NOT supported"}


def references(result: "AnswerResult", width: int = 100) -> str:
    if result.related:
        lines = ["", "Closest paper(s); they do not answer:"]
        for candidate in result.related:
            paper = candidate.hit.paper
            lines.append(f"- {paper.title} ({paper.published or 'date unknown'}; confidence {candidate.confidence:.2f})")
        return "\n".join(lines)
    if not result.citations and not result.sources:
        return ""
    lines = ["", "References:"]
    by_n = {c.n: c for c in result.citations}
    for source in result.sources:
        paper = source.paper
        citation = by_n.get(source.n)
        date = paper.published or "date unknown"
        mark = MARKS.get(citation.support, citation.support) if citation else "not cited"
        confidence = f"; confidence {source.candidate.confidence:.2f}" if source.candidate.confidence is not None else ""
        lines.append(f"[{source.n}] {paper.title} ({date}{confidence}) [{mark}]")
        quote = citation.evidence if citation else source.candidate.evidence_text
        lines.extend(textwrap.wrap(f'"{quote}"', width=width, initial_indent="    ", subsequent_indent="     "))
    return "\n".join(lines)


def scope_line(scope) -> str | None:
    """What part of the corpus was searched, when not all of it: "papers from 2024-2025 ('since 2024')"."""
    if scope is None or not (scope.years or scope.papers is not None):
        return None
    parts = []
    if scope.years:
        start, end = scope.years
        span = f"{start}" if start == end else (f"up to {end}" if start <= 1900 else f"{start}-{end}")
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
